"""Time `load_exports` on a generated canonical CSV (default 100,000 rows).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_ingest.py [rows]

Prints the time of a first load (detect, stage, validate with Great Expectations,
commit) and of a second, unchanged run (hash only), on a fresh DuckDB file in a
temporary directory. The CSV is written by DuckDB so generating it is not measured.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from orchestration.ingest import load_exports

REPO_ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int) -> None:
    con = duckdb.connect()
    con.execute(
        f"""
        copy (
            select
                'req-' || i as request_id,
                strftime(timestamp '2025-06-01' + to_seconds(i * 7), '%Y-%m-%dT%H:%M:%SZ')
                    as timestamp,
                'acme' as account,
                'anthropic' as provider,
                ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5'][1 + i % 3] as model,
                'feature-' || (i % 20) as feature,
                ['classification', 'chat', 'coding'][1 + i % 3] as task_class,
                ['realtime', 'async'][1 + i % 2] as latency_class,
                ['standard', 'batch'][1 + i % 2] as service_tier,
                1 as request_count,
                1000 + i % 5000 as input_tokens,
                0 as cache_write_5m_tokens,
                0 as cache_write_1h_tokens,
                i % 300 as cache_read_tokens,
                100 + i % 900 as output_tokens,
                'prefix-' || (i % 50) as prefix_hash,
                1024 as prefix_tokens,
                'ws-' || (i % 4) as workspace,
                'sk-ant-api03-' || (i % 7) as api_key
            from range({rows}) as t(i)
        ) to '{path}' (header, delimiter ',')
        """
    )
    con.close()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        exports = Path(tmp) / "exports"
        exports.mkdir()
        write_csv(exports / "usage.csv", rows)
        size_mb = (exports / "usage.csv").stat().st_size / 1e6
        con = duckdb.connect(str(Path(tmp) / "warehouse.duckdb"))
        started = time.perf_counter()
        first = load_exports(con, exports, repo_root=REPO_ROOT)
        first_s = time.perf_counter() - started
        assert first.ok and first.rows_loaded == rows, first
        started = time.perf_counter()
        second = load_exports(con, exports, repo_root=REPO_ROOT)
        second_s = time.perf_counter() - started
        assert second.ok and len(second.unchanged) == 1, second
        con.close()
    print(
        f"{rows:,} rows ({size_mb:.1f} MB CSV): first load {first_s:.2f} s "
        f"({rows / first_s:,.0f} rows/s), unchanged re-run {second_s:.3f} s"
    )


if __name__ == "__main__":
    main()
