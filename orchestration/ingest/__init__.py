"""Loading usage exports into the warehouse's raw schema.

Plain Python over a DuckDB connection: no Dagster here, so every step is testable as a
function. Flow per file: detect (by content) -> stage with DuckDB -> validate with Great
Expectations -> commit to `raw.*` in one transaction.
"""

from orchestration.ingest.detect import (
    DetectedFormat,
    UnsupportedFormatError,
    detect_format,
)
from orchestration.ingest.load import (
    FileOutcome,
    LoadResult,
    ensure_raw_tables,
    load_exports,
    load_file,
)

__all__ = [
    "DetectedFormat",
    "FileOutcome",
    "LoadResult",
    "UnsupportedFormatError",
    "detect_format",
    "ensure_raw_tables",
    "load_exports",
    "load_file",
]
