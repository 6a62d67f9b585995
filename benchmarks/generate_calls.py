"""N calls in the canonical format (Parquet, one file per UTC day), with the demo's mix.

    .venv/bin/python benchmarks/generate_calls.py OUT_DIR N [--days 30] [--long-streams]

The demo month (orchestration/demo.py: 10 features, models of three providers, prompt
prefixes with their cache streams, service tiers, unpriced usage) is the template. It is
repeated as many times as N needs, each copy as another team: its own request ids, api
key and prompt-prefix hashes, so every copy's cache streams keep the demo's real timing
instead of crowding into denser ones. Rows are then cut at N and written by DuckDB in
one pass per day: 100M calls take minutes, not a Python loop's hours.

`--days` stretches or shrinks the month: day d of the output takes the demo's day
(d mod 30), so a 31st day is a new nightly increment with the same mix.

`--long-streams` makes the other mix: every team sends the demo's few prompt prefixes
(one system prompt per feature of one busy app), so a prefix's calls in all copies are one
cache stream (same provider, model and prefix): at 10M calls, streams of 0.70M, 0.69M,
0.45M and 0.07M calls (19% of the demo's calls carry a prefix). Issue 25 met this shape
running out of memory.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path

import duckdb

from orchestration.demo import WINDOW_START, generate_demo
from orchestration.ingest.formats.canonical import CANONICAL_COLUMNS, INTEGER_COLUMNS

FIRST_DAY = WINDOW_START.date()


def _template(con: duckdb.DuckDBPyConnection, demo_dir: Path) -> int:
    """The demo month as one table, typed, every canonical column present."""
    readers = []
    for path in sorted(demo_dir.iterdir()):
        quoted = "'" + str(path).replace("'", "''") + "'"
        if path.suffix == ".csv":
            readers.append(f"select * from read_csv({quoted}, all_varchar = true)")
        elif path.suffix == ".jsonl":
            readers.append(f"select * from read_json({quoted}, format = 'newline_delimited')")
        elif path.suffix == ".parquet":
            readers.append(f"select * from read_parquet({quoted})")
    con.execute(
        "create temp table demo_raw as " + " union all by name ".join(f"({r})" for r in readers)
    )
    present = {row[0] for row in con.execute("describe demo_raw").fetchall()}
    columns = ", ".join(
        f'cast("{c}" as varchar) as "{c}"' if c in present else f'cast(null as varchar) as "{c}"'
        for c in CANONICAL_COLUMNS
    )
    # the demo's re-export repeats a day's records: one copy each, so N calls are N rows
    con.execute(
        f"""
        create temp table template as
        select row_number() over (order by timestamp, request_id) - 1 as template_row, *
        from (
            select {columns} from demo_raw
            qualify request_id is null
                or row_number() over (partition by request_id order by timestamp) = 1
        )
        """
    )
    return con.execute("select count(*) from template").fetchone()[0]


def generate_calls(
    out_dir: Path,
    calls: int,
    days: int = 30,
    template_scale: float = 1.0,
    long_streams: bool = False,
) -> list[Path]:
    """Write `calls` rows as `calls-YYYY-MM-DD.parquet` files; returns the paths.
    `template_scale` shrinks the demo month used as the template (smoke tests);
    `long_streams`: every copy shares the template's prompt prefixes (module doc)."""
    team_suffix = "" if long_streams else " || '-t' || team.k"  # a prefix per team
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        generate_demo(Path(tmp), scale=template_scale)
        con = duckdb.connect()
        try:
            con.execute("set preserve_insertion_order = false")
            con.execute("set TimeZone = 'UTC'")
            rows = _template(con, Path(tmp))
            copies = -(-calls // rows)  # ceil
            # copy k of the demo is team k; its calls on output day d come from demo day
            # (d mod 30), so --days > 30 repeats the month's pattern
            con.execute(
                f"""
                create temp table calls as
                select
                    template.* exclude (template_row, request_id, api_key, prefix_hash,
                                        timestamp, workspace),
                    coalesce(template.request_id, 'row' || template.template_row)
                        || '-t' || team.k as request_id,
                    coalesce(template.api_key, 'key') || '-t' || team.k as api_key,
                    'team-' || team.k as workspace,
                    case when template.prefix_hash is not null
                        then template.prefix_hash{team_suffix} end as prefix_hash,
                    cast(template.timestamp as timestamptz) as demo_at,
                    -- the window's last instant (a call at 10-31 00:00) belongs to day 30
                    least(date_diff('day', date '{FIRST_DAY.isoformat()}',
                                    cast(cast(template.timestamp as timestamptz) as date)), 29)
                        as demo_day,
                    team.k as team
                from template
                cross join range({copies}) as team(k)
                where team.k * {rows} + template.template_row < {calls}
                """
            )
            integers = ", ".join(INTEGER_COLUMNS)
            typed = ", ".join(f"cast({c} as bigint) as {c}" for c in INTEGER_COLUMNS)
            paths = []
            for day_index in range(days):
                day = FIRST_DAY + timedelta(days=day_index)
                cycle, demo_day = divmod(day_index, 30)
                # a repeated month is new traffic: its own request ids
                suffix = f"-c{cycle}" if cycle else ""
                path = out_dir / f"calls-{day.isoformat()}.parquet"
                con.execute(
                    f"""
                    copy (
                        select * exclude (demo_at, demo_day, team, request_id, {integers}),
                            {typed},
                            request_id || '{suffix}' as request_id,
                            strftime(demo_at + interval {cycle * 30} day,
                                     '%Y-%m-%dT%H:%M:%S.%gZ') as timestamp
                        from calls
                        where demo_day = {demo_day}
                    ) to '{path}' (format parquet, compression zstd)
                    """
                )
                paths.append(path)
            return paths
        finally:
            con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("calls", type=int)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--template-scale", type=float, default=1.0)
    parser.add_argument("--long-streams", action="store_true", help="a few very long streams")
    args = parser.parse_args()
    paths = generate_calls(
        args.out_dir, args.calls, args.days, args.template_scale, args.long_streams
    )
    print(f"wrote {args.calls:,} calls in {len(paths)} files to {args.out_dir}")


if __name__ == "__main__":
    main()
