"""R07: a renewal request asking for CO_TERM lines is pointed to createCoTermQuote."""

import pytest

from renewals.domain.enums import QuoteType
from renewals.domain.errors import DomainError
from renewals.domain.quotes import LineChange
from tests.domain.facts import sub
from tests.domain.planning import plan, req


def message(*types: QuoteType) -> str:
    changes = [LineChange(i + 1, type=t) for i, t in enumerate(types)]
    with pytest.raises(DomainError) as raised:
        plan(req(*(sub(i + 1) for i in range(len(types))), changes=changes))
    (problem,) = raised.value.problems
    return problem.message


def test_co_term_lines_only_point_to_create_co_term_quote() -> None:
    assert "createCoTermQuote" in message(QuoteType.CO_TERM)
    assert "createCoTermQuote" in message(QuoteType.CO_TERM, QuoteType.CO_TERM)


def test_new_purchase_lines_keep_the_general_message() -> None:
    assert message(QuoteType.NEW_PURCHASE) == (
        "Renewal quotes cannot be combined with new purchases or co-terms (R07)."
    )
