"""What one load is given (`LoadOptions`) and the values no real export holds (docs/formats.md,
"Absurd values"): usage dated before 2020 or after the run's time plus a day of clock
skew, a call whose prompt exceeds the largest context window of any priced model, a
bucket holding more tokens than `max_tokens_per_second` times its length. One such
record rejects its file, with the record and the bound in the message: a year-3000 time
or a 10^15-token call would otherwise stretch the window or the headline by orders of
magnitude.

The checks run in DuckDB on the staged table, after the format's own suite (so every
value they read already parsed).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.project import REPO_ROOT

EARLIEST_USAGE = datetime(2020, 1, 1)  # before any LLM API usage export
CLOCK_SKEW = timedelta(days=1)
# Generated from genai-prices by `make prices` (orchestration/prices.py).
CONTEXT_WINDOWS_SEED = Path("seeds/generated/model_context_windows.csv")
MAX_REPORTED = 10  # offending records named per file, then a count


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def default_max_tokens_per_second() -> int:
    from orchestration.settings import project_defaults

    return int(project_defaults()["max_tokens_per_second"])


@functools.cache
def largest_context_window(repo_root: Path = REPO_ROOT) -> int | None:
    """The largest context window (tokens) of any priced model, from the generated seed."""
    with duckdb.connect() as con:
        (largest,) = con.execute(
            "select max(cast(context_window_tokens as bigint)) from read_csv(?, header = true,"
            " all_varchar = true)",
            [str(repo_root / CONTEXT_WINDOWS_SEED)],
        ).fetchone() or (None,)
    return int(largest) if largest is not None else None


@dataclass(frozen=True)
class LoadOptions:
    # the day of records without a time of their own when no `date=` folder gives one
    # (`run --undated-day`); ISO text
    undated_day: str | None = None
    run_time: datetime = field(default_factory=_utc_now)  # naive UTC
    max_tokens_per_second: int = field(default_factory=default_max_tokens_per_second)
    max_context_tokens: int | None = field(default_factory=largest_context_window)

    @property
    def latest_usage(self) -> datetime:
        return self.run_time + CLOCK_SKEW


@dataclass(frozen=True)
class StagedShape:
    """Where a raw table's staged rows keep what the bounds read (SQL over the staged
    table; every column already parsed)."""

    time: str  # the record's (or bucket's) start
    location: str = "location"
    end: str | None = None  # a bucket's end (NULL for a request)
    prompt_tokens: str | None = None  # tokens read by the model: input + cache
    total_tokens: str | None = None
    calls: str = "1"  # calls the row stands for (a canonical row may aggregate)
    is_bucket: str = "false"


def sum_of(*columns: str) -> str:
    """SQL: the sum of `columns`, a NULL counted as 0."""
    return " + ".join(f"coalesce({c}, 0)" for c in columns)


def out_of_bounds(
    con: duckdb.DuckDBPyConnection,
    staged: str,
    shape: StagedShape,
    options: LoadOptions,
    *,
    display_name: str,
) -> list[str]:
    """One message per record out of bounds (the first MAX_REPORTED, then a count)."""
    earliest, latest = _ts(EARLIEST_USAGE), _ts(options.latest_usage)
    run_time = options.run_time.strftime("%Y-%m-%d %H:%M UTC")
    problems = [
        f"""case when {shape.time} < {earliest}
            then 'usage time ' || strftime({shape.time}, '%Y-%m-%d %H:%M:%S')
                || ' is before 2020-01-01: no LLM API export is that old' end""",
        f"""case when {shape.time} > {latest}
            then 'usage time ' || strftime({shape.time}, '%Y-%m-%d %H:%M:%S')
                || ' is after the run''s time plus one day of clock skew ({run_time} + 1 day)'
            end""",
    ]
    if shape.prompt_tokens is not None and options.max_context_tokens is not None:
        limit = options.max_context_tokens
        problems.append(
            f"""case when ({shape.prompt_tokens}) > {limit} * ({shape.calls})
            then case when ({shape.calls}) = 1
                then ({shape.prompt_tokens}) || ' prompt tokens in one call'
                else ({shape.prompt_tokens}) || ' prompt tokens in ' || ({shape.calls})
                    || ' calls' end
                || ' exceed the largest context window of any priced model ({limit:,} tokens,'
                || ' seeds/generated/{CONTEXT_WINDOWS_SEED.name})' end"""
        )
    if shape.end is not None and shape.total_tokens is not None:
        seconds = f"greatest(date_diff('second', {shape.time}, {shape.end}), 1)"
        rate = options.max_tokens_per_second
        problems.append(
            f"""case when ({shape.total_tokens}) > {seconds} * {rate}
            then 'bucket from ' || strftime({shape.time}, '%Y-%m-%d %H:%M:%S') || ' to '
                || strftime({shape.end}, '%Y-%m-%d %H:%M:%S') || ' holds '
                || ({shape.total_tokens}) || ' tokens, more than its ' || {seconds}
                || ' s times max_tokens_per_second ({rate:,}, settings.toml) = '
                || ({seconds} * {rate})
            end"""
        )
    rows = con.execute(
        f"""
        with checked as (
            select source_record, {shape.location} as location,
                concat_ws('; ', {", ".join(problems)}) as problem
            from {staged}
        )
        select location, problem, count(*) over () as offending
        from checked where problem <> ''
        order by source_record
        limit {MAX_REPORTED}
        """
    ).fetchall()
    errors = [f"{display_name}: {location}: {problem}" for location, problem, _ in rows]
    if rows and rows[0][2] > len(rows):
        errors.append(f"{display_name}: ... {rows[0][2]} record(s) in all out of bounds")
    return errors


def _ts(value: datetime) -> str:
    return f"timestamp '{value.strftime('%Y-%m-%d %H:%M:%S')}'"
