"""Keyset cursor pagination over `subscriptions` and `quotes`, with totalCount and filters."""

from datetime import timedelta

import pytest

from renewals.api.core.ids import pk_of
from renewals.domain.visibility import Visibility
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from tests.factories import TODAY, customer, document, subscription
from tests.helpers import gql, seed, token

A, B = "5100000001", "5100000002"
P1 = "P000000001"
SALES = token("sales", None)

SUBSCRIPTIONS = """
query ($first: Int, $after: String, $filter: SubscriptionFilter) {
  subscriptions(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { number } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
QUOTES = """
query ($first: Int, $after: String, $filter: QuoteFilter) {
  quotes(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { number status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
QUOTE_ID = "query ($number: String!) { quote(number: $number) { id } }"
SUBSCRIPTION_IDS = "{ subscriptions(first: 100) { edges { node { id number } } } }"
CANCEL = """
mutation ($id: ID!) { cancelQuote(input: {quoteId: $id, reason: "test"}) {
  quote { status } userErrors { code } } }
"""


def a_days(i: int) -> int:
    """SUB-A{i}'s end date, in days from today: -60, -50, …, 180 (window open from -45 to 90)."""
    return 10 * i - 60


def a_subscription(i: int) -> dict:
    return subscription(
        f"SUB-A{i:03d}",
        ends_in_days=a_days(i),
        auto_renew=i % 3 == 0,
        reseller_csn=P1 if i % 5 == 0 else None,
    )


A_NUMBERS = [f"SUB-A{i:03d}" for i in range(25)]
B_NUMBERS = [f"SUB-B{i:03d}" for i in range(5)]
ALL_NUMBERS = A_NUMBERS + B_NUMBERS


@pytest.fixture
async def seeded(container) -> None:
    """25 subscriptions of customer A (ends spread over 8 months), then 5 of customer B."""
    subs = [a_subscription(i) for i in range(25)]
    subs += [subscription(n, customer_csn=B, ends_in_days=30) for n in B_NUMBERS]
    await seed(container, document(subs, [customer(A), customer(B, buyer="buyer@b.example")]))


async def page(client, query: str, auth: str = SALES, **variables) -> dict:
    body = await gql(client, query, variables, auth=auth)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def all_pages(
    client, query: str, first: int, auth: str = SALES, after: str | None = None, **variables
) -> list[dict]:
    pages = []
    while True:
        connection = await page(client, query, auth, first=first, after=after, **variables)
        pages.append(connection)
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]
        assert len(pages) < 50, "pagination does not end"


def numbers(connection: dict) -> list[str]:
    return [e["node"]["number"] for e in connection["edges"]]


def assert_page_info(connection: dict, *, has_next: bool, has_previous: bool) -> None:
    edges = connection["edges"]
    assert connection["pageInfo"] == {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": edges[0]["cursor"] if edges else None,
        "endCursor": edges[-1]["cursor"] if edges else None,
    }


# --- subscriptions -----------------------------------------------------------------------------


async def test_subscription_pages_are_disjoint_complete_and_ordered(client, seeded):
    pages = await all_pages(client, SUBSCRIPTIONS, first=7)
    assert [numbers(p) for p in pages] == [
        ALL_NUMBERS[0:7],
        ALL_NUMBERS[7:14],
        ALL_NUMBERS[14:21],
        ALL_NUMBERS[21:28],
        ALL_NUMBERS[28:30],
    ]
    for index, connection in enumerate(pages):
        assert connection["totalCount"] == 30
        assert_page_info(connection, has_next=index < 4, has_previous=index > 0)
    cursors = [e["cursor"] for p in pages for e in p["edges"]]
    assert len(set(cursors)) == 30


async def test_exact_multiple_of_page_size_ends_without_an_empty_page(client, seeded):
    pages = await all_pages(client, SUBSCRIPTIONS, first=10)
    assert [numbers(p) for p in pages] == [
        ALL_NUMBERS[0:10],
        ALL_NUMBERS[10:20],
        ALL_NUMBERS[20:30],
    ]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True, False]


async def test_default_page_size_is_20(client, seeded):
    connection = await page(client, SUBSCRIPTIONS)
    assert numbers(connection) == ALL_NUMBERS[:20]
    assert_page_info(connection, has_next=True, has_previous=False)


async def test_first_100_returns_everything_in_one_page(client, seeded):
    connection = await page(client, SUBSCRIPTIONS, first=100)
    assert numbers(connection) == ALL_NUMBERS
    assert_page_info(connection, has_next=False, has_previous=False)


async def test_first_zero_returns_no_edges_but_the_total(client, seeded):
    connection = await page(client, SUBSCRIPTIONS, first=0)
    assert connection["edges"] == []
    assert connection["totalCount"] == 30


async def test_cursor_of_the_last_row_gives_an_empty_last_page(client, seeded):
    last = await page(client, SUBSCRIPTIONS, first=100)
    after = last["pageInfo"]["endCursor"]
    connection = await page(client, SUBSCRIPTIONS, first=5, after=after)
    assert connection["edges"] == []
    assert_page_info(connection, has_next=False, has_previous=True)


async def test_rows_added_between_pages_cause_no_duplicates_or_skips(client, container, seeded):
    first_page = await page(client, SUBSCRIPTIONS, first=10)
    assert numbers(first_page) == ALL_NUMBERS[:10]

    # A second import: new subscriptions, and an update of rows on both sides of the cursor.
    added = [subscription(f"SUB-N{i:03d}", ends_in_days=20) for i in range(6)]
    updated = [{**a_subscription(i), "seats": 9} for i in (3, 15)]
    await seed(container, document(updated + added))

    rest = await all_pages(
        client, SUBSCRIPTIONS, first=10, after=first_page["pageInfo"]["endCursor"]
    )
    seen = numbers(first_page) + [n for p in rest for n in numbers(p)]
    assert seen == ALL_NUMBERS + [f"SUB-N{i:03d}" for i in range(6)]
    assert rest[-1]["totalCount"] == 36


async def test_subscription_pages_respect_visibility(client, seeded):
    pages = await all_pages(client, SUBSCRIPTIONS, first=4, auth=token("partner", P1))
    assert [numbers(p) for p in pages] == [
        ["SUB-A000", "SUB-A005", "SUB-A010", "SUB-A015"],
        ["SUB-A020"],
    ]
    assert [p["totalCount"] for p in pages] == [5, 5]


def in_window(i: int) -> bool:
    return -45 <= a_days(i) <= 90


IN_WINDOW = [f"SUB-A{i:03d}" for i in range(25) if in_window(i)] + B_NUMBERS
OUT_OF_WINDOW = [f"SUB-A{i:03d}" for i in range(25) if not in_window(i)]
AUTO_RENEW = [f"SUB-A{i:03d}" for i in range(25) if i % 3 == 0]


@pytest.mark.parametrize(
    ("subscription_filter", "expected"),
    [
        ({}, ALL_NUMBERS),
        ({"customerCsn": A}, A_NUMBERS),
        ({"customerCsn": B}, B_NUMBERS),
        ({"customerCsn": "5199999999"}, []),
        ({"resellerCsn": P1}, [f"SUB-A{i:03d}" for i in range(0, 25, 5)]),
        ({"resellerCsn": "P000000002"}, []),
        ({"resellerCsn": "P999999999"}, []),
        ({"renewalWindowOpen": True}, IN_WINDOW),
        ({"renewalWindowOpen": False}, OUT_OF_WINDOW),
        (
            {"endDateFrom": str(TODAY + timedelta(days=100))},
            [f"SUB-A{i:03d}" for i in range(16, 25)],
        ),
        ({"endDateTo": str(TODAY - timedelta(days=40))}, ["SUB-A000", "SUB-A001", "SUB-A002"]),
        (
            {
                "endDateFrom": str(TODAY + timedelta(days=20)),
                "endDateTo": str(TODAY + timedelta(days=40)),
            },
            ["SUB-A008", "SUB-A009", "SUB-A010", *B_NUMBERS],
        ),
        ({"endDateFrom": str(TODAY + timedelta(days=31))}, A_NUMBERS[10:]),
        ({"numbers": ["SUB-B003", "SUB-A004", "SUB-X"]}, ["SUB-A004", "SUB-B003"]),
        ({"numbers": []}, []),
        ({"autoRenew": True}, AUTO_RENEW),
        ({"autoRenew": False}, [n for n in ALL_NUMBERS if n not in AUTO_RENEW]),
        (
            {"customerCsn": A, "renewalWindowOpen": True, "autoRenew": True},
            ["SUB-A003", "SUB-A006", "SUB-A009", "SUB-A012", "SUB-A015"],
        ),
    ],
)
async def test_subscription_filters_paginate_with_a_matching_total(
    client, seeded, subscription_filter, expected
):
    pages = await all_pages(client, SUBSCRIPTIONS, first=4, filter=subscription_filter)
    assert [n for p in pages for n in numbers(p)] == expected
    assert all(len(p["edges"]) == 4 for p in pages[:-1]), "only the last page may be short"
    assert {p["totalCount"] for p in pages} == {len(expected)}


# --- quotes ------------------------------------------------------------------------------------


async def create_quotes(client, container, subscription_numbers: list[str]) -> list[str]:
    """One quote per subscription, in order; returns the quote numbers."""
    ids = {
        e["node"]["number"]: e["node"]["id"]
        for e in (await page(client, SUBSCRIPTION_IDS))["edges"]
    }
    quote_numbers = []
    for number in subscription_numbers:
        command = CreateQuoteCommand(subscription_ids=[pk_of(ids[number], "Subscription")])
        pk = await create_renewal_quote(container, None, Visibility(), command)
        quote_numbers.append(f"Q-{TODAY.year}-{pk:06d}")
    return quote_numbers


QUOTED_A = ["SUB-A002", "SUB-A003", "SUB-A004", "SUB-A006", "SUB-A007"]  # in window
QUOTED_B = ["SUB-B000", "SUB-B001"]


@pytest.fixture
async def quotes(client, container, seeded) -> list[str]:
    """Seven quotes, oldest first: five of customer A, then two of customer B."""
    return await create_quotes(client, container, QUOTED_A + QUOTED_B)


async def test_quote_pages_are_newest_first_disjoint_and_complete(client, quotes):
    pages = await all_pages(client, QUOTES, first=3)
    newest_first = list(reversed(quotes))
    assert [numbers(p) for p in pages] == [newest_first[0:3], newest_first[3:6], newest_first[6:7]]
    for index, connection in enumerate(pages):
        assert connection["totalCount"] == 7
        assert_page_info(connection, has_next=index < 2, has_previous=index > 0)


async def test_quotes_created_between_pages_cause_no_duplicates_or_skips(client, container, quotes):
    first_page = await page(client, QUOTES, first=3)
    newer = await create_quotes(client, container, ["SUB-A008", "SUB-B002"])
    rest = await all_pages(client, QUOTES, first=3, after=first_page["pageInfo"]["endCursor"])
    seen = numbers(first_page) + [n for p in rest for n in numbers(p)]
    assert seen == list(reversed(quotes))  # the newer quotes come before the cursor
    assert rest[-1]["totalCount"] == 9
    restart = await all_pages(client, QUOTES, first=3)
    assert [n for p in restart for n in numbers(p)] == list(reversed(quotes + newer))


@pytest.fixture
async def cancelled(client, quotes) -> list[str]:
    """Cancels the second and the sixth quote; returns their numbers."""
    for number in (quotes[1], quotes[5]):
        body = await gql(client, QUOTE_ID, {"number": number}, auth=SALES)
        result = await gql(client, CANCEL, {"id": body["data"]["quote"]["id"]}, auth=SALES)
        assert result == {
            "data": {"cancelQuote": {"quote": {"status": "CANCELLED"}, "userErrors": []}}
        }
    return [quotes[1], quotes[5]]


@pytest.mark.parametrize(
    ("quote_filter", "expected_indexes"),
    [
        ({}, [6, 5, 4, 3, 2, 1, 0]),
        ({"customerCsn": A}, [4, 3, 2, 1, 0]),
        ({"customerCsn": B}, [6, 5]),
        ({"customerCsn": "5199999999"}, []),
        ({"statuses": ["CANCELLED"]}, [5, 1]),
        ({"statuses": ["FINALIZING"]}, [6, 4, 3, 2, 0]),
        ({"statuses": ["FINALIZING", "CANCELLED"]}, [6, 5, 4, 3, 2, 1, 0]),
        ({"statuses": ["QUOTED", "ORDERED"]}, []),
        ({"statuses": []}, []),
        ({"statuses": [], "open": True}, []),
        ({"open": True}, [6, 4, 3, 2, 0]),
        ({"open": False}, [5, 1]),
        ({"open": True, "statuses": ["CANCELLED"]}, []),
        ({"open": False, "statuses": ["CANCELLED", "FINALIZING"]}, [5, 1]),
        ({"open": True, "customerCsn": B}, [6]),
        ({"statuses": ["CANCELLED"], "customerCsn": A}, [1]),
    ],
)
async def test_quote_filters_paginate_with_a_matching_total(
    client, quotes, cancelled, quote_filter, expected_indexes
):
    pages = await all_pages(client, QUOTES, first=2, filter=quote_filter)
    expected = [quotes[i] for i in expected_indexes]
    assert [n for p in pages for n in numbers(p)] == expected
    statuses = {e["node"]["number"]: e["node"]["status"] for p in pages for e in p["edges"]}
    assert statuses == {n: "CANCELLED" if n in cancelled else "FINALIZING" for n in expected}
    assert {p["totalCount"] for p in pages} == {len(expected)}


async def test_quote_pages_respect_visibility(client, quotes):
    pages = await all_pages(client, QUOTES, first=1, auth=token("buyer", B))
    assert [numbers(p) for p in pages] == [[quotes[6]], [quotes[5]]]
    assert [p["totalCount"] for p in pages] == [2, 2]
