"""The bundled demo dataset: one month of LLM usage for a fictional company.

`generate_demo()` writes October 2026 (2026-10-01T00:00:00Z to 2026-10-31T00:00:00Z,
exactly 30 days) of usage for "Northwind" in the project's canonical usage format
(docs/formats.md, "The canonical format"; token buckets disjoint), split across files in
every encoding the loader reads, so `make demo` exercises the whole path:

- `anthropic_requests_2026-10.csv` (CSV): ticket-classifier, support-chat, faq-bot,
  coding-agent, lead-tagger;
- `openai_requests_2026-10.jsonl` (JSONL, no cache-write columns): document-extractor,
  intent-router, ops-digest;
- `batch_jobs_2026-10.parquet` (Parquet): nightly-report, already on the Batch API;
- `internal_gateway_2026-10.csv` (CSV, no cache or prefix columns): kb-search, on a
  model no price table knows;
- `support_chat_reexport_2026-10-20.jsonl` (JSONL): a re-export of one day of
  support-chat, the same records again (the loader must not count them twice).

Each feature is built to show one thing in the audit:

- ticket-classifier: short classification calls on Claude Opus 4.5 in real time; the
  big confirmed tiering saving (-> Haiku 4.5).
- document-extractor: extraction on gpt-5 from a queue (async); tiering (-> gpt-5-nano)
  and batch. Its service tier is spelled `default` before 2026-10-14 and `standard` after
  (a logging change); a few rows carry a secret-looking api key (`sk-proj-DEMO...`) that
  the loader must redact.
- nightly-report: summarization on Claude Sonnet 4.5, already batched, nightly at 02:00
  UTC; a handful of requests just over 200K input tokens (long-context pricing).
- support-chat: chat on Claude Sonnet 4.5 with a 6,000-token system prompt sent uncached
  (`sp-support-v3`, replaced by `sp-support-v4` mid-month); bursty sessions, so a 5-minute
  cache would hit, and quiet nights.
- faq-bot: Claude Haiku 4.5 with a 900-token prompt, under Haiku 4.5's 4,096-token minimum
  cacheable length: the caching what-if must leave it alone.
- ops-digest: a sparse stream on gpt-5-mini (one call every ~2 hours, 3,000-token prefix
  `sp-sparse`): caching it does not pay. Its first and last calls sit exactly on the
  window's bounds, so the audit window is exactly 30 days.
- coding-agent: agentic sessions on Claude Opus 4.6 that already use prompt caching (large
  cache reads, some 5-minute writes, a few 1-hour writes); large task class: no tiering.
- intent-router: gpt-4.1 with no task or latency class (left to attribution rules, the
  heuristic or the defaults), plus a few `priority` tier rows before 2026-10-12, which the
  project leaves unpriced and reports.
- kb-search: provider `acme`, model `acme-internal-llm-v2`: unpriced, reported.
- lead-tagger: tagging on Claude Haiku 4.5 with no latency class, run by a cron job every
  night between 01:00 and 02:00 UTC in real time: the timing heuristic calls it async, a
  batch *candidate* reported apart from the headline.

Determinism: rows come from `random.Random` seeded per (seed, feature), so one feature's
rows do not depend on another's; files are written single-threaded by DuckDB in a fixed
order, and their modification times are fixed (os.utime), so the loader's order (mtime,
then name) is stable. Same seed and scale -> the same bytes and the same mtimes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.formats.canonical import CANONICAL_COLUMNS

INTEGER_COLUMNS = frozenset(
    {
        "request_count",
        "input_tokens",
        "cache_write_5m_tokens",
        "cache_write_1h_tokens",
        "cache_read_tokens",
        "output_tokens",
        "prefix_tokens",
    }
)

WINDOW_START = datetime(2026, 10, 1, tzinfo=UTC)
WINDOW_END = datetime(2026, 10, 31, tzinfo=UTC)
WINDOW_DAYS = (WINDOW_END - WINDOW_START).days  # 30
ACCOUNT = "northwind"
# A value that looks like a live OpenAI project key; the loader must store it redacted.
DEMO_SECRET_API_KEY = "sk-proj-DEMOnotARealKey0000aaaa1111bbbb2222cccc3333dddd"

_MS_PER_MINUTE = 60_000
_MS_PER_HOUR = 60 * _MS_PER_MINUTE
_MS_PER_DAY = 24 * _MS_PER_HOUR
_WINDOW_MS = WINDOW_DAYS * _MS_PER_DAY
# Files are dated the morning after the window; the re-export arrives an hour later,
# so it loads last (its records are identical copies, so the order does not change totals).
_FILE_MTIME_BASE = int(datetime(2026, 10, 31, 6, 0, tzinfo=UTC).timestamp())

Row = dict[str, object]


@dataclass(frozen=True)
class DemoFile:
    """One file of the demo: its name, format, which features it holds, which columns."""

    name: str
    file_format: str  # csv | json | parquet (DuckDB COPY format)
    features: tuple[str, ...]
    columns: tuple[str, ...] = CANONICAL_COLUMNS
    # Keep only the rows whose timestamp starts with this prefix (a partial re-export).
    day_prefix: str | None = None


# Listed in load order: the mtimes follow this order.
DEMO_FILES: tuple[DemoFile, ...] = (
    DemoFile(
        "anthropic_requests_2026-10.csv",
        "csv",
        ("ticket-classifier", "support-chat", "faq-bot", "coding-agent", "lead-tagger"),
    ),
    DemoFile(
        "openai_requests_2026-10.jsonl",
        "json",
        ("document-extractor", "intent-router", "ops-digest"),
        # OpenAI has no cache-write buckets: the optional columns are simply absent here.
        tuple(c for c in CANONICAL_COLUMNS if not c.startswith("cache_write_")),
    ),
    DemoFile("batch_jobs_2026-10.parquet", "parquet", ("nightly-report",)),
    DemoFile(
        "internal_gateway_2026-10.csv",
        "csv",
        ("kb-search",),
        # An in-house gateway with no prompt caching: those optional columns are absent.
        tuple(c for c in CANONICAL_COLUMNS if not c.startswith(("cache_", "prefix_"))),
    ),
    DemoFile(
        "support_chat_reexport_2026-10-20.jsonl",
        "json",
        ("support-chat",),
        day_prefix="2026-10-20",
    ),
)

FEATURES: tuple[str, ...] = (
    "ticket-classifier",
    "document-extractor",
    "nightly-report",
    "support-chat",
    "faq-bot",
    "ops-digest",
    "coding-agent",
    "intent-router",
    "kb-search",
    "lead-tagger",
)


# --------------------------------------------------------------------------- time


def _hour_weights(active: Iterable[int], peak: Iterable[int] = (), peak_weight: int = 2):
    """24 weights: 0 outside `active` hours (UTC), `peak_weight` in `peak`, else 1."""
    active_set, peak_set = set(active), set(peak)
    return [(peak_weight if h in peak_set else 1) if h in active_set else 0 for h in range(24)]


def _is_weekend(day: int) -> bool:
    return (WINDOW_START + timedelta(days=day)).weekday() >= 5


def _sample_times(
    rng: random.Random,
    n: int,
    hour_weights: Sequence[int],
    weekend_factor: float = 1.0,
    first_day: int = 0,
    last_day: int = WINDOW_DAYS - 1,
) -> list[int]:
    """n arrival times, in ms from the window start, drawn from a day x hour density."""
    days = list(range(first_day, last_day + 1))
    day_weights = [weekend_factor if _is_weekend(d) else 1.0 for d in days]
    picked_days = rng.choices(days, weights=day_weights, k=n)
    picked_hours = rng.choices(range(24), weights=hour_weights, k=n)
    return sorted(
        d * _MS_PER_DAY + h * _MS_PER_HOUR + rng.randrange(_MS_PER_HOUR)
        for d, h in zip(picked_days, picked_hours, strict=True)
    )


def _iso(ms: int) -> str:
    at = WINDOW_START + timedelta(milliseconds=ms)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _day_of(ms: int) -> int:
    return ms // _MS_PER_DAY


def _volume(monthly: int, scale: float, minimum: int = 3) -> int:
    """Rows for a month at this scale; never below `minimum`, so every feature shows."""
    return max(minimum, round(monthly * scale))


# --------------------------------------------------------------------------- rows


def _row(feature: str, ms: int, provider: str, model: str, **values: object) -> Row:
    row: Row = dict.fromkeys(CANONICAL_COLUMNS)
    row.update(
        timestamp=_iso(ms),
        account=ACCOUNT,
        provider=provider,
        model=model,
        feature=feature,
        service_tier="standard",
        request_count=1,
        cache_write_5m_tokens=0,
        cache_write_1h_tokens=0,
        cache_read_tokens=0,
        workspace=None,
        api_key=f"key-{feature}",
    )
    row.update(values)
    row["_ms"] = ms
    return row


def _ticket_classifier(rng: random.Random, scale: float) -> list[Row]:
    """Support tickets classified on Opus in real time, business hours (UTC), weekdays."""
    hours = _hour_weights(range(8, 18), peak=range(10, 15), peak_weight=3)
    times = _sample_times(rng, _volume(30_000, scale), hours, weekend_factor=0.15)
    return [
        _row(
            "ticket-classifier",
            ms,
            "anthropic",
            "claude-opus-4-5",
            task_class="classification",
            latency_class="realtime",
            input_tokens=round(rng.triangular(600, 1500, 1200)),
            output_tokens=rng.randint(5, 30),
            workspace="support-ops",
        )
        for ms in times
    ]


def _document_extractor(rng: random.Random, scale: float) -> list[Row]:
    """Invoices pulled from a queue around the clock (async), extracted on gpt-5."""
    hours = _hour_weights(range(24), peak=range(7, 19), peak_weight=3)
    times = _sample_times(rng, _volume(5_400, scale), hours, weekend_factor=0.3)
    rows = [
        _row(
            "document-extractor",
            ms,
            "openai",
            "gpt-5",
            task_class="extraction",
            latency_class="async",
            # The gateway logged OpenAI's own spelling until a logging change on 10-14.
            service_tier="default" if _day_of(ms) < 13 else "standard",
            input_tokens=rng.randint(3_000, 12_000),
            output_tokens=rng.randint(300, 1_500),
            workspace="finance-ops",
        )
        for ms in times
    ]
    for i in rng.sample(range(len(rows)), k=min(len(rows), max(3, len(rows) // 150))):
        rows[i]["api_key"] = DEMO_SECRET_API_KEY
    return rows


def _nightly_report(rng: random.Random, scale: float) -> list[Row]:
    """Nightly summaries through the Batch API, 02:00-03:00 UTC, large inputs."""
    times = _sample_times(rng, _volume(1_200, scale), _hour_weights([2]))
    rows = [
        _row(
            "nightly-report",
            ms,
            "anthropic",
            "claude-sonnet-4-5",
            task_class="summarization",
            latency_class="async",
            service_tier="batch",
            input_tokens=round(rng.triangular(20_000, 150_000, 45_000)),
            output_tokens=rng.randint(2_000, 6_000),
            workspace="analytics",
        )
        for ms in times
    ]
    # A handful of month-end reports run just over the 200K long-context threshold.
    for i in rng.sample(range(len(rows)), k=min(len(rows), max(1, round(6 * min(scale, 1))))):
        rows[i]["input_tokens"] = rng.randint(200_200, 214_000)
    return rows


def _support_chat(rng: random.Random, scale: float) -> list[Row]:
    """Chat sessions with a long uncached system prompt; bursts by day, quiet nights."""
    hours = _hour_weights(range(6, 22), peak=range(9, 17))
    n_sessions = _volume(1_250, scale, minimum=2)
    rows: list[Row] = []
    for start in _sample_times(rng, n_sessions, hours, weekend_factor=0.6):
        # The v4 prompt ships on 2026-10-16 (mid-month).
        v4 = _day_of(start) >= 15
        prefix_hash, prefix_tokens = ("sp-support-v4", 6_250) if v4 else ("sp-support-v3", 6_000)
        ms = start
        for turn in range(rng.randint(3, 9)):
            if turn:
                ms += rng.randint(20_000, 240_000)  # the next message within 4 minutes
            user_tokens = min(2_000, 200 + 180 * turn + rng.randint(0, 300))
            rows.append(
                _row(
                    "support-chat",
                    ms,
                    "anthropic",
                    "claude-sonnet-4-5",
                    task_class="chat",
                    latency_class="realtime",
                    input_tokens=prefix_tokens + user_tokens,
                    output_tokens=rng.randint(80, 600),
                    prefix_hash=prefix_hash,
                    prefix_tokens=prefix_tokens,
                    workspace="support-ops",
                )
            )
    return rows


def _faq_bot(rng: random.Random, scale: float) -> list[Row]:
    """Short FAQ answers on Haiku 4.5; its 900-token prompt is too short to cache."""
    hours = _hour_weights(range(7, 23))
    return [
        _row(
            "faq-bot",
            ms,
            "anthropic",
            "claude-haiku-4-5",
            task_class="chat",
            latency_class="realtime",
            input_tokens=900 + rng.randint(40, 400),
            output_tokens=rng.randint(40, 300),
            prefix_hash="sp-faq-v1",
            prefix_tokens=900,
            workspace="web",
        )
        for ms in _sample_times(rng, _volume(2_400, scale), hours, weekend_factor=0.8)
    ]


def _ops_digest(rng: random.Random, scale: float) -> list[Row]:
    """A status digest every ~2 hours: too sparse for any cache TTL to pay.

    Its first and last calls are pinned to the window's bounds (the audit window runs
    from the earliest to the latest request), so the window is exactly 30 days.
    """
    intervals = max(1, round(WINDOW_DAYS * 12 * min(scale, 1.0)))
    step = _WINDOW_MS // intervals
    jitter = min(20 * _MS_PER_MINUTE, step // 4)  # keeps every gap above an hour at scale 1
    times = [0]
    times += [i * step + rng.randint(-jitter, jitter) for i in range(1, intervals)]
    times.append(_WINDOW_MS)
    return [
        _row(
            "ops-digest",
            ms,
            "openai",
            "gpt-5-mini",
            task_class="short_summary",
            latency_class="realtime",
            input_tokens=3_000 + rng.randint(300, 1_500),
            output_tokens=rng.randint(150, 600),
            prefix_hash="sp-sparse",
            prefix_tokens=3_000,
            workspace="platform",
        )
        for ms in times
    ]


def _coding_agent(rng: random.Random, scale: float) -> list[Row]:
    """Long agent sessions on Opus 4.6 that already cache their growing context.

    Per call (Anthropic's convention, disjoint buckets): the context cached so far is read
    back (`cache_read_tokens`), what was appended since is written (`cache_write_*`), and
    only a short uncached tail is `input_tokens`. After a pause longer than the session's
    TTL the whole context is written again; a context over 150K is compacted.
    """
    hours = _hour_weights(range(8, 20), peak=range(13, 17))
    n_sessions = _volume(120, scale, minimum=2)
    rows: list[Row] = []
    for start in _sample_times(rng, n_sessions, hours, weekend_factor=0.3):
        one_hour_ttl = rng.random() < 0.1
        ttl_ms = _MS_PER_HOUR if one_hour_ttl else 5 * _MS_PER_MINUTE
        write_column = "cache_write_1h_tokens" if one_hour_ttl else "cache_write_5m_tokens"
        system_tokens = rng.randint(14_000, 22_000)
        cached = 0  # context tokens in the cache after the previous call
        ms, previous_ms = start, None
        for _ in range(rng.randint(15, 45)):
            if previous_ms is not None:
                # Mostly tool round-trips; now and then the developer steps away.
                ms += (
                    rng.randint(120_000, 2_400_000)
                    if rng.random() < 0.1
                    else rng.randint(5_000, 90_000)
                )
                if ms >= _WINDOW_MS - _MS_PER_HOUR:
                    break  # the month is over; the session's tail is next month's usage
            appended = rng.randint(300, 6_000) if cached else system_tokens
            if cached > 150_000:
                cached, appended = 0, system_tokens + 8_000  # compaction: a fresh context
            expired = previous_ms is not None and ms - previous_ms > ttl_ms
            read = 0 if expired else cached
            write = cached + appended if expired else appended
            rows.append(
                _row(
                    "coding-agent",
                    ms,
                    "anthropic",
                    "claude-opus-4-6",
                    task_class="agentic",
                    latency_class="realtime",
                    input_tokens=rng.randint(20, 400),
                    output_tokens=rng.randint(100, 3_000),
                    cache_read_tokens=read,
                    workspace="engineering",
                    **{write_column: write},
                )
            )
            cached += appended
            previous_ms = ms
    return rows


def _intent_router(rng: random.Random, scale: float) -> list[Row]:
    """Intent routing on gpt-4.1 with no declared task or latency class.

    A few calls before 2026-10-12 went out on the priority tier, which the project has no
    price for on those dates: they stay unpriced and are reported.
    """
    hours = _hour_weights(range(6, 23), peak=range(9, 18))

    def call(ms: int, tier: str) -> Row:
        return _row(
            "intent-router",
            ms,
            "openai",
            "gpt-4.1",
            service_tier=tier,
            input_tokens=rng.randint(250, 900),
            output_tokens=rng.randint(2, 12),
            workspace="web",
        )

    standard = [call(ms, "standard") for ms in _sample_times(rng, _volume(2_400, scale), hours)]
    priority_times = _sample_times(rng, _volume(40, scale), hours, first_day=4, last_day=10)
    return standard + [call(ms, "priority") for ms in priority_times]


def _kb_search(rng: random.Random, scale: float) -> list[Row]:
    """Knowledge-base answers on an in-house model no price table knows."""
    return [
        _row(
            "kb-search",
            ms,
            "acme",
            "acme-internal-llm-v2",
            task_class="rag_answer",
            latency_class="realtime",
            input_tokens=rng.randint(1_000, 4_000),
            output_tokens=rng.randint(100, 500),
            workspace="platform",
        )
        for ms in _sample_times(rng, _volume(300, scale), _hour_weights(range(8, 20)))
    ]


def _lead_tagger(rng: random.Random, scale: float) -> list[Row]:
    """CRM leads tagged by a nightly cron job (01:00-02:00 UTC), in real time, with no
    declared latency class."""
    return [
        _row(
            "lead-tagger",
            ms,
            "anthropic",
            "claude-haiku-4-5",
            task_class="tagging",
            input_tokens=rng.randint(800, 2_000),
            output_tokens=rng.randint(20, 60),
            workspace="sales",
        )
        for ms in _sample_times(rng, _volume(900, scale), _hour_weights([1]))
    ]


_GENERATORS: dict[str, Callable[[random.Random, float], list[Row]]] = {
    "ticket-classifier": _ticket_classifier,
    "document-extractor": _document_extractor,
    "nightly-report": _nightly_report,
    "support-chat": _support_chat,
    "faq-bot": _faq_bot,
    "ops-digest": _ops_digest,
    "coding-agent": _coding_agent,
    "intent-router": _intent_router,
    "kb-search": _kb_search,
    "lead-tagger": _lead_tagger,
}


def build_rows(*, seed: int = 7, scale: float = 1.0) -> dict[str, list[Row]]:
    """Every feature's rows, in time order, with stable `req_<feature>_<n>` ids."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    by_feature: dict[str, list[Row]] = {}
    for feature in FEATURES:
        rows = _GENERATORS[feature](random.Random(f"{seed}/{feature}"), scale)
        rows.sort(key=lambda r: r["_ms"])  # type: ignore[arg-type, return-value]
        for n, row in enumerate(rows, start=1):
            row["request_id"] = f"req_{feature}_{n:06d}"
            row.pop("_ms")
        by_feature[feature] = rows
    return by_feature


# --------------------------------------------------------------------------- files


def _arrow_table(rows: list[Row], columns: Sequence[str]) -> pa.Table:
    schema = pa.schema([(c, pa.int64() if c in INTEGER_COLUMNS else pa.string()) for c in columns])
    return pa.table({c: [r[c] for r in rows] for c in columns}, schema=schema)


def _write(table: pa.Table, path: Path, file_format: str) -> None:
    """Write through DuckDB, single-threaded so the bytes are reproducible."""
    options = {
        "csv": "format csv, header true",
        "json": "format json",
        "parquet": "format parquet, compression zstd",
    }[file_format]
    partial = path.with_name(f".{path.name}.partial")
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        con.register("demo_rows", table)
        con.execute(f"copy (select * from demo_rows) to '{partial}' ({options})")
    finally:
        con.close()
    os.replace(partial, path)


def generate_demo(out_dir: Path, *, seed: int = 7, scale: float = 1.0) -> list[Path]:
    """Write the demo month into `out_dir` (created if missing); return the file paths.

    Same seed and scale -> the same bytes and modification times. `scale` multiplies call
    volumes (1.0 gives ~53,000 rows; tests use ~0.02).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_feature = build_rows(seed=seed, scale=scale)
    written: list[Path] = []
    for position, demo_file in enumerate(DEMO_FILES):
        rows = [r for f in demo_file.features for r in by_feature[f]]
        if demo_file.day_prefix is not None:
            rows = [r for r in rows if str(r["timestamp"]).startswith(demo_file.day_prefix)]
        rows.sort(key=lambda r: (r["timestamp"], r["request_id"]))  # type: ignore[arg-type, return-value]
        path = out_dir / demo_file.name
        _write(_arrow_table(rows, demo_file.columns), path, demo_file.file_format)
        mtime = _FILE_MTIME_BASE + (3_600 if demo_file.day_prefix else 60 * position)
        os.utime(path, (mtime, mtime))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.demo",
        description="Write the demo month of LLM usage (canonical format) into OUT_DIR.",
    )
    parser.add_argument("out_dir", type=Path, help="directory to write the files into")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies call volumes")
    args = parser.parse_args(argv)
    for path in generate_demo(args.out_dir, seed=args.seed, scale=args.scale):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
