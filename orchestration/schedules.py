"""When the audit runs: every night at a configurable time, and whenever new export files
land in the exports directory. Both start the same job: every asset, in one process (the
multiprocess executor re-imports the code for each step, seconds apiece)."""

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg

from orchestration.ingest.load import iter_export_files
from orchestration.resources import AuditPaths

SCHEDULE_AT_ENV = "LLM_COST_AUDIT_NIGHTLY_AT"
SCHEDULE_TIMEZONE_ENV = "LLM_COST_AUDIT_TIMEZONE"
DEFAULT_AT = "02:00"
DEFAULT_TIMEZONE = "UTC"
# One writer at a time on the warehouse file: runs carrying this tag queue behind each
# other where the Dagster instance limits it (`make dagster` writes that limit).
WRITER_TAG = {"llm_cost_audit/warehouse": "writer"}

audit_job = dg.define_asset_job(
    "audit_job",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    tags=WRITER_TAG,
    description="Load new exports, rebuild and test the warehouse, write the report, "
    "publish the marts.",
)


@dataclass(frozen=True)
class NightlyTime:
    cron: str
    timezone: str


def nightly_time(at: str = DEFAULT_AT, timezone: str = DEFAULT_TIMEZONE) -> NightlyTime:
    """`at` is a time of day (`HH:MM`, 24h) or a five-field cron expression; `timezone`
    an IANA name (`UTC`, `Europe/Paris`): the time is that zone's wall clock, summer
    time included. A bad value is an error naming the variable, never a silent default."""
    at, timezone = at.strip(), timezone.strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{SCHEDULE_TIMEZONE_ENV}={timezone!r} is not a time zone (e.g. UTC, Europe/Paris)"
        ) from None
    if match := re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at):
        hour, minute = int(match[1]), int(match[2])
        return NightlyTime(f"{minute} {hour} * * *", timezone)
    if len(at.split()) == 5 and _is_cron(at):
        return NightlyTime(at, timezone)
    raise ValueError(
        f"{SCHEDULE_AT_ENV}={at!r} is neither a time of day (HH:MM) nor a cron expression"
    )


def _is_cron(expression: str) -> bool:
    try:  # Dagster's own validation, through its public API
        dg.ScheduleDefinition(name="probe", cron_schedule=expression, job_name="probe")
    except dg.DagsterInvalidDefinitionError:
        return False
    return True


def nightly_time_from_env() -> NightlyTime:
    return nightly_time(
        os.environ.get(SCHEDULE_AT_ENV, DEFAULT_AT),
        os.environ.get(SCHEDULE_TIMEZONE_ENV, DEFAULT_TIMEZONE),
    )


def nightly_audit_schedule(when: NightlyTime) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nightly_audit",
        job=audit_job,
        cron_schedule=when.cron,
        execution_timezone=when.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"The nightly audit, at `{when.cron}` (cron) in {when.timezone}; set "
        f"{SCHEDULE_AT_ENV} and {SCHEDULE_TIMEZONE_ENV} to move it.",
    )


# -- new export files ------------------------------------------------------------------


def _signatures(exports: Path, previous: dict[str, list]) -> dict[str, list]:
    """`relative path -> [size, mtime_ns, sha256]` for every data file (the loader's own
    walk). A file whose size and time are unchanged keeps its recorded hash; only a
    changed one is read again."""
    current: dict[str, list] = {}
    for path in iter_export_files(exports):
        stat = path.stat()
        name = path.relative_to(exports).as_posix()
        known = previous.get(name)
        if known and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            current[name] = known
        else:
            current[name] = [stat.st_size, stat.st_mtime_ns, _sha256(path)]
    return current


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dg.sensor(
    name="new_export_files",
    job=audit_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the audit when a file appears in the exports directory, or one "
    "is rewritten with new content. The cursor holds each file's size, time and content "
    "hash: a file is picked up once, a touched file with the same content is not.",
)
def new_export_files_sensor(context: dg.SensorEvaluationContext, paths: AuditPaths):
    exports = paths.exports_path
    if not exports.is_dir():
        return dg.SkipReason(f"exports directory {exports} does not exist")
    previous: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
    current = _signatures(exports, previous)
    new = sorted(
        name
        for name, signature in current.items()
        if name not in previous or previous[name][2] != signature[2]
    )
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not new:
        return dg.SkipReason(f"no new or rewritten file in {exports}")
    # the previous cursor is part of the key: content that comes back (A, B, then A
    # again) is a new run, not a duplicate of the first
    run_key = hashlib.sha256(
        json.dumps([context.cursor, {n: current[n][2] for n in new}], sort_keys=True).encode()
    ).hexdigest()
    shown = ", ".join(new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
    return dg.RunRequest(
        run_key=run_key,
        tags={"llm_cost_audit/new_files": shown[:1000]},
    )
