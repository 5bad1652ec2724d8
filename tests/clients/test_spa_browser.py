"""The reference SPA at /app in a real browser (Debian's Chromium through Playwright) against a
real `renewals serve` with the demo data: the buyer's self-service renewal (R04) from the groups
to the order, live over graphql-ws; the review step (each deselect previewed, a DRAFT reviewed,
then sent or discarded); the email's checkout link; a partner's live quote list.

Screenshots go to docs/screenshots/ (spa-*, checkout-*).
"""

import re
import time
from datetime import date
from decimal import Decimal
from typing import Any

from playwright.sync_api import Page, expect

from tests.clients.live import TIMEOUT, Browser, LiveServer

ACME = "5100000001"
PARTNER = "P000000001"
LIVE = {"timeout": TIMEOUT * 1000}  # for what waits on the worker (finalizing, fulfilling)
# The demo's EUR / credit card group of Acme: three annual subscriptions, none on a quote.
GROUP = ["SUB-1001", "SUB-1002", "SUB-1003"]
LEFT_OUT = "SUB-1003"

SUBSCRIPTIONS = """query ($numbers: [String!]) {
  subscriptions(first: 20, filter: {numbers: $numbers}) { edges { node { id number endDate } } }
}"""
QUOTE = """query ($number: String!) {
  quote(number: $number) { id status total { amount currency } lines { subscription { number } endDate } }
}"""
SEATS = """query ($numbers: [String!]) {
  subscriptions(first: 20, filter: {numbers: $numbers}) { edges { node { id number seats autoRenew } } }
}"""
PREVIEW = """mutation ($ids: [ID!]!, $changes: [QuoteLineChangeInput!]) {
  previewQuote(input: {renewal: {subscriptionIds: $ids, changes: $changes}}) {
    preview { subtotal { amount currency } total { amount currency }
              lines { subscription { number } seats total { amount currency } } }
    userErrors { code field message }
  }
}"""
DRAFT = """query ($number: String!) {
  quote(number: $number) {
    id status total { amount currency } lines { subscription { number } seats }
    recipients { email name } statusHistory { status } address { city }
  }
}"""
CREATE = """mutation ($input: CreateRenewalQuoteInput!) {
  createRenewalQuote(input: $input) { quote { number } userErrors { code message } }
}"""

# Records every (status, Accept button enabled?) the quote view shows, however briefly.
WATCH_STATUS = """() => {
  window.seen = [];
  new MutationObserver(() => {
    const status = document.querySelector('[data-testid="quote-status"]');
    const accept = document.querySelector('[data-testid="accept-quote"]');
    if (!status || !accept) return;
    const entry = `${status.textContent}/${accept.disabled ? 'disabled' : 'enabled'}`;
    if (window.seen[window.seen.length - 1] !== entry) window.seen.push(entry);
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}"""


def money(amount: dict) -> str:
    """As the SPA shows it: "1,234.50 EUR"."""
    return f"{Decimal(amount['amount']):,.2f} {amount['currency']}"


def one_year_on(d: date) -> date:
    return d.replace(year=d.year + 1)


def subscriptions(live: LiveServer, token: str, numbers: list[str]) -> dict[str, dict]:
    data = live.query(SUBSCRIPTIONS, {"numbers": numbers}, auth=token)
    return {e["node"]["number"]: e["node"] for e in data["subscriptions"]["edges"]}


def end_dates(live: LiveServer, token: str, numbers: list[str]) -> dict[str, date]:
    return {
        n: date.fromisoformat(s["endDate"]) for n, s in subscriptions(live, token, numbers).items()
    }


def wait_for_status(live: LiveServer, token: str, number: str, status: str) -> dict:
    deadline = time.monotonic() + TIMEOUT
    while True:
        quote = live.query(QUOTE, {"number": number}, auth=token)["quote"]
        if quote["status"] == status:
            return quote
        assert time.monotonic() < deadline, f"{number} is {quote['status']}, not {status}"
        time.sleep(0.1)


def statuses(page: Page, testid: str) -> list[str]:
    return page.get_by_test_id(testid).evaluate_all("els => els.map(e => e.dataset.status)")


def sign_in(page: Page, live: LiveServer, token: str, path: str = "/app") -> None:
    page.goto(f"{live.base}{path}?token={token}")
    expect(page.get_by_test_id("viewer-role")).to_be_visible()
    assert "token" not in page.url  # removed from the address bar (history.replaceState)
    assert page.evaluate("sessionStorage.getItem('renewals.token')") == token
    assert page.evaluate("localStorage.length") == 0


