"""Money as the marts give it: DECIMAL, never a float (a mart that lost its type is a bug
to name, not a figure to round)."""

from __future__ import annotations

from decimal import Decimal


class MoneyTypeError(TypeError):
    """A money column reached Python as a float: a mart lost its DECIMAL type."""


def money(value: object, column: str) -> Decimal:
    if value is None:
        return Decimal(0)  # a sum over no priced rows
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise MoneyTypeError(
        f"{column} arrived as {type(value).__name__} ({value!r}); money must be DECIMAL "
        "in the marts (see docs/pricing.md: decimal / integer and avg() give DOUBLE in DuckDB)"
    )


def money_or_none(value: object, column: str) -> Decimal | None:
    """A cost the mart leaves null where nothing was priced: kept null, not read as $0."""
    return None if value is None else money(value, column)
