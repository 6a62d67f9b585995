"""Load the exports directory into raw.*: one asset per raw table of the catalog
(`raw/canonical_usage`, ...), all from one walk over the directory, since a file's table
is known only once its content is read.

Each raw-table asset carries two Great Expectations checks:
- `export_files_pass_expectations`: every file landing in the table, with its result; a file
  that fails its suite is rejected whole (the failed expectations in the check's
  metadata), the good files still load and go on through dbt, and the check fails, so
  the run ends non-zero;
- `changed_rows_pass_expectations` (blocking): the raw rows of the days dbt is about to
  rebuild keep what dbt relies on. It fails only on bad data inside raw (which no file
  suite let in), and then dbt does not run: the warehouse and the published copy keep
  their last good state.
"""

import dataclasses

import dagster as dg

from orchestration.assets.keys import raw_asset_key
from orchestration.ingest.bounds import LoadOptions
from orchestration.ingest.catalog import RAW_TABLES, table_of_source_format
from orchestration.ingest.load import load_exports
from orchestration.progress import progress_log
from orchestration.project import REPO_ROOT
from orchestration.resources import AuditPaths
from orchestration.settings import load_settings
from orchestration.warehouse import connect

FILES_CHECK = "export_files_pass_expectations"
ROWS_CHECK = "changed_rows_pass_expectations"
RAW_KEYS = {name: raw_asset_key(name) for name in RAW_TABLES}

_FILE_COLUMNS = dg.TableSchema(
    columns=[
        dg.TableColumn("file", "string"),
        dg.TableColumn("status", "string", description="loaded, unchanged or rejected"),
        dg.TableColumn("format", "string"),
        dg.TableColumn("rows", "int"),
        dg.TableColumn("failed_expectations", "string"),
    ]
)


@dg.multi_asset(
    name="load_export_files",
    specs=[
        dg.AssetSpec(key, description=RAW_TABLES[name].description, group_name="ingest")
        for name, key in RAW_KEYS.items()
    ],
    check_specs=[
        spec
        for key in RAW_KEYS.values()
        for spec in (
            dg.AssetCheckSpec(
                FILES_CHECK,
                asset=key,
                description="Each export file of this family passed its Great Expectations "
                "suite (schema, parseable times, non-negative counts, known enums, row "
                "count against the file); a failing file is rejected, the rest load.",
            ),
            dg.AssetCheckSpec(
                ROWS_CHECK,
                asset=key,
                blocking=True,
                description="The raw rows of the days the next dbt build rebuilds keep "
                "what dbt relies on; if not, dbt does not run.",
            ),
        )
    ],
)
def load_export_files(context: dg.AssetExecutionContext, paths: AuditPaths):
    thresholds = load_settings(paths.config_path).thresholds
    options = LoadOptions(undated_day=paths.undated_day or None)
    if "max_tokens_per_second" in thresholds:  # else the project's default
        rate = int(thresholds["max_tokens_per_second"])
        options = dataclasses.replace(options, max_tokens_per_second=rate)
    with connect(paths.warehouse_path) as con:
        result = load_exports(
            con,
            paths.exports_path,
            repo_root=REPO_ROOT,
            progress=progress_log.info,
            options=options,
        )
        row_suites = {
            name: table.check_committed(con, REPO_ROOT) for name, table in RAW_TABLES.items()
        }
        totals = {
            name: con.execute(f"select count(*) from {table.qualified}").fetchone()[0]
            for name, table in RAW_TABLES.items()
        }
    outcomes = [*result.loaded, *result.unchanged, *result.rejected]
    for rejection in result.rejected:
        context.log.error(rejection.error)
    for name, key in RAW_KEYS.items():
        files = [o for o in outcomes if table_of_source_format(o.source_format).name == name]
        rejected = [o for o in files if o.status == "rejected"]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "files_loaded": sum(o.status == "loaded" for o in files),
                "files_unchanged": sum(o.status == "unchanged" for o in files),
                "files_rejected": len(rejected),
                "rows_in_table": totals[name],
            },
        )
        # A rejected file doesn't stop the good ones; this failing check makes the run say so.
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=FILES_CHECK,
            passed=not rejected,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{len(rejected)} of {len(files)} file(s) rejected"
            if rejected
            else f"all {len(files)} file(s) accepted",
            metadata={
                "files": dg.MetadataValue.table(
                    [
                        dg.TableRecord(
                            {
                                "file": o.display_name,
                                "status": o.status,
                                "format": o.source_format or "unrecognised",
                                "rows": o.row_count,
                                "failed_expectations": o.error or "",
                            }
                        )
                        for o in files
                    ],
                    schema=_FILE_COLUMNS,
                ),
                "rejected": "\n".join(o.error or "" for o in rejected) or "none",
            },
        )
        rows_checked, errors = row_suites[name]
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=ROWS_CHECK,
            passed=not errors,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows_checked": rows_checked,
                "failed_expectations": "\n".join(errors) or "none",
            },
        )
