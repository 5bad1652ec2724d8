"""Cursor arguments: opaque keyset cursors, `first` capped at 100."""

import base64
import binascii

from renewals.resolvers.errors import bad_input

DEFAULT_PAGE = 20
MAX_PAGE = 100


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise bad_input(f"`first` must be between 0 and {MAX_PAGE}; got {first}.")
    return first


def encode_cursor(connection: str, pk: int) -> str:
    """An opaque keyset cursor that names its connection, so it is refused by any other one."""
    return base64.urlsafe_b64encode(f"{connection}:{pk}".encode()).decode()


def decode_cursor(connection: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        prefix, _, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix == connection and pk.isdigit():
            return int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise bad_input(f"`after` is not a cursor of this connection ({connection}).")
