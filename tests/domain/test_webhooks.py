"""Webhooks' pure rules: event types, signature, retry schedule, which URLs and addresses."""

from datetime import datetime, timedelta

import pytest

from renewals.domain.enums import ErrorCode, QuoteStatus
from renewals.domain.errors import DomainError
from renewals.domain.webhooks import (
    RetrySchedule,
    address_problem,
    event_problems,
    is_public_address,
    parse_url,
    signature,
    signature_header,
    status_event,
    verify,
    wants,
)

T0 = datetime(2026, 11, 26, 10, 0, 0)


def test_each_status_but_draft_is_an_event():
    assert status_event(QuoteStatus.QUOTED) == "quote.quoted"
    assert status_event(QuoteStatus.ORDER_SUBMITTED) == "quote.order_submitted"
    assert status_event(QuoteStatus.DRAFT) is None


@pytest.mark.parametrize(
    ("subscribed", "event", "expected"),
    [
        (["*"], "quote.ordered", True),
        (["quote.quoted"], "quote.ordered", False),
        (["quote.ordered", "quote.expiring"], "quote.expiring", True),
    ],
)
def test_an_endpoint_wants_what_it_subscribed_to(subscribed, event, expected):
    assert wants(subscribed, event) is expected


def test_unknown_event_types_are_named_by_position():
    problems = event_problems(["quote.quoted", "quote.bought", "*", "QUOTE.QUOTED"])
    assert [(p.code, p.about) for p in problems] == [
        (ErrorCode.UNKNOWN_EVENT_TYPE, ("events", 1)),
        (ErrorCode.UNKNOWN_EVENT_TYPE, ("events", 3)),
    ]
    assert [p.code for p in event_problems([])] == [ErrorCode.INVALID_INPUT]


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    # Known answer: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_test", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert signature("whsec_test", 1700000000, b'{"a":1}') == expected
    header = signature_header(["new", "old"], 1700000000, b"{}")
    assert header.startswith("t=1700000000,v1=") and header.count("v1=") == 2
    assert verify(header, "old", b"{}", now=1700000100)
    assert not verify(header, "old", b"{} ", now=1700000100)  # another body
    assert not verify(header, "old", b"{}", now=1700000000 + 301)  # too old: a replay
    assert not verify("v1=abc", "old", b"{}", now=1700000000)


def test_backoff_doubles_to_an_hour_with_bounded_jitter():
    schedule = RetrySchedule()
    assert [schedule.delay(n).total_seconds() for n in (1, 2, 3, 8, 9, 30)] == [
        30,
        60,
        120,
        3600,
        3600,
        3600,
    ]
    assert schedule.delay(1, spread=0).total_seconds() == 24
    assert schedule.delay(1, spread=1).total_seconds() == 36


def test_the_last_attempt_is_at_the_window_end_then_give_up():
    schedule = RetrySchedule()
    near_end = T0 + timedelta(hours=23, minutes=50)
    assert schedule.next_attempt_at(20, T0, near_end) == T0 + timedelta(days=1)
    assert schedule.next_attempt_at(21, T0, T0 + timedelta(days=1)) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.example/",
        "file:///etc/passwd",
        "https://u:p@x.example/",
        "https://x.example/#f",
        "http:///path",
        "https://x.example/\n",
        "https://" + "a" * 2000 + ".example/",
        "http://x.example:99999/",
    ],
)
def test_urls_that_are_refused(url):
    with pytest.raises(DomainError) as refused:
        parse_url(url)
    assert refused.value.codes == [ErrorCode.INVALID_WEBHOOK_URL]
    assert refused.value.problems[0].about == ("url",)


def test_a_good_url_names_its_port():
    assert parse_url("https://hooks.example/x?y=1").port == 443
    assert parse_url("http://hooks.example:8080/").port == 8080


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("192.0.2.1", False),
    ],
)
def test_public_addresses(address, public):
    assert is_public_address(address) is public


def test_one_private_address_among_public_ones_is_refused_unless_allowed():
    assert address_problem(["93.184.215.14", "10.0.0.1"], allow_private=False)
    assert address_problem(["10.0.0.1"], allow_private=True) is None
    assert address_problem([], allow_private=True) == "The host does not resolve."
