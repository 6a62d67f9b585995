"""The dbt project as Dagster assets: seeds, staging, intermediate and marts, with dbt
tests as asset checks. A source is keyed like the ingest asset that loads its table
(orchestration/assets/keys.py), so lineage runs from the export files to the report;
`raw.changed_days`, which every load writes, has no node: what reads it depends on every
raw-load asset.

The build is incremental (the usage days loads changed) unless the project changed since
the warehouse was last built, or the run's config asks for a full refresh
(orchestration/build_state.py).

A model that does not build or a test that fails does not hide the report: the step
records what failed (orchestration/build_failures.py), writes the report (from this
build's marts when every model built, else from the last published copy), then fails the
run with the same words. The steps after it, publish included, do not run. Before that,
a build in which DuckDB ran out of memory builds what is left once more, one node at a time
(orchestration/out_of_memory_rerun.py)."""

import shutil
import uuid
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource, dbt_assets

from orchestration.assets.findings_files import write_findings_report
from orchestration.assets.keys import dbt_asset_key, raw_asset_key
from orchestration.build_failures import failures_from_run_results, record_failures
from orchestration.build_state import plan_build, record_build
from orchestration.dbt_parse_cache import cached_parse, keep_parse, start_from_cached_parse
from orchestration.ingest.catalog import RAW_TABLES
from orchestration.out_of_memory_rerun import (
    RERUN_SAID,
    HeldCheckResults,
    merged_failures,
    one_thread_per_query,
    rerun_args,
)
from orchestration.progress import progress_log
from orchestration.project import (
    NIGHTLY_EXCLUSIONS,
    TARGET_DIR,
    dbt_project,
    ensure_manifest,
)
from orchestration.resources import AuditPaths
from orchestration.settings import load_settings
from orchestration.warehouse import connect

# The load ledger's table of changed days: written by every load, so what reads it
# depends on every raw-load asset instead of on a node of its own.
CHANGED_DAYS = raw_asset_key("changed_days")
RAW_LOAD_KEYS = tuple(raw_asset_key(name) for name in RAW_TABLES)


class LayeredTranslator(DagsterDbtTranslator):
    """Keys are `<schema>/<name>` (raw/canonical_usage, marts/fct_llm_usage), a source's
    the ingest asset's that loads its table; groups are the dbt layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dbt_asset_key(dbt_resource_props)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        deps = [dep for dep in spec.deps if dep.asset_key != CHANGED_DAYS]
        if len(deps) == len(spec.deps):
            return spec
        have = {dep.asset_key for dep in deps}
        deps += [dg.AssetDep(key) for key in RAW_LOAD_KEYS if key not in have]
        return spec.replace_attributes(deps=deps)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild every day of every model, not just the changed ones


# Read when the assets are defined, so whoever imports this module first (Dagster, the
# CLI, a test on a fresh clone) parses the project if target/ holds no current manifest.
MANIFEST_PATH = ensure_manifest()


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
    # each run its own target folder (run results, logs), started from the last parse
    target_path = TARGET_DIR / f"audit-{context.run.run_id[:8]}-{uuid.uuid4().hex[:8]}"
    parse = cached_parse(paths.warehouse_path, settings.dbt_args())
    start_from_cached_parse(target_path, parse)
    build_args = [
        "build",
        *NIGHTLY_EXCLUSIONS,
        *(["--full-refresh"] if plan.full_refresh else []),
        *settings.dbt_args(),
    ]
    checks = HeldCheckResults()
    invocation = dbt.cli(
        build_args,
        context=context,
        target_path=target_path,
        raise_on_error=False,  # a failed model or test is told below, in plain words
    )
    yield from checks.pass_through(_logged(invocation))
    keep_parse(target_path, parse)
    run_results = _run_results(invocation)
    failures = failures_from_run_results(run_results, invocation.manifest) if run_results else []
    if not failures and not invocation.is_successful():
        raise invocation.get_error()  # no node said why (dbt itself, a hook): dbt's words
    ran = _ran(run_results)
    targets = [invocation.target_path]
    if out_of_memory := [f.name for f in failures if f.out_of_memory]:
        said = f"DuckDB ran out of memory in {', '.join(out_of_memory)}"
        progress_log.info("  %s: %s", said, RERUN_SAID)
        context.log.warning(f"{said}; what did not build or run builds again, one at a time")
        rerun_target = target_path.with_name(target_path.name + "-alone")
        start_from_cached_parse(rerun_target, parse)
        with one_thread_per_query():  # the dbt process starts inside
            rerun = dbt.cli(
                [*build_args, *rerun_args(invocation.target_path)],
                context=context,
                target_path=rerun_target,
                raise_on_error=False,
            )
        yield from checks.pass_through(_logged(rerun))
        rerun_results = _run_results(rerun)
        if rerun_results is None:
            raise rerun.get_error()
        rerun_ran = _ran(rerun_results)
        failures = merged_failures(
            failures, failures_from_run_results(rerun_results, rerun.manifest), rerun_ran
        )
        ran += [unique_id for unique_id in rerun_ran if unique_id not in ran]
        targets.append(rerun.target_path)
    yield from checks.release()
    with connect(paths.warehouse_path) as con:
        record_failures(con, failures, ran=ran if context.is_subset else None)
        # Only a build of the whole project in which everything built and passed clears
        # the pending days: a failed or partial one (a few assets from the UI) leaves them
        # for the next build.
        if not failures and not context.is_subset:
            record_build(con, plan)
    if failures:
        # The report and publish steps are skipped after this step fails, and the
        # published copy stays the last good one; the report is written here instead.
        raise _build_failed(paths)
    # dagster-dbt gives every run its own target folder; a nightly job would pile them up.
    # A failed build keeps its folders (logs, run_results) for a look.
    for target in targets:
        shutil.rmtree(target, ignore_errors=True)


def _logged(invocation: DbtCliInvocation):
    for event in invocation.stream():
        if isinstance(event, dg.Output):  # output names are `<schema>__<model>`
            progress_log.info("  built %s", event.output_name.replace("__", ".", 1))
        yield event


def _ran(run_results: Mapping[str, Any] | None) -> list[str]:
    return [result["unique_id"] for result in run_results["results"]] if run_results else []


# The marts layer: what the report is written from and what publish copies.
MART_KEYS = [key for key in audit_dbt_assets.keys if key.path[0] == "marts"]


def _run_results(invocation: DbtCliInvocation) -> dict[str, Any] | None:
    try:
        return invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        return None


def _build_failed(paths: AuditPaths) -> dg.Failure:
    """The report, written whatever failed; the failure in its words, for the run."""
    findings, markdown, html = write_findings_report(paths)
    assert findings.notice is not None  # the failures were just recorded
    return dg.Failure(
        description=findings.notice.as_text(),
        metadata={
            "report": dg.MetadataValue.path(str(markdown)),
            "html_report": dg.MetadataValue.path(str(html)),
        },
    )
