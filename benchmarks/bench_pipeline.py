"""Time the whole audit (CLI -> Dagster -> ingest -> dbt build with tests -> report) on the
demo month at a few scales, first run and an unchanged second run.

    .venv/bin/python benchmarks/bench_pipeline.py [scale ...]    (default: 1 4)

Each scale runs in its own temporary directory; the figures go to stdout as a Markdown
table to paste into benchmarks/README.md.
"""

import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from orchestration.cli import run_audit
from orchestration.demo import generate_demo


def timed_run(exports: Path, warehouse: Path, reports: Path) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = run_audit(exports, warehouse, reports)
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"audit failed with exit code {code}")
    return elapsed


def main(scales: list[float]) -> None:
    print("| scale | usage rows | first run (s) | unchanged rerun (s) |")
    print("|---:|---:|---:|---:|")
    for scale in scales:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate_demo(root / "exports", scale=scale)
            warehouse = root / "bench.duckdb"
            first = timed_run(root / "exports", warehouse, root / "reports")
            second = timed_run(root / "exports", warehouse, root / "reports")
            with duckdb.connect(str(warehouse), read_only=True) as con:
                (rows,) = con.execute("select count(*) from marts.fct_llm_usage").fetchone()
            print(f"| {scale:g} | {rows:,} | {first:.1f} | {second:.1f} |", flush=True)


if __name__ == "__main__":
    main([float(arg) for arg in sys.argv[1:]] or [1.0, 4.0])
