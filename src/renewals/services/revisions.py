"""Revisions (R10: "make a new quote"): a new quote replaces an open one.

The original stays open until its revision leaves DRAFT (at once, or at finalizeQuote); then, in
one transaction, the revision takes over the original's subscriptions and the original becomes
CANCELLED with reason QUOTE_REVISED, `revisedBy` set. The revision takes the customer's current
address at finalization, the original's recipients, seats, terms and auto-renew switch unless
given anew.
"""

from dataclasses import dataclass, field
from datetime import date

from renewals.auth import Viewer
from renewals.container import Container
from renewals.domain.enums import ErrorCode, QuoteOrigin, QuoteStatus, Role
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import effective_status
from renewals.domain.quotes import LineChange, Recipient, origin_for
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork
from renewals.services.drafts import DraftUpdate, claim_planned, replan, write_replanned
from renewals.services.idempotency import replay_or_claim, request_hash, retry_key_races, settle
from renewals.services.lifecycle import record_status, take_over
from renewals.services.quotes import enqueue, insert_quote

OPERATION = "reviseQuote"
# Buyers revise the quotes made for them by themselves or by the job; partners and sales any.
BUYER_REVISES = frozenset({QuoteOrigin.SELF_SERVICE, QuoteOrigin.AUTOMATIC})


@dataclass(frozen=True)
class ReviseCommand:
    quote_id: int | None
    recipients: list[Recipient] | None = None
    changes: list[LineChange] = field(default_factory=list)
    disable_auto_renew: bool | None = None
    idempotency_key: str | None = None
    draft: bool = False


def check_revisable(quote: m.Quote, role: Role, today: date) -> None:
    """Only an open quote, unexpired on `today`; a buyer's only if it is SELF_SERVICE or
    AUTOMATIC."""
    status = effective_status(quote.status, quote.expires_on, today)
    if status == QuoteStatus.EXPIRED:
        raise DomainError.one(
            ErrorCode.QUOTE_EXPIRED, f"The quote expired on {quote.expires_on}.", ("quote",)
        )
    if not status.is_open:
        raise DomainError.one(
            ErrorCode.QUOTE_NOT_OPEN,
            f"The quote is {status.value}: only an open quote is revised.",
            ("quote",),
        )
    if role == Role.BUYER and quote.origin not in BUYER_REVISES:
        raise DomainError.one(
            ErrorCode.FORBIDDEN,
            f"A {quote.origin.value} quote is revised by your partner or the sales team.",
            ("quote",),
        )


async def revise_quote(
    container: Container, viewer: Viewer, visibility: Visibility, command: ReviseCommand
) -> int:
    return await retry_key_races(lambda: _revise(container, viewer, visibility, command))


async def _revise(
    container: Container, viewer: Viewer, visibility: Visibility, command: ReviseCommand
) -> int:
    today, scope = container.clock.today(), viewer.scope
    digest = request_hash(
        {
            "quote": command.quote_id,
            "recipients": None
            if command.recipients is None
            else [(r.email, r.name) for r in command.recipients],
            "changes": [(c.subscription_id, c.seats, c.term, c.type) for c in command.changes],
            "disable": command.disable_auto_renew,
            "draft": command.draft,
        }
    )
    async with UnitOfWork(container.db) as uow:
        replay = await replay_or_claim(
            uow, scope, OPERATION, command.idempotency_key, digest, container.clock.now()
        )
        if replay is not None:
            return replay
        original = await uow.quotes.get(command.quote_id, for_update=True)
        if original is None or not visibility.allows(original):
            raise DomainError.one(ErrorCode.NOT_FOUND, "No such quote.", ("quote",))
        check_revisable(original, viewer.role, today)
        update = DraftUpdate(
            quote_id=original.id,
            recipients=command.recipients,
            changes=command.changes,
            disable_auto_renew=command.disable_auto_renew,
        )
        origin = origin_for(viewer.role)
        planned = await replan(
            uow,
            container,
            original,
            update,
            visibility,
            scope,
            origin=origin,
            replacing=original.id,
        )
        status = QuoteStatus.DRAFT if command.draft else QuoteStatus.FINALIZING
        revision = await insert_quote(
            uow,
            container,
            planned.lines,
            planned.priced,
            origin,
            scope,
            today,
            status,
            original.type,
        )
        revision.revision_of_id = original.id
        await write_replanned(uow, container, revision, planned)
        if not command.draft:
            await take_over(uow, container, original, revision, scope)
            await claim_planned(uow, revision, planned)
            enqueue(uow, container, "finalize_quote", revision.id)
        await record_status(uow, container, revision, None, scope)
        await settle(uow, scope, OPERATION, command.idempotency_key, revision.id)
        await uow.commit()
        return revision.id
