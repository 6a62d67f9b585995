"""The one Dagster Definitions: assets per source family, lineage from export files to the
report, Great Expectations and dbt tests as asset checks, the job, the nightly schedule
and the new-files sensor."""

import json

import dagster as dg

from orchestration.assets.ingest import FILES_CHECK, ROWS_CHECK
from orchestration.definitions import defs
from orchestration.ingest.catalog import RAW_TABLES
from orchestration.project import ensure_manifest

RAW = dg.AssetKey(["raw", "canonical_usage"])


def _graph():
    return defs.resolve_asset_graph()


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("audit_job") is not None
    schedule = defs.resolve_schedule_def("nightly_audit")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    assert defs.resolve_sensor_def("new_export_files").job_name == "audit_job"


def test_one_raw_asset_per_raw_table():
    keys = set(_graph().get_all_asset_keys())
    for name in RAW_TABLES:
        assert dg.AssetKey(["raw", name]) in keys


def test_every_dbt_source_is_the_asset_that_loads_its_table():
    """No orphan node: every source resolves to its ingest asset, whatever its source
    block is named (raw_anthropic, raw_openai, ...); every staging model hangs off the
    loads of the tables it reads; raw.changed_days has no node, and what reads it depends
    on every raw-load asset."""
    graph = _graph()
    orphans = [k for k in graph.get_all_asset_keys() if not graph.get(k).is_materializable]
    assert orphans == []
    loads = {dg.AssetKey(["raw", name]) for name in RAW_TABLES}
    manifest = json.loads(ensure_manifest().read_text())
    sources = manifest["sources"]
    read_by_staging = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        key = dg.AssetKey([node["schema"], node["name"]])
        parents = graph.get(key).parent_keys
        read = {sources[u]["name"] for u in node["depends_on"]["nodes"] if u in sources}
        if "changed_days" in read:
            assert loads <= parents, key
        for table in read - {"changed_days"}:
            assert dg.AssetKey(["raw", table]) in parents, (key, table)
        if node["schema"] == "staging":
            read_by_staging |= read
            assert {p for p in parents if p.path[0] == "raw"} <= loads, key
    # every raw table (every source family) is read by a staging model
    assert read_by_staging >= set(RAW_TABLES)


def test_the_report_depends_on_every_mart():
    graph = _graph()
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert dg.AssetKey(["marts", "cost_reconciliation"]) in marts
    assert graph.get(dg.AssetKey(["report", "findings"])).parent_keys == marts
    assert graph.get(dg.AssetKey(["publish", "marts"])).parent_keys == marts


def test_lineage_runs_from_ingest_through_marts_to_report():
    graph = _graph()
    keys = set(graph.get_all_asset_keys())
    for key in (
        RAW,
        dg.AssetKey(["staging", "stg_canonical__usage"]),
        dg.AssetKey(["marts", "fct_llm_usage"]),
        dg.AssetKey(["marts", "savings_findings"]),
        dg.AssetKey(["report", "findings"]),
        dg.AssetKey(["publish", "marts"]),
        dg.AssetKey(["seeds", "model_prices"]),
    ):
        assert key in keys, key
    # the dbt source is the ingest asset itself, not a second, external node
    assert graph.get(RAW).is_materializable
    assert RAW in graph.get(dg.AssetKey(["staging", "stg_canonical__usage"])).parent_keys
    report_parents = graph.get(dg.AssetKey(["report", "findings"])).parent_keys
    assert dg.AssetKey(["marts", "savings_findings"]) in report_parents


def test_expectations_and_dbt_tests_are_asset_checks():
    graph = _graph()
    names = {(tuple(k.asset_key.path), k.name) for k in graph.asset_check_keys}
    assert (("raw", "canonical_usage"), FILES_CHECK) in names
    assert (("raw", "canonical_usage"), ROWS_CHECK) in names
    assert any(path == ("marts", "fct_llm_usage") and "unique" in name for path, name in names)
    specs = {
        spec.name: spec
        for assets_def in defs.assets
        if isinstance(assets_def, dg.AssetsDefinition)
        for spec in assets_def.check_specs
        if spec.asset_key == RAW
    }
    # bad rows inside raw stop dbt; a rejected file does not stop the good ones
    assert specs[ROWS_CHECK].blocking and not specs[FILES_CHECK].blocking
