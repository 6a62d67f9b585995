"""The canonical-format loader on real DuckDB files and real Great Expectations."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.ingest import (
    DetectedFormat,
    UnsupportedFormatError,
    detect_format,
    load_exports,
    load_file,
)
from orchestration.ingest.formats import canonical
from orchestration.ingest.gx_runner import (
    ExpectationErrored,
    exception_message,
    run_suite_on_frame,
    run_suite_on_query,
)
from orchestration.ingest.load import RAW_DDL, RAW_RECORD_TABLES, ensure_raw_tables
from orchestration.ingest.validate import validate_canonical

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = {
    "timestamp": "2025-06-01T10:00:00Z",
    "provider": "anthropic",
    "model": "claude-opus-4-5",
    "input_tokens": "1000",
    "output_tokens": "100",
}


# -- helpers -------------------------------------------------------------------------


def row(**values: object) -> dict[str, object]:
    return {**BASE, **values}


def write_csv(path: Path, rows: list[Mapping[str, object]], *, mtime: int | None = None) -> Path:
    columns = list(dict.fromkeys(key for r in rows for key in r))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return _touch(path, mtime)


def write_jsonl(
    path: Path, rows: Iterable[Mapping[str, object]], *, mtime: int | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return _touch(path, mtime)


def _touch(path: Path, mtime: int | None) -> Path:
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def usage_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from raw.canonical_usage order by usage_id").fetchall()


def usage_by_request(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, object]]:
    cursor = con.execute("select * from raw.canonical_usage")
    names = [d[0] for d in cursor.description]
    return {
        r[names.index("request_id")]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()
    }


def every_text_value(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every VARCHAR value of every table in the warehouse file (all schemas)."""
    values: list[str] = []
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where not temporary"
    ).fetchall()
    for schema, table in tables:
        columns = con.execute(
            "select column_name from duckdb_columns() "
            "where schema_name = ? and table_name = ? and data_type = 'VARCHAR'",
            [schema, table],
        ).fetchall()
        for (column,) in columns:
            values += [
                v
                for (v,) in con.execute(f'select "{column}" from {schema}.{table}').fetchall()
                if v
            ]
    return values


