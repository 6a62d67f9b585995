"""Load the exports directory into raw.* (the dbt source `raw.canonical_usage`)."""

import dagster as dg

from orchestration.ingest.load import load_exports
from orchestration.progress import progress_log
from orchestration.project import REPO_ROOT
from orchestration.resources import AuditPaths
from orchestration.warehouse import connect

RAW_CANONICAL_USAGE = dg.AssetKey(["raw", "canonical_usage"])


@dg.asset(
    key=RAW_CANONICAL_USAGE,
    group_name="ingest",
    description="Usage records from canonical-format export files, loaded idempotently; "
    "each file validated (Great Expectations) before it is committed.",
    check_specs=[dg.AssetCheckSpec("all_export_files_accepted", asset=RAW_CANONICAL_USAGE)],
)
def raw_canonical_usage(context: dg.AssetExecutionContext, paths: AuditPaths):
    with connect(paths.warehouse_path) as con:
        result = load_exports(
            con, paths.exports_path, repo_root=REPO_ROOT, progress=progress_log.info
        )
        total_rows = con.execute("select count(*) from raw.canonical_usage").fetchone()[0]
    for rejection in result.rejected:
        context.log.error(rejection.error)
    yield dg.MaterializeResult(
        metadata={
            "files_loaded": len(result.loaded),
            "files_unchanged": len(result.unchanged),
            "files_rejected": len(result.rejected),
            "rows_in_table": total_rows,
        }
    )
    # A rejected file doesn't stop the good ones; this failing check makes the run say so.
    yield dg.AssetCheckResult(
        check_name="all_export_files_accepted",
        passed=not result.rejected,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rejected": "\n".join(r.error for r in result.rejected) or "none"},
    )
