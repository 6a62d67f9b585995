"""Real exports load as they are (issue 22): hourly Console CSVs, partial API buckets,
undated request logs, absurd values refused, messages that name the real problem.

Shapes, each test says which:
- Anthropic Console usage CSV: the header and rows of a real daily export (usage_date_utc,
  model_version, api_key with a comma, `≤ 200k`, ...); an hourly export writes
  `usage_date_utc` as `2026-04-02 04:00` and lists only hours with usage.
- OpenAI Usage API (platform.openai.com/docs/api-reference/usage/completions, the
  openai-python `usage` types): pages `{object: page, data: [buckets], has_more,
  next_page}`; the first bucket starts at the requested `start_time` (1736616660 ends at
  the day boundary 1736640000); days without usage are buckets with `results: []`.
- Anthropic Admin API usage report (anthropic-sdk-python `usage_report`): pages of
  buckets `{starting_at, ending_at, results}`; a window starting mid-hour starts there.
- Message Batches results and Messages responses: the real lines of the SDKs (no time).
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from anthropic_fixtures import write
from conftest import query

from orchestration.cli import main
from orchestration.ingest import load_exports
from orchestration.ingest.bounds import CONTEXT_WINDOWS_SEED, LoadOptions
from orchestration.ingest.detect import supported_formats
from orchestration.settings import SettingsError, read_thresholds

REPO_ROOT = Path(__file__).resolve().parents[2]

# A real daily Console usage export's header (columns in the Console's order).
CONSOLE_HEADER = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,"
    "usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,"
    "usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,"
    "web_search_count,inference_geo,speed"
)
TOKEN_FIELDS = (
    "usage_input_tokens_no_cache",
    "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h",
    "usage_input_tokens_cache_read",
    "usage_output_tokens",
)
# Two rows of a real export's day (2026-09-14): a key name with a comma, the Console's `≤`.
DAILY_ROWS = [
    {"model_version": "claude-sonnet-4-5", "api_key": "prod-search", "workspace": "Default",
     "usage_type": "standard", "context_window": "≤ 200k",
     "usage_input_tokens_no_cache": 1_843_221, "usage_input_tokens_cache_write_5m": 412_880,
     "usage_input_tokens_cache_write_1h": 0, "usage_input_tokens_cache_read": 38_211_904,
     "usage_output_tokens": 612_433, "web_search_count": 0, "inference_geo": "global"},
    {"model_version": "claude-sonnet-4-5", "api_key": "nightly-batch, eval",
     "workspace": "Default", "usage_type": "batch", "context_window": "≤ 200k",
     "usage_input_tokens_no_cache": 9_120_400, "usage_input_tokens_cache_write_5m": 0,
     "usage_input_tokens_cache_write_1h": 0, "usage_input_tokens_cache_read": 0,
     "usage_output_tokens": 1_503_322, "web_search_count": 0, "inference_geo": "global"},
]  # fmt: skip
HOURS = ("04:00", "09:00", "17:00")  # an hourly export lists only hours with usage


def console_csv(rows: list[dict], *, crlf: bool = False) -> str:
    buffer = io.StringIO()
    columns = CONSOLE_HEADER.split(",")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n" if crlf else "\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def hourly_rows(day: str) -> list[dict]:
    """DAILY_ROWS spread over HOURS: each day's total split exactly (the last hour takes
    the rest), as an hourly export of the same traffic is."""
    rows = []
    for daily in DAILY_ROWS:
        for position, hour in enumerate(HOURS):
            row = {**daily, "usage_date_utc": f"{day} {hour}"}
            for field in TOKEN_FIELDS:
                share = daily[field] // len(HOURS)
                last = position == len(HOURS) - 1
                row[field] = daily[field] - share * (len(HOURS) - 1) if last else share
            rows.append(row)
    return rows


def load(directory: Path, options: LoadOptions | None = None, con=None):
    con = con or duckdb.connect()
    return con, load_exports(con, directory, repo_root=REPO_ROOT, options=options)


def openai_page(*buckets: dict, **extra: object) -> dict:
    return {"object": "page", "data": list(buckets), "has_more": False, "next_page": None,
            **extra}  # fmt: skip


def openai_bucket(start: int, end: int, *results: dict) -> dict:
    return {"object": "bucket", "start_time": start, "end_time": end, "results": list(results)}


def openai_result(input_tokens: int, output_tokens: int) -> dict:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": input_tokens, "output_tokens": output_tokens,
        "input_cached_tokens": 0, "input_audio_tokens": 0, "output_audio_tokens": 0,
        "num_model_requests": 3, "project_id": None, "user_id": None, "api_key_id": None,
        "model": "gpt-4o-mini-2024-07-18", "batch": None,
    }  # fmt: skip


def anthropic_bucket(start: str, end: str, input_tokens: int, output_tokens: int) -> dict:
    return {
        "starting_at": start,
        "ending_at": end,
        "results": [{
            "uncached_input_tokens": input_tokens, "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
            "output_tokens": output_tokens, "model": "claude-sonnet-4-5",
            "service_tier": "standard", "context_window": "0-200k",
            "server_tool_use": {"web_search_requests": 0},
            "api_key_id": None, "workspace_id": None,
        }],
    }  # fmt: skip


def batch_results(*input_tokens: int) -> str:
    """Message Batches results (anthropic-sdk-python `MessageBatchIndividualResponse`):
    no time anywhere on the line; an errored line carries no usage."""
    lines = [
        {
            "custom_id": f"ticket-{n}",
            "result": {
                "type": "succeeded",
                "message": {
                    "id": f"msg_batch_{n}",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-4-5",
                    "content": [{"type": "text", "text": "billing"}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": tokens,
                        "output_tokens": 9,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                        "service_tier": "batch",
                    },
                },
            },
        }
        for n, tokens in enumerate(input_tokens)
    ] + [{"custom_id": "ticket-x", "result": {"type": "errored", "error": {"type": "error"}}}]
    return "\n".join(json.dumps(line) for line in lines) + "\n"  # fmt: skip


# -- hourly Console usage CSVs -------------------------------------------------------------


def test_an_hourly_console_export_loads_as_one_hour_buckets(tmp_path):
    # shape: a real hourly Console export (BOM, CRLF, only hours with usage)
    rows = hourly_rows("2026-04-02")
    write(tmp_path / "exports" / "usage_hourly.csv", console_csv(rows, crlf=True), bom=True)
    con, result = load(tmp_path / "exports")
    assert not result.rejected, [r.error for r in result.rejected]
    loaded = con.execute(
        "select strftime(bucket_start_at, '%H:%M'), epoch(bucket_end_at - bucket_start_at),"
        " bucket_width, api_key_name, input_tokens from raw.anthropic_usage"
        " order by api_key_name, bucket_start_at"
    ).fetchall()
    expected = [(r["usage_date_utc"][-5:], 3600.0, "1h", r["api_key"],
                 r["usage_input_tokens_no_cache"]) for r in rows]  # fmt: skip
    assert loaded == sorted(expected, key=lambda r: (r[3], r[0]))


@pytest.mark.slow  # a whole audit through the CLI: `make test` only
def test_the_hourly_and_daily_exports_of_a_day_load_together_and_count_once(tmp_path):
    # shape: a real daily Console export and the hourly export of the same day; an
    # Admin API hourly report whose window starts mid-hour (04:11) for another account;
    # Message Batches results dated by `run --undated-day`. Through the CLI, as typed.
    exports = tmp_path / "exports"
    daily = [{**row, "usage_date_utc": "2026-09-14"} for row in DAILY_ROWS]
    write(exports / "account=acme" / "usage_daily.csv", console_csv(daily), mtime=1_790_000_000)
    hourly = hourly_rows("2026-09-14")
    for field in TOKEN_FIELDS:  # the pair's premise: the hours sum to the day
        for row in DAILY_ROWS:
            assert sum(h[field] for h in hourly if h["api_key"] == row["api_key"]) == row[field]
    write(exports / "account=acme" / "usage_hourly.csv", console_csv(hourly, crlf=True),
          mtime=1_790_000_100, bom=True)  # fmt: skip
    report_buckets = [
        anthropic_bucket("2026-09-14T04:11:00Z", "2026-09-14T05:00:00Z", 1_000, 100),
        anthropic_bucket("2026-09-14T05:00:00Z", "2026-09-14T06:00:00Z", 2_000, 200),
        anthropic_bucket("2026-09-14T06:00:00Z", "2026-09-14T07:00:00Z", 4_000, 400),
    ]
    write(
        exports / "account=initech" / "usage_1h.json",
        json.dumps({"data": report_buckets, "has_more": False, "next_page": None}, indent=2),
    )
    write(exports / "batch_results.jsonl", batch_results(1_311, 212))
    warehouse = tmp_path / "w.duckdb"
    status = main(["run", "--exports", str(exports), "--warehouse", str(warehouse),
                   "--report-dir", str(tmp_path / "r"), "--undated-day", "2026-09-15"])  # fmt: skip
    assert status == 0
    kept = query(
        warehouse,
        "select sum(input_tokens), sum(cache_read_tokens), sum(output_tokens),"
        " min(epoch(bucket_end_at - bucket_start_at)), max(epoch(bucket_end_at - bucket_start_at))"
        " from marts.fct_llm_usage where account = 'acme' and usage_date = '2026-09-14'",
    )
    day = {f: sum(row[f] for row in DAILY_ROWS) for f in TOKEN_FIELDS}
    assert kept == [(
        day["usage_input_tokens_no_cache"], day["usage_input_tokens_cache_read"],
        day["usage_output_tokens"], 3600.0, 3600.0,  # the hourly copy kept, the day once
    )]  # fmt: skip
    # the partial first hour is kept with the full hours of its day
    initech = query(
        warehouse,
        "select sum(input_tokens), count(*), min(bucket_start_at) from marts.fct_llm_usage"
        " where account = 'initech'",
    )
    assert initech[0][:2] == (sum(b["results"][0]["uncached_input_tokens"]
                                  for b in report_buckets), 3)  # fmt: skip
    assert str(initech[0][2]) == "2026-09-14 04:11:00"
    undated = query(
        warehouse,
        "select distinct cast(usage_date as varchar), is_time_from_file from"
        " marts.fct_llm_usage where account = 'default'",
    )
    assert undated == [("2026-09-15", True)]


# -- partial API buckets -------------------------------------------------------------------

# shape: the OpenAI Usage API's answer to start_time=1736616660 (2025-01-11T17:31:00Z),
# bucket_width=1d: the first bucket starts there, the next days are whole; an empty page
# ends the file (has_more pages are written one after the other).
PARTIAL_START, DAY_END, NEXT_DAY_END = 1736616660, 1736640000, 1736726400


def test_a_partial_first_bucket_keeps_its_times_and_takes_the_exports_width(tmp_path):
    pages = [
        openai_page(
            openai_bucket(PARTIAL_START, DAY_END, openai_result(1_000, 10)),
            has_more=True,
            next_page="page_AAAA",
        ),  # fmt: skip
        openai_page(openai_bucket(DAY_END, NEXT_DAY_END)),  # a whole day without usage
        openai_page(),
    ]
    write(tmp_path / "exports" / "usage.json", "\n".join(json.dumps(p, indent=2) for p in pages))
    con, result = load(tmp_path / "exports")
    assert not result.rejected, [r.error for r in result.rejected]
    assert con.execute(
        "select epoch(bucket_start_at), epoch(bucket_end_at), bucket_width, input_tokens"
        " from raw.openai_usage"
    ).fetchall() == [(PARTIAL_START, DAY_END, "1d", 1_000)]


def test_a_partial_bucket_takes_the_width_the_page_states(tmp_path):
    # shape: an Anthropic usage report page saved with its request's bucket_width
    page = {"data": [anthropic_bucket("2026-09-14T04:11:00Z", "2026-09-14T05:00:00Z", 5, 1)],
            "has_more": False, "next_page": None, "bucket_width": "1h"}  # fmt: skip
    write(tmp_path / "exports" / "usage.json", json.dumps(page))
    con, result = load(tmp_path / "exports")
    assert not result.rejected, [r.error for r in result.rejected]
    assert con.execute("select bucket_width from raw.anthropic_usage").fetchall() == [("1h",)]


def test_a_file_whose_only_bucket_is_partial_and_states_no_width_is_refused(tmp_path):
    page = openai_page(openai_bucket(PARTIAL_START, DAY_END, openai_result(1_000, 10)))
    write(tmp_path / "exports" / "usage.json", "\ufeff" + json.dumps(page))
    con, result = load(tmp_path / "exports")
    assert not result.loaded and len(result.rejected) == 1
    error = result.rejected[0].error
    assert (
        "exports/usage.json: page 1, bucket 1736616660 (2025-01-11T17:31:00Z), result 1: "
        "bucket from '1736616660' to '1736640000' is a partial bucket (23340 s" in error
    ), error
    assert "states no bucket_width" in error
    assert con.execute("select count(*) from raw.openai_usage").fetchone() == (0,)


def test_a_bucket_across_a_boundary_of_the_exports_width_is_refused(tmp_path):
    # 17:31 to 18:00 the next day: longer than no width, part of no single day
    page = openai_page(
        openai_bucket(DAY_END, NEXT_DAY_END),
        openai_bucket(PARTIAL_START, NEXT_DAY_END + 18 * 3600, openai_result(1, 1)),
    )
    write(tmp_path / "exports" / "usage.json", json.dumps(page))
    _, result = load(tmp_path / "exports")
    assert "is not 1m, 1h or 1d wide, nor part of one 1d bucket" in result.rejected[0].error


@pytest.mark.parametrize("partial_last", [True, False])
def test_a_partial_bucket_and_its_whole_bucket_are_one_record(tmp_path, partial_last):
    # shape: two pulls of the same days, one from mid-day; the copy loaded last wins
    exports = tmp_path / "exports"
    partial = openai_page(openai_bucket(PARTIAL_START, DAY_END, openai_result(300, 3)),
                          openai_bucket(DAY_END, NEXT_DAY_END))  # fmt: skip
    whole = openai_page(openai_bucket(DAY_END - 86_400, DAY_END, openai_result(1_000, 10)))
    times = (1_790_000_100, 1_790_000_000) if partial_last else (1_790_000_000, 1_790_000_100)
    write(exports / "partial.json", json.dumps(partial), mtime=times[0])
    write(exports / "whole.json", json.dumps(whole), mtime=times[1])
    con, result = load(exports)
    assert not result.rejected, [r.error for r in result.rejected]
    assert con.execute("select input_tokens from raw.openai_usage").fetchall() == [
        (300,) if partial_last else (1_000,)
    ]


# -- undated records -----------------------------------------------------------------------


def test_undated_records_without_a_day_are_refused_naming_both_ways_to_give_one(tmp_path):
    # shape: Message Batches results (no time on any line); an old mtime must not matter
    path = write(tmp_path / "exports" / "batch.jsonl", batch_results(1_311, 212), mtime=10**9)
    con, result = load(tmp_path / "exports")
    assert not result.loaded
    error = result.rejected[0].error
    assert error.startswith("exports/batch.jsonl: line 1: the record carries no time"), error
    assert "date=YYYY-MM-DD" in error and "--undated-day YYYY-MM-DD" in error
    assert con.execute("select count(*) from raw.anthropic_usage").fetchone() == (0,)
    assert path.stat().st_mtime == 10**9


def test_undated_records_take_the_date_folder_then_the_run_option(tmp_path):
    # shape: Messages responses and batch results, in a `date=` folder and outside one
    exports = tmp_path / "exports"
    write(exports / "date=2026-09-02" / "batch.jsonl", batch_results(100), mtime=10**9)
    messages = json.dumps({
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5", "content": [{"type": "text", "text": "..."}],
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 412, "cache_read_input_tokens": 48_211,
                  "output_tokens": 611, "service_tier": "standard"},
    }) + "\r\n"  # fmt: skip
    write(exports / "responses.jsonl", messages, bom=True)
    options = LoadOptions(undated_day="2026-09-05")
    con, result = load(exports, options)
    assert not result.rejected, [r.error for r in result.rejected]
    assert con.execute(
        "select request_id, cast(bucket_start_at as varchar), is_time_from_file"
        " from raw.anthropic_usage order by 1"
    ).fetchall() == [
        ("msg_01XFDUDYJgAACzvnptvVoYEL", "2026-09-05 00:00:00", True),
        ("msg_batch_0", "2026-09-02 00:00:00", True),  # the folder's day beats the option
    ]


def test_a_date_folder_that_names_no_day_is_refused(tmp_path):
    write(tmp_path / "exports" / "date=2026-13-02" / "batch.jsonl", batch_results(100))
    _, result = load(tmp_path / "exports", LoadOptions(undated_day="2026-09-05"))
    assert "folder 'date=2026-13-02' does not name a day" in result.rejected[0].error


def test_run_refuses_an_undated_day_that_is_not_a_day(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", "--exports", str(tmp_path), "--undated-day", "15/09/2026"])
    assert "'15/09/2026' is not a day (YYYY-MM-DD)" in capsys.readouterr().err


# -- absurd values ---------------------------------------------------------------------------


def largest_context_window() -> int:
    with (REPO_ROOT / CONTEXT_WINDOWS_SEED).open() as handle:
        return max(int(row["context_window_tokens"]) for row in csv.DictReader(handle))


def test_usage_times_out_of_bounds_are_refused_with_the_record_and_the_bound(tmp_path):
    # shape: a canonical CSV with a year-3000 and a 2019 timestamp (a spreadsheet typo)
    write(tmp_path / "exports" / "usage.csv",
          "timestamp,provider,model,input_tokens,output_tokens\r\n"
          "2026-09-01T10:00:00Z,anthropic,claude-sonnet-4-5,10,1\r\n"
          "3000-01-01T00:00:00Z,anthropic,claude-sonnet-4-5,10,1\r\n"
          "2019-12-31T23:59:59Z,anthropic,claude-sonnet-4-5,10,1\r\n")  # fmt: skip
    options = LoadOptions()
    con, result = load(tmp_path / "exports", options)
    error = result.rejected[0].error
    bound = options.run_time.strftime("%Y-%m-%d %H:%M UTC")
    assert (f"exports/usage.csv: line 3 (record 2): usage time 3000-01-01 00:00:00 is after "
            f"the run's time plus one day of clock skew ({bound} + 1 day)") in error  # fmt: skip
    assert ("exports/usage.csv: line 4 (record 3): usage time 2019-12-31 23:59:59 is before "
            "2020-01-01") in error  # fmt: skip
    assert "line 2" not in error
    assert con.execute("select count(*) from raw.canonical_usage").fetchone() == (0,)


def test_usage_within_a_day_of_clock_skew_is_accepted(tmp_path):
    # an exporter's clock ahead of ours: 23 h after the run's time loads, 25 h does not
    options = LoadOptions(run_time=datetime(2026, 9, 1, 12, 0))
    rows = (
        "timestamp,provider,model,input_tokens,output_tokens\n{},anthropic,claude-sonnet-4-5,1,1\n"
    )
    write(tmp_path / "ok" / "usage.csv", rows.format("2026-09-02T11:00:00Z"))
    write(tmp_path / "late" / "usage.csv", rows.format("2026-09-02T13:00:00Z"))
    assert not load(tmp_path / "ok", options)[1].rejected
    error = load(tmp_path / "late", options)[1].rejected[0].error
    assert "(2026-09-01 12:00 UTC + 1 day)" in error, error


def test_a_call_above_the_largest_context_window_is_refused(tmp_path):
    # shape: a Messages response line with 10^15 input tokens (the headline)
    largest = largest_context_window()
    line = {"id": "msg_huge", "type": "message", "model": "claude-sonnet-4-5",
            "stop_reason": "end_turn", "content": [],
            "usage": {"input_tokens": 10**15, "output_tokens": 1}}  # fmt: skip
    write(tmp_path / "exports" / "date=2026-09-01" / "responses.jsonl", json.dumps(line) + "\n")
    ok = {**line, "id": "msg_ok", "usage": {"input_tokens": largest - 10, "output_tokens": 1,
                                            "cache_read_input_tokens": 10}}  # fmt: skip
    write(tmp_path / "exports" / "date=2026-09-01" / "fits.jsonl", json.dumps(ok) + "\n")
    con, result = load(tmp_path / "exports")
    assert [o.display_name for o in result.loaded] == ["exports/date=2026-09-01/fits.jsonl"]
    error = result.rejected[0].error
    assert (f"exports/date=2026-09-01/responses.jsonl: line 1: {10**15} prompt tokens in one "
            f"call exceed the largest context window of any priced model ({largest:,} tokens"
            ) in error  # fmt: skip


def test_a_bucket_above_max_tokens_per_second_is_refused(tmp_path):
    # shape: an Anthropic hourly usage report bucket
    page = {"data": [anthropic_bucket("2026-09-14T04:00:00Z", "2026-09-14T05:00:00Z",
                                      3_600_000, 1)], "has_more": False}  # fmt: skip
    write(tmp_path / "exports" / "usage.json", json.dumps(page))
    _, result = load(tmp_path / "exports", LoadOptions(max_tokens_per_second=1_000))
    assert ("bucket from 2026-09-14 04:00:00 to 2026-09-14 05:00:00 holds 3600001 tokens, "
            "more than its 3600 s times max_tokens_per_second (1,000, settings.toml) = "
            "3600000") in result.rejected[0].error  # fmt: skip
    _, result = load(tmp_path / "exports", LoadOptions(max_tokens_per_second=1_001))
    assert not result.rejected  # the default bound is far above any real rate
    assert LoadOptions().max_tokens_per_second >= 1_000_000


def test_max_tokens_per_second_is_a_setting(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("max_tokens_per_second = 5000\n")
    assert read_thresholds(path) == {"max_tokens_per_second": 5000}
    path.write_text("max_tokens_per_second = 0\n")
    with pytest.raises(SettingsError, match="must be at least 1"):
        read_thresholds(path)


# -- messages that name the real problem ------------------------------------------------------


def test_a_truncated_json_document_is_reported_as_cut_short(tmp_path):
    # shape: an Anthropic usage report page, pretty-printed, cut mid-download
    page = {"data": [anthropic_bucket("2026-09-14T04:00:00Z", "2026-09-14T05:00:00Z", 5, 1)],
            "has_more": False}  # fmt: skip
    text = json.dumps(page, indent=2)
    path = write(tmp_path / "exports" / "usage.json", text[: len(text) // 2])
    _, result = load(tmp_path / "exports")
    assert result.rejected[0].error == (
        f"exports/usage.json: unsupported format: the JSON document ends at byte "
        f"{path.stat().st_size} inside an object: the file is cut short (an interrupted "
        "download or copy?); export it again"
    )


def test_a_jsonl_file_cut_in_its_last_line_is_reported_as_cut_short(tmp_path):
    text = batch_results(1, 2)
    path = write(tmp_path / "exports" / "batch.jsonl", text[:-40])
    _, result = load(tmp_path / "exports")
    assert (f"line 3, the last, ends at byte {path.stat().st_size} inside an object: the file "
            "is cut short") in result.rejected[0].error  # fmt: skip


def test_a_semicolon_csv_of_unknown_columns_says_the_delimiter_found(tmp_path):
    write(tmp_path / "exports" / "x.csv", "Datum;Modell;Kosten\n2026-09-01;x;1,5\n")
    _, result = load(tmp_path / "exports")
    assert "CSV (the delimiter found is ';') with columns [Datum, Modell, Kosten]" in (
        result.rejected[0].error
    )


def test_a_semicolon_separated_canonical_csv_loads(tmp_path):
    # shape: a spreadsheet's "CSV UTF-8" in a comma-decimal locale: BOM, `;`, CRLF, quotes
    write(tmp_path / "exports" / "usage.csv",
          "timestamp;provider;model;feature;input_tokens;output_tokens\r\n"
          '2026-09-01T10:00:00Z;anthropic;claude-sonnet-4-5;"search; beta";1200;34\r\n'
          "2026-09-01T11:00:00Z;openai;gpt-5;;7;1\r\n", bom=True)  # fmt: skip
    con, result = load(tmp_path / "exports")
    assert not result.rejected, [r.error for r in result.rejected]
    assert con.execute(
        "select feature, input_tokens, output_tokens from raw.canonical_usage order by 2 desc"
    ).fetchall() == [("search; beta", 1200, 34), (None, 7, 1)]


def test_an_unknown_file_names_the_closest_format_and_its_missing_columns(tmp_path):
    # shape: an old Console usage export header with the token columns renamed
    write(tmp_path / "exports" / "usage.csv",
          "usage_date,model_version,tokens\n2026-09-01,claude-sonnet-4-5,1\n")  # fmt: skip
    _, result = load(tmp_path / "exports")
    error = result.rejected[0].error
    assert "closest format: Anthropic Console usage CSV" in error, error
    assert "(has model_version; missing usage_date_utc, usage_input_tokens_no_cache, " in error
    assert "`llm-cost-audit formats` lists every supported format" in error
    assert "\n" not in error and len(error) < 600


def test_formats_lists_every_format_one_per_line(capsys):
    assert main(["formats"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  - ")]
    assert listed == [f"  - {description}" for description in supported_formats()]
    assert len(listed) >= 15


def test_the_bounds_read_the_generated_seed_not_a_constant():
    assert LoadOptions().max_context_tokens == largest_context_window()
    assert os.path.exists(REPO_ROOT / CONTEXT_WINDOWS_SEED)
