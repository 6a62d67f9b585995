"""The scale benchmark (issue 8), every measure in one run on one machine:

    .venv/bin/python benchmarks/bench_scale.py --calls 1000000 10000000 [--sample 100000]

For each N: generate N calls (benchmarks/generate_calls.py, 30 daily Parquet files),
then time and take the peak memory (RSS of the whole process tree, sampled) of
1. the full pipeline: `llm-cost-audit run` (load with validation, dbt build with tests,
   report, publish) on an empty warehouse;
2. a nightly run: one more day of calls added to that 30-day warehouse, run again;
3. the hand-written baseline: one DuckDB statement (benchmarks/baseline.sql) over the
   same files computing the five scenarios and the daily aggregate;
and once, 4. per-row Python (benchmarks/per_row_python.py: calc_price per call and
scenario) on the first SAMPLE calls, extrapolated to each N. Also, after each full run,
the disk it took: the warehouse file, the published copy, and the peak of DuckDB's spill
files during it. With `--long-streams`, 5. for each N the full pipeline again on the
other mix (generate_calls.py `--long-streams`: a few cache streams of up to 7% of N
calls each), reported as completed or with the error that stopped it. Prints a Markdown
report (paste it into benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.out_of_memory_rerun import RERUN_SAID

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float
    stdout: str
    peak_spill_mb: float = 0.0  # the watched spill directory's largest size
    returncode: int = 0


def _dir_bytes(path: Path) -> int:
    """Bytes of the files under `path` (symlinks not followed); 0 when it is gone."""
    total = 0
    for root, _, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:  # a spill file removed while walking
                continue
    return total


def _tree_rss_kb(root: int) -> int:
    """RSS of a process and all its descendants, from /proc (no psutil here)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(
    command: list[str], spill_dir: Path | None = None, check: bool = True, **kwargs
) -> Measure:
    """Time and peak memory of `command`; it must succeed unless `check` is false."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, **kwargs
    )
    peak = peak_spill = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_spill
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            if spill_dir is not None:
                peak_spill = max(peak_spill, _dir_bytes(spill_dir))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    if check and process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stdout[-3000:]}")
    return Measure(elapsed, peak / 1024, stdout, peak_spill / 2**20, process.returncode)


def _totals_pipeline(warehouse: Path) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select sum(request_count), sum(current_cost_usd), sum(optimized_cost_usd)"
            " from marts.fct_daily_costs"
        ).fetchone()
    finally:
        con.close()


def _generate(exports: Path, calls: int, template_scale: float, *flags: str) -> Measure:
    return measure(
        [PYTHON, "benchmarks/generate_calls.py", str(exports), str(calls),
         "--template-scale", str(template_scale), *flags],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def _full_run(work: Path, check: bool = True) -> tuple[Path, Measure]:
    """`llm-cost-audit run` on `work`/exports into a new warehouse: its path, the measure.
    DuckDB spills past its memory limit into `<database>.tmp` beside the warehouse."""
    warehouse = work / "warehouse" / "audit.duckdb"
    command = [PYTHON, "-m", "orchestration.cli", "run", "--exports", str(work / "exports"),
               "--warehouse", str(warehouse), "--report-dir", str(work / "reports")]  # fmt: skip
    return warehouse, measure(command, warehouse.with_name(warehouse.name + ".tmp"), check)


def run_long_streams(calls: int, work: Path, template_scale: float) -> Measure:
    """The full pipeline on the long-streams mix, on an empty warehouse; its failure is
    a result to report, not the benchmark's end."""
    _generate(work / "exports", calls, template_scale, "--long-streams")
    return _full_run(work, check=False)[1]


