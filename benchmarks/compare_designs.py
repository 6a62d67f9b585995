"""Two versions of the dbt project on the same raw rows: their dbt build times, disk and
marts, compared row for row (issue 25: every mart equal to what the previous design builds).

    PYTHONPATH=. .venv/bin/python benchmarks/compare_designs.py --calls 1000000 --before bb3857c

1. generate N calls over 31 days (benchmarks/generate_calls.py) and load the first 30
   into one raw warehouse (the loader of this checkout: both designs read the same rows);
2. for each design (the git ref `--before`, checked out in a scratch worktree, and this
   checkout): copy that warehouse, time `dbt build --full-refresh` as the nightly job runs
   it (unit tests excluded), clear the pending days as a complete build does, load day 31
   and time the incremental `dbt build`; the warehouse file's size after each;
3. after the full builds and again after the nightly ones: every table of `marts`
   compared between the two designs with EXCEPT ALL both ways (and their column lists).

Prints a Markdown report; exits 1 when a mart differs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
from bench_scale import ROOT, measure

from orchestration.ingest.load import load_exports

DBT = str(Path(sys.executable).with_name("dbt"))
EXCLUSIONS = ("--exclude-resource-type", "unit_test")  # as orchestration/assets/dbt.py


def dbt_build(project: Path, warehouse: Path, work: Path, *flags: str):
    """`dbt build` of `project` on `warehouse`, timed; the slowest nodes from run_results."""
    target = work / "target"
    command = [DBT, "build", *EXCLUSIONS, *flags, "--project-dir", str(project),
               "--profiles-dir", str(project / "profiles"), "--target-path", str(target),
               "--log-path", str(work / "logs")]  # fmt: skip
    result = measure(
        command, spill_dir=warehouse.with_name(warehouse.name + ".tmp"), check=False,
        env={**os.environ, "LLM_COST_AUDIT_WAREHOUSE": str(warehouse)},
    )  # fmt: skip
    if result.returncode != 0:
        # the scratch folder goes with the exception: say here what dbt's log says
        log = (work / "logs" / "dbt.log").read_text(errors="replace").splitlines()
        errors = "\n".join(line for line in log if "[error]" in line)
        raise SystemExit(
            f"{' '.join(command)} failed ({result.returncode}). Errors in dbt's log:\n"
            f"{errors or '(none)'}\nIts output ended:\n{result.stdout[-2000:]}"
        )
    nodes = json.loads((target / "run_results.json").read_text())["results"]
    models = sum(n["execution_time"] for n in nodes if n["unique_id"].startswith("model."))
    tests = sum(n["execution_time"] for n in nodes if n["unique_id"].startswith("test."))
    slowest = sorted(nodes, key=lambda n: -n["execution_time"])[:6]
    top = ", ".join(f"{n['unique_id'].split('.')[-1]} {n['execution_time']:.1f} s" for n in slowest)
    return result, models, tests, top


def checkpointed_mb(warehouse: Path) -> float:
    con = duckdb.connect(str(warehouse))
    con.execute("checkpoint")
    con.close()
    return warehouse.stat().st_size / 2**20


def load(exports: Path, warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        assert load_exports(con, exports, repo_root=ROOT).ok
    finally:
        con.close()


def compare_marts(before: Path, after: Path) -> list[tuple[str, int, int, int]]:
    """Per mart: rows, rows only in `before`, rows only in `after` (EXCEPT ALL)."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as b (read_only)")
    con.execute(f"attach '{after}' as a (read_only)")
    tables = sorted(
        name for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'b'"
            " and schema_name = 'marts'"
        ).fetchall()
    )  # fmt: skip
    rows = []
    for table in tables:
        columns = {}
        for db in ("a", "b"):
            columns[db] = con.execute(
                "select column_name, data_type from duckdb_columns() where database_name = ?"
                " and schema_name = 'marts' and table_name = ? order by column_index",
                [db, table],
            ).fetchall()
        if columns["a"] != columns["b"]:
            raise SystemExit(f"marts.{table}: columns differ: {columns}")
        count = con.execute(f"select count(*) from b.marts.{table}").fetchone()[0]
        only_before = con.execute(
            f"select count(*) from (from b.marts.{table} except all from a.marts.{table})"
        ).fetchone()[0]
        only_after = con.execute(
            f"select count(*) from (from a.marts.{table} except all from b.marts.{table})"
        ).fetchone()[0]
        rows.append((table, count, only_before, only_after))
    con.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--before", default="main", help="git ref of the previous design")
    parser.add_argument("--work", type=Path, default=None, help="where the data goes")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses and logs")
    args = parser.parse_args()
    scratch = (
        contextlib.nullcontext(tempfile.mkdtemp(dir=args.work))
        if args.keep
        else tempfile.TemporaryDirectory(dir=args.work)
    )
    with scratch as tmp:
        work = Path(tmp)
        exports = work / "exports"
        subprocess.run(
            [sys.executable, "benchmarks/generate_calls.py", str(exports), str(args.calls),
             "--days", "31"], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        increment = exports / "calls-2026-10-31.parquet"
        held = work / increment.name
        increment.rename(held)
        raw = work / "loaded.duckdb"  # not raw.duckdb: its catalog would shadow schema raw
        load(exports, raw)
        before_root = work / "before-project"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before_root), args.before],
            check=True, capture_output=True,
        )  # fmt: skip
        report, warehouses = [], {}
        try:
            for design, project in (("before", before_root), ("after", ROOT)):
                run = work / f"{design}-run"
                warehouse = run / "audit.duckdb"
                run.mkdir()
                shutil.copy(raw, warehouse)
                full = dbt_build(project, warehouse, run / "full", "--full-refresh")
                full_mb = checkpointed_mb(warehouse)
                con = duckdb.connect(str(warehouse))
                con.execute("delete from raw.changed_days")  # as a complete build does
                con.close()
                shutil.copy(warehouse, run / "full.duckdb")
                # the same folder the raw rows came from: only the new day's file loads
                shutil.copy(held, increment)
                load(exports, warehouse)
                increment.unlink()
                nightly = dbt_build(project, warehouse, run / "nightly")
                warehouses[design] = warehouse
                report.append((design, full, full_mb, nightly, checkpointed_mb(warehouse)))
            after_full = compare_marts(
                work / "before-run" / "full.duckdb", work / "after-run" / "full.duckdb"
            )
            after_nightly = compare_marts(warehouses["before"], warehouses["after"])
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before_root)],
                check=False,
            )
    print(f"{args.calls:,} calls; before = {args.before}, after = this checkout\n")
    print("| design | dbt build, full | models / tests (summed) | peak RSS | warehouse "
          "| dbt build, nightly (+1 day) | nightly / full | warehouse after |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for design, full, full_mb, nightly, nightly_mb in report:
        print(
            f"| {design} | {full[0].seconds:.1f} s | {full[1]:.1f} s / {full[2]:.1f} s "
            f"| {full[0].peak_rss_mb:,.0f} MB | {full_mb:,.1f} MB | {nightly[0].seconds:.1f} s "
            f"| {nightly[0].seconds / full[0].seconds:.0%} | {nightly_mb:,.1f} MB |"
        )
    for design, full, _, nightly, _ in report:
        print(f"\n{design}, slowest nodes: full: {full[3]}; nightly: {nightly[3]}")
    differing = 0
    compared = (("after the full builds", after_full), ("after the nightly", after_nightly))
    for label, rows in compared:
        print(f"\nMarts {label} (rows; only before; only after, EXCEPT ALL):\n")
        for table, count, only_before, only_after in rows:
            print(f"- {table}: {count:,}; {only_before}; {only_after}")
            differing += only_before + only_after
    print(f"\n{differing} differing rows over {len(after_full)} marts, twice")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
