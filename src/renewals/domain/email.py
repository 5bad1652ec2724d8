"""The one rule for an email address, wherever one enters the system (recipients, import)."""

import re

# A plain addr-spec (RFC 5322 dot-atom @ a DNS name): no display names, comments, quoted local
# parts, encoded words, lists, spaces or control characters, so one address is exactly one
# recipient and nothing in it can change a mail header.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")
MAX_LENGTH = 254


def is_email_address(text: str) -> bool:
    """Whether `text` (as given, not trimmed) is one plain email address."""
    return (
        len(text) <= MAX_LENGTH
        and "=?" not in text
        and _ADDRESS.fullmatch(text) is not None
        and len(text.split("@", 1)[0]) <= 64
    )
