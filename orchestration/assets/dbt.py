"""The dbt project as Dagster assets: seeds, staging, intermediate and marts, with dbt
tests as asset checks. Sources keep the key of the ingest asset that loads them, so
lineage runs from the export files to the report."""

import shutil
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.progress import progress_log
from orchestration.project import MANIFEST_PATH, dbt_project


class LayeredTranslator(DagsterDbtTranslator):
    """Keys are `<schema>/<name>` (raw/canonical_usage, marts/fct_llm_usage); groups are
    the dbt layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


@dbt_assets(manifest=MANIFEST_PATH, project=dbt_project, dagster_dbt_translator=LayeredTranslator())
def audit_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    progress_log.info("building the dbt project (seeds, models, tests)")
    invocation = dbt.cli(["build"], context=context)
    for event in invocation.stream():
        if isinstance(event, dg.Output):  # output names are `<schema>__<model>`
            progress_log.info("  built %s", event.output_name.replace("__", ".", 1))
        yield event
    # dagster-dbt gives every run its own target folder; a nightly job would pile them up.
    # A failed build raised above and keeps its folder (logs, run_results) for a look.
    shutil.rmtree(invocation.target_path, ignore_errors=True)
