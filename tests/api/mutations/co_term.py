"""createCoTermQuote documents and calls shared by the co-term tests."""

from typing import Any

from tests.api.mutations.helpers import QUOTE_FIELDS, sub_id
from tests.helpers import gql, token

CREATE_CO_TERM = (
    "mutation($input: CreateCoTermQuoteInput!) { createCoTermQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} userErrors {{ code field message }} }} }}"
)
ORDER_LINES = """query($number: String!) { quote(number: $number) { order {
  number status total { amount } subtotal { amount } discountTotal { amount }
  lines { subscription { number } seats term startDate endDate
          unitPrice { amount } subtotal { amount } discount { amount } total { amount } } } } }"""


async def create_co_term(
    client, container, numbers: list[str], auth: str | None = None, **extra: Any
) -> dict:
    """createCoTermQuote for these subscription numbers; an anchor given by number."""
    if "alignToSubscriptionId" in extra:
        extra["alignToSubscriptionId"] = await sub_id(container, extra["alignToSubscriptionId"])
    ids = [await sub_id(container, n) for n in numbers]
    body = await gql(
        client, CREATE_CO_TERM, {"input": {"subscriptionIds": ids, **extra}}, auth=auth or token()
    )
    assert "errors" not in body, body
    return body["data"]["createCoTermQuote"]


def line_facts(quote: dict) -> list[tuple]:
    return [
        (
            ln["subscription"]["number"],
            ln["seats"],
            ln["term"],
            ln["startDate"],
            ln["endDate"],
            ln["unitPrice"]["amount"],
            ln["subtotal"]["amount"],
            ln["discount"]["amount"],
            ln["total"]["amount"],
        )
        for ln in quote["lines"]
    ]
