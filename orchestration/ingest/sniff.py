"""What an export file looks like, read from its first bytes: its encoding (Parquet,
JSONL, CSV, JSON API pages) and its column names, with no knowledge of any format.

Exports arrive renamed, without extensions or with wrong ones (a CSV saved as `.txt`,
a Parquet file with no suffix), so the name is no evidence. `sniff_file` is the first of
detection's two steps; the second, each format's detector looking at the sniff, is in
`detect.py` (the formats themselves in `formats/`). Every module here may import this
one: it imports none of them.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

# `json`: provider API response pages (`{"data": [...], "has_more": ...}`), one or many.
# `json_array`: one JSON array of records (what some endpoints return, e.g. LiteLLM's
# `/spend/logs`): read only by a format that claims it.
Encoding = Literal["csv", "jsonl", "parquet", "json", "json_array"]
# What an array of records no format claims is told (the canonical format wants JSONL).
JSON_ARRAY_REASON = "a JSON array (expected newline-delimited JSON: one object per line)"

# Enough to see a header line and a few dozen JSONL records without reading big files.
SNIFF_BYTES = 64 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
# Top-level keys of provider API response pages (`{"data": [...], "has_more": ...}`):
# a file carrying them is a wrapped document, not one usage record per line.
ENVELOPE_KEYS = frozenset({"data", "results", "has_more", "next_page", "first_id", "last_id"})
# Magic numbers of containers people drop into an exports folder by mistake.
_BINARY_SIGNATURES = {
    b"\x1f\x8b": "a gzip-compressed file (decompress it first)",
    b"PK\x03\x04": "a zip archive or an Excel workbook (export it as CSV)",
    b"SQLite format 3": "a SQLite database",
}


class UnsupportedFormatError(ValueError):
    """The file is not in any format the loader knows; `reason` says what it looks like."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: unsupported format: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class DetectedFormat:
    family: str  # "canonical"; later "anthropic_usage", "openai_costs", ...
    encoding: Encoding
    # CSV only: `;` for a spreadsheet saved in a locale whose decimal mark is a comma
    delimiter: str = ","

    @property
    def source_format(self) -> str:
        """The value stored in `source_format` (`canonical_csv`, ...)."""
        return f"{self.family}_{self.encoding}"


@dataclass(frozen=True)
class FileSniff:
    path: Path
    encoding: Encoding
    columns: tuple[str, ...]  # CSV header / union of sampled JSON keys / Parquet schema
    # JSON pages: the keys of the records inside the envelope (`data[].results[]`); the
    # page's and its buckets' own keys are in `columns`.
    record_keys: tuple[str, ...] = ()
    delimiter: str = ","  # CSV only

    def describe(self) -> str:
        shown = ", ".join(self.columns[:12]) + (", ..." if len(self.columns) > 12 else "")
        if self.encoding == "json":
            records = ", ".join(self.record_keys[:12]) or "none"
            return (  # said so: the canonical format has no such envelope
                "a JSON document with a 'data' envelope (provider API response pages) with "
                f"keys [{shown}] and result keys [{records}]"
            )
        kind = {"csv": "CSV", "jsonl": "JSONL", "parquet": "Parquet", "json_array": "JSON array"}[
            self.encoding
        ]
        if self.delimiter != ",":
            kind += f" (the delimiter found is {self.delimiter!r})"
        noun = "keys" if self.encoding == "jsonl" else "columns"
        return f"{kind} with {noun} [{shown}]"


@dataclass(frozen=True)
class Match:
    format: DetectedFormat
    # False for a near miss (most of the format's required columns): the file is handed
    # to that format anyway, so validation can name the missing columns instead of
    # answering a vague "unsupported format".
    complete: bool


# Delimiters a CSV export may use besides the comma: spreadsheets in locales whose
# decimal mark is a comma save `;`-separated "CSV"; tab-separated text is common too.
OTHER_DELIMITERS = (";", "\t", "|")


def sniff_file(path: Path) -> FileSniff:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        truncated = bool(handle.read(1))
    if head.startswith(b"PAR1"):
        return FileSniff(path, "parquet", _parquet_columns(path))
    for signature, looks_like in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise UnsupportedFormatError(path, looks_like)
    text = _decode_head(path, head.removeprefix(UTF8_BOM), truncated)
    stripped = text.lstrip()
    if not stripped:
        raise UnsupportedFormatError(path, "the file is empty")
    pages = _json_pages(path, stripped)
    if pages is not None:
        return pages
    if stripped[0] == "[":
        return _json_array(path)
    if stripped[0] == "{":
        return FileSniff(path, "jsonl", _jsonl_keys(path, text, truncated))
    return _csv_sniff(path, stripped)


def _cut_short(text: str) -> str | None:
    """Where an unfinished JSON text stops (`inside an object`, ...), or None when every
    bracket and string it opens is closed."""
    open_brackets: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            open_brackets.append(char)
        elif char in "}]" and open_brackets:
            open_brackets.pop()
    if in_string:
        return "inside a string"
    if open_brackets:
        return "inside an object" if open_brackets[-1] == "{" else "inside an array"
    return None


def _decode_head(path: Path, head: bytes, truncated: bool) -> str:
    if truncated:
        # Cut at the last newline so a multi-byte character split by the read is not
        # mistaken for binary content.
        head = head[: head.rfind(b"\n") + 1] or head
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedFormatError(
            path, "binary or non-UTF-8 content (not Parquet, CSV or JSONL)"
        ) from None


