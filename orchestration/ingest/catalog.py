"""Every raw table and export format, found in `tables/` and `formats/`: the one registry
the loader, the detector, the `formats` command and the Dagster assets read.

A module of `tables/` declares `TABLE`, a module of `formats/` declares `FORMATS`; adding
either is adding the module, nothing here. Order: the canonical table and format first
(an unrecognised file is reported with the canonical files, and among equal matches the
canonical detector wins), then the others by module name.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from orchestration.ingest import formats, tables
from orchestration.ingest.registry import Detector, ExportFormat, RawTable

# A file no detector recognises is reported with this table's files: the project's own
# format, whose required columns the rejection names.
DEFAULT_TABLE = "canonical_usage"
CANONICAL_FORMAT = "canonical"


def _modules(package: ModuleType, first: str) -> list[ModuleType]:
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__))
    ordered = [first, *(name for name in names if name != first)]
    return [importlib.import_module(f"{package.__name__}.{name}") for name in ordered]


def _collect() -> tuple[dict[str, RawTable], dict[str, ExportFormat]]:
    raw_tables = {
        module.TABLE.name: module.TABLE
        for module in _modules(tables, DEFAULT_TABLE)
        if hasattr(module, "TABLE")
    }
    export_formats: dict[str, ExportFormat] = {}
    for module in _modules(formats, CANONICAL_FORMAT):
        for export_format in getattr(module, "FORMATS", ()):
            if export_format.family in export_formats:
                raise ValueError(f"{module.__name__}: format {export_format.family!r} twice")
            if raw_tables.get(export_format.table.name) is not export_format.table:
                raise ValueError(
                    f"{module.__name__}: format {export_format.family!r} lands in "
                    f"{export_format.table.qualified}, which no module of tables/ declares"
                )
            export_formats[export_format.family] = export_format
    return raw_tables, export_formats


RAW_TABLES, FORMATS = _collect()
# Each detector once, in the formats' order (one may tell two formats apart).
DETECTORS: tuple[Detector, ...] = tuple(dict.fromkeys(f.detect for f in FORMATS.values()))


def formats_of(table: RawTable) -> list[ExportFormat]:
    return [f for f in FORMATS.values() if f.table is table]


def table_of_source_format(source_format: str | None) -> RawTable:
    """The raw table a loaded or rejected file's `source_format` (`<family>_<encoding>`)
    lands in; the default table for a file no format recognised."""
    if source_format:
        export_format = FORMATS.get(source_format.rsplit("_", 1)[0])
        if export_format is not None:
            return export_format.table
    return RAW_TABLES[DEFAULT_TABLE]
