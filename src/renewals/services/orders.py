"""Accepting, cancelling and auto-renew: each one transaction, refusals as DomainError."""

from dataclasses import dataclass

from renewals.auth import AuthError, Viewer, read_checkout_token
from renewals.container import Container
from renewals.domain.enums import ErrorCode, OrderOrigin, OrderStatus, QuoteStatus
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import check_acceptable, check_cancel, check_not_revised
from renewals.domain.visibility import Visibility
from renewals.domain.windows import check_auto_renew
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork
from renewals.services.idempotency import replay_or_claim, request_hash, retry_key_races, settle
from renewals.services.lifecycle import transition
from renewals.services.quotes import enqueue

ACCEPT = "acceptQuote"


def not_found(what: str) -> DomainError:
    return DomainError.one(ErrorCode.NOT_FOUND, f"No such {what}.", (what,))


@dataclass(frozen=True)
class AcceptCommand:
    quote_id: int | None = None
    checkout_token: str | None = None
    idempotency_key: str | None = None
    quote_id_given: bool = False


async def accept_quote(
    container: Container,
    viewer: Viewer | None,
    visibility: Visibility | None,
    command: AcceptCommand,
) -> int:
    """QUOTED → ORDER_SUBMITTED with an order and a fulfil job; exactly one of many concurrent wins."""
    if command.quote_id_given == (command.checkout_token is not None):
        raise DomainError.one(
            ErrorCode.INVALID_INPUT, "Give exactly one of quoteId and checkoutToken.", ("request",)
        )
    nonce = None
    quote_id = command.quote_id
    if command.checkout_token is not None:
        try:
            claims = read_checkout_token(container.secret_key, command.checkout_token)
        except AuthError as e:
            raise DomainError.one(
                ErrorCode.INVALID_CHECKOUT_TOKEN,
                "The checkout link is not valid.",
                ("checkout_token",),
            ) from e
        quote_id, nonce = claims.quote_id, claims.nonce
    return await retry_key_races(
        lambda: _accept(container, viewer, visibility, command, quote_id, nonce)
    )


async def _accept(
    container: Container,
    viewer: Viewer | None,
    visibility: Visibility | None,
    command: AcceptCommand,
    quote_id: int | None,
    nonce: str | None,
) -> int:
    scope = viewer.scope if viewer and nonce is None else f"checkout:{quote_id}"
    digest = request_hash({"quote": quote_id})
    async with UnitOfWork(container.db) as uow:
        replay = await replay_or_claim(
            uow, scope, ACCEPT, command.idempotency_key, digest, container.clock.now()
        )
        if replay is not None:
            return replay
        quote = await uow.quotes.get(quote_id, for_update=True)
        field = ("checkout_token",) if nonce else ("quote",)
        if quote is None:
            if nonce is not None:
                raise DomainError.one(
                    ErrorCode.INVALID_CHECKOUT_TOKEN, "The checkout link is not valid.", field
                )
            raise not_found("quote")
        if nonce is not None and quote.checkout_nonce != nonce:
            raise DomainError.one(
                ErrorCode.INVALID_CHECKOUT_TOKEN, "The checkout link is not valid.", field
            )
        if nonce is None and (visibility is None or not visibility.allows(quote)):
            raise not_found("quote")
        if quote.revised_by_id is not None:
            revision = await uow.quotes.get(quote.revised_by_id)
            check_not_revised(quote.number, revision.number if revision else None)
        check_acceptable(quote.status, quote.expires_on, container.clock.today())
        actor = viewer.scope if viewer and nonce is None else "checkout-link"
        await transition(uow, container, quote, QuoteStatus.ORDER_SUBMITTED, actor)
        await place_quote_order(uow, container, quote, actor)
        enqueue(uow, container, "fulfil_order", quote.id)
        await settle(uow, scope, ACCEPT, command.idempotency_key, quote.id)
        await uow.commit()
        return quote.id


async def place_quote_order(
    uow: UnitOfWork, container: Container, quote: m.Quote, actor: str
) -> m.Order:
    """The QUOTE order of an accepted quote: its lines as quoted, PENDING until fulfilled."""
    order = m.Order(
        number=f"O-{quote.created_on.year}-{quote.id:06d}",
        origin=OrderOrigin.QUOTE,
        status=OrderStatus.PENDING,
        quote_id=quote.id,
        customer_id=quote.customer_id,
        reseller_id=quote.reseller_id,
        subtotal=quote.subtotal,
        discount_total=quote.discount_total,
        total=quote.total,
        currency=quote.currency,
        payment_method=quote.payment_method,
        declines=0,
        created_at=container.clock.now(),
    )
    lines = [
        m.OrderLine(
            subscription_id=ln.subscription_id,
            seats=ln.seats,
            term=ln.term,
            start_date=ln.start_date,
            end_date=ln.end_date,
            unit_price=ln.unit_price,
            subtotal=ln.subtotal,
            discount=ln.discount,
            total=ln.total,
        )
        for ln in await uow.quotes.lines(quote.id)
    ]
    return await uow.orders.place(order, lines, actor, container.clock.now())


async def cancel_quote(
    container: Container,
    viewer: Viewer,
    visibility: Visibility,
    quote_id: int | None,
    reason: str | None,
) -> int:
    """R10: partners and sales may cancel an open quote; the reason is kept in the history."""
    async with UnitOfWork(container.db) as uow:
        quote = await uow.quotes.get(quote_id, for_update=True)
        if quote is None or not visibility.allows(quote):
            raise not_found("quote")
        check_cancel(viewer.role, quote.status)
        await transition(
            uow, container, quote, QuoteStatus.CANCELLED, viewer.scope, reason, viewer.role
        )
        await uow.commit()
        return quote.id


async def set_auto_renew(
    container: Container, visibility: Visibility, subscription_id: int | None, enabled: bool
) -> int:
    async with UnitOfWork(container.db) as uow:
        sub = await uow.subscriptions.get(subscription_id)
        if sub is None or not visibility.allows(sub):
            raise not_found("subscription")
        check_auto_renew(enabled, sub.end_date, container.clock.today())
        await uow.subscriptions.set_auto_renew([sub.id], enabled)
        if sub.open_quote_id is not None:
            await uow.quotes.keep_auto_renew_choice(sub.open_quote_id, sub.id)
        await uow.commit()
        return sub.id
