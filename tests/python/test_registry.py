"""The ingest registry holds together: the modules of orchestration.ingest import each
other without a cycle, every format lands in a declared raw table, and every raw table is
a dbt source read by a staging model (docs/developing.md, "How to add an export format")."""

import ast
import importlib
import pkgutil
from pathlib import Path

import yaml

from orchestration.ingest import formats, tables
from orchestration.ingest.catalog import FORMATS, RAW_TABLES
from orchestration.project import REPO_ROOT

INGEST = REPO_ROOT / "orchestration" / "ingest"
PACKAGE = "orchestration.ingest"


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(package_dir: Path = INGEST, root: Path = REPO_ROOT) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports, at any depth of its code (an
    import inside a function is an edge too: a late import only hides a cycle)."""
    paths = {_module_name(path, root): path for path in package_dir.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                # `from package import module` imports the module, not the package's __init__
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                    for alias in node.names
                ]
            else:
                continue
            edges.update(t for t in targets if t in paths and t != name)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module], _ = "open", stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[module], _ = "done", stack.pop()
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_cycle_finder_sees_a_cycle_held_by_a_late_import(tmp_path):
    # the old layout's shape: detect imported the formats at its end, each format
    # imported detect; here the import is even hidden in a function
    package = tmp_path / "pkg"
    (package / "formats").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "formats" / "__init__.py").write_text("")
    (package / "detect.py").write_text("def formats():\n    from pkg.formats import one\n")
    (package / "formats" / "one.py").write_text("from pkg.detect import formats\n")
    (package / "plain.py").write_text("from . import detect\n")
    graph = _import_graph(package, tmp_path)
    assert graph["pkg.plain"] == {"pkg.detect"}  # relative imports resolve too
    assert _cycle(graph) == ["pkg.detect", "pkg.formats.one", "pkg.detect"]
    (package / "detect.py").write_text("")
    assert _cycle(_import_graph(package, tmp_path)) is None


def test_no_import_cycle_among_ingest_modules():
    graph = _import_graph()
    assert f"{PACKAGE}.catalog" in graph and f"{PACKAGE}.formats.canonical" in graph
    # the formats and tables import the registry, never the catalog, detect or load
    assert f"{PACKAGE}.registry" in graph[f"{PACKAGE}.formats.anthropic_console"]
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_every_module_of_formats_and_tables_declares_itself():
    """A module that declares nothing would be skipped silently by the catalog."""
    for package, attribute in ((formats, "FORMATS"), (tables, "TABLE")):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            assert hasattr(module, attribute), f"{module.__name__} declares no {attribute}"
    declared = {
        f.family
        for info in pkgutil.iter_modules(formats.__path__)
        for f in importlib.import_module(f"{formats.__name__}.{info.name}").FORMATS
    }
    assert declared == set(FORMATS)


def _dbt_sources() -> dict[str, tuple[str, dict]]:
    """raw table name -> (source block name, its table entry), from models/staging."""
    found = {}
    for path in sorted((REPO_ROOT / "models" / "staging").rglob("_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                if source.get("schema", source["name"]) == "raw":
                    found[table["name"]] = (source["name"], table)
    return found


def test_every_format_lands_in_a_raw_table_that_dbt_reads():
    sources = _dbt_sources()
    staging_sql = {
        path: path.read_text() for path in (REPO_ROOT / "models" / "staging").rglob("*.sql")
    }
    assert FORMATS["canonical"].table is RAW_TABLES["canonical_usage"]
    for export_format in FORMATS.values():
        assert export_format.table is RAW_TABLES[export_format.table.name], export_format.family
        assert export_format.signature.columns and export_format.signature.encodings
    for name, table in RAW_TABLES.items():
        assert name in sources, f"raw.{name} has no dbt source in models/staging"
        block, entry = sources[name]
        key_tests = {
            test
            for column in entry.get("columns", [])
            if column["name"] == table.key_column
            for test in column.get("data_tests", [])
        }
        assert {"unique", "not_null"} <= key_tests, f"raw.{name}: its key is not tested"
        assert any(f"{table.key_column} varchar not null" in ddl for ddl in table.ddl)
        reads = f"source('{block}', '{name}')"
        assert any(reads in sql for sql in staging_sql.values()), f"no staging model reads {reads}"
