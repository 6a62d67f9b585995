"""When the nightly dbt build may be incremental, and what it leaves pending.

The incremental models rebuild the usage days in `raw.changed_days` (written by the
loader). Those rows are cleared only after a complete, successful build, so a build that
fails (or stops half-way) leaves them for the next one. A build is a full refresh when
the warehouse has never been built by this project as it is now: the first build, or
after any change to the models, macros, seeds (prices, ladders, rules), dbt_project.yml
or the user's settings directory, which can change the figures of every day, not just
the new ones.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.load import ensure_raw_tables
from orchestration.project import REPO_ROOT

# What the built figures depend on besides the data (tests/dbt only checks them).
FINGERPRINTED = ("dbt_project.yml", "models", "macros", "seeds")

BUILDS_DDL = """
    create table if not exists raw.dbt_builds (
        built_at timestamp not null,
        project_fingerprint varchar not null,
        full_refresh boolean not null,
        through_change_id bigint
    )
"""


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    reason: str  # for the run's log and metadata
    fingerprint: str
    through_change_id: int | None  # the newest pending change this build covers
    pending_days: int


def project_fingerprint(root: Path = REPO_ROOT) -> str:
    """A hash of the contents (not the times) of every file the figures depend on."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def plan_build(
    con: duckdb.DuckDBPyConnection,
    *,
    force_full_refresh: bool = False,
    root: Path = REPO_ROOT,
    settings_fingerprint: str = "",
) -> BuildPlan:
    """`settings_fingerprint`: the user's settings files and values (Settings.fingerprint),
    which change the figures as an edited seed does."""
    ensure_raw_tables(con)
    con.execute(BUILDS_DDL)
    fingerprint = project_fingerprint(root)
    if settings_fingerprint:
        fingerprint = hashlib.sha256(f"{fingerprint}|{settings_fingerprint}".encode()).hexdigest()
    through, pending_days = con.execute(
        "select max(change_id), count(distinct usage_date) from raw.changed_days"
    ).fetchone() or (None, 0)
    last = con.execute(
        "select project_fingerprint from raw.dbt_builds order by built_at desc limit 1"
    ).fetchone()
    if force_full_refresh:
        full_refresh, reason = True, "full refresh asked for"
    elif last is None:
        full_refresh, reason = True, "first build of this warehouse"
    elif last[0] != fingerprint:
        full_refresh = True
        reason = "the dbt project (models, macros, seeds) or the settings changed"
    else:
        full_refresh, reason = False, f"incremental: {pending_days} changed day(s)"
    return BuildPlan(full_refresh, reason, fingerprint, through, int(pending_days or 0))


def record_build(con: duckdb.DuckDBPyConnection, plan: BuildPlan) -> None:
    """After a complete, successful build: the days it covered are no longer pending."""
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into raw.dbt_builds values (timezone('UTC', now()), ?, ?, ?)",
            [plan.fingerprint, plan.full_refresh, plan.through_change_id],
        )
        if plan.through_change_id is not None:
            con.execute(
                "delete from raw.changed_days where change_id <= ?", [plan.through_change_id]
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
