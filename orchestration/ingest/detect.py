"""Which format an export file is, decided by its content, never by its name.

Two steps: `sniff.sniff_file` reads the first bytes and finds the encoding (Parquet,
JSONL, CSV, JSON pages) and the column names; then each format's detector (the catalog's,
in its order) looks at that sniff and says whether the file is its format, completely or
as a near miss. A file no detector takes is told which format it comes closest to.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.catalog import DETECTORS, FORMATS
from orchestration.ingest.sniff import (  # noqa: F401 (the detection API, in one place)
    JSON_ARRAY_REASON,
    DetectedFormat,
    FileSniff,
    Match,
    UnsupportedFormatError,
    sniff_file,
)


def detect_format(path: Path) -> DetectedFormat:
    """The format of `path`, or UnsupportedFormatError naming the file and what it looks like."""
    sniff = sniff_file(path)
    matches = [m for m in (detector(sniff) for detector in DETECTORS) if m is not None]
    if matches:
        # A complete match beats a near miss; among equals, the catalog's order decides.
        found = min(matches, key=lambda m: not m.complete).format
        if sniff.delimiter != found.delimiter:  # a provider detector knows no delimiter
            found = DetectedFormat(found.family, found.encoding, sniff.delimiter)
        return found
    if sniff.encoding == "json_array":
        raise UnsupportedFormatError(path, JSON_ARRAY_REASON)
    raise UnsupportedFormatError(path, f"{sniff.describe()}; {closest_format(sniff)}")


def closest_format(sniff: FileSniff) -> str:
    """Which format's columns the file shares most of, and what it lacks; where to see
    every format (a list of them all on one line read as noise)."""
    names = set(sniff.columns) | set(sniff.record_keys)
    signatures = {f.description: f.signature for f in FORMATS.values()}
    scored = [
        # a format of the file's own encoding first, then the share of its columns
        (
            sniff.encoding in signature.encodings,
            len(names & set(signature.columns)) / len(signature.columns),
            description,
        )
        for description, signature in signatures.items()
        if names & set(signature.columns)
    ]
    every = "`llm-cost-audit formats` lists every supported format (docs/formats.md)"
    if not scored:
        return f"it shares no column with any supported format; {every}"
    *_, description = max(scored, key=lambda s: s[:2])
    columns = signatures[description].columns
    missing = [c for c in columns if c not in names]
    has = ", ".join(c for c in columns if c in names)
    return f"closest format: {description} (has {has}; missing {', '.join(missing)}); {every}"


def supported_formats() -> list[str]:
    """One line per format the loader knows, for error messages and the docs."""
    return [f.description for f in FORMATS.values()]
