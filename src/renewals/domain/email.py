"""The one rule for an email address, wherever one enters the system (recipients, import)."""

from email_validator import EmailNotValidError, validate_email

# email-validator (a small pure library: no I/O with check_deliverability=False, which also
# suits demo addresses under `.example`) checks the RFC syntax; our rules on top keep one
# address one mailbox, written exactly as SMTP gets it: ASCII only (an IDN domain would be sent
# in its xn-- form), no encoded words (email-validator accepts `=?…?=` as atext), and the
# library's refusals cover display names, comments, quoted local parts, lists (commas),
# whitespace and control characters.
MAX_LENGTH = 254


def is_email_address(text: str) -> bool:
    """Whether `text` (as given, not trimmed) is one plain email address."""
    if len(text) > MAX_LENGTH or not text.isascii() or "=?" in text:
        return False
    try:
        validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            strict=True,  # also the 64-character local part of RFC 5321
        )
    except EmailNotValidError:
        return False
    return True
