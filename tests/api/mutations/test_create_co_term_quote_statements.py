"""createCoTermQuote issues as many SELECTs for ten subscriptions as for two (no N+1)."""

from tests.api.mutations.co_term import CREATE_CO_TERM
from tests.api.mutations.helpers import sub_id
from tests.factories import document, subscription
from tests.helpers import count_sql, gql, seed, token


async def selects_for(client, container, numbers: list[str]) -> int:
    ids = [await sub_id(container, n) for n in numbers]
    anchor = await sub_id(container, "SUB-A")
    variables = {"input": {"subscriptionIds": ids, "alignToSubscriptionId": anchor}}
    with count_sql(container) as counter:
        body = await gql(client, CREATE_CO_TERM, variables, auth=token())
    assert body["data"]["createCoTermQuote"]["userErrors"] == []
    return counter.selects


async def test_selects_do_not_grow_with_the_subscriptions(client, container):
    subs = [subscription(f"SUB-{i}", ends_in_days=30 + i) for i in range(13)]
    await seed(container, document([*subs, subscription("SUB-A", ends_in_days=125)]))
    await selects_for(client, container, ["SUB-0"])  # the first request warms per-process caches
    two = await selects_for(client, container, ["SUB-1", "SUB-2"])
    ten = await selects_for(client, container, [f"SUB-{i}" for i in range(3, 13)])
    assert two == ten
