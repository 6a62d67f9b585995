"""OpenAI export fixtures written by hand, ugly on purpose (BOM, float counts, TRUE/FALSE,
a quoted name with a comma, empty buckets and an empty-bucket CSV row, a header-only
file, null dimensions, a response without `prompt_tokens_details` or `service_tier`,
an amount in exponent notation, failed batch lines, a `custom_id` repeated across
batches), with the costs they must come to, computed by hand from the seed's list prices
(USD per million tokens; OpenAI counts cached tokens INSIDE input, so uncached input =
input - cached - cache write; a cache write has no price of its own and is billed as
input):

    gpt-5       input 1.25, cached input 0.125, output 10
    gpt-5-mini  input 0.25, cached input 0.025, output 2
    batch (and flex) on gpt-5*: half of every price, cached input included

Account `acme` (folder `account=acme`), Sept 2026:
- 09-01: a 1d Usage API page and the same traffic as 1h pages (the 1h ones are kept):
  gpt-5 standard 2,000,000 input of which 1,000,000 cached, 100,000 output =
  1,000,000 x 1.25 + 1,000,000 x 0.125 + 100,000 x 10 = 1.25 + 0.125 + 1.00 = $2.375;
  gpt-5-mini batch 4,000,000 input, 500,000 output = 4 x 0.125 + 0.5 x 1 = $1.00.
  The Costs API bills gpt-5 output at $1.005 (0.5% above: within the 1% threshold).
- 09-02: a 1d bucket of gpt-5 (1,000,000 input of which 200,000 cached and 100,000 cache
  writes, 50,000 output) and three responses of that day on gpt-5 (uncached 400,000,
  cache writes 150,000, cached 100,000, output 35,000): the bucket keeps an
  unattributed remainder of 300,000 input, 100,000 cached and 15,000 output; its cache
  write remainder is -50,000 (reported, not clipped).
  Responses: 400,000 x 1.25 + 150,000 x 1.25 + 100,000 x 0.125 + 35,000 x 10
  = 0.50 + 0.1875 + 0.0125 + 0.35 = 1.05; remainder: 0.375 + 0.0125 + 0.15 = 0.5375.
  Batch output (gpt-5-mini, batch): 1,000,000 x 0.125 + 100,000 x 1 = 0.225 and
  100,000 x 0.125 + 100,000 x 0.0125 + 10,000 x 1 = 0.02375; two failed lines (no usage).
  A flex response (gpt-5-mini): 1,000,000 x 0.125 + 100,000 x 1 = 0.225.
  Day: 1.05 + 0.5375 + 0.225 + 0.02375 + 0.225 = $2.06125. The Costs API's last day:
  open, not judged.

Account `globex` (dashboard CSVs, and a Usage API page of the same 09-01 traffic that
loads first, so the CSV shape, loaded last, is kept):
- 09-01: gpt-5-mini 3120 input (written `3120.0`), 1000 output = 0.00078 + 0.002 =
  0.00278; gpt-5 batch (`TRUE`) 2,000,000 input of which 1,000,000 cached, 200,000
  output = 0.625 + 0.0625 + 1.00 = 1.6875; day $1.69028, billed exactly so.
- 09-02: an empty bucket (a row with only its time columns).
- 09-03 (last cost day): gpt-5-mini flex 1,000,000 input = $0.125; and 1,000 tokens of
  `gpt-mystery-1`, which no alias maps (unpriced, reported by name).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

DAY = 86_400
SEPT_1 = int(datetime(2026, 9, 1, tzinfo=UTC).timestamp())
SEPT_2 = SEPT_1 + DAY
SEPT_3 = SEPT_2 + DAY

EXPECTED_COST = {
    ("acme", "2026-09-01"): Decimal("3.375"),
    ("acme", "2026-09-02"): Decimal("2.06125"),
    ("globex", "2026-09-01"): Decimal("1.69028"),
    ("globex", "2026-09-03"): Decimal("0.125"),
}


def usage_result(
    model: str | None,
    *,
    batch: bool | None = False,
    service_tier: str | None = "default",
    **tokens: object,
) -> dict:
    """One completions usage result; `batch` and `service_tier` are None in a page not
    grouped by them (platform.openai.com/docs/api-reference/usage/completions_object:
    each is filled only when `group_by` names it)."""
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": tokens.get("input", 0),
        "output_tokens": tokens.get("output", 0),
        "input_cached_tokens": tokens.get("cached", 0),
        "input_cache_write_tokens": tokens.get("write", 0),
        # a breakdown field: never added to the total
        "input_uncached_tokens": tokens.get("input", 0) - tokens.get("cached", 0),
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "num_model_requests": tokens.get("requests", 1),
        "project_id": tokens.get("project", "proj_alpha"),
        "user_id": None,  # not grouped by user
        "api_key_id": None,  # not grouped by key
        "model": model,
        "batch": batch,
        "service_tier": service_tier,
    }


def bucket(start: int, width: int, *results: dict) -> dict:
    return {
        "object": "bucket",
        "start_time": start,
        "end_time": start + width,
        "results": list(results),
    }


def page(*buckets: dict, has_more: bool = False) -> dict:
    return {
        "object": "page",
        "data": list(buckets),
        "has_more": has_more,
        "next_page": "page_AAAA" if has_more else None,
    }


def cost_result(value: str, line_item: str | None, project: str | None = "proj_alpha") -> str:
    """One Costs API result; `value` is written into the JSON as a bare number, exactly."""
    body = json.dumps(
        {
            "object": "organization.costs.result",
            "amount": {"value": "VALUE", "currency": "usd"},
            "line_item": line_item,
            "project_id": project,
            "api_key_id": None,
            "quantity": None,
        }
    )
    return body.replace('"VALUE"', value)


def cost_page(*buckets: tuple[int, list[str]]) -> str:
    """A Costs API page as text (its amounts written as given)."""
    data = [
        json.dumps({"object": "bucket", "start_time": start, "end_time": start + DAY,
                    "results": "RESULTS"}).replace('"RESULTS"', "[" + ", ".join(results) + "]")
        for start, results in buckets
    ]  # fmt: skip
    return json.dumps(
        {"object": "page", "data": "DATA", "has_more": False, "next_page": None}
    ).replace('"DATA"', "[" + ", ".join(data) + "]")


def chat_completion(response_id: str, model: str, created: int, usage: dict, **extra) -> dict:
    return {
        "id": response_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "SECRET COMPLETION TEXT"},
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
        **extra,
    }


def response(response_id: str, model: str, created: int, usage: dict, tier: str) -> dict:
    return {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": "completed",
        "model": model,
        "output": [
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "SECRET COMPLETION TEXT"}],
            }
        ],
        "service_tier": tier,
        "usage": usage,
    }


def write(path: Path, text: str, *, mtime: int | None = None, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def lines(*records: dict) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def write_acme(root: Path) -> None:
    acme = root / "account=acme"
    noon_2 = SEPT_2 + 12 * 3600
    # the 1d pages: a float request count, an empty bucket (09-03) at the end
    write(
        acme / "usage_1d.json",
        json.dumps(
            [
                page(
                    bucket(
                        SEPT_1,
                        DAY,
                        usage_result("gpt-5-2025-08-07", input=2_000_000, cached=1_000_000,
                                     output=100_000, requests=400.0),
                        usage_result("gpt-5-mini-2025-08-07", batch=True, input=4_000_000,
                                     output=500_000, project="proj_beta", requests=50),
                    ),
                    has_more=True,
                ),
                page(
                    bucket(
                        SEPT_2,
                        DAY,
                        usage_result("gpt-5-2025-08-07", input=1_000_000, cached=200_000,
                                     write=100_000, output=50_000, requests=100),
                    ),
                    bucket(SEPT_3, DAY),
                ),
            ],
            indent=2,
        ),
    )  # fmt: skip
    # the same 09-01 traffic in 1h buckets, one compact page per line
    hour = lambda h: SEPT_1 + h * 3600  # noqa: E731
    write(
        acme / "usage_1h.jsonl",
        json.dumps(page(bucket(hour(10), 3600,
            usage_result("gpt-5-2025-08-07", input=1_200_000, cached=600_000, output=60_000,
                         requests=240),
            usage_result("gpt-5-mini-2025-08-07", batch=True, input=3_000_000, output=300_000,
                         project="proj_beta", requests=30),
        ))) + "\n"
        + json.dumps(page(bucket(hour(11), 3600,
            usage_result("gpt-5-2025-08-07", input=800_000, cached=400_000, output=40_000,
                         requests=160),
            usage_result("gpt-5-mini-2025-08-07", batch=True, input=1_000_000, output=200_000,
                         project="proj_beta", requests=20),
        ), bucket(hour(12), 3600))) + "\n",
    )  # fmt: skip
    write(
        acme / "costs.json",
        cost_page(
            (
                SEPT_1,
                [
                    cost_result("1.25", "gpt-5-2025-08-07, input"),
                    cost_result("1.25e-1", "gpt-5-2025-08-07, cached input"),
                    cost_result("1.005", "gpt-5-2025-08-07, output"),
                    cost_result("0.50", "gpt-5-mini-2025-08-07, input", "proj_beta"),
                    cost_result("0.5", "gpt-5-mini-2025-08-07, output", "proj_beta"),
                    cost_result("0.10", "Web search tool calls"),
                ],
            ),
            (
                SEPT_2,
                [
                    cost_result("0.875", "gpt-5-2025-08-07, input"),
                    cost_result("0.5", "gpt-5-2025-08-07, output"),
                ],
            ),
        ),
    )
    write(
        acme / "responses.jsonl",
        lines(
            chat_completion(
                "chatcmpl-acme-1", "gpt-5-2025-08-07", noon_2,
                {"prompt_tokens": 300_000, "completion_tokens": 10_000,
                 "prompt_tokens_details": {"cached_tokens": 50_000, "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": 4_000}},
                service_tier="default",
            ),
            response(
                "resp_acme_2", "gpt-5-2025-08-07", noon_2 + 60,
                {"input_tokens": 250_000, "output_tokens": 20_000,
                 "input_tokens_details": {"cached_tokens": 50_000, "cache_write_tokens": 150_000},
                 "output_tokens_details": {"reasoning_tokens": 12_000}},
                "default",
            ),
            # no prompt_tokens_details, no service_tier: nothing cached, the default tier
            chat_completion(
                "chatcmpl-acme-3", "gpt-5-2025-08-07", noon_2 + 120,
                {"prompt_tokens": 100_000, "completion_tokens": 5_000},
            ),
            response(
                "resp_acme_flex", "gpt-5-mini-2025-08-07", noon_2 + 180,
                {"input_tokens": 1_000_000, "output_tokens": 100_000,
                 "input_tokens_details": {"cached_tokens": 0}},
                "flex",
            ),
        ),
    )  # fmt: skip
    write(
        acme / "batch_output.jsonl",
        lines(
            {
                "id": "batch_req_1",
                "custom_id": "doc-1",
                "response": {
                    "status_code": 200,
                    "request_id": "r1",
                    "body": chat_completion(
                        "chatcmpl-batch-1", "gpt-5-mini-2025-08-07", noon_2,
                        {"prompt_tokens": 1_000_000, "completion_tokens": 100_000,
                         "prompt_tokens_details": {"cached_tokens": 0}},
                        service_tier="default",
                    ),
                },
                "error": None,
            },
            # the same custom_id in another batch: its own record
            {
                "id": "batch_req_2",
                "custom_id": "doc-1",
                "response": {
                    "status_code": 200,
                    "request_id": "r2",
                    "body": response(
                        "resp_batch_2", "gpt-5-mini-2025-08-07", noon_2 + 60,
                        {"input_tokens": 200_000, "output_tokens": 10_000,
                         "input_tokens_details": {"cached_tokens": 100_000}},
                        "default",
                    ),
                },
                "error": None,
            },
            {
                "id": "batch_req_3",
                "custom_id": "doc-3",
                "response": {
                    "status_code": 400,
                    "request_id": "r3",
                    "body": {"error": {"message": "too long", "type": "invalid_request_error",
                                       "code": "string_above_max_length"}},
                },
                "error": None,
            },
            {
                "id": "batch_req_4",
                "custom_id": "doc-4",
                "response": None,
                "error": {"code": "batch_expired", "message": "not executed in time"},
            },
        ),
        mtime=noon_2 + 3600,
    )  # fmt: skip


USAGE_CSV_HEADER = (
    "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,"
    "api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,"
    "input_uncached_tokens,input_audio_tokens,output_audio_tokens\n"
)
COST_CSV_HEADER = (
    "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,"
    "quantity_unit,line_item,project_id,organization_id\n"
)


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def day_columns(start: int) -> str:
    return f"{start},{start + DAY},{iso(start)},{iso(start + DAY)}"


def write_globex(root: Path) -> None:
    globex = root / "account=globex"
    # the Usage API's view of 09-01 (grouped by model and batch only), loaded first
    write(
        globex / "api" / "usage_09_01.json",
        json.dumps(page(bucket(SEPT_1, DAY,
            usage_result("gpt-5-mini-2025-08-07", input=3120, output=1000, project=None),
            usage_result("gpt-5-2025-08-07", batch=True, input=2_000_000, cached=1_000_000,
                         output=200_000, project=None),
        ))),
        mtime=SEPT_3,
    )  # fmt: skip
    write(
        globex / "completions_usage_2026-09.csv",
        USAGE_CSV_HEADER
        + f'{day_columns(SEPT_1)},proj_g,3.0,"ops, team",key_g1,gpt-5-mini-2025-08-07,FALSE,'
        "default,3120.0,1000.0,0.0,3120.0,0.0,0.0\n"
        + f'{day_columns(SEPT_1)},proj_g,2.0,"ops, team",key_g1,gpt-5-2025-08-07,TRUE,'
        "default,2000000.0,200000.0,1000000.0,1000000.0,0.0,0.0\n"
        + f"{day_columns(SEPT_2)},,,,,,,,,,,,,\n"  # an empty bucket
        + f"{day_columns(SEPT_3)},proj_g,1.0,,key_g1,gpt-mystery-1,FALSE,default,"
        "700.0,300.0,0.0,700.0,0.0,0.0\n"
        + f"{day_columns(SEPT_3)},proj_g,10.0,,key_g1,gpt-5-mini-2025-08-07,false,flex,"
        "1000000.0,0.0,0.0,1000000.0,0.0,0.0\n",
        bom=True,
        mtime=SEPT_3 + DAY,
    )
    write(globex / "completions_usage_header_only.csv", USAGE_CSV_HEADER, bom=True)
    write(
        globex / "cost_2026-09.csv",
        COST_CSV_HEADER + f"{day_columns(SEPT_1)},0.00078,usd,3120,tokens,"
        '"gpt-5-mini-2025-08-07, input",proj_g,org_g\n'
        + f"{day_columns(SEPT_1)},0.002,usd,1000,tokens,"
        '"gpt-5-mini-2025-08-07, output",proj_g,org_g\n'
        + f"{day_columns(SEPT_1)},0.625,usd,1000000,tokens,"
        '"gpt-5-2025-08-07, input",proj_g,org_g\n'
        + f"{day_columns(SEPT_1)},0.0625,usd,1000000,tokens,"
        '"gpt-5-2025-08-07, cached input",proj_g,org_g\n'
        + f"{day_columns(SEPT_1)},1.0,usd,200000,tokens,"
        '"gpt-5-2025-08-07, output",proj_g,org_g\n'
        + f"{day_columns(SEPT_2)},,,,,,,\n"  # an empty bucket
        + f"{day_columns(SEPT_3)},0.125,usd,1000000,tokens,"
        '"gpt-5-mini-2025-08-07, input",proj_g,org_g\n',
        bom=True,
    )


def write_openai_exports(root: Path) -> Path:
    write_acme(root)
    write_globex(root)
    return root
