"""The Node clients frontends use (Apollo Client 3, urql, graphql-ws) against a real server.

Each test runs one script of `tests/clients/node/` (`npm ci` there installs the exact versions
of its package-lock.json) and checks the one JSON line it prints. These are the clients that
once failed with "Message is missing the 'type' property" (binary WebSocket frames).
"""

import json
import os
import subprocess
from datetime import datetime, timedelta
from typing import Any

import pytest

from renewals.auth import mint_token
from renewals.domain.enums import Role
from tests.clients.live import NODE_DIR, LiveServer, require_node_modules
from tests.factories import SECRET

GROUPS = "{ eligibleRenewalGroups { subscriptions { id } } }"
LIFECYCLE = ["FINALIZING", "QUOTED", "ORDER_SUBMITTED", "ORDERED"]
SCRIPT_TIMEOUT_MS = 30_000  # the script's own deadline; subprocess.run waits a little longer


def run_node(script: str, live: LiveServer, *args: str, **env: str) -> dict[str, Any]:
    """`node script args` with the server's URLs; its single JSON line, or a failure with stderr."""
    require_node_modules(NODE_DIR)
    environment = {
        **os.environ,
        "RENEWALS_GRAPHQL_URL": live.graphql_url,
        "RENEWALS_WS_URL": live.ws_url,
        "RENEWALS_TIMEOUT_MS": str(SCRIPT_TIMEOUT_MS),
        **env,
    }
    try:
        done = subprocess.run(
            ["node", script, *args],
            cwd=NODE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT_MS / 1000 + 10,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"node {script} hung: {e.stderr!r}\nserver log: {live.tail()}")
    assert done.returncode == 0, (
        f"node {script} {' '.join(args)} exited {done.returncode}:\n{done.stderr}\n"
        f"stdout: {done.stdout}\nserver log: {live.tail()}"
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


def first_group_ids(live: LiveServer, token: str) -> list[str]:
    groups = live.query(GROUPS, auth=token)["eligibleRenewalGroups"]
    assert groups, "the demo buyer has no eligible renewal group"
    return [s["id"] for s in groups[0]["subscriptions"]]


def assert_chained(events: list[dict[str, Any]]) -> None:
    """Each event's previousStatus is the status before it; the times never go back."""
    for before, after in zip(events, events[1:], strict=False):
        assert after["previousStatus"] == before["status"], events
        assert datetime.fromisoformat(after["occurredAt"]) >= datetime.fromisoformat(
            before["occurredAt"]
        ), events
    for e in events:
        assert datetime.fromisoformat(e["occurredAt"]).utcoffset() is not None, e


@pytest.mark.parametrize("library", ["apollo", "urql"])
def test_quote_flow_streams_every_status_to_early_and_late_subscribers(
    live: LiveServer, library: str
):
    buyer = live.token()
    ids = first_group_ids(live, buyer)
    result = run_node(
        "flow.mjs",
        live,
        library,
        RENEWALS_TOKEN=buyer,
        RENEWALS_SUBSCRIPTION_IDS=json.dumps(ids),
    )
    number = result["quote"]["number"]
    assert result["quote"]["status"] == "FINALIZING"
    assert result["barrier"]["viewer"] == {"role": "BUYER", "customer": {"csn": "5100000001"}}

    # Subscribed before the mutation: every change of the new quote, in order, nothing twice.
    first = result["first"]
    assert [e["status"] for e in first] == LIFECYCLE, first
    assert first[0]["previousStatus"] is None
    assert_chained(first)
    assert {e["number"] for e in first} == {number}

    # Subscribed after the mutation: the current state first (FINALIZING, or QUOTED if the
    # worker was quicker), then the rest, no gaps and no repeats.
    second = [e["status"] for e in result["second"]]
    assert second[0] in ("FINALIZING", "QUOTED"), second
    assert second == LIFECYCLE[LIFECYCLE.index(second[0]) :], second
    assert result["second"][0]["previousStatus"] == (
        None if second[0] == "FINALIZING" else "FINALIZING"
    )
    assert_chained(result["second"])
    # The late subscriber's events are the same changes the early one saw.
    by_status = {e["status"]: e["occurredAt"] for e in first}
    assert all(by_status[e["status"]] == e["occurredAt"] for e in result["second"])
    # The event's quote is the quote as it is now.
    assert first[-1]["quoteStatus"] == "ORDERED"

    assert result["accept"]["userErrors"] == []
    accepted = result["accept"]["quote"]  # Apollo and urql add __typename to every selection
    assert (accepted["number"], accepted["status"]) == (number, "ORDER_SUBMITTED")
    assert result["accept"]["order"]["number"]
    assert result["connected"] == 1 and result["closedBeforeEnd"] == []

    # The HTTP side agrees with what the sockets said.
    status = live.query(
        "query ($n: String!) { quote(number: $n) { status } }", {"n": number}, buyer
    )
    assert status == {"quote": {"status": "ORDERED"}}


def test_connect_without_a_valid_token_is_refused_with_4403(live: LiveServer):
    bad = {
        "forged": mint_token("not-the-server-secret-but-32-bytes-long", Role.SALES),
        "expired": mint_token(
            SECRET, Role.BUYER, customer_csn="5100000001", ttl=timedelta(seconds=-60)
        ),
    }
    result = run_node(
        "refuse.mjs", live, RENEWALS_TOKEN=live.token(), RENEWALS_BAD_TOKENS=json.dumps(bad)
    )
    cases = result["cases"]
    assert {(c["client"], c["auth"]) for c in cases} == {
        (client, auth)
        for client in ("graphql-ws", "apollo", "urql")
        for auth in ("none", "malformed", "forged", "expired")
    }
    for case in cases:
        # Refused at connection_init: never acknowledged, no data, one close with 4403 ...
        assert case["connected"] == 0 and case["data"] is None, case
        assert [c["code"] for c in case["closed"]] == [4403], case
        # ... and the application sees that code in the error its library reports.
        assert case["errorCode"] == 4403, case
    apollo = next(c for c in cases if c["client"] == "apollo")
    assert apollo["error"].startswith("Error: Socket closed with event 4403"), apollo

    # A valid token is accepted, whatever the case of the `authorization` key.
    control = result["control"]
    assert control["connected"] == 1
    assert control["result"]["data"] == {"viewer": {"role": "BUYER"}}
    assert control["result"]["extensions"]["cost"]["requestedQueryCost"] == 1  # as over HTTP
