"""SQLAlchemy 2 models. Relationships load only on purpose: lazy="raise" fails loudly otherwise."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from renewals.domain.enums import (
    ContactRole,
    OfferingType,
    OrderOrigin,
    OrderStatus,
    PaymentMethod,
    QuoteOrigin,
    QuoteStatus,
    QuoteType,
    Term,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Money(TypeDecorator[Decimal]):
    """Exact decimals on every backend: NUMERIC on PostgreSQL, text on SQLite (never a float)."""

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> Any:
        if value is None:
            return None
        return str(Decimal(value)) if dialect.name != "postgresql" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


def enum(cls: type) -> SAEnum:
    return SAEnum(cls, native_enum=False, length=24, validate_strings=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Partner(Base):
    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    csn: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    csn: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    contacts: Mapped[list["Contact"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("customer_id", "email"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[ContactRole] = mapped_column(enum(ContactRole))


class Price(Base):
    __tablename__ = "prices"
    __table_args__ = (UniqueConstraint("product", "term", "currency"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(200))
    term: Mapped[Term] = mapped_column(enum(Term))
    currency: Mapped[str] = mapped_column(String(3))
    unit_price: Mapped[Decimal] = mapped_column(Money())


class Promotion(Base):
    __tablename__ = "promotions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(500))
    percent_off: Mapped[Decimal] = mapped_column(Money())
    products: Mapped[list[str]] = mapped_column(JSON)
    terms: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_customer_end", "customer_id", "end_date"),
        Index("ix_subscriptions_reseller_end", "reseller_id", "end_date"),
        Index("ix_subscriptions_end_date", "end_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    reseller_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    product: Mapped[str] = mapped_column(String(200))
    offering_type: Mapped[OfferingType] = mapped_column(enum(OfferingType))
    term: Mapped[Term] = mapped_column(enum(Term))
    seats: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    payment_method: Mapped[PaymentMethod] = mapped_column(enum(PaymentMethod))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    auto_renew: Mapped[bool] = mapped_column(Boolean)
    # The open quote this subscription sits on: the guard of "at most one open quote".
    open_quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"), index=True)
    # R12: the end date an automatic quote was made for (once per term).
    auto_quoted_end_date: Mapped[date | None] = mapped_column(Date)


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (
        Index("ix_quotes_customer_status", "customer_id", "status"),
        Index("ix_quotes_reseller_status", "reseller_id", "status"),
        Index("ix_quotes_status_expires", "status", "expires_on"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[QuoteType] = mapped_column(enum(QuoteType))
    origin: Mapped[QuoteOrigin] = mapped_column(enum(QuoteOrigin))
    status: Mapped[QuoteStatus] = mapped_column(enum(QuoteStatus))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    reseller_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    currency: Mapped[str] = mapped_column(String(3))
    payment_method: Mapped[PaymentMethod] = mapped_column(enum(PaymentMethod))
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount_total: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    created_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    # R10: the address the quote was sent with; later customer changes never alter it.
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    checkout_nonce: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # Revisions: the quote this one replaces, and (once it took over) the one that replaced it.
    revision_of_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"))
    revised_by_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"))
    lines: Mapped[list["QuoteLine"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="QuoteLine.position"
    )


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    term: Mapped[Term] = mapped_column(enum(Term))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    unit_price: Mapped[Decimal] = mapped_column(Money())
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    # R02: auto-renew this quote switched off, to restore when the quote closes.
    auto_renew_switched_off: Mapped[bool] = mapped_column(Boolean, default=False)


class QuotePromotion(Base):
    __tablename__ = "quote_promotions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500))
    discount: Mapped[Decimal] = mapped_column(Money())


class QuoteRecipient(Base):
    __tablename__ = "quote_recipients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))


class QuoteStatusChange(Base):
    __tablename__ = "quote_status_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    status: Mapped[QuoteStatus] = mapped_column(enum(QuoteStatus))
    previous_status: Mapped[QuoteStatus | None] = mapped_column(enum(QuoteStatus))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)


class Order(Base):
    """An order: an accepted quote (QUOTE) or an automatic renewal of one subscription (R02)."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer", "customer_id"),
        Index("ix_orders_reseller", "reseller_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    origin: Mapped[OrderOrigin] = mapped_column(enum(OrderOrigin))
    status: Mapped[OrderStatus] = mapped_column(enum(OrderStatus))
    # Null for AUTO_RENEWAL; unique otherwise (one order per accepted quote).
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    reseller_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount_total: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    payment_method: Mapped[PaymentMethod] = mapped_column(enum(PaymentMethod))
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    # Declined charges so far: a charge made again after a decline gets a new idempotency key.
    declines: Mapped[int] = mapped_column(Integer, default=0)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class OrderLine(Base):
    """What an order renews: one subscription's term, seats and price."""

    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    term: Mapped[Term] = mapped_column(enum(Term))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    unit_price: Mapped[Decimal] = mapped_column(Money())
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())


