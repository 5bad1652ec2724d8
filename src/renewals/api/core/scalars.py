"""Date, DateTime and Decimal as Strawberry parses them, with `@specifiedBy` for clients and codegen."""

import dataclasses
import datetime
import decimal

from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    DecimalDefinition,
)

DATE_SPEC = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
DATETIME_SPEC = "https://scalars.graphql.org/andimarek/date-time.html"
DECIMAL_SPEC = "https://speleotrove.com/decimal/daconvs.html#reftostr"

SCALAR_OVERRIDES = {
    datetime.date: dataclasses.replace(
        DateDefinition,
        description='A calendar date, RFC 3339 full-date, e.g. "2026-12-14".',
        specified_by_url=DATE_SPEC,
    ),
    datetime.datetime: dataclasses.replace(
        DateTimeDefinition,
        description='An instant with its UTC offset, RFC 3339, e.g. "2026-11-27T14:05:00+00:00".',
        specified_by_url=DATETIME_SPEC,
    ),
    decimal.Decimal: dataclasses.replace(
        DecimalDefinition,
        description='An exact decimal number as a string, e.g. "1234.50" (never a float).',
        specified_by_url=DECIMAL_SPEC,
    ),
}