def test_buyer_renews_part_of_a_group_live(live: LiveServer, browser: Browser):
    page = browser.page
    token = live.token("buyer", ACME)
    before = end_dates(live, token, GROUP)

    # Signed in through /app?token=...; the header shows the viewer.
    sign_in(page, live, token)
    expect(page.get_by_test_id("viewer-role")).to_have_text("BUYER")
    expect(page.get_by_test_id("viewer-name")).to_contain_text(f"Acme Bau AG ({ACME})")

    # The eligible groups, each subscription with its window and eligibility.
    group = page.get_by_test_id("group").filter(
        has=page.locator(f'[data-testid="subscription-row"][data-number="{GROUP[0]}"]')
    )
    expect(group.get_by_test_id("subscription-row")).to_have_count(len(GROUP))
    assert group.get_by_test_id("subscription-row").evaluate_all(
        "rows => rows.map(r => r.dataset.number)"
    ) == sorted(GROUP, key=lambda n: before[n])  # by end date
    expect(group).to_contain_text("EUR · Credit card · direct")
    expect(group.get_by_test_id("eligibility").first).to_have_text("Eligible")
    expect(group.get_by_test_id("group-total")).to_contain_text("EUR")
    expect(page.get_by_test_id("group")).not_to_have_count(0)
    browser.screenshot("spa-1-groups")

    # Leave one subscription out; up to four recipients.
    group.locator(f'[data-testid="select-subscription"][data-number="{LEFT_OUT}"]').uncheck()
    add = group.get_by_test_id("add-recipient")
    for _ in range(4):
        add.click()
    expect(group.get_by_test_id("recipient")).to_have_count(4)
    expect(add).to_be_disabled()
    for n in (4, 3, 2):
        group.get_by_role("button", name=f"Remove recipient {n}").click()
    expect(group.get_by_test_id("recipient")).to_have_count(1)
    expect(add).to_be_enabled()

    # A refusal is shown with its code, field and message, and the input is marked.
    group.get_by_test_id("recipient-email").fill("not-an-email")
    group.get_by_test_id("request-quote").click()
    error = group.get_by_test_id("user-error")
    expect(error).to_have_count(1)
    expect(error).to_have_attribute("data-code", "INVALID_EMAIL")
    expect(error).to_contain_text("input.recipients.0.email")
    expect(group.get_by_test_id("recipient-email")).to_have_class("invalid")

    group.get_by_test_id("recipient-email").fill("controller@acme.example")
    group.get_by_test_id("recipient-name").fill("Carl Controller")
    browser.screenshot("spa-2-request")

    # The quote: FINALIZING at once, then QUOTED live, priced.
    page.evaluate(WATCH_STATUS)
    group.get_by_test_id("request-quote").click()
    status = page.get_by_test_id("quote-status")
    expect(status).to_have_text("QUOTED", **LIVE)
    expect(page.get_by_test_id("live-state")).to_have_text("● live", **LIVE)
    assert page.evaluate("window.seen") == ["FINALIZING/disabled", "QUOTED/enabled"]
    assert statuses(page, "status-history-item") == ["FINALIZING", "QUOTED"]
    assert statuses(page, "live-event")[-1] == "QUOTED"

    number = page.get_by_test_id("quote-number").inner_text()
    assert page.url == f"{live.base}/app/quotes/{number}"
    quote = live.query(QUOTE, {"number": number}, auth=token)["quote"]
    selected = sorted(n for n in GROUP if n != LEFT_OUT)
    lines = page.get_by_test_id("quote-line")
    assert sorted(lines.evaluate_all("rows => rows.map(r => r.dataset.number)")) == selected
    expect(page.get_by_test_id("quote-total")).to_have_text(money(quote["total"]))
    expect(lines.first).to_contain_text("EUR")
    expect(page.get_by_test_id("quote-expires")).to_have_text(re.compile(r"\d{4}-\d\d-\d\d"))
    browser.screenshot("spa-3-quoted")

    # Accept and buy: ORDER_SUBMITTED, then ORDERED, live.
    page.get_by_test_id("accept-quote").click()
    expect(status).to_have_text("ORDERED", **LIVE)
    expect(page.get_by_test_id("accept-quote")).to_be_disabled()
    expect(page.get_by_test_id("order-number")).to_be_visible()
    assert statuses(page, "live-event")[-2:] == ["ORDER_SUBMITTED", "ORDERED"]
    assert statuses(page, "status-history-item") == [
        "FINALIZING",
        "QUOTED",
        "ORDER_SUBMITTED",
        "ORDERED",
    ]
    assert page.evaluate("window.seen")[-1] == "ORDERED/disabled"
    browser.screenshot("spa-4-ordered")

    # Over HTTP: the selected subscriptions moved one term on, the one left out did not.
    after = end_dates(live, token, GROUP)
    quoted_ends = {ln["subscription"]["number"]: ln["endDate"] for ln in quote["lines"]}
    for n in selected:
        assert after[n] == one_year_on(before[n]), n
        assert after[n].isoformat() == quoted_ends[n]
    assert after[LEFT_OUT] == before[LEFT_OUT]

    # "My quotes" lists it, and reopens it.
    page.get_by_test_id("nav-quotes").click()
    row = page.locator(f'[data-testid="quote-row"][data-number="{number}"]')
    expect(row.get_by_test_id("quote-row-status")).to_have_text("ORDERED", **LIVE)
    row.get_by_test_id("open-quote").click()
    expect(page.get_by_test_id("quote-number")).to_have_text(number)
    expect(status).to_have_text("ORDERED", **LIVE)


