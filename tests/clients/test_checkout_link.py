"""The emailed checkout link of a real `renewals serve --port P` (no RENEWALS_PUBLIC_URL)."""

import httpx

from tests.clients.live import LiveServer

GROUPS = "{ eligibleRenewalGroups { subscriptions { id seats } } }"
CREATE = """mutation ($ids: [ID!]!) { createRenewalQuote(input: {subscriptionIds: $ids}) {
  quote { number } userErrors { code } } }"""


def test_link_points_at_the_served_port_and_accepts_with_post_redirect_get(live: LiveServer):
    buyer = live.token()
    groups = live.query(GROUPS, auth=buyer)["eligibleRenewalGroups"]
    ids = [s["id"] for s in groups[0]["subscriptions"]]
    created = live.query(CREATE, {"ids": ids}, auth=buyer)["createRenewalQuote"]
    assert created["userErrors"] == []
    (message,) = live.wait_for_email()
    link = live.checkout_link(message)
    assert link.startswith(f"{live.base}/checkout?token="), link  # host and port of this server

    with httpx.Client(timeout=20) as http:
        page = http.get(link)
        assert page.status_code == 200 and "Accept and buy" in page.text
        token = link.split("token=", 1)[1]
        posted = http.post(f"{live.base}/checkout", data={"token": token})
        assert posted.status_code == 303
        result = http.get(f"{live.base}{posted.headers['location']}")
        assert result.status_code == 200 and "Thank you" in result.text
        assert created["quote"]["number"] in result.text
        # A refresh of the result page shows the result again and submits nothing.
        again = http.get(f"{live.base}{posted.headers['location']}")
        assert again.status_code == 200 and "Thank you" in again.text


def test_one_seat_is_singular_in_the_email(live: LiveServer):
    buyer = live.token()
    groups = live.query(GROUPS, auth=buyer)["eligibleRenewalGroups"]
    sub = next(s for g in groups for s in g["subscriptions"])
    mutation = """mutation ($id: ID!) { createRenewalQuote(input: {subscriptionIds: [$id],
      changes: [{subscriptionId: $id, seats: 1}]}) { userErrors { code } } }"""
    assert live.query(mutation, {"id": sub["id"]}, auth=buyer)["createRenewalQuote"] == {
        "userErrors": []
    }
    (message,) = live.wait_for_email()
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert ": 1 seat, " in body and "1 seats" not in body, body
