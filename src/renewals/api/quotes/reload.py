"""What a quote mutation answers with: the quote re-read after the service committed."""

from renewals.api.core.context import Context
from renewals.api.quotes.types import Quote


async def reloaded_quote(context: Context, quote_id: int) -> Quote | None:
    context.refresh()
    return Quote.of(await context.loaders.quote_by_id.load(quote_id), context.today)
