"""Incremental nightly builds equal a full refresh on the same data, mart for mart and
row for row: after a new day, a cache stream crossing midnight between two nights, a
feature whose heuristic class flips on old days, and a late re-export of an old day that
drops a call of a stream whose other calls lie on a day nothing reloaded."""

import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import audit, query, run_dbt, table_contents, write_canonical_csv

from orchestration.build_state import plan_build
from orchestration.project import (
    NIGHTLY_EXCLUSIONS,
    PROFILES_DIR,
    REPO_ROOT,
    WAREHOUSE_ENV,
    dbt_executable,
)

PREFIX_TOKENS = 2000  # above Sonnet's minimum cacheable length


def call(request_id: str, at: str, **fields) -> dict:
    return {
        "request_id": request_id,
        "timestamp": at,
        "provider": "anthropic",
        "model": "claude-sonnet-4-5",
        "feature": "support-chat",
        "task_class": "chat",
        "latency_class": "realtime",
        "input_tokens": 3000,
        "output_tokens": 200,
        **fields,
    }


def stream_call(request_id: str, at: str, prefix: str) -> dict:
    return call(request_id, at, prefix_hash=prefix, prefix_tokens=PREFIX_TOKENS)


def tagger_calls(day: str, count: int) -> list[dict]:
    """No declared class, a few output tokens, always at 03:xx UTC: the token-shape
    heuristic needs 20 calls, the timing one 5 days, so both flip on old days later."""
    start = datetime.fromisoformat(f"{day}T03:00:00")
    return [
        {
            "request_id": f"tag-{day}-{n}",
            "timestamp": (start + timedelta(minutes=n)).isoformat() + "Z",
            "provider": "anthropic",
            "model": "claude-opus-4-5",
            "feature": "lead-tagger",
            "input_tokens": 800,
            "output_tokens": 4,
        }
        for n in range(count)
    ]


def day_export(day: str) -> list[dict]:
    return [call(f"chat-{day}", f"{day}T15:00:00Z", input_tokens=5000, output_tokens=700)]


NIGHTS: list[dict[str, list[dict]]] = [
    {  # night 1: three days. S1: one call a day, too sparse to cache. S2: a cache hit
        # on 10-20 (its lone call on 10-24 comes the next night)
        "2026-10-20.csv": [
            *day_export("2026-10-20"),
            stream_call("s1-a", "2026-10-20T10:00:00Z", "S1"),
            stream_call("s2-a", "2026-10-20T12:00:00Z", "S2"),
            stream_call("s2-b", "2026-10-20T12:03:00Z", "S2"),
            *tagger_calls("2026-10-20", 4),
        ],
        "2026-10-21.csv": [
            *day_export("2026-10-21"),
            stream_call("s1-c", "2026-10-21T09:00:00Z", "S1"),
            *tagger_calls("2026-10-21", 4),
        ],
        "2026-10-22.csv": [
            *day_export("2026-10-22"),
            stream_call("s1-d", "2026-10-22T23:58:00Z", "S1"),
            *tagger_calls("2026-10-22", 4),
        ],
    },
    {  # night 2: S1 runs on past midnight, so caching now pays for the whole stream and
        # 10-22's last call becomes a cache write; the tagger reaches 22 short calls on
        # 5 days, always at 03:xx: classification and async on every day, old ones too
        "2026-10-23.csv": [
            *day_export("2026-10-23"),
            *(stream_call(f"s1-e{n}", f"2026-10-23T00:0{2 * n}:00Z", "S1") for n in range(1, 5)),
            *tagger_calls("2026-10-23", 6),
        ],
        "2026-10-24.csv": [
            *day_export("2026-10-24"),
            stream_call("s2-c", "2026-10-24T12:00:00Z", "S2"),
            *tagger_calls("2026-10-24", 4),
        ],
    },
    {  # night 3: a late re-export of 10-20 (one call corrected, one added, S2's calls
        # gone: S2 is now its lone call on 10-24, a day nothing reloaded) and a new day
        "2026-10-20.csv": [
            call("chat-2026-10-20", "2026-10-20T15:00:00Z", input_tokens=9000, output_tokens=50),
            stream_call("s1-a", "2026-10-20T10:00:00Z", "S1"),
            call("late-2026-10-20", "2026-10-20T18:00:00Z", model="claude-opus-4-5"),
            *tagger_calls("2026-10-20", 4),
        ],
        "2026-10-25.csv": day_export("2026-10-25"),
    },
]


def write_night(exports: Path, night: dict[str, list[dict]]) -> None:
    for name, rows in night.items():
        write_canonical_csv(exports / name, rows)