def test_checkout_link_from_the_email(live: LiveServer, browser: Browser):
    token = live.token("buyer", ACME)
    ids = [s["id"] for s in subscriptions(live, token, GROUP).values()]
    payload = live.query(
        CREATE, {"input": {"subscriptionIds": ids, "idempotencyKey": "checkout-link"}}, auth=token
    )["createRenewalQuote"]
    assert payload["userErrors"] == []
    number = payload["quote"]["number"]
    wait_for_status(live, token, number, "QUOTED")

    # The SPA in a second tab shows the quote, live.
    spa = browser.page.context.new_page()
    sign_in(spa, live, token, f"/app/quotes/{number}")
    expect(spa.get_by_test_id("quote-status")).to_have_text("QUOTED", **LIVE)
    expect(spa.get_by_test_id("live-state")).to_have_text("● live", **LIVE)  # subscribed

    messages = [m for m in live.wait_for_email() if number in m.get_body(("plain",)).get_content()]
    assert messages, f"no email for {number}"
    link = live.checkout_link(messages[0])
    assert link.startswith(f"{live.base}/checkout?token=")

    page = browser.page
    page.goto(link)
    expect(page.get_by_text(number).first).to_be_visible()
    accept = page.get_by_role("button", name="Accept and buy")
    expect(accept).to_be_visible()
    browser.screenshot("checkout-1-page")

    accept.click()
    # The POST answers with the result page, or redirects to it (post/redirect/get).
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.locator("body")).to_contain_text(number)
    browser.screenshot("checkout-2-accepted")

    wait_for_status(live, token, number, "ORDERED")
    expect(spa.get_by_test_id("quote-status")).to_have_text("ORDERED", **LIVE)
    assert statuses(spa, "live-event")[-2:] == ["ORDER_SUBMITTED", "ORDERED"]
    spa.close()


def test_partner_sees_its_customers_quotes_live(live: LiveServer, browser: Browser):
    page = browser.page
    sign_in(page, live, live.token("partner", PARTNER))
    expect(page.get_by_test_id("viewer-role")).to_have_text("PARTNER")
    expect(page.get_by_test_id("quotes-table")).to_be_visible()
    expect(page.get_by_test_id("live-state")).to_have_text("● live", **LIVE)

    # A buyer of one of its customers requests a quote on subscriptions the partner resells.
    buyer = live.token("buyer", ACME)
    ids = [s["id"] for s in subscriptions(live, buyer, ["SUB-1004", "SUB-1005"]).values()]
    payload = live.query(CREATE, {"input": {"subscriptionIds": ids}}, auth=buyer)
    number = payload["createRenewalQuote"]["quote"]["number"]

    row = page.locator(f'[data-testid="quote-row"][data-number="{number}"]')
    expect(row.get_by_test_id("quote-row-status")).to_have_text("QUOTED", **LIVE)
    expect(row).to_contain_text(f"Acme Bau AG ({ACME})")
    expect(page.get_by_test_id("quotes-count")).to_contain_text("1 in all")
    browser.screenshot("spa-5-partner")


