"""Caps on the lists a client sends: one refusal for a list over its cap, never one per item.

The one place every list argument is capped (W7: 10,000 ids answered 9,999 userErrors):
- a mutation calls `overlong_input(info, input)` first: a list over RENEWALS_MAX_INPUT_ITEMS is
  one `INVALID_INPUT` userError whose `field` is the list's path, e.g. ["input", "changes"];
- a query calls `check_filter(info, filter)` first: a list over RENEWALS_MAX_FILTER_VALUES is one
  top-level `BAD_USER_INPUT` error.
Both walk the input object, nested inputs included, so a list field added to an input that is
already checked is capped with no further work; a new root field with a list argument (say
`orders(filter: OrderFilter)`) calls one of the two at its start.
"""

import dataclasses
from collections.abc import Sequence

from strawberry import Info

from renewals.api.core.enums import UserErrorCode
from renewals.api.core.errors import UserError, bad_input, camel


def overlong(value: object, path: list[str], cap: int) -> tuple[list[str], int] | None:
    """The path and length of the first list longer than `cap` inside `value`, or None."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        if len(value) > cap:
            return path, len(value)
        for index, item in enumerate(value):
            found = overlong(item, [*path, str(index)], cap)
            if found:
                return found
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            found = overlong(getattr(value, field.name), [*path, camel(field.name)], cap)
            if found:
                return found
    return None


def message(cap: int, length: int) -> str:
    return f"At most {cap} items are accepted here; got {length}."


def overlong_input(info: Info, input: object) -> list[UserError]:
    """A mutation's input: [] or the one refusal for its first list over the cap."""
    cap = info.context.container.settings.max_input_items
    found = overlong(input, ["input"], cap)
    if found is None:
        return []
    path, length = found
    return [UserError(code=UserErrorCode.INVALID_INPUT, field=path, message=message(cap, length))]


def check_filter(info: Info, filter: object, argument: str = "filter") -> None:
    """A query argument: raises BAD_USER_INPUT for its first list over the cap."""
    cap = info.context.container.settings.max_filter_values
    found = overlong(filter, [argument], cap)
    if found is not None:
        path, length = found
        raise bad_input(f"`{'.'.join(path)}`: {message(cap, length)}")