def full_refresh_copy(warehouse: Path, workdir: Path) -> Path:
    """The same raw data rebuilt from nothing: `dbt build --full-refresh` on a copy."""
    workdir.mkdir(parents=True)
    copy = workdir / "full-refresh.duckdb"
    shutil.copyfile(warehouse, copy)
    # the unit tests run once, in test_dbt_unit_tests.py: none of them reads this warehouse
    run_dbt(copy, workdir, "build", "--full-refresh", *NIGHTLY_EXCLUSIONS)
    return copy


def usage_row(warehouse: Path, usage_id: str, columns: str) -> tuple:
    return query(
        warehouse, f"select {columns} from marts.fct_llm_usage where usage_id = ?", [usage_id]
    )[0]


@pytest.fixture(scope="module")
def nightly(tmp_path_factory) -> dict:
    """Three nights audited incrementally into one warehouse, with what the marts said
    after each night and a full refresh of the same raw data after nights 2 and 3."""
    root = tmp_path_factory.mktemp("nightly")
    exports, warehouse = root / "exports", root / "audit.duckdb"
    seen: dict = {"nights": [], "full": []}
    for number, night in enumerate(NIGHTS, start=1):
        write_night(exports, night)
        assert audit(exports, warehouse) == 0
        seen["nights"].append(
            {
                "marts": table_contents(warehouse, "marts"),
                "intermediate": table_contents(warehouse, "intermediate"),
                "tagger": usage_row(
                    warehouse,
                    "canonical:req:default:tag-2026-10-20-0",
                    "task_class_source, latency_class_source, recommended_model",
                ),
                "s1_d": usage_row(
                    warehouse,
                    "canonical:req:default:s1-d",
                    "cache_ttl_choice, cached_cost_usd, optimized_cost_usd",
                ),
                "s2_c": query(
                    warehouse,
                    "select cached_cost_usd from marts.fct_llm_usage where request_id = 's2-c'",
                ),
            }
        )
        if number > 1:
            copy = full_refresh_copy(warehouse, root / f"full-{number}")
            seen["full"].append(
                {
                    "marts": table_contents(copy, "marts"),
                    "intermediate": table_contents(copy, "intermediate"),
                }
            )
    seen["warehouse"] = warehouse
    seen["builds"] = query(warehouse, "select full_refresh from raw.dbt_builds order by built_at")
    seen["pending"] = query(warehouse, "select count(*) from raw.changed_days")[0][0]
    return seen


def test_nights_after_the_first_build_incrementally(nightly):
    assert nightly["builds"] == [(True,), (False,), (False,)]
    assert nightly["pending"] == 0  # a complete build leaves no changed day pending


def test_old_days_change_when_a_heuristic_flips_or_a_stream_grows(nightly):
    """The data reaches back: otherwise equality below would prove little."""
    night1, night2, night3 = (n["tagger"] for n in nightly["nights"])
    assert night1[:2] == ("default", "default")
    assert night2[:2] == night3[:2] == ("heuristic", "heuristic")  # classification, async
    assert night1[2] == "claude-opus-4-5" and night2[2] != night1[2]
    # S1's last call before midnight: not cached, then a cache write once S1 ran on
    first, second = nightly["nights"][0]["s1_d"], nightly["nights"][1]["s1_d"]
    assert first[0] == "none" and second[0] == "5m" and second[1] > first[1]
    # S2 lost its 10-20 calls in the re-export: its lone 10-24 call is no longer a write
    assert nightly["nights"][2]["s2_c"][0][0] < nightly["nights"][1]["s2_c"][0][0]


@pytest.mark.parametrize("night", [2, 3])
def test_incremental_marts_equal_a_full_refresh(nightly, night):
    incremental = nightly["nights"][night - 1]
    full = nightly["full"][night - 2]
    assert set(incremental["marts"]) == set(full["marts"])
    assert "fct_llm_usage" in full["marts"] and "fct_daily_costs" in full["marts"]
    for schema in ("marts", "intermediate"):
        for name, rows in full[schema].items():
            assert incremental[schema][name] == rows, f"{schema}.{name} differs"


def test_a_changed_project_is_rebuilt_in_full(tmp_path):
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "m.sql").write_text("select 1")
    con = duckdb.connect()
    try:
        first = plan_build(con, root=project)
        assert first.full_refresh and "first build" in first.reason
        con.execute("insert into raw.dbt_builds values (now(), ?, true, null)", [first.fingerprint])
        assert not plan_build(con, root=project).full_refresh
        assert plan_build(con, root=project, force_full_refresh=True).full_refresh
        (project / "models" / "m.sql").write_text("select 2")
        changed = plan_build(con, root=project)
        assert changed.full_refresh and "changed" in changed.reason
    finally:
        con.close()


