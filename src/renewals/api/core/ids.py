"""Relay global IDs: opaque base64 of "Type:pk"."""

import base64
import binascii

MAX_PK = 2**31 - 1
"""Primary keys are 32-bit integers (PostgreSQL `integer`): a larger number names no row, and
must never reach SQL (SQLite raises OverflowError past 64 bits, asyncpg past 32)."""


def is_pk(text: str) -> bool:
    """ASCII digits of a positive number that fits a primary key."""
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PK


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, pk), or None for anything that is not one of our IDs."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return (type_name, int(pk)) if type_name and is_pk(pk) else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def pk_of(global_id: str, type_name: str) -> int | None:
    decoded = from_global_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None
