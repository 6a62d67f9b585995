"""The published read-only copy of the marts (DuckDB file and Parquet) that analysts and
BI tools open. It runs only after every mart built and tested: a failed run skips it and
the last good copy stays in place."""

import dagster as dg

from orchestration.assets.dbt import audit_dbt_assets
from orchestration.progress import progress_log
from orchestration.resources import AuditPaths
from orchestration.warehouse import publish

MART_KEYS = [key for key in audit_dbt_assets.keys if key.path[0] == "marts"]


@dg.asset(
    key=dg.AssetKey(["publish", "marts"]),
    group_name="publish",
    deps=MART_KEYS,
    description="Every mart copied to the published DuckDB file (readable by DuckDB 1.4+) "
    "and to Parquet, each swapped in atomically.",
)
def published_marts(paths: AuditPaths) -> dg.MaterializeResult:
    published = publish(paths.warehouse_path, paths.publish_path)
    progress_log.info("published %d marts to %s", len(published.marts), published.database)
    return dg.MaterializeResult(
        metadata={
            "database": dg.MetadataValue.path(str(published.database)),
            "parquet": dg.MetadataValue.path(str(published.parquet_dir)),
            "marts": dg.MetadataValue.text(", ".join(published.marts)),
        }
    )