def failing_rows(warehouse: Path, workdir: Path, *args: str) -> dict[str, int]:
    """`dbt test` of fct_llm_usage by hand (some tests are meant to fail): the failing rows
    of each failed test, by test name."""
    subprocess.run(
        [dbt_executable(), "test", "--select", "fct_llm_usage", *args,
         "--project-dir", str(REPO_ROOT), "--profiles-dir", str(PROFILES_DIR),
         "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        env={**os.environ, WAREHOUSE_ENV: str(warehouse)}, cwd=REPO_ROOT,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    return {
        result["unique_id"].split(".")[2]: result["failures"]
        for result in results
        if result["status"] == "fail"
    }


def test_an_incremental_build_tests_the_rebuilt_days_and_every_key(nightly, tmp_path):
    """Row-level data tests read the pending days only, unless asked for every row; the
    key test reads every row whatever the days."""
    warehouse = tmp_path / "audit.duckdb"
    shutil.copyfile(nightly["warehouse"], warehouse)
    con = duckdb.connect(str(warehouse))
    days = [day for (day,) in con.execute(
        "select distinct usage_date from marts.fct_llm_usage order by 1").fetchall()]  # fmt: skip
    pending, unchanged = days[-1], days[0]
    # a negative request count on a pending day and on a day no load changed; on the
    # unchanged day also a record stored twice
    first_of_day = "select min(usage_id) from marts.fct_llm_usage where usage_date = ?"
    for day in (pending, unchanged):
        con.execute(
            f"update marts.fct_llm_usage set request_count = -1 where usage_id = ({first_of_day})",
            [day],
        )
    con.execute(
        "insert into marts.fct_llm_usage select * from marts.fct_llm_usage"
        f" where usage_id = ({first_of_day.replace('min', 'max')})",
        [unchanged],
    )
    con.execute(
        "insert into raw.changed_days (usage_date, source_file, changed_at)"
        " values (?, 'by hand', now())",
        [pending],
    )
    con.close()

    night = failing_rows(warehouse, tmp_path / "night")
    every_row = failing_rows(warehouse, tmp_path / "every", "--vars", "{test_every_row: true}")

    def failures(results: dict[str, int], prefix: str) -> int:
        (count,) = [count for name, count in results.items() if name.startswith(prefix)]
        return count

    request_count_test = "expression_is_true_fct_llm_usage_request_count"
    assert failures(night, request_count_test) == 1  # the pending day's row only
    assert failures(every_row, request_count_test) == 2
    assert failures(night, "unique_fct_llm_usage_usage_id") == 1  # on a day not pending
    assert failures(every_row, "unique_fct_llm_usage_usage_id") == 1


def scanned_rows(con: duckdb.DuckDBPyConnection, sql: str, table: str, profile: Path) -> list[int]:
    """The rows each scan of `table` passed on while DuckDB ran `sql` (its JSON profile)."""
    con.execute(f"pragma enable_profiling='json'; pragma profiling_output='{profile}'")
    con.execute(f"create temporary table night_rows as {sql}")
    con.execute("pragma disable_profiling")

    def scans(node: dict):
        if node.get("name") == "SEQ_SCAN" and node["extra_info"].get("Table", "").endswith(table):
            yield node["intermediate_rows"]
        for child in node.get("children", []):
            yield from scans(child)

    return [rows for node in json.loads(profile.read_text())["operator"] for rows in scans(node)]


def test_a_night_reads_the_rebuilt_day_through_the_tiering_view(nightly, tmp_path):
    """A night's int_usage_batched reads int_usage_priced, through the int_usage_tiered
    view, for the days it rebuilds only: they are date literals in its SQL, a filter
    DuckDB pushes through the view's joins to the scan (as a subquery it stayed above
    them, and every night re-tiered every row of the window to keep one day's)."""
    warehouse = tmp_path / "audit.duckdb"
    shutil.copyfile(nightly["warehouse"], warehouse)
    con = duckdb.connect(str(warehouse))
    (pending,) = con.execute("select max(usage_date) from marts.fct_llm_usage").fetchone()
    con.execute(
        "insert into raw.changed_days (usage_date, source_file, changed_at)"
        " values (?, 'by hand', now())",
        [pending],
    )
    day_rows, all_rows = con.execute(
        "select count(*) filter (where usage_date = ?), count(*)"
        " from intermediate.int_usage_priced",
        [pending],
    ).fetchone()
    con.close()
    run_dbt(warehouse, tmp_path / "compile", "compile", "--select", "int_usage_batched")
    sql = next((tmp_path / "compile" / "target").rglob("int_usage_batched.sql")).read_text()
    assert f"usage_date in (date'{pending}')" in sql

    con = duckdb.connect(str(warehouse))
    try:
        scans = scanned_rows(con, sql, "intermediate.int_usage_priced", tmp_path / "profile.json")
        rebuilt = con.execute("select count(*) from night_rows").fetchone()[0]
    finally:
        con.close()
    assert 0 < day_rows < all_rows and rebuilt == day_rows
    assert scans and max(scans) <= day_rows, (scans, day_rows, all_rows)
