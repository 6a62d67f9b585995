"""The scale benchmark at a small N, as a smoke test: every measure runs and reports, and
the generator writes exactly the calls asked for. Speed is never asserted here
(benchmarks/RESULTS.md holds the figures and the command that measured them)."""

import subprocess
import sys

import duckdb
import pytest

from orchestration.project import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))
from benchmarks.generate_calls import generate_calls  # noqa: E402


def test_generator_writes_exactly_n_calls_with_the_demo_mix(tmp_path):
    paths = generate_calls(tmp_path, 5_000, days=31, template_scale=0.05)
    assert [p.name for p in paths[:2]] == ["calls-2026-10-01.parquet", "calls-2026-10-02.parquet"]
    assert len(paths) == 31
    con = duckdb.connect()
    month = ", ".join(f"'{p}'" for p in paths[:30])
    calls, ids, features, providers, streams = con.execute(
        f"select count(*), count(distinct request_id), count(distinct feature),"
        f" count(distinct provider), count(distinct prefix_hash) from read_parquet([{month}])"
    ).fetchone()
    assert calls == ids == 5_000
    assert features == 10 and providers == 3 and streams > 0
    # day 31 repeats day 1's pattern as new traffic: new ids, a day later
    (extra, new_ids, first) = con.execute(
        f"select count(*), count(distinct request_id) filter (where request_id like '%-c1'),"
        f" min(timestamp) from read_parquet('{paths[30]}')"
    ).fetchone()
    assert extra == new_ids > 0 and first.startswith("2026-10-31")
    # the long-streams mix: the same calls, each of the demo's prefixes one stream across
    # every team (the usual mix gives each team its own copy of the prefix)
    long = generate_calls(tmp_path / "long", 5_000, days=30, template_scale=0.05,
                          long_streams=True)  # fmt: skip
    # prefixed calls, their streams, the longest stream
    stream_sizes = (
        "select count(*), count(distinct prefix_hash), max(stream_calls) from ("
        " select prefix_hash, count(*) over (partition by provider, model, prefix_hash)"
        " as stream_calls from read_parquet([{}]) where prefix_hash is not null)"
    )
    usual = con.execute(stream_sizes.format(month)).fetchone()
    shared = con.execute(stream_sizes.format(", ".join(f"'{p}'" for p in long))).fetchone()
    demo_prefixes = con.execute(
        f"select count(distinct regexp_replace(prefix_hash, '-t[0-9]+$', ''))"
        f" from read_parquet([{month}])"
    ).fetchone()[0]
    assert shared[0] == usual[0] and shared[1] == demo_prefixes < usual[1]
    assert shared[2] > usual[2]


@pytest.mark.slow
def test_the_benchmark_runs_every_measure_at_a_small_n(tmp_path):
    completed = subprocess.run(
        [sys.executable, "benchmarks/bench_scale.py", "--calls", "2000", "--sample", "200",
         "--template-scale", "0.05", "--long-streams", "--work", str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = completed.stdout
    row = next(line for line in report.splitlines() if line.startswith("| 2,000 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == 10 and all(cells)
    assert "Per-row Python: 200 calls priced" in report
    # the disk after the full run: a warehouse and a published copy were measured
    disk = next(line for line in report.splitlines() if line.startswith("| 2,000 |") and
                line.count("|") == 6)  # fmt: skip
    warehouse_mb, published_mb = (float(cell.strip().removesuffix(" MB").replace(",", ""))
                                  for cell in disk.strip("|").split("|")[1:3])  # fmt: skip
    assert warehouse_mb > 0 and published_mb > 0
    # the baseline counts every call the pipeline counts
    totals = next(line for line in report.splitlines() if line.startswith("- 2,000:"))
    assert totals.count("(2000,") == 2
    # the long-streams mix ran through the whole pipeline
    long_streams = report.split("long-streams mix", 1)[1]
    assert "| 2,000 | completed |" in long_streams