@pytest.fixture
def con(tmp_path: Path) -> Iterable[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    path = tmp_path / "exports"
    path.mkdir()
    return path


def load(con: duckdb.DuckDBPyConnection, exports: Path):
    return load_exports(con, exports, repo_root=REPO_ROOT)


# -- detection -----------------------------------------------------------------------


def test_formats_are_detected_by_content_not_by_name(tmp_path: Path) -> None:
    csv_as_txt = write_csv(tmp_path / "usage.txt", [row()])
    jsonl_as_csv = write_jsonl(tmp_path / "usage.csv", [row()])
    parquet_bare = tmp_path / "usage_parquet"
    pq.write_table(pa.Table.from_pylist([row()]), parquet_bare)
    bom_csv = tmp_path / "bom.csv"
    bom_csv.write_bytes(b"\xef\xbb\xbf" + csv_as_txt.read_bytes() + b"\n\n")

    assert detect_format(csv_as_txt) == DetectedFormat("canonical", "csv")
    assert detect_format(jsonl_as_csv) == DetectedFormat("canonical", "jsonl")
    assert detect_format(parquet_bare) == DetectedFormat("canonical", "parquet")
    assert detect_format(bom_csv).source_format == "canonical_csv"


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        ('{"data": [{"model": "x"}], "has_more": false}\n', "'data' envelope"),
        ('{\n  "data": [],\n  "has_more": false\n}\n', "'data' envelope"),
        ('[{"timestamp": "2025-01-01"}]\n', "JSON array"),
        (
            "date,cost_usd,project\n2025-01-01,3.20,x\n",
            "CSV with columns [date, cost_usd, project]",
        ),
        ("", "empty"),
    ],
)
def test_unsupported_files_name_the_file_and_what_they_look_like(
    tmp_path: Path, content: str, looks_like: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text(content)
    with pytest.raises(UnsupportedFormatError) as raised:
        detect_format(path)
    assert str(path) in str(raised.value)
    assert looks_like in raised.value.reason


# -- loading good files --------------------------------------------------------------


def test_csv_jsonl_and_parquet_load_with_utc_times_and_defaults(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(
        exports / "a.txt",
        [
            row(request_id="c1", timestamp="2025-06-01T12:00:00+02:00", input_tokens="3120.0"),
            row(request_id="c2", timestamp="2025-06-01 09:30:00", service_tier=" Batch "),
        ],
        mtime=1_000,
    )
    write_jsonl(
        exports / "nested" / "b",
        [
            {**row(request_id="j1", timestamp="2025-06-01T05:30:00-05:30"), "input_tokens": 7},
            {**row(request_id="j2"), "latency_class": "async", "request_count": 4},
        ],
        mtime=2_000,
    )
    table = pa.table(
        {
            "request_id": ["p1"],
            "timestamp": pa.array(
                [datetime(2025, 6, 1, 23, 0, tzinfo=timezone(timedelta(hours=3)))],
                pa.timestamp("us", tz="+03:00"),
            ),
            "provider": ["openai"],
            "model": ["gpt-5"],
            "input_tokens": pa.array([5], pa.int64()),
            "output_tokens": pa.array([6.0], pa.float64()),
            "service_tier": ["auto"],
            "cache_read_tokens": pa.array([40], pa.int32()),
        }
    )
    pq.write_table(table, exports / "c.data")
    os.utime(exports / "c.data", (3_000, 3_000))

    result = load(con, exports)

    assert result.ok, [o.error for o in result.rejected]
    assert [o.display_name for o in result.loaded] == [
        "exports/a.txt",
        "exports/nested/b",
        "exports/c.data",
    ]
    rows = usage_by_request(con)
    assert rows["c1"]["usage_at"] == datetime(2025, 6, 1, 10, 0)  # +02:00 -> UTC
    assert rows["c1"]["input_tokens"] == 3120
    assert rows["c2"]["usage_at"] == datetime(2025, 6, 1, 9, 30)  # no offset = UTC
    assert rows["c2"]["service_tier"] == "batch"
    assert rows["j1"]["usage_at"] == datetime(2025, 6, 1, 11, 0)  # -05:30 -> UTC
    assert rows["j2"]["latency_class"] == "async" and rows["j2"]["request_count"] == 4
    assert rows["p1"]["usage_at"] == datetime(2025, 6, 1, 20, 0)  # zoned Parquet -> UTC
    assert rows["p1"]["output_tokens"] == 6 and rows["p1"]["cache_read_tokens"] == 40
    assert rows["p1"]["service_tier"] == "auto"  # OpenAI spelling, kept as written
    assert {r["source_format"] for r in rows.values()} == {
        "canonical_csv",
        "canonical_jsonl",
        "canonical_parquet",
    }
    defaults = rows["c1"]
    assert defaults["account"] == "default"
    assert defaults["service_tier"] == "standard"
    assert defaults["request_count"] == 1
    assert defaults["cache_write_5m_tokens"] == 0
    assert defaults["cache_write_1h_tokens"] == 0
    assert defaults["cache_read_tokens"] == 0
    assert defaults["prefix_tokens"] is None and defaults["latency_class"] is None
    assert defaults["usage_id"] == "canonical:req:default:c1"
    assert defaults["source_file"] == str((exports / "a.txt").resolve())
    assert defaults["source_record"] == 1


def test_raw_table_types_follow_the_contract(con: duckdb.DuckDBPyConnection, exports: Path) -> None:
    write_csv(exports / "a.csv", [row()])
    assert load(con, exports).ok
    types = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'raw' and table_name = 'canonical_usage'"
        ).fetchall()
    )
    assert types["usage_at"] == "TIMESTAMP" and types["loaded_at"] == "TIMESTAMP"
    for column in (
        "request_count",
        "input_tokens",
        "cache_write_5m_tokens",
        "cache_write_1h_tokens",
        "cache_read_tokens",
        "output_tokens",
        "prefix_tokens",
        "source_record",
    ):
        assert types[column] == "BIGINT", column
    assert list(types)[0] == "usage_id"


