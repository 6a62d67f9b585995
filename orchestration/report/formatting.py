"""How figures are written in the report: dollars, percentages, counts, times.

Money is `Decimal` all the way; it is rounded half-even to the cent only here, for display.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


def round_cents(value: Decimal) -> Decimal:
    """To the cent, half-even (0.005 -> 0.00, 0.015 -> 0.02)."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_usd(value: Decimal | None) -> str:
    """`$1,234.56`; `-$1.00`; `<$0.01` for a non-zero amount that rounds to no cents."""
    if value is None:
        return "n/a"
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, got {type(value).__name__}: {value!r}")
    cents = round_cents(value)
    sign = "-" if value < 0 else ""
    if cents == 0:
        return f"{sign}<$0.01" if value != 0 else "$0.00"
    return f"{sign}${abs(cents):,.2f}"


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole` (exact Decimal), None when `whole` is zero."""
    if whole == 0:
        return None
    return part * HUNDRED / whole


def format_percent(value: Decimal | None) -> str:
    """`80.0%` (half-even to a tenth); `<0.1%` when non-zero but tiny; `n/a` for None."""
    if value is None:
        return "n/a"
    tenths = value.quantize(TENTH, rounding=ROUND_HALF_EVEN)
    if tenths == 0 and value != 0:
        return "<0.1%" if value > 0 else "-<0.1%"
    return f"{tenths:,.1f}%"


def format_pct(part: Decimal, whole: Decimal) -> str:
    """`part` as a percentage of `whole`, formatted as `format_percent` does."""
    return format_percent(percent(part, whole))


def format_count(value: int) -> str:
    return f"{value:,}"


def format_days(days: Decimal) -> str:
    """`30` for whole days, else up to two decimals (`30.5`, `6.25`)."""
    text = f"{round_cents(days):,.2f}"
    return text.rstrip("0").rstrip(".")


def format_factor(value: Decimal) -> str:
    """A multiplier to six decimals, trailing zeros dropped (`1`, `0.967742`)."""
    text = f"{value.quantize(Decimal('0.000001'), rounding=ROUND_HALF_EVEN):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_timestamp(at: datetime) -> str:
    """UTC; the marts hold naive UTC timestamps, aware ones are converted."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def write_atomically(report_dir: Path, file_name: str, text: str) -> Path:
    """Write a report file into `report_dir` (created if missing) with one rename, so a
    reader never sees half a report; its path."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / file_name
    partial = report_dir / f".{file_name}.partial"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path
