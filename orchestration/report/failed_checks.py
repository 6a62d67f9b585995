"""What the last dbt build left failing (orchestration/build_failures.py), in plain words.
The one place these words are made: the top of the report (Markdown and HTML), the CLI
and the Dagster failure all show this text.

A failed reconciliation names each line that differs as the mart has it, both figures
and the likely cause; another failed test, the model, what it checks and how many rows
failed; a model that did not build, dbt's error (its first line)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.build_failures import BuildFailure
from orchestration.report.formatting import (
    format_count,
    format_percent,
    format_timestamp,
    format_usd,
    percent,
)
from orchestration.warehouse import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV

RECONCILIATION_TEST = "assert_costs_reconcile_with_the_bill"
RECONCILIATION_MART = "marts.cost_reconciliation"
LINES_SHOWN = 20
NAMES_SHOWN = 10
BASIS_LABELS = {"billed": "billed", "list": "billed (list price)"}
# dbt's first line says where ("Runtime Error in model x (models/x.sql)"); the next, what.
_WHERE_LINE = re.compile(r"^\w[\w ]* Error in (model|seed|snapshot|test) \S+ \(.*\)$")


@dataclass(frozen=True)
class FailedCheck:
    title: str  # one sentence
    details: tuple[str, ...] = ()  # one sentence each: the reconciliation's lines


@dataclass(frozen=True)
class FailureNotice:
    headline: str  # what failed, where the report's figures come from, what was published
    checks: tuple[FailedCheck, ...]

    def as_text(self) -> str:
        lines = [self.headline]
        for check in self.checks:
            lines.append(f"- {check.title}")
            lines += [f"    {detail}" for detail in check.details]
        return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{format_count(count)} {noun}{'' if count == 1 else 's'}"


def _first_line(message: str | None) -> str:
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if len(lines) > 1 and _WHERE_LINE.match(lines[0]):
        lines = lines[1:]
    return lines[0] if lines else "dbt gave no message"


def _why(failure: BuildFailure) -> str:
    """dbt's first line; for DuckDB's out-of-memory error, what to do about it (DuckDB's
    own advice names SQL settings the pipeline sets itself)."""
    said = _first_line(failure.message)
    if failure.out_of_memory:
        said += (
            f" (again when built alone, one query at a time: raise {MEMORY_LIMIT_ENV}, "
            f'{DEFAULT_MEMORY_LIMIT} unless set; docs/operating.md, "Memory")'
        )
    return said


def _published_at(published: Path) -> datetime | None:
    """When the published copy was last replaced (its file's time), if there is one."""
    if not published.exists():
        return None
    return datetime.fromtimestamp(published.stat().st_mtime, UTC)


def _headline(failures: Sequence[BuildFailure], published: Path) -> str:
    when = _published_at(published)
    if any(f.did_not_build for f in failures):
        if when is None:
            return (
                "A model did not build and nothing has been published yet, so this report "
                "has no figures: only what failed."
            )
        return (
            "A model did not build, so the figures are from the last published copy "
            f"({published}, published {format_timestamp(when)}), not from this run; that "
            "copy was left as it was."
        )
    kept = (
        "the published copy for analysts and BI was left as it was"
        if when
        else "nothing was published"
    )
    return f"{_plural(len(failures), 'check')} failed. The figures are this run's; {kept}."


def _names(relations: Sequence[str]) -> str:
    shown = ", ".join(relations[:NAMES_SHOWN])
    more = len(relations) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _model_checks(failures: Sequence[BuildFailure]) -> list[FailedCheck]:
    checks = [
        FailedCheck(f"{f.resource_type.capitalize()} {f.relation} did not build: {_why(f)}")
        for f in failures
        if f.did_not_build and f.status == "error"
    ]
    skipped = [f.relation or f.name for f in failures if f.did_not_build and f.status == "skipped"]
    if skipped:
        checks.append(
            FailedCheck(f"Not built, because something they depend on failed: {_names(skipped)}.")
        )
    return checks


def _what_it_checks(failure: BuildFailure) -> str | None:
    """The manifest's description, or a generic test's arguments in words."""
    if failure.description:
        return failure.description.strip().rstrip(".")
    arguments = failure.arguments
    column = arguments.get("column_name")
    match failure.check_kind:
        case "not_null":
            return f"{column} is never empty"
        case "unique":
            return f"{column} is unique"
        case "accepted_values":
            return f"{column} is one of {', '.join(map(str, arguments.get('values', [])))}"
        case "unique_combination_of_columns":
            return f"there is one row per {', '.join(arguments.get('combination_of_columns', []))}"
        case "expression_is_true":
            return " ".join(filter(None, [column, " ".join(arguments["expression"].split())]))
        case "relationships":
            target = re.sub(r"^ref\('([^']+)'\)$", r"\1", str(arguments.get("to")))
            return f"every {column} is in {target}.{arguments.get('field')}"
        case None:
            return None
        case kind:
            return kind + (f" on {column}" if column else "")


def _test_check(failure: BuildFailure) -> FailedCheck:
    subject = f"Check {failure.name}" + (f" on {failure.relation}" if failure.relation else "")
    what = _what_it_checks(failure)
    checks = f" (it checks that {what})" if what else ""
    if failure.status == "error":
        return FailedCheck(f"{subject} could not run{checks}: {_why(failure)}")
    rows = (
        "" if failure.failed_rows is None else f": {_plural(failure.failed_rows, 'row')} failed it"
    )
    return FailedCheck(f"{subject} failed{checks}{rows}.")


def _likely_cause(computed: Decimal | None, reported: Decimal, day_usage_rows: int) -> str:
    if computed == 0 and reported != 0:
        if day_usage_rows == 0:
            return "no usage in the exports for that day: a usage day missing from the exports"
        return (
            "a bill with no matching usage line: this model or token type is missing from "
            "that day's usage exports"
        )
    if reported == 0:
        return "usage the bill does not name: the cost export lacks this model or token type"
    return "the prices or discounts differ from the bill (a contracted rate not recorded?)"


def _line_text(
    account: str,
    day: date,
    provider: str,
    model: str,
    cost_type: str,
    bucket: str,
    basis: str,
    computed: Decimal | None,
    reported: Decimal,
    day_usage_rows: int | None,
) -> str:
    """A line as the mart names it (as the dbt test does), both figures, the likely cause.
    The gap in percent too: at cents, a small one can round away."""
    gap = None if computed is None else percent(computed - reported, reported)
    gap_text = (
        "" if gap is None else f" ({format_percent(abs(gap))} {'below' if gap < 0 else 'above'})"
    )
    return (
        f"{account} {day} {provider} {model} {cost_type} {bucket}: computed "
        f"{format_usd(computed)} vs {BASIS_LABELS.get(basis, basis)} {format_usd(reported)}"
        f"{gap_text}. "
        f"Likely cause: {_likely_cause(computed, reported, int(day_usage_rows or 0))}."
    )


def _reconciliation_check(
    con: duckdb.DuckDBPyConnection, failure: BuildFailure
) -> FailedCheck | None:
    """Each line over the threshold, biggest difference first; None when the mart holds
    none (the test failed some other way)."""
    rows = con.execute(
        f"""
        select account, cost_date, provider, coalesce(model_id, 'all models'), cost_type,
               coalesce(token_bucket, 'all token types'), comparison_basis,
               computed_cost_usd, reported_cost_usd, day_usage_rows
        from (
            select *, sum(usage_row_count) over (partition by account, provider, cost_date)
                as day_usage_rows
            from {RECONCILIATION_MART}
        ) as lines
        where status = 'variance_over_threshold'
        order by abs(variance_usd) desc, account, cost_date, provider, model_id, cost_type,
                 token_bucket
        """
    ).fetchall()
    if not rows:
        return None
    details = [_line_text(*row) for row in rows[:LINES_SHOWN]]
    if len(rows) > LINES_SHOWN:
        details.append(
            f"And {_plural(len(rows) - LINES_SHOWN, 'more line')} in {RECONCILIATION_MART} "
            "(status variance_over_threshold)."
        )
    return FailedCheck(
        f"Check {failure.name} on {RECONCILIATION_MART} failed: "
        f"{_plural(len(rows), 'line')} {'differs' if len(rows) == 1 else 'differ'} from the "
        "provider's bill by more than the allowed variance.",
        tuple(details),
    )


def failure_notice(
    con: duckdb.DuckDBPyConnection, failures: Sequence[BuildFailure], published: Path
) -> FailureNotice:
    """The words for what the last build left failing, read beside the working warehouse
    (`con`); `published` is the published copy's file, which may not exist yet."""
    checks = _model_checks(failures)
    for failure in failures:
        if failure.did_not_build:
            continue
        reconciliation = (
            _reconciliation_check(con, failure) if failure.name == RECONCILIATION_TEST else None
        )
        checks.append(reconciliation or _test_check(failure))
    return FailureNotice(_headline(failures, published), tuple(checks))