def run_scale(calls: int, work: Path, template_scale: float) -> dict:
    exports = work / "exports"
    generate = _generate(exports, calls, template_scale, "--days", "31")
    # the 31st day is the nightly increment: held back for the first run
    increment = exports / "calls-2026-10-31.parquet"
    held = work / increment.name
    increment.rename(held)
    warehouse, full = _full_run(work)
    totals = _totals_pipeline(warehouse)
    # disk after the full run: what a bigger N needs, with the spill files' peak
    disk_mb = {
        "warehouse": warehouse.stat().st_size / 2**20,
        "published": _dir_bytes(warehouse.parent / "published") / 2**20,
    }
    held.rename(increment)
    nightly = _full_run(work)[1]  # the same warehouse, one day more
    increment.rename(held)  # the baseline reads the same 30 days as the full run
    baseline = measure(
        [PYTHON, "benchmarks/run_baseline.py", str(exports / "calls-*.parquet")],
    )
    return {
        "calls": calls,
        "generate": generate,
        "full": full,
        "nightly": nightly,
        "baseline": baseline,
        "pipeline_totals": totals,
        "disk_mb": disk_mb,
        "baseline_totals": baseline.stdout.strip().splitlines()[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=None, help="where the data goes")
    parser.add_argument(
        "--template-scale", type=float, default=1.0, help="demo month size (smoke: 0.05)"
    )
    parser.add_argument(
        "--long-streams", action="store_true", help="also the mix with a few very long streams"
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        for calls in args.calls:
            work = Path(tmp) / f"n{calls}"
            results.append(run_scale(calls, work, args.template_scale))
            if args.long_streams:
                long_work = Path(tmp) / f"n{calls}-long-streams"
                results[-1]["long_streams"] = run_long_streams(
                    calls, long_work, args.template_scale
                )
                shutil.rmtree(long_work)
            print(f"measured {calls:,} calls", file=sys.stderr, flush=True)
        sample_glob = str(Path(tmp) / f"n{args.calls[0]}" / "exports" / "calls-*.parquet")
        per_row = measure([PYTHON, "benchmarks/per_row_python.py", sample_glob, str(args.sample)])
    per_row_seconds = float(per_row.stdout.split()[0])
    print(report(results, per_row_seconds, per_row.peak_rss_mb, args.sample))


def report(results: list[dict], per_row_seconds: float, per_row_rss: float, sample: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}.",
        "",
        "| calls | full pipeline | peak RSS | nightly (+1 day) | nightly / full "
        "| baseline SQL | peak RSS | full / baseline | per-row Python (extrapolated) "
        "| per-row / full |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        full, nightly, baseline = r["full"], r["nightly"], r["baseline"]
        per_row = per_row_seconds * r["calls"] / sample
        lines.append(
            f"| {r['calls']:,} | {full.seconds:.1f} s | {full.peak_rss_mb:,.0f} MB "
            f"| {nightly.seconds:.1f} s | {nightly.seconds / full.seconds:.0%} "
            f"| {baseline.seconds:.1f} s | {baseline.peak_rss_mb:,.0f} MB "
            f"| {full.seconds / baseline.seconds:.1f}x | {per_row:,.0f} s "
            f"| {per_row / full.seconds:.0f}x |"
        )
    lines += [
        "",
        f"Per-row Python: {sample:,} calls priced in {per_row_seconds:.1f} s "
        f"(peak RSS {per_row_rss:,.0f} MB), extrapolated linearly.",
        "",
        "Disk after the full run (the warehouse file, its published copy: DuckDB file and"
        " Parquet) and the largest size of DuckDB's spill files during it:",
        "",
        "| calls | warehouse | published | peak spill | together, per 1M calls |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        disk, spill = r["disk_mb"], r["full"].peak_spill_mb
        together = (disk["warehouse"] + disk["published"] + spill) * 1_000_000 / r["calls"]
        lines.append(
            f"| {r['calls']:,} | {disk['warehouse']:,.1f} MB | {disk['published']:,.1f} MB "
            f"| {spill:,.1f} MB | {together:,.0f} MB |"
        )
    lines += ["", "Totals (requests, current, optimized): pipeline vs baseline"]
    for r in results:
        lines.append(f"- {r['calls']:,}: {r['pipeline_totals']} vs {r['baseline_totals']}")
    reruns = [
        f"- {r['calls']:,}, {name.replace('_', ' ')}: {said}"
        for r in results
        for name in ("full", "nightly", "long_streams")
        if name in r and (said := _rerun(r[name]))
    ]
    lines += ["", "Runs whose dbt build ran out of memory and built the rest one node at a time:"]
    lines += reruns or ["- none"]
    if any("long_streams" in r for r in results):
        lines += [
            "",
            "The full pipeline on the long-streams mix (a few cache streams of up to 7% of"
            " the calls each), at the default memory limit:",
            "",
            "| calls | outcome | full pipeline | peak RSS | peak spill |",
            "|---:|---|---:|---:|---:|",
        ]
        for r in results:
            if (long := r.get("long_streams")) is not None:
                lines.append(
                    f"| {r['calls']:,} | {_outcome(long)} | {long.seconds:.1f} s "
                    f"| {long.peak_rss_mb:,.0f} MB | {long.peak_spill_mb:,.1f} MB |"
                )
    return "\n".join(lines)


def _rerun(run: Measure) -> str | None:
    """The pipeline's progress line when its build reran what was left, one node at a time
    (orchestration/out_of_memory_rerun.py)."""
    said = [line.strip() for line in run.stdout.splitlines() if RERUN_SAID in line]
    return said[0] if said else None


def _outcome(run: Measure) -> str:
    """`completed`, or the run's exit status and the last line that names an error."""
    if run.returncode == 0:
        return "completed"
    said = [line.strip() for line in run.stdout.splitlines() if "Error" in line]
    return f"failed ({run.returncode}): {said[-1][:160] if said else 'no error line'}"


if __name__ == "__main__":
    main()
