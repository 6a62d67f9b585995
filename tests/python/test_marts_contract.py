"""The marts are a public contract (docs/architecture.md): every mart's columns are typed and
described in dbt and enforced at build time, and `make docs` documents them offline."""

import json
import shutil

from conftest import query, run_dbt

from orchestration.project import ensure_manifest


def _mart_nodes() -> list[dict]:
    manifest = json.loads(ensure_manifest().read_text())
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]


def test_every_mart_enforces_a_typed_described_contract(demo_warehouse):
    nodes = _mart_nodes()
    built = {
        (table, column): data_type.lower()
        for table, column, data_type in query(
            demo_warehouse,
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = 'marts'",
        )
    }
    assert {node["name"] for node in nodes} == {table for table, _ in built}
    for node in nodes:
        assert node["config"]["contract"]["enforced"] is True, node["name"]
        columns = node["columns"]
        declared = {(node["name"], name): c["data_type"] for name, c in columns.items()}
        assert declared == {key: t for key, t in built.items() if key[0] == node["name"]}
        undescribed = [name for name, c in columns.items() if not c["description"].strip()]
        assert undescribed == [], node["name"]


def test_shared_descriptions_are_written_once(demo_warehouse):
    """The same column means the same thing in every mart: one docs block, rendered."""
    described = {}
    for node in _mart_nodes():
        for name, column in node["columns"].items():
            described.setdefault(name, set()).add(column["description"])
    for shared in ("provider", "input_tokens", "request_count", "current_contracted_cost_usd"):
        assert len(described[shared]) == 1, (shared, described[shared])
        assert "{{" not in next(iter(described[shared]))  # rendered, not the raw reference


def test_dbt_docs_generate_offline(demo_warehouse, tmp_path):
    # dbt opens its warehouse for writing: a copy, so other workers keep reading the demo's
    warehouse = tmp_path / "docs.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    run_dbt(warehouse, tmp_path, "docs", "generate")
    site = tmp_path / "target"
    catalog = json.loads((site / "catalog.json").read_text())
    documented = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert {"fct_llm_usage", "savings_findings", "focus_llm_costs"} <= documented
    assert (site / "index.html").stat().st_size > 100_000  # the whole site in one file
