"""The nightly schedule (time and zone from the environment) and the new-files sensor,
evaluated with Dagster's context builders on real files."""

import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from conftest import worked_example_rows, write_canonical_csv

from orchestration.resources import AuditPaths
from orchestration.schedules import (
    SCHEDULE_AT_ENV,
    SCHEDULE_TIMEZONE_ENV,
    new_export_files_sensor,
    nightly_audit_schedule,
    nightly_time,
    nightly_time_from_env,
)


def test_the_schedule_runs_the_audit_at_two_utc_by_default(monkeypatch):
    monkeypatch.delenv(SCHEDULE_AT_ENV, raising=False)
    monkeypatch.delenv(SCHEDULE_TIMEZONE_ENV, raising=False)
    schedule = nightly_audit_schedule(nightly_time_from_env())
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    )
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.job_name in (None, "audit_job")
    assert schedule.job_name == "audit_job"


def test_time_and_zone_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(SCHEDULE_AT_ENV, "04:30")
    monkeypatch.setenv(SCHEDULE_TIMEZONE_ENV, "Europe/Paris")
    schedule = nightly_audit_schedule(nightly_time_from_env())
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 4 * * *", "Europe/Paris")
    assert nightly_time("15 1 * * 1-5").cron == "15 1 * * 1-5"  # a cron expression too


@pytest.mark.parametrize(
    ("at", "zone", "named"),
    [("25:00", "UTC", SCHEDULE_AT_ENV), ("2am", "UTC", SCHEDULE_AT_ENV),
     ("02:00", "Mars/Olympus", SCHEDULE_TIMEZONE_ENV)],
)  # fmt: skip
def test_a_bad_time_or_zone_is_an_error_naming_the_variable(at, zone, named):
    with pytest.raises(ValueError, match=named):
        nightly_time(at, zone)


def _tick(exports: Path, cursor: str | None):
    paths = AuditPaths(warehouse="unused.duckdb", exports_dir=str(exports), report_dir="unused")
    context = dg.build_sensor_context(cursor=cursor, resources={"paths": paths})
    return new_export_files_sensor.evaluate_tick(context)


def test_the_sensor_picks_up_each_new_or_rewritten_file_once(tmp_path):
    exports = tmp_path / "exports"
    assert _tick(exports, None).skip_message.endswith("does not exist")
    exports.mkdir()
    first = _tick(exports, None)
    assert not first.run_requests

    day_one = write_canonical_csv(
        exports / "2026-10-20.csv", worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC), 3)
    )
    (exports / "README.md").write_text("not data")  # the loader skips it; so does the sensor
    new_file = _tick(exports, first.cursor)
    [request] = new_file.run_requests
    assert request.tags["llm_cost_audit/new_files"] == "2026-10-20.csv"

    again = _tick(exports, new_file.cursor)
    assert not again.run_requests  # picked up once

    os.utime(day_one, (day_one.stat().st_atime, day_one.stat().st_mtime + 60))
    touched = _tick(exports, again.cursor)
    assert not touched.run_requests  # a new time, the same content: nothing new

    original = day_one.read_bytes()
    write_canonical_csv(day_one, worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC), 4))
    write_canonical_csv(
        exports / "nested" / "2026-10-21.csv",
        worked_example_rows(datetime(2026, 10, 21, tzinfo=UTC), 2),
    )
    rewritten = _tick(exports, touched.cursor)
    [request] = rewritten.run_requests
    assert request.tags["llm_cost_audit/new_files"] == "2026-10-20.csv, nested/2026-10-21.csv"

    day_one.write_bytes(original)  # the first content back: new again, a run of its own
    reverted = _tick(exports, rewritten.cursor)
    [request_back] = reverted.run_requests
    assert request_back.run_key not in {new_file.run_requests[0].run_key, request.run_key}
    assert not _tick(exports, reverted.cursor).run_requests
