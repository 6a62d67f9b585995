"""The published read-only copy of the marts (DuckDB file and Parquet) that analysts and
BI tools open. It runs only after every mart built and every test passed: a failed build
skips it, and it refuses to publish a warehouse whose last build left a failure (when
materialized alone, from the UI), so the last good copy stays in place."""

import dagster as dg

from orchestration.assets.dbt import MART_KEYS
from orchestration.build_failures import load_failures
from orchestration.progress import progress_log
from orchestration.report.failed_checks import failure_notice
from orchestration.resources import AuditPaths
from orchestration.warehouse import connect, publish, published_database


@dg.asset(
    key=dg.AssetKey(["publish", "marts"]),
    group_name="publish",
    deps=MART_KEYS,
    description="Every mart copied to the published DuckDB file (readable by DuckDB 1.4+) "
    "and to Parquet, each swapped in atomically.",
)
def published_marts(paths: AuditPaths) -> dg.MaterializeResult:
    with connect(paths.warehouse_path, read_only=True) as con:
        if failures := load_failures(con):
            published = published_database(paths.warehouse_path, paths.publish_path)
            raise dg.Failure(description=failure_notice(con, failures, published).as_text())
    published = publish(paths.warehouse_path, paths.publish_path)
    progress_log.info("published %d marts to %s", len(published.marts), published.database)
    return dg.MaterializeResult(
        metadata={
            "database": dg.MetadataValue.path(str(published.database)),
            "parquet": dg.MetadataValue.path(str(published.parquet_dir)),
            "marts": dg.MetadataValue.text(", ".join(published.marts)),
        }
    )
