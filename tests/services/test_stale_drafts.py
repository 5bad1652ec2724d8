"""The jobs remove DRAFTs nobody finalized by their provisional expiry (30 days after their last
change, or earlier where the renewal window or an auto-renewing term ends)."""

from datetime import timedelta

from renewals.domain.enums import QuoteStatus
from renewals.domain.visibility import Visibility
from renewals.services.drafts import DraftUpdate, update_draft
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from tests.factories import TODAY, document, subscription
from tests.helpers import seed
from tests.services.lifecycle.helpers import SALES, sub_pk
from tests.services.test_jobs import all_quotes, jobs_on


async def test_an_untouched_draft_is_removed_after_its_provisional_expiry(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=85)]))
    pk = await sub_pk(container, "SUB-1")
    quote_id = await create_renewal_quote(
        container, SALES, Visibility(), CreateQuoteCommand([pk], draft=True)
    )
    (quote,) = await all_quotes(container)
    assert (quote.status, quote.expires_on) == (QuoteStatus.DRAFT, TODAY + timedelta(days=30))

    # A change on day 20 keeps it another 30 days from then.
    container.clock.fixed_today = TODAY + timedelta(days=20)
    await update_draft(container, SALES, Visibility(), DraftUpdate(quote_id=quote_id))
    assert (await jobs_on(container, TODAY + timedelta(days=31))).drafts_removed == 0
    assert (await jobs_on(container, TODAY + timedelta(days=50))).drafts_removed == 0
    report = await jobs_on(container, TODAY + timedelta(days=51))
    assert report.drafts_removed == 1
    assert await all_quotes(container) == []