def test_inference_geo_is_kept_lower_case_and_old_warehouses_gain_the_column(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(exports / "a.csv", [row(request_id="geo-us", inference_geo=" US "),
                                  row(request_id="geo-none")])  # fmt: skip
    assert load(con, exports).ok
    geos = dict(con.execute("select request_id, inference_geo from raw.canonical_usage").fetchall())
    assert geos == {"geo-us": "us", "geo-none": None}  # absent: staging reads it as `global`
    # a warehouse made before the column existed: the next load adds it, nothing is lost
    con.execute("alter table raw.canonical_usage drop column inference_geo")
    write_csv(exports / "b.csv", [row(request_id="geo-later", inference_geo="us")])
    assert load(con, exports).ok
    geos = dict(con.execute("select request_id, inference_geo from raw.canonical_usage").fetchall())
    assert geos == {"geo-us": None, "geo-none": None, "geo-later": "us"}


def _raw_record_columns(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select table_name, column_name, data_type, is_nullable from duckdb_columns()"
        " where schema_name = 'raw' and schema_name || '.' || table_name in"
        f" ({', '.join(repr(table) for table in RAW_RECORD_TABLES)})"
        " order by table_name, column_index"
    ).fetchall()


def _keyed_record_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return sorted(
        f"raw.{table}"
        for (table,) in con.execute(
            "select table_name from duckdb_constraints()"
            " where schema_name = 'raw' and constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        if f"raw.{table}" in RAW_RECORD_TABLES  # raw.loaded_files keeps its key
    )


def test_raw_tables_made_with_a_primary_key_lose_it_and_keep_their_rows(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(exports / "a.csv", [row(request_id="r1"), row(request_id="r2")], mtime=1_000)
    assert load(con, exports).ok
    before = usage_by_request(con)
    # the same rows in tables made as before RAW_DDL dropped the PRIMARY KEY
    con.execute("create temp table kept as from raw.canonical_usage")
    for table in RAW_RECORD_TABLES:
        con.execute(f"drop table {table}")
    for statement in RAW_DDL:
        keyed = re.sub(r"(usage_id|cost_id) varchar not null", r"\1 varchar primary key", statement)
        con.execute(keyed)
    con.execute("insert into raw.canonical_usage from kept")
    assert _keyed_record_tables(con) == sorted(RAW_RECORD_TABLES)

    write_csv(exports / "b.csv", [row(request_id="r2", output_tokens="7"), row(request_id="r3")],
              mtime=2_000)  # fmt: skip
    assert load(con, exports).ok

    assert _keyed_record_tables(con) == []
    after = usage_by_request(con)
    assert sorted(after) == ["r1", "r2", "r3"] and after["r1"] == before["r1"]
    assert after["r2"]["output_tokens"] == 7 and after["r2"]["source_file"].endswith("b.csv")
    assert con.execute("select count(*) from raw.canonical_usage").fetchone() == (3,)
    fresh = duckdb.connect()
    ensure_raw_tables(fresh)
    assert _raw_record_columns(con) == _raw_record_columns(fresh)  # NOT NULL columns kept
    fresh.close()


def test_records_without_request_id_are_keyed_by_path_and_position(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    path = write_csv(exports / "a.csv", [row(), row(account="acme", request_id="r9")])
    assert load(con, exports).ok
    path_hash = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    assert [r[0] for r in usage_rows(con)] == [
        f"canonical:pos:{path_hash}:1",
        "canonical:req:acme:r9",
    ]


def test_loading_the_same_directory_twice_changes_nothing(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(exports / "a.csv", [row(request_id="r1"), row()], mtime=1_000)
    write_jsonl(exports / "b.jsonl", [row(request_id="r2")], mtime=2_000)
    first = load(con, exports)
    before = (usage_rows(con), con.execute("select * from raw.loaded_files order by 1").fetchall())

    second = load(con, exports)

    assert first.ok and second.ok
    assert len(first.loaded) == 2 and not second.loaded
    assert sorted(o.display_name for o in second.unchanged) == ["exports/a.csv", "exports/b.jsonl"]
    after = (usage_rows(con), con.execute("select * from raw.loaded_files order by 1").fetchall())
    assert after == before  # every column, loaded_at included: nothing was rewritten


def test_overlapping_exports_never_double_count_and_last_loaded_wins(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(
        exports / "week1.csv",
        [row(request_id="r1"), row(request_id="r2"), row(request_id="r3", output_tokens="100")],
        mtime=1_000,
    )
    write_csv(
        exports / "week1_again.csv",
        [row(request_id="r2"), row(request_id="r3", output_tokens="999"), row(request_id="r4")],
        mtime=2_000,
    )
    assert load(con, exports).ok

    rows = usage_by_request(con)
    assert sorted(rows) == ["r1", "r2", "r3", "r4"]
    assert rows["r3"]["output_tokens"] == 999
    assert rows["r3"]["source_file"].endswith("week1_again.csv")
    assert con.execute("select sum(output_tokens) from raw.canonical_usage").fetchone() == (1299,)
    # unique by construction: the raw tables keep no index to enforce it
    assert con.execute(
        "select count(*), count(distinct usage_id) from raw.canonical_usage"
    ).fetchone() == (4, 4)


def test_equal_modification_times_load_in_name_order(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(exports / "b.csv", [row(request_id="r1", output_tokens="2")], mtime=1_000)
    write_csv(exports / "a.csv", [row(request_id="r1", output_tokens="1")], mtime=1_000)
    result = load(con, exports)
    assert [o.display_name for o in result.loaded] == ["exports/a.csv", "exports/b.csv"]
    assert usage_by_request(con)["r1"]["output_tokens"] == 2


def test_a_file_rewritten_in_place_replaces_what_it_loaded(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    path = write_csv(
        exports / "daily.csv", [row(request_id="r1"), row(request_id="r2"), row(), row()]
    )
    write_csv(exports / "other.csv", [row(request_id="x1")])
    assert load(con, exports).ok
    assert con.execute("select count(*) from raw.canonical_usage").fetchone() == (5,)

    write_csv(path, [row(request_id="r1", input_tokens="5"), row(request_id="r5")])
    result = load(con, exports)

    assert [o.display_name for o in result.loaded] == ["exports/daily.csv"]
    rows = usage_by_request(con)
    assert sorted(k or "" for k in rows) == ["r1", "r5", "x1"]
    assert rows["r1"]["input_tokens"] == 5
    ledger = con.execute(
        "select row_count, content_sha256 from raw.loaded_files where source_file = ?",
        [str(path.resolve())],
    ).fetchone()
    assert ledger == (2, hashlib.sha256(path.read_bytes()).hexdigest())


def test_each_load_records_the_usage_days_it_changed(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    """Days of new rows and of the rows they replace or remove, in the load's transaction;
    an unchanged or rejected file changes no day."""

    def changed_days() -> list[str]:
        rows = con.execute(
            "select distinct cast(usage_date as varchar) from raw.changed_days order by 1"
        ).fetchall()
        return [day for (day,) in rows]

    path = write_csv(
        exports / "export.csv",
        [
            row(request_id="r1", timestamp="2025-06-01T10:00:00Z"),
            row(request_id="r2", timestamp="2025-06-02T23:59:59Z"),
        ],
    )
    assert load(con, exports).ok
    assert changed_days() == ["2025-06-01", "2025-06-02"]

    con.execute("delete from raw.changed_days")  # as a complete dbt build does
    assert load(con, exports).ok
    write_csv(exports / "bad.csv", [row(request_id="r9", input_tokens="-1")])
    assert not load(con, exports).ok
    assert changed_days() == []

    # a late re-export: r2 is gone (its day changed), r1 moves to another day
    write_csv(path, [row(request_id="r1", timestamp="2025-06-05T00:00:00+02:00")])
    assert load(con, exports).loaded
    assert changed_days() == ["2025-06-01", "2025-06-02", "2025-06-04"]


def test_a_record_repeated_within_a_file_keeps_its_last_occurrence(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_jsonl(
        exports / "dup.jsonl",
        [row(request_id="r1", output_tokens=1), row(request_id="r1", output_tokens=2)],
    )
    result = load(con, exports)
    assert result.ok and result.loaded[0].row_count == 1
    assert usage_by_request(con)["r1"]["output_tokens"] == 2
    assert usage_by_request(con)["r1"]["source_record"] == 2


# -- privacy -------------------------------------------------------------------------


def test_secret_looking_api_keys_are_stored_redacted(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    secrets = ["sk-proj-AbC123secretvalue", "sk-ant-api03-zzzsecret"]
    write_csv(
        exports / "keys.csv",
        [
            row(request_id="a", api_key=secrets[0]),
            row(request_id="b", api_key=secrets[1]),
            row(request_id="c", api_key="key-billing-team"),
        ],
    )
    assert load(con, exports).ok
    rows = usage_by_request(con)
    for request_id, secret in zip(("a", "b"), secrets, strict=True):
        digest = hashlib.sha256(secret.encode()).hexdigest()[:16]
        assert rows[request_id]["api_key"] == f"redacted:{digest}"
    assert rows["c"]["api_key"] == "key-billing-team"
    stored = every_text_value(con)
    assert not [v for v in stored if any(s in v for s in secrets)]


def test_prompt_and_completion_text_never_reach_the_warehouse(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    text = {
        "prompt": "PROMPT-TEXT classify this ticket",
        "messages": '[{"role": "user", "content": "MESSAGE-TEXT"}]',
        "completion": "COMPLETION-TEXT billing",
        "response": "RESPONSE-TEXT ok",
    }
    write_csv(exports / "log.csv", [row(request_id="a", **text)])
    write_jsonl(
        exports / "log.jsonl", [{**row(request_id="b"), **text, "messages": [{"c": "MSG2"}]}]
    )
    result = load(con, exports)
    assert result.ok and result.rows_loaded == 2

    columns = {
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'raw'"
        ).fetchall()
    }
    assert not columns & set(text)
    markers = ("PROMPT-TEXT", "MESSAGE-TEXT", "MSG2", "COMPLETION-TEXT", "RESPONSE-TEXT")
    assert not [v for v in every_text_value(con) if any(m in v for m in markers)]


# -- bad files -----------------------------------------------------------------------

BAD_FILES = {
    "missing_column": (
        "bad.csv",
        "timestamp,provider,model,input_tokens\n2025-06-01T00:00:00Z,anthropic,m,1\n",
        ["exports/bad.csv: missing required column(s): output_tokens"],
    ),
    # no provider column: the service-tier lookup must not trip over it before validation
    "missing_provider_and_timestamp": (
        "bad.csv",
        "start_time,model,input_tokens,output_tokens\n1757808000,gpt-5,10,1\n",
        ["exports/bad.csv: missing required column(s): timestamp, provider"],
    ),
    "unparseable_timestamp": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1\n"
        "06/01/2025 10am,anthropic,m,1,1\n",
        ["exports/bad.csv: line 3 (record 2): timestamp '06/01/2025 10am' is not an ISO 8601"],
    ),
    "negative_tokens": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens\n"
        + "2025-06-01T00:00:00Z,anthropic,m,1,1\n" * 5
        + "2025-06-01T00:00:00Z,anthropic,m,-3,1\n",
        ["exports/bad.csv: line 7 (record 6): input_tokens '-3' is not a non-negative integer"],
    ),
    "non_integer_tokens": (
        "bad.jsonl",
        '{"timestamp": "2025-06-01T00:00:00Z", "provider": "p", "model": "m", '
        '"input_tokens": 1, "output_tokens": 12.5}\n',
        ["exports/bad.jsonl: line 1 (record 1): output_tokens '12.5' is not a non-negative"],
    ),
    "text_tokens_in_optional_column": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens,cache_read_tokens\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1,\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1,abc\n",
        ["exports/bad.csv: line 3 (record 2): cache_read_tokens 'abc' is not a non-negative"],
    ),
    "unknown_service_tier": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens,service_tier\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1,turbo\n",
        ["exports/bad.csv: line 2 (record 1): service_tier 'turbo' is not a known service tier"],
    ),
    "tier_of_another_provider": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens,service_tier\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1,auto\n",
        ["service_tier 'auto' is not a known service tier for provider 'anthropic'"],
    ),
    "bad_latency_class": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens,latency_class\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1,overnight\n",
        ["exports/bad.csv: line 2 (record 1): latency_class 'overnight' is not one of realtime"],
    ),
    "zero_request_count": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens,request_count\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1,0\n",
        ["exports/bad.csv: line 2 (record 1): request_count '0' is less than 1"],
    ),
    "empty_required_value": (
        "bad.csv",
        'timestamp,provider,model,input_tokens,output_tokens\n2025-06-01T00:00:00Z,"",m,1,1\n',
        ["exports/bad.csv: line 2 (record 1): provider is empty"],
    ),
    "line_numbers_count_multiline_values_and_blank_lines": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens,note\n"
        '2025-06-01T00:00:00Z,anthropic,m,1,1,"two\nlines"\n'
        "\n"
        "2025-06-01T00:00:00Z,anthropic,m,x,1,\n",
        ["exports/bad.csv: line 5 (record 2): input_tokens 'x' is not a non-negative integer"],
    ),
    "jsonl_line_not_an_object": (
        "bad.jsonl",
        '{"timestamp": "2025-06-01T00:00:00Z", "provider": "p", "model": "m", '
        '"input_tokens": 1, "output_tokens": 1}\n\n[1, 2]\n',
        ["exports/bad.jsonl: unsupported format: line 3 is JSON but not an object"],
    ),
    "jsonl_bad_line_past_the_sniffed_head": (
        "bad.jsonl",
        (json.dumps({**BASE, "feature": "x" * 100}) + "\n") * 600 + "\n{not json\n",
        ["exports/bad.jsonl: line 602: not a JSON object (expected one JSON object per line)"],
    ),
    "ragged_row_past_the_sniffed_head": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens\n"
        + "2025-06-01T00:00:00Z,anthropic,m,1,1\n" * 3000
        + "2025-06-01T00:00:00Z,anthropic,m,1,1,PROMPT-TEXT\n",
        ["exports/bad.csv: cannot be parsed as CSV", "Line: 3002", "Columns: 5 Found: 6"],
    ),
    "ragged_csv": (
        "bad.csv",
        "timestamp,provider,model,input_tokens,output_tokens\n"
        "2025-06-01T00:00:00Z,anthropic,m,1,1,extra,fields\n",
        ["exports/bad.csv: cannot be parsed as CSV"],
    ),
    "unsupported_format": (
        "page.json",
        '{"data": [{"results": []}], "has_more": false}',
        ["exports/page.json: unsupported format: a JSON document with a 'data' envelope"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_rejected_whole_and_the_rest_still_load(
    con: duckdb.DuckDBPyConnection, exports: Path, case: str
) -> None:
    name, content, expected = BAD_FILES[case]
    write_csv(exports / "earlier.csv", [row(request_id="r1"), row(request_id="r2")], mtime=1_000)
    assert load(con, exports).ok
    before = usage_rows(con)

    bad = exports / name
    bad.write_text(content, encoding="utf-8")
    os.utime(bad, (2_000, 2_000))
    # Overlaps `earlier.csv`: must not be touched by the rejection of `bad`.
    write_csv(exports / "later.csv", [row(request_id="r3")], mtime=3_000)
    result = load(con, exports)

    assert not result.ok
    assert [o.display_name for o in result.rejected] == [f"exports/{name}"]
    error = result.rejected[0].error or ""
    for fragment in expected:
        assert fragment in error, error
    assert "PROMPT-TEXT" not in error  # a parse error never echoes the offending line
    assert [o.display_name for o in result.loaded] == ["exports/later.csv"]
    assert [o.display_name for o in result.unchanged] == ["exports/earlier.csv"]
    after = usage_rows(con)
    assert [r for r in after if not r[1] == "r3"] == before  # earlier rows exactly as they were
    assert {r[1] for r in after} == {"r1", "r2", "r3"}
    assert con.execute(
        "select count(*) from raw.canonical_usage where source_file = ?", [str(bad.resolve())]
    ).fetchone() == (0,)
    assert con.execute(
        "select count(*) from raw.loaded_files where source_file = ?", [str(bad.resolve())]
    ).fetchone() == (0,)
    rejected = con.execute(
        "select content_sha256, error from raw.rejected_files where source_file = ?",
        [str(bad.resolve())],
    ).fetchall()
    assert rejected == [(hashlib.sha256(bad.read_bytes()).hexdigest(), error)]


def test_a_bad_rewrite_keeps_the_rows_the_file_loaded_before(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    path = write_csv(exports / "daily.csv", [row(request_id="r1"), row(request_id="r2")])
    assert load(con, exports).ok
    before = usage_rows(con)

    write_csv(path, [row(request_id="r1"), row(request_id="r3", input_tokens="-1")])
    result = load(con, exports)

    assert not result.ok
    assert "line 3 (record 2): input_tokens '-1'" in (result.rejected[0].error or "")
    assert usage_rows(con) == before
    # Fixed again: it loads, replaces its rows, and its rejection is cleared.
    write_csv(path, [row(request_id="r3")])
    assert load(con, exports).ok
    assert sorted(usage_by_request(con)) == ["r3"]
    assert con.execute("select count(*) from raw.rejected_files").fetchone() == (0,)


def test_every_problem_of_a_file_is_reported_with_a_bounded_list(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    rows = [row(input_tokens="-1") for _ in range(8)] + [row(timestamp="yesterday")]
    write_csv(exports / "bad.csv", rows)
    result = load(con, exports)
    error = result.rejected[0].error or ""
    lines = error.splitlines()
    assert all(line.startswith("exports/bad.csv: ") for line in lines)
    assert "line 2 (record 1): input_tokens '-1'" in error
    assert "... and 3 more record(s) with the same problem" in error
    assert "line 10 (record 9): timestamp 'yesterday' is not an ISO 8601 timestamp" in error
    assert con.execute("select count(*) from raw.canonical_usage").fetchone() == (0,)


def test_hidden_and_non_data_files_are_skipped_not_rejected(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(exports / "usage.csv", [row()])
    (exports / "README.md").write_text("# where these exports come from\n")
    (exports / "README").write_text("notes\n")
    (exports / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (exports / ".hidden").mkdir()
    write_csv(exports / ".hidden" / "old.csv", [row(input_tokens="-1")])
    result = load(con, exports)
    assert result.ok
    assert [o.display_name for o in result.loaded] == ["exports/usage.csv"]
    assert not result.unchanged and not result.rejected


def test_load_file_loads_one_file_and_reports_progress_free(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", [row(request_id="r1")])
    outcome = load_file(con, path, repo_root=REPO_ROOT, display_name="one.jsonl")
    assert (outcome.status, outcome.row_count, outcome.source_format) == (
        "loaded",
        1,
        "canonical_jsonl",
    )
    again = load_file(con, path, repo_root=REPO_ROOT)
    assert again.status == "unchanged"


def test_progress_callback_names_each_file(con: duckdb.DuckDBPyConnection, exports: Path) -> None:
    write_csv(exports / "good.csv", [row()], mtime=1_000)
    write_csv(exports / "bad.csv", [row(latency_class="soon")], mtime=2_000)
    lines: list[str] = []
    load_exports(con, exports, repo_root=REPO_ROOT, progress=lines.append)
    assert lines[0] == "loaded exports/good.csv (1 rows)"
    assert lines[1].startswith("rejected exports/bad.csv:")


# -- Great Expectations plumbing -----------------------------------------------------


def test_an_expectation_that_errors_fails_loudly() -> None:
    import great_expectations.expectations as gxe
    import pandas as pd

    frame = pd.DataFrame({"source_record": [1], "source_line": [2], "x": ["a"]})
    expectation = gxe.ExpectColumnValuesToBeInSet(
        column="no_such_column", value_set=["a"], meta={"check": 0}
    )
    with pytest.raises(ExpectationErrored, match="no_such_column"):
        run_suite_on_frame(frame, [expectation], ["source_record", "source_line"])
    con = duckdb.connect()
    with pytest.raises(ExpectationErrored, match="no_such_column"):
        run_suite_on_query(
            con, "select 1 as source_record, 2 as source_line", [expectation], ["source_record"]
        )
    assert con.execute("select 42").fetchone() == (42,)  # GE left the connection usable


def test_the_sql_suite_runs_on_the_callers_connection_and_transaction() -> None:
    """GE is lent the loader's connection: it sees TEMP tables, quotes the offending
    records in the query's order, and neither ends the caller's transaction nor closes
    the connection."""
    import great_expectations.expectations as gxe

    con = duckdb.connect()
    con.execute(
        "create temp table staged as select i as source_record,"
        " case when i % 1000 = 7 then -1 else i end as tokens from range(10000) t(i)"
    )
    con.execute("begin transaction")
    con.execute("create table kept as select 1 as x")
    expectation = gxe.ExpectColumnValuesToBeBetween(column="tokens", min_value=0, meta={"check": 0})
    (result,) = run_suite_on_query(
        con, "select * from staged order by source_record", [expectation], ["source_record"]
    )
    assert not result.success
    assert result.result["unexpected_count"] == 10
    assert [r["source_record"] for r in result.result["partial_unexpected_index_list"]] == [
        7, 1007, 2007, 3007, 4007,
    ]  # fmt: skip
    con.execute("commit")  # still the caller's open transaction
    assert con.execute("select x from kept").fetchall() == [(1,)]


def test_only_failed_expectations_quote_records_and_results_keep_the_suites_order() -> None:
    """The runner asks GE for every verdict first and runs only the failed expectations
    again for their records: on both routes each result stays at its expectation's place,
    a failure carries its count, its first records and a table check's observed value."""
    import great_expectations.expectations as gxe

    def suite() -> list:
        return [
            gxe.ExpectColumnValuesToNotBeNull(column="provider", meta={"check": 0}),
            gxe.ExpectColumnValuesToBeBetween(column="tokens", min_value=0, meta={"check": 1}),
            gxe.ExpectColumnValuesToBeInSet(
                column="provider", value_set=["anthropic"], meta={"check": 2}
            ),
            gxe.ExpectTableRowCountToEqual(value=7, meta={"check": 3}),
            # the pandas route's row conditions (provider suites): row 4 is a bucket
            # without a width
            gxe.ExpectColumnValuesToNotBeNull(
                column="width",
                row_condition='kind=="bucket"',
                condition_parser="pandas",
                meta={"check": 4},
            ),
        ]

    rows = (
        "select i as source_record, 'anthropic' as provider,"
        " case when i in (3, 5) then -i else i end as tokens,"
        " case when i % 2 = 0 then 'bucket' else 'request' end as kind,"
        " case when i <> 4 then 60 end as width"
        " from range(1, 6) t(i) order by 1"
    )
    con = duckdb.connect()
    on_frame = run_suite_on_frame(con.execute(rows).df(), suite(), ["source_record"])
    on_query = run_suite_on_query(con, rows, suite()[:4], ["source_record"])
    for results in (on_frame, on_query):
        assert [r.expectation_config.meta["check"] for r in results] == list(range(len(results)))
        assert [r.success for r in results] == [True, False, True, False, False][: len(results)]
        assert results[1].result["unexpected_count"] == 2
        assert [r["source_record"] for r in results[1].result["partial_unexpected_index_list"]] == [
            3, 5,
        ]  # fmt: skip
        assert results[3].result["observed_value"] == 5
    assert on_frame[4].result["unexpected_count"] == 1
    assert on_frame[4].result["partial_unexpected_index_list"][0]["source_record"] == 4


def test_exception_info_is_read_in_both_shapes() -> None:
    assert exception_message({"raised_exception": False, "exception_message": None}) is None
    assert exception_message({"raised_exception": True, "exception_message": "boom"}) == "boom"
    nested = {"metric-id": {"raised_exception": True, "exception_message": "deep"}}
    assert exception_message(nested) == "deep"
    assert exception_message(None) is None


def test_staging_tables_are_temporary_and_dropped(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    write_csv(exports / "a.csv", [row()], mtime=1_000)
    write_csv(exports / "b.csv", [row(input_tokens="-1")], mtime=2_000)
    load(con, exports)
    parquet_file = exports / "c.parquet"
    pq.write_table(pa.table({k: [v] for k, v in row().items()}), parquet_file)
    load(con, exports)
    leftover = con.execute(
        "select table_name from duckdb_tables() where table_name like '_ingest_%'"
        " union all select view_name from duckdb_views() where view_name like '_ingest_%'"
    ).fetchall()
    assert leftover == []
    assert canonical.REQUIRED_COLUMNS == (
        "timestamp",
        "provider",
        "model",
        "input_tokens",
        "output_tokens",
    )


def test_the_suite_holds_the_parsed_row_count_to_the_file(
    con: duckdb.DuckDBPyConnection, exports: Path
) -> None:
    """Records are counted apart from DuckDB's parse (here: a multi-line quoted value
    and a blank line); a parse that lost or invented a record would fail the file."""
    path = write_csv(exports / "usage.csv", [row(feature="two\nlines"), row(), row()])
    with path.open("a") as handle:
        handle.write("\n")
    staged = canonical.stage(con, path, "csv")
    try:
        assert staged.file_records == staged.row_count == 3
        keys = canonical.known_service_tier_keys(con, staged, REPO_ROOT)
        assert (
            validate_canonical(con, staged, display_name="usage.csv", service_tier_keys=keys) == []
        )
        lost_one = dataclasses.replace(staged, file_records=4)
        errors = validate_canonical(con, lost_one, display_name="usage.csv", service_tier_keys=keys)
        assert errors == [
            "usage.csv: 3 record(s) parsed, but the file holds 4 (row count against the file)"
        ]
    finally:
        canonical.drop_staging(con, staged.table)
