"""The dbt project as Dagster assets: seeds, staging, intermediate and marts, with dbt
tests as asset checks. Sources keep the key of the ingest asset that loads them, so
lineage runs from the export files to the report.

The build is incremental (the usage days loads changed) unless the project changed since
the warehouse was last built, or the run's config asks for a full refresh
(orchestration/build_state.py)."""

import shutil
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.build_state import plan_build, record_build
from orchestration.progress import progress_log
from orchestration.project import MANIFEST_PATH, dbt_project
from orchestration.resources import AuditPaths
from orchestration.settings import load_settings
from orchestration.warehouse import connect

# dbt unit tests prove the models' SQL on fixed rows, never the night's data: they run in
# `make test` (tests/python/test_dbt_unit_tests.py and the Spark build), not every night.
NIGHTLY_EXCLUSIONS = ("--exclude-resource-type", "unit_test")


class LayeredTranslator(DagsterDbtTranslator):
    """Keys are `<schema>/<name>` (raw/canonical_usage, marts/fct_llm_usage); groups are
    the dbt layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild every day of every model, not just the changed ones


@dbt_assets(manifest=MANIFEST_PATH, project=dbt_project, dagster_dbt_translator=LayeredTranslator())
def audit_dbt_assets(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    paths: AuditPaths,
    config: DbtBuildConfig,
):
    settings = load_settings(paths.config_path)  # validated: a bad file fails here, named
    with connect(paths.warehouse_path) as con:
        plan = plan_build(
            con,
            force_full_refresh=config.full_refresh,
            settings_fingerprint=settings.fingerprint(),
        )
    progress_log.info("building the dbt project (seeds, models, tests): %s", plan.reason)
    context.log.info(f"dbt build: {plan.reason}")
    invocation = dbt.cli(
        [
            "build",
            *NIGHTLY_EXCLUSIONS,
            *(["--full-refresh"] if plan.full_refresh else []),
            *settings.dbt_args(),
        ],
        context=context,
    )
    for event in invocation.stream():
        if isinstance(event, dg.Output):  # output names are `<schema>__<model>`
            progress_log.info("  built %s", event.output_name.replace("__", ".", 1))
        yield event
    # Reached only when every model built and every test passed (a failure raised above).
    # A partial selection (a few assets from the UI) leaves the changed days pending for
    # the models it did not build.
    if not context.is_subset:
        with connect(paths.warehouse_path) as con:
            record_build(con, plan)
    # dagster-dbt gives every run its own target folder; a nightly job would pile them up.
    # A failed build raised above and keeps its folder (logs, run_results) for a look.
    shutil.rmtree(invocation.target_path, ignore_errors=True)
