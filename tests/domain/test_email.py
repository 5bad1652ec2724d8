"""One email rule for recipients and imports: one plain address, nothing that bends a header."""

import pytest

from renewals.domain.email import is_email_address


@pytest.mark.parametrize(
    "address",
    [
        "buyer@acme.example",
        "first.last+quotes@sub.acme-bau.de",
        "o'brien@example.com",
        "x@b.co",
    ],
)
def test_plain_addresses_are_accepted(address):
    assert is_email_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "no-at-sign",
        "two@@example.com",
        "a@b",  # no top-level domain
        "a b@example.com",
        "(@poison.example",
        "Bea <bea@example.com>",
        "a,b,c@ext.example",
        "=?utf-8?b?QmVh?=@example.com",
        "a@example.com\r\nBcc: evil@example.com",
        "bad\x7f@example.com",
        "bad\x01@example.com",
        "bad\x00@example.com",
        ".dot@example.com",
        "dot.@example.com",
        "a@-example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        "=?utf-8?b?YSxiLGMsZCxlLGY=?=,x@b.example",
        "a,b,c,d,e,f@ext.example",
        '"quoted"@example.com',
        "a@[192.0.2.1]",
        "bea (comment)@example.com",
        "bücher@example.com",
        "a@bücher.example",  # would be sent as xn--bcher-kva.example, not as shown
        "a@example.com\n",
        " a@example.com",
    ],
)
def test_everything_else_is_refused(address):
    assert not is_email_address(address)
