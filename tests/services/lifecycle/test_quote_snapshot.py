"""A quote keeps what it was made with: its origin and the address it was sent to (R10)."""

from renewals.domain.enums import QuoteOrigin
from renewals.domain.visibility import Visibility
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain
from tests.factories import document, subscription
from tests.helpers import gql, seed, token
from tests.services.lifecycle.helpers import make_quote, quote_row, sub_pk

QUOTE_ADDRESS = """query($n: String!) { quote(number: $n) { address { line1 city }
  customer { address { line1 city } } } }"""


async def test_automatic_origin_is_kept(container):
    await seed(container, document([subscription("SUB-1")]))
    pk = await sub_pk(container, "SUB-1")
    quote_id = await create_renewal_quote(
        container, None, Visibility(), CreateQuoteCommand([pk]), origin=QuoteOrigin.AUTOMATIC
    )
    assert (await quote_row(container, quote_id)).origin == QuoteOrigin.AUTOMATIC


async def test_r10_a_sent_quote_keeps_its_address_when_the_customer_moves(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    moved = document([subscription("SUB-1")])
    moved["customers"][0]["address"] = {
        "line1": "Neuer Weg 9",
        "city": "Hamburg",
        "postalCode": "20095",
        "country": "DE",
    }
    await seed(container, moved)

    number = (await quote_row(container, quote_id)).number
    body = await gql(client, QUOTE_ADDRESS, {"n": number}, auth=token("sales", None))

    assert body["data"]["quote"] == {
        "address": {"line1": "Hauptstr. 1", "city": "Berlin"},
        "customer": {"address": {"line1": "Neuer Weg 9", "city": "Hamburg"}},
    }
