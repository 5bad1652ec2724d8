"""Whose webhook endpoints the viewer manages: its partner's, or sales'; buyers none."""

from graphql import GraphQLError

from renewals.api.core.context import Context
from renewals.domain.errors import DomainError
from renewals.services.webhooks import owner_of


async def owner_or_refusal(context: Context) -> int | None:
    """For mutations: a DomainError (FORBIDDEN) becomes the payload's userErrors."""
    return owner_of(context.viewer(), await context.visibility())


async def viewer_owner(context: Context) -> int | None:
    """For queries: a top-level FORBIDDEN error for buyers (UNAUTHENTICATED without a token)."""
    try:
        return await owner_or_refusal(context)
    except DomainError as e:
        raise GraphQLError(str(e), extensions={"code": "FORBIDDEN"}) from e
