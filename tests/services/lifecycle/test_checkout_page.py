"""The emailed checkout link: GET shows the quote, POST accepts once, bad links get a clear page."""

import re
from datetime import timedelta

import pytest

from renewals.domain.enums import QuoteStatus
from renewals.persistence import models as m
from renewals.services.worker import drain
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.lifecycle.helpers import count, make_quote, quote_row, rows


async def email_link(container, quote_id: int) -> str:
    (email,) = await rows(container, m.Email, m.Email.quote_id == quote_id)
    return re.search(r"token=([^\s]+)", email.body).group(1)


async def test_checkout_get_shows_the_quote_and_changes_nothing(client, container):
    await seed(
        container,
        document([subscription("SUB-1"), subscription("SUB-2", product="Revit", seats=2)]),
    )
    quote_id = await make_quote(container, "SUB-1", "SUB-2")
    await drain(container)
    quote = await quote_row(container, quote_id)
    link = await email_link(container, quote_id)
    for _ in range(3):
        response = await client.get("/checkout", params={"token": link})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert quote.number in html
        assert "SUB-1" in html and "SUB-2" in html and "Revit" in html
        assert "EUR 14,700.00" in html  # 5 × 2100 + 2 × 2100
        assert quote.expires_on.isoformat() in html
        assert '<form method="post" action="/checkout">' in html
        assert f'name="token" value="{link}"' in html
    assert (await quote_row(container, quote_id)).status == QuoteStatus.QUOTED
    assert await count(container, m.Order) == 0
    assert await count(container, m.OutboxJob, m.OutboxJob.kind == "fulfil_order") == 0


async def test_checkout_post_accepts_once(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    link = await email_link(container, quote_id)
    number = (await quote_row(container, quote_id)).number

    response = await client.post("/checkout", data={"token": link})
    # Post/redirect/get: the result page is a GET, so a refresh never submits again.
    assert response.status_code == 303
    result = response.headers["location"]
    assert result.startswith("/checkout/done?token=")
    page = await client.get(result)
    assert page.status_code == 200
    assert "Thank you" in page.text and number in page.text and "ORDER_SUBMITTED" in page.text
    assert (await quote_row(container, quote_id)).status == QuoteStatus.ORDER_SUBMITTED
    await drain(container)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.ORDERED
    refreshed = await client.get(result)
    assert refreshed.status_code == 200 and "ORDERED" in refreshed.text

    again = await client.post("/checkout", data={"token": link})
    assert again.status_code == 409
    assert "Checkout not possible" in again.text
    used = await client.get("/checkout", params={"token": link})
    assert used.status_code == 409
    assert number in used.text and "ORDERED" in used.text
    assert await count(container, m.Order) == 1


@pytest.mark.parametrize("link", ["garbage", "", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
async def test_checkout_with_an_invalid_token_is_a_clear_page(client, container, link):
    await seed(container, document([subscription("SUB-1")]))
    for response in (
        await client.get("/checkout", params={"token": link}),
        await client.get("/checkout"),
        await client.get("/checkout/done", params={"token": link}),
        await client.post("/checkout", data={"token": link}),
        await client.post("/checkout", content=b"\xff\xfe", headers={"content-type": "x/y"}),
    ):
        assert 400 <= response.status_code < 500, response.status_code
        assert response.headers["content-type"].startswith("text/html")
        assert "Checkout not possible" in response.text
        assert "not valid" in response.text
        assert "Traceback" not in response.text


async def test_checkout_of_an_expired_quote(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    link = await email_link(container, quote_id)
    quote = await quote_row(container, quote_id)
    container.clock.fixed_today = quote.expires_on + timedelta(days=1)
    response = await client.get("/checkout", params={"token": link})
    assert response.status_code == 410
    assert "expired" in response.text and "Traceback" not in response.text
    posted = await client.post("/checkout", data={"token": link})
    assert posted.status_code == 410  # the same answer as the page's GET
    assert "expired" in posted.text
    assert (await quote_row(container, quote_id)).status == QuoteStatus.QUOTED
