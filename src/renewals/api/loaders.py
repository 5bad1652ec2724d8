"""Every loader of one request (or of one status event), from each area's loaders module."""

from sqlalchemy.ext.asyncio import AsyncEngine

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


class Loaders:
    """Fresh per request, so nothing is cached across viewers or changes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.subscription_by_id = SubscriptionByIdLoader(engine)
        self.price_by_key = PriceByKeyLoader(engine)
        self.promotions_by_date = PromotionsByDateLoader(engine)
        self.customer_by_id = CustomerByIdLoader(engine)
        self.partner_by_id = PartnerByIdLoader(engine)
        self.contacts_by_customer_id = ContactsByCustomerIdLoader(engine)
        self.customer_id_by_csn = CustomerIdByCsnLoader(engine)
        self.partner_id_by_csn = PartnerIdByCsnLoader(engine)
        self.quote_by_id = QuoteByIdLoader(engine)
        self.quote_id_by_number = QuoteIdByNumberLoader(engine)
        self.lines_by_quote_id = LinesByQuoteIdLoader(engine)
        self.promotions_by_quote_id = PromotionsByQuoteIdLoader(engine)
        self.recipients_by_quote_id = RecipientsByQuoteIdLoader(engine)
        self.history_by_quote_id = HistoryByQuoteIdLoader(engine)
        self.order_by_id = OrderByIdLoader(engine)
        self.order_by_quote_id = OrderByQuoteIdLoader(engine)
        self.order_ids_by_subscription_id = OrderIdsBySubscriptionIdLoader(engine)
        self.lines_by_order_id = LinesByOrderIdLoader(engine)
        self.history_by_order_id = HistoryByOrderIdLoader(engine)
