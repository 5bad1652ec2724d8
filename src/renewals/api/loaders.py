"""Every loader of one request (or of one status event), from each area's loaders module."""

from renewals.api.customers.loaders import (
    ContactsByCustomerIdLoader,
    CustomerByIdLoader,
    CustomerIdByCsnLoader,
    PartnerByIdLoader,
    PartnerIdByCsnLoader,
)
from renewals.api.orders.loaders import (
    HistoryByOrderIdLoader,
    LinesByOrderIdLoader,
    OrderByIdLoader,
    OrderByQuoteIdLoader,
    OrderIdsBySubscriptionIdLoader,
)
from renewals.api.quotes.loaders import (
    HistoryByQuoteIdLoader,
    LinesByQuoteIdLoader,
    PromotionsByQuoteIdLoader,
    QuoteByIdLoader,
    QuoteIdByNumberLoader,
    RecipientsByQuoteIdLoader,
)
from renewals.api.subscriptions.loaders import (
    PriceByKeyLoader,
    PromotionsByDateLoader,
    SubscriptionByIdLoader,
)
from renewals.persistence.db import SharedReadConnection


class Loaders:
    """Fresh per request, so nothing is cached across viewers or changes. They share one read
    connection (`reads`), which the request's list reads use as well."""

    def __init__(self, reads: SharedReadConnection) -> None:
        self.reads = reads
        self.subscription_by_id = SubscriptionByIdLoader(reads)
        self.price_by_key = PriceByKeyLoader(reads)
        self.promotions_by_date = PromotionsByDateLoader(reads)
        self.customer_by_id = CustomerByIdLoader(reads)
        self.partner_by_id = PartnerByIdLoader(reads)
        self.contacts_by_customer_id = ContactsByCustomerIdLoader(reads)
        self.customer_id_by_csn = CustomerIdByCsnLoader(reads)
        self.partner_id_by_csn = PartnerIdByCsnLoader(reads)
        self.quote_by_id = QuoteByIdLoader(reads)
        self.quote_id_by_number = QuoteIdByNumberLoader(reads)
        self.lines_by_quote_id = LinesByQuoteIdLoader(reads)
        self.promotions_by_quote_id = PromotionsByQuoteIdLoader(reads)
        self.recipients_by_quote_id = RecipientsByQuoteIdLoader(reads)
        self.history_by_quote_id = HistoryByQuoteIdLoader(reads)
        self.order_by_id = OrderByIdLoader(reads)
        self.order_by_quote_id = OrderByQuoteIdLoader(reads)
        self.order_ids_by_subscription_id = OrderIdsBySubscriptionIdLoader(reads)
        self.lines_by_order_id = LinesByOrderIdLoader(reads)
        self.history_by_order_id = HistoryByOrderIdLoader(reads)
