"""GET /quotes/<number>.pdf: the quote as PDF for whoever may see it through `quote(number:)`,
404 for anyone else and for unknown numbers, 401 without a valid token; never the checkout link."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import run_due_jobs
from tests.factories import customer, document, subscription
from tests.helpers import gql, seed, token

A, B, P1, P2 = "5100000001", "5100000002", "P000000001", "P000000002"
PDF_URL = "query($number: String!) { quote(number: $number) { number status pdfUrl } }"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def links(content: bytes) -> list[str]:
    return [
        annot.get_object()["/A"]["/URI"]
        for page in PdfReader(io.BytesIO(content)).pages
        for annot in page.get("/Annots", [])
    ]


async def quote_for(container, number: str) -> str:
    async with container.db.read_engine.connect() as conn:
        sub_id = (
            await conn.execute(select(m.Subscription.id).where(m.Subscription.number == number))
        ).scalar_one()
        quote_id = await create_renewal_quote(
            container, None, Visibility(), CreateQuoteCommand([sub_id])
        )
        return (
            await conn.execute(select(m.Quote.number).where(m.Quote.id == quote_id))
        ).scalar_one()


@pytest.fixture
async def quotes(container):
    """Customer A: a direct quote and one resold by P1; customer B: a direct quote. Finalized."""
    await seed(
        container,
        document(
            [
                subscription("SUB-A-DIRECT", product="Revit", seats=3),
                subscription("SUB-A-P1", reseller_csn=P1),
                subscription("SUB-B-DIRECT", customer_csn=B),
            ],
            customers=[customer(), customer(B, "Beta Planung GmbH", "buyer@beta.example")],
        ),
    )
    numbers = {n: await quote_for(container, n) for n in ("SUB-A-DIRECT", "SUB-A-P1")}
    numbers["SUB-B-DIRECT"] = await quote_for(container, "SUB-B-DIRECT")
    await run_due_jobs(container)
    return numbers


VISIBLE = [
    ("buyer", A, ["SUB-A-DIRECT", "SUB-A-P1"], ["SUB-B-DIRECT"]),
    ("buyer", B, ["SUB-B-DIRECT"], ["SUB-A-DIRECT", "SUB-A-P1"]),
    ("partner", P1, ["SUB-A-P1"], ["SUB-A-DIRECT", "SUB-B-DIRECT"]),
    ("partner", P2, [], ["SUB-A-DIRECT", "SUB-A-P1", "SUB-B-DIRECT"]),
    ("sales", None, ["SUB-A-DIRECT", "SUB-A-P1", "SUB-B-DIRECT"], []),
]


@pytest.mark.parametrize(("role", "csn", "sees", "not_sees"), VISIBLE)
async def test_each_viewer_gets_the_pdf_of_exactly_the_quotes_quote_number_shows(
    client, quotes, role, csn, sees, not_sees
):
    auth = {"Authorization": f"Bearer {token(role, csn)}"}
    for sub in sees + not_sees:
        number = quotes[sub]
        response = await client.get(f"/quotes/{number}.pdf", headers=auth)
        by_graphql = await gql(client, PDF_URL, {"number": number}, auth=token(role, csn))
        if sub in sees:
            assert response.status_code == 200, (sub, response.text)
            assert response.headers["content-type"] == "application/pdf"
            assert f"Quote {number}" in pdf_text(response.content)
            assert sub in pdf_text(response.content)
            assert by_graphql["data"]["quote"]["number"] == number
        else:
            assert response.status_code == 404, sub
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
            assert by_graphql["data"]["quote"] is None


async def test_the_pdf_shows_the_quote_without_the_checkout_link(client, quotes):
    number = quotes["SUB-A-P1"]
    response = await client.get(
        f"/quotes/{number}.pdf", headers={"Authorization": f"Bearer {token()}"}
    )

    text = pdf_text(response.content)
    for expected in [
        f"Quote {number}",
        "Type: RENEWAL",
        "Status: QUOTED",
        "Expires on: 2026-12-26",
        "Acme Bau AG (CSN 5100000001)",
        "Hauptstr. 1",
        "10115 Berlin",
        "CAD Partner GmbH (CSN P000000001)",
        "SUB-A-P1 AutoCAD 2027-01-26 – 2028-01-25 5 ANNUAL 2,100.00 0.00 10,500.00",
        "Subtotal 10,500.00 EUR",
        "Discount total 0.00 EUR",
        "Total 10,500.00 EUR",
    ]:
        assert expected in text, expected
    assert "checkout" not in text.lower()
    assert "current address" not in text
    assert links(response.content) == []
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_finalizing_quote_shows_the_customers_current_address_and_says_so(
    client, container
):
    await seed(container, document([subscription("SUB-1")]))
    number = await quote_for(container, "SUB-1")  # the worker has not finalized it

    response = await client.get(
        f"/quotes/{number}.pdf", headers={"Authorization": f"Bearer {token('sales', None)}"}
    )

    text = pdf_text(response.content)
    assert "Status: FINALIZING" in text
    assert "the customer's current address" in text
    assert "Hauptstr. 1" in text
    assert "prices are provisional" in text


async def test_pdf_url_is_the_absolute_address_of_the_download(client, quotes):
    number = quotes["SUB-A-DIRECT"]
    body = await gql(client, PDF_URL, {"number": number}, auth=token())

    url = body["data"]["quote"]["pdfUrl"]
    assert url == f"http://testserver/quotes/{number}.pdf"
    response = await client.get(url, headers={"Authorization": f"Bearer {token()}"})
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["Q-2026-999999", "nothing", "Q-2026-000001x", "x" * 500])
async def test_an_unknown_number_is_not_found(client, quotes, number):
    response = await client.get(
        f"/quotes/{number}.pdf", headers={"Authorization": f"Bearer {token('sales', None)}"}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", "token-without-scheme"],
)
async def test_without_a_valid_bearer_token_the_answer_is_401_with_a_json_error(
    client, quotes, authorization
):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await client.get(f"/quotes/{quotes['SUB-A-DIRECT']}.pdf", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Bearer" in error["message"] or "token" in error["message"]