class OrderStatusChange(Base):
    """An order's status history: every change and every charge attempt, with why."""

    __tablename__ = "order_status_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    status: Mapped[OrderStatus] = mapped_column(enum(OrderStatus))
    previous_status: Mapped[OrderStatus | None] = mapped_column(enum(OrderStatus))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)


class JobStatus(StrEnum):
    """An outbox job's state (stored as its name)."""

    PENDING = "PENDING"
    DONE = "DONE"
    FAILED = "FAILED"


class EmailStatus(StrEnum):
    """An email's state: SENDING while one worker talks to SMTP (at most once)."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class OutboxJob(Base):
    """Durable work written in the same transaction as the change that needs it."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_due", "status", "run_after"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    quote_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # The W3C traceparent of the request that wrote the job (traces on), so the worker's span
    # continues that trace; null when traces are off.
    traceparent: Mapped[str | None] = mapped_column(String(55))


class Email(Base):
    """The email outbox: every email is kept; delivered over SMTP when configured."""

    __tablename__ = "emails"
    __table_args__ = (Index("ix_emails_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"), index=True)
    # An email about an order without a quote (an automatic renewal, R02).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # A quote email carries its PDF (with the checkout link): the name is written with the email,
    # the bytes at the first sending (kept before SMTP sees them, so a retry sends the same).
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "operation", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120))
    operation: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    quote_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ScheduledRun(Base):
    """One row per business date the scheduled jobs ran for: several servers run them once."""

    __tablename__ = "scheduled_runs"
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    runner: Mapped[str] = mapped_column(String(100))


class RateBudget(Base):
    """A token's rate budget (leaky bucket of query-cost points), shared by every process on
    PostgreSQL (persistence/budgets.py); keyed by a digest, not by the token's subject."""

    __tablename__ = "rate_budgets"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    available: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)


class HealthCheck(Base):
    """One row `/healthz` rewrites: a database that answers reads but cannot write (a full disk)
    is not healthy."""

    __tablename__ = "health_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebhookEndpoint(Base):
    """Where a partner's (or sales') signed webhooks go; `partner_id` None: sales, every quote."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Kept as is: HMAC signing needs the secret itself (as Stripe keeps its endpoint secrets).
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class WebhookDelivery(Base):
    """The webhook outbox: one event for one endpoint, written with the change it tells of."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(40))
    quote_id: Mapped[int | None] = mapped_column(Integer, index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Retries run for a window from here; redeliverWebhook starts a new window.
    window_started_at: Mapped[datetime] = mapped_column(DateTime)
    window_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookAttempt(Base):
    """One POST of a delivery: when, how long, and the HTTP status or the error."""

    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(DateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class WebhookReminder(Base):
    """A quote whose `quote.expiring` reminder was written: once per quote."""

    __tablename__ = "webhook_reminders"
    quote_id: Mapped[int] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True
    )
    written_at: Mapped[datetime] = mapped_column(DateTime)
