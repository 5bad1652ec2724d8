"""A validly signed token whose claims have the wrong shape is UNAUTHENTICATED, never a 500."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.factories import SECRET

VIEWER = "{ viewer { role } }"
SUBSCRIPTIONS = "{ subscriptions { totalCount } }"


def signed(**claims: object) -> str:
    now = datetime.now(UTC)
    base = {"iss": "renewals", "typ": "bearer", "sub": "x", "iat": now, "exp": now + timedelta(1)}
    return jwt.encode({**base, **claims}, SECRET, algorithm="HS256")


def test_the_well_formed_token_works_for_comparison():
    from renewals.auth import read_bearer

    assert read_bearer(SECRET, signed(role="buyer", csn="5100000001")).customer_csn == "5100000001"


MALFORMED = {
    "csn list": signed(role="buyer", csn=["5100000001"]),
    "csn object": signed(role="partner", csn={"a": 1}),
    "csn number": signed(role="buyer", csn=5100000001),
    "csn with NUL": signed(role="buyer", csn="5100000001\x00"),
    "sub list": signed(role="sales", sub=["x"]),
}


@pytest.mark.parametrize("bearer", MALFORMED.values(), ids=MALFORMED)
@pytest.mark.parametrize("query", [VIEWER, SUBSCRIPTIONS])
async def test_malformed_claims_are_unauthenticated(client, container, bearer, query):
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {bearer}"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