def test_a_refused_token_asks_to_sign_in_again(live: LiveServer, browser: Browser):
    page = browser.page
    page.goto(f"{live.base}/app?token=not-a-token")
    expect(page.get_by_test_id("sign-in-message")).to_contain_text("sign in again")
    assert page.evaluate("sessionStorage.getItem('renewals.token')") is None
    # Pasting a good token signs in.
    page.get_by_test_id("token-input").fill(live.token("buyer", ACME))
    page.get_by_test_id("sign-in-button").click()
    expect(page.get_by_test_id("viewer-name")).to_contain_text("Acme Bau AG")


def operations(page: Page) -> list[str]:
    """Collects the operationName of every GraphQL POST the page makes from now on."""
    names: list[str] = []

    def on_request(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            names.append((request.post_data_json or {}).get("operationName") or "")

    page.on("request", on_request)
    return names


def test_buyer_reviews_a_draft_then_sends_it(live: LiveServer, browser: Browser):
    page = browser.page
    token = live.token("buyer", ACME)
    subs = {
        e["node"]["number"]: e["node"]
        for e in live.query(SEATS, {"numbers": GROUP}, auth=token)["subscriptions"]["edges"]
    }

    def priced(numbers: list[str], changes: list[dict] | None = None) -> dict:
        ids = [subs[n]["id"] for n in numbers]
        result = live.query(PREVIEW, {"ids": ids, "changes": changes}, auth=token)["previewQuote"]
        assert result["userErrors"] == [], result
        return result["preview"]

    sign_in(page, live, token)
    sent = operations(page)
    group = page.get_by_test_id("group").filter(
        has=page.locator(f'[data-testid="subscription-row"][data-number="{GROUP[0]}"]')
    )
    preview = group.get_by_test_id("preview")
    total = group.get_by_test_id("preview-total")

    # The whole group, priced as it would be quoted now.
    whole = priced(GROUP)
    expect(preview).to_have_attribute("data-state", "ready")
    expect(total).to_have_text(money(whole["total"]))
    expect(group.get_by_test_id("preview-line")).to_have_count(len(GROUP))

    # Each deselect is previewed again: fewer lines, a smaller total; nothing is created.
    group.locator(f'[data-testid="select-subscription"][data-number="{LEFT_OUT}"]').uncheck()
    selected = [n for n in GROUP if n != LEFT_OUT]
    part = priced(selected)
    assert Decimal(part["total"]["amount"]) < Decimal(whole["total"]["amount"])
    expect(total).to_have_text(money(part["total"]))
    expect(group.get_by_test_id("preview-subtotal")).to_have_text(money(part["subtotal"]))
    expect(group.get_by_test_id("preview-line")).to_have_count(len(selected))
    lines = group.get_by_test_id("preview-line")
    assert sorted(lines.evaluate_all("rows => rows.map(r => r.dataset.number)")) == selected
    expect(group.get_by_test_id("user-error")).to_have_count(0)
    browser.screenshot("spa-6-preview")

    # Nothing selected: the refusal creation would give, shown like any refusal.
    for n in selected:
        group.locator(f'[data-testid="select-subscription"][data-number="{n}"]').uncheck()
    expect(group.get_by_test_id("user-error").first).to_have_attribute(
        "data-code", "EMPTY_SELECTION"
    )
    expect(group.get_by_test_id("save-draft")).to_be_disabled()
    for n in selected:
        group.locator(f'[data-testid="select-subscription"][data-number="{n}"]').check()
    expect(total).to_have_text(money(part["total"]))
    expect(group.get_by_test_id("user-error")).to_have_count(0)
    assert sent and set(sent) == {"PreviewRenewal"}, sent  # one preview per change, no creation
    assert len(sent) >= 1 + len(selected) * 2, sent

    # Save as draft: a DRAFT, numbered and priced, shown for review; nothing sent.
    group.get_by_test_id("save-draft").click()
    status = page.get_by_test_id("quote-status")
    expect(status).to_have_text("DRAFT")
    expect(page.get_by_test_id("draft-review")).to_be_visible()
    expect(page.get_by_test_id("live-state")).to_have_text("● live", **LIVE)
    number = page.get_by_test_id("quote-number").inner_text()
    assert page.url == f"{live.base}/app/quotes/{number}"
    expect(page.get_by_test_id("quote-total")).to_have_text(money(part["total"]))
    expect(page.get_by_test_id("quote-line")).to_have_count(len(selected))
    expect(page.get_by_test_id("accept-quote")).to_have_count(0)  # a draft cannot be bought
    assert live.query(DRAFT, {"number": number}, auth=token)["quote"]["status"] == "DRAFT"
    assert live.inbox.messages == []
    browser.screenshot("spa-7-draft")

    # A refused review (a renewal adds no seats): the code, field and message, the input marked,
    # the draft unchanged.
    first = next(n for n in selected if not subs[n]["autoRenew"] and subs[n]["seats"] > 1)
    index = [ln.get_attribute("data-number") for ln in page.get_by_test_id("quote-line").all()]
    seats_input = page.locator(f'[data-testid="draft-seats"][data-number="{first}"]')
    seats_input.fill(str(subs[first]["seats"] + 1))
    page.get_by_test_id("update-draft").click()
    error = page.get_by_test_id("user-error")
    expect(error).to_have_attribute("data-code", "SEAT_INCREASE_NOT_ALLOWED")
    expect(error).to_contain_text(f"input.changes.{index.index(first)}.seats")
    expect(seats_input).to_have_class(re.compile(r"\binvalid\b"))
    expect(page.get_by_test_id("quote-total")).to_have_text(money(part["total"]))

    # Review: one seat fewer (auto-renew must be off to change seats), a recipient and the billing
    # address's city, saved and re-priced by the server.
    seats = subs[first]["seats"] - 1
    seats_input.fill(str(seats))
    page.get_by_test_id("draft-address-city").fill("Winterthur")
    page.get_by_test_id("draft-add-recipient").click()
    page.get_by_test_id("draft-recipient-email").fill("controller@acme.example")
    page.get_by_test_id("draft-recipient-name").fill("Carl Controller")
    page.get_by_test_id("update-draft").click()
    reviewed = priced(selected, [{"subscriptionId": subs[first]["id"], "seats": seats}])
    assert Decimal(reviewed["total"]["amount"]) < Decimal(part["total"]["amount"])
    expect(page.get_by_test_id("quote-total")).to_have_text(money(reviewed["total"]))
    expect(page.get_by_test_id("user-error")).to_have_count(0)
    expect(status).to_have_text("DRAFT")
    draft = live.query(DRAFT, {"number": number}, auth=token)["quote"]
    assert {ln["subscription"]["number"]: ln["seats"] for ln in draft["lines"]}[first] == seats
    assert {"email": "controller@acme.example", "name": "Carl Controller"} in draft["recipients"]
    assert draft["total"] == reviewed["total"]
    assert draft["address"]["city"] == "Winterthur"
    expect(page.get_by_test_id("draft-address-city")).to_have_value("Winterthur")
    browser.screenshot("spa-8-reviewed")

    # Send it: DRAFT -> FINALIZING -> QUOTED, live; then it can be bought.
    page.get_by_test_id("finalize-quote").click()
    expect(status).to_have_text("QUOTED", **LIVE)
    expect(page.get_by_test_id("draft-review")).to_have_count(0)
    expect(page.get_by_test_id("accept-quote")).to_be_enabled()
    assert statuses(page, "live-event")[-2:] == ["FINALIZING", "QUOTED"]
    assert statuses(page, "status-history-item")[-2:] == ["FINALIZING", "QUOTED"]
    quoted = wait_for_status(live, token, number, "QUOTED")
    expect(page.get_by_test_id("quote-total")).to_have_text(money(quoted["total"]))
    browser.screenshot("spa-9-draft-sent")


def test_buyer_discards_a_draft(live: LiveServer, browser: Browser):
    page = browser.page
    token = live.token("buyer", ACME)
    sign_in(page, live, token)
    group = page.get_by_test_id("group").filter(
        has=page.locator(f'[data-testid="subscription-row"][data-number="{GROUP[0]}"]')
    )
    expect(group.get_by_test_id("preview")).to_have_attribute("data-state", "ready")
    group.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("quote-status")).to_have_text("DRAFT")
    number = page.get_by_test_id("quote-number").inner_text()

    page.get_by_test_id("discard-draft").click()
    expect(page.get_by_test_id("groups")).to_be_visible()
    assert page.url == f"{live.base}/app/"
    assert live.query(QUOTE, {"number": number}, auth=token)["quote"] is None
