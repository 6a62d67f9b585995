"""Run the hand-written baseline statement (benchmarks/baseline.sql) over a Parquet glob,
in memory; print the seconds and the totals (requests, current, optimized).

    .venv/bin/python benchmarks/run_baseline.py 'CALLS_GLOB'
"""

import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent


def main(calls_glob: str) -> None:
    sql = (ROOT / "benchmarks" / "baseline.sql").read_text()
    sql = sql.replace("{calls}", calls_glob).replace("{seeds}", str(ROOT / "seeds"))
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(sql)
    print(f"{time.perf_counter() - started:.3f}")
    print(
        con.execute(
            "select sum(request_count), sum(current_cost_usd), sum(optimized_cost_usd)"
            " from baseline_daily"
        ).fetchone()
    )


if __name__ == "__main__":
    main(sys.argv[1])