@functools.cache
def _scratch_database() -> duckdb.DuckDBPyConnection:
    """An empty in-memory database to read file schemas with: opening a new one costs
    about 17 ms, a cursor on this one almost nothing."""
    return duckdb.connect()


def _parquet_columns(path: Path) -> tuple[str, ...]:
    con = _scratch_database().cursor()
    try:
        rows = con.execute(
            "select column_name from (describe select * from read_parquet(?))", [str(path)]
        ).fetchall()
    except duckdb.Error as exc:
        raise UnsupportedFormatError(
            path, f"starts like Parquet but cannot be read ({_first_line(exc)})"
        ) from None
    finally:
        con.close()
    return tuple(str(name) for (name,) in rows)


def _json_pages(path: Path, head: str) -> FileSniff | None:
    """A file of provider API pages (one document, an array of them, one per line, or
    several pretty-printed one after the other), or None when it is something else."""
    if head[0] == "{":
        try:
            first = json.loads(head.splitlines()[0])
        except json.JSONDecodeError:
            first = None  # a pretty-printed document: parse the whole file below
        if first is not None and not _is_page(first):
            return None  # plain JSONL records
    try:
        decoded = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None
    pages = _decode_pages(decoded)
    if not pages or not all(_is_page(page) for page in pages):
        return None
    columns: dict[str, None] = {}
    records: dict[str, None] = {}
    for page in pages:
        columns.update(dict.fromkeys(page))
        for bucket in page["data"]:
            if isinstance(bucket, dict):
                columns.update(dict.fromkeys(bucket))
                for record in bucket.get("results") or []:
                    if isinstance(record, dict):
                        records.update(dict.fromkeys(record))
    return FileSniff(path, "json", tuple(columns), tuple(records))


def _decode_pages(text: str) -> list | None:
    decoder = json.JSONDecoder()
    values, position = [], 0
    while position < len(text):
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position == len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            return None
        values.extend(value if isinstance(value, list) else [value])
    return values


def _json_array(path: Path) -> FileSniff:
    """One JSON array of records (objects): their keys, from the first records."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UnsupportedFormatError(path, JSON_ARRAY_REASON) from None
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise UnsupportedFormatError(path, JSON_ARRAY_REASON)
    keys: dict[str, None] = {}
    for record in document[:100]:
        keys.update(dict.fromkeys(record))
    return FileSniff(path, "json_array", tuple(keys))


def _is_page(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("data"), list)


def _jsonl_keys(path: Path, text: str, truncated: bool) -> tuple[str, ...]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut short
    keys: dict[str, None] = {}  # ordered set
    for line_number, line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise UnsupportedFormatError(
                path, _describe_json_document(path, line_number, line)
            ) from None
        if not isinstance(record, dict):
            raise UnsupportedFormatError(
                path, f"line {line_number} is JSON but not an object (expected JSONL records)"
            )
        keys.update(dict.fromkeys(record))
    if len(lines) == 1 and ENVELOPE_KEYS & set(keys):
        raise UnsupportedFormatError(
            path,
            "a JSON document with a 'data' envelope (a provider API response page), "
            "not canonical JSONL",
        )
    return tuple(keys)


def _describe_json_document(path: Path, line_number: int, line: str) -> str:
    """Say what a `{...}` file that is not JSONL looks like: usually a pretty-printed
    API response, sometimes one cut short."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = None
    try:
        document = json.loads(text) if text is not None else None
    except json.JSONDecodeError as error:
        size = path.stat().st_size
        if (where := _cut_short_at(text, error)) is not None:
            return (
                f"the JSON document ends at byte {size} {where}: the file is cut short "
                "(an interrupted download or copy?); export it again"
            )
        if line_number == len(text.splitlines()) and (where := _cut_short_line(line)):
            return (
                f"line {line_number}, the last, ends at byte {size} {where}: the file is "
                "cut short; export it again"
            )
        document = None
    if document is None:
        return f"line {line_number} is not valid JSON (expected one JSON object per line)"
    if isinstance(document, dict) and ENVELOPE_KEYS & set(document):
        return (
            "a JSON document with a 'data' envelope (a provider API response page), "
            "not canonical JSONL"
        )
    return "a single multi-line JSON document, not JSONL (one JSON object per line)"


def _cut_short_at(text: str, error: json.JSONDecodeError) -> str | None:
    """Where the text stops when the parser failed for want of more of it, else None
    (`{not json` fails where it goes wrong, not at the end)."""
    ran_out = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
    return _cut_short(text) if ran_out else None


def _cut_short_line(line: str) -> str | None:
    try:
        json.loads(line)
    except json.JSONDecodeError as error:
        return _cut_short_at(line, error)
    return None


def _csv_sniff(path: Path, text: str) -> FileSniff:
    first_line = text.splitlines()[0]
    header = next(csv.reader(io.StringIO(first_line)))
    delimiter = ","
    if len(header) < 2:
        # `;` (a spreadsheet's export), tab, `|`: the delimiter the header is split by
        for other in OTHER_DELIMITERS:
            split = next(csv.reader(io.StringIO(first_line), delimiter=other))
            if len(split) >= 2:
                header, delimiter = split, other
                break
    if len(header) < 2:
        raise UnsupportedFormatError(
            path, f"text whose first line is not a CSV header ({first_line[:80]!r})"
        )
    # header names are exact (docs/formats.md): no stripping
    return FileSniff(path, "csv", tuple(header), delimiter=delimiter)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
