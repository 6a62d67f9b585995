"""Anthropic export fixtures written by hand, ugly on purpose (BOM, `≤`, a key name with a
comma, float counts, a header-only file, null dimensions, an empty bucket, pages as an
array and as JSON lines, a response without the cache breakdown), with the costs they
must come to, computed by hand from list prices (USD per million tokens):

    claude-sonnet-4-5 standard: input 3, output 15, 5m write 3.75, cache read 0.3
    claude-haiku-4-5 standard: input 1, output 5, 5m write 1.25; batch: half of that

Account `acme` (folder `account=acme`), Sept 2026:
- 09-01: a 1d usage report and the same traffic as 1h buckets (the 1h ones are kept):
  1,000,000 input + 100,000 5m writes + 2,000,000 cache reads + 200,000 output on
  Sonnet 4.5 = 3.00 + 0.375 + 0.60 + 3.00 = $6.975. The cost report bills output at
  301.5 cents (0.5% above): within the 1% threshold.
- 09-02: a 1d bucket (500,000 input, 100,000 output) and Messages responses of that day
  (150,000 input, 10,000 5m writes, 25,000 output): the bucket keeps 350,000 input and
  75,000 output as an unattributed remainder; its 5m writes remainder is -10,000
  (reported, not clipped). Sonnet: 500,000 x 3 + 10,000 x 3.75 + 100,000 x 15 =
  1.50 + 0.0375 + 1.50 = $3.0375. Batch results: Haiku 1,000,000 input + 100,000
  output at batch = 0.50 + 0.25 = $0.75. Web search 10 cents (not computed).
- 09-03: the export's last (open) day: 100,000 input + 10,000 output = $0.45.

Account `globex` (Console CSVs):
- 09-01 (2024 header): Haiku 2,000,000 input + 400,000 writes + 300,000 output =
  2.00 + 0.50 + 1.50 = $4.00, list prices in the cost CSV match.
- 09-02 (current header, last day): Sonnet 3120 input (written `3120.0`) + 1,000 output
  = $0.02436; and 1,000 tokens of `claude-mystery-9`, which no alias maps (unpriced).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

SEPT_2_NOON = int(datetime(2026, 9, 2, 12, tzinfo=UTC).timestamp())

EXPECTED_COST = {
    ("acme", "2026-09-01"): Decimal("6.975"),
    ("acme", "2026-09-02"): Decimal("3.7875"),  # 3.0375 Sonnet + 0.75 Haiku batch
    ("acme", "2026-09-03"): Decimal("0.45"),
    ("globex", "2026-09-01"): Decimal("4.00"),
    ("globex", "2026-09-02"): Decimal("0.02436"),
}


def usage_result(model: str = "claude-sonnet-4-5", **tokens: object) -> dict:
    return {
        "api_key_id": "apikey_acme_prod",
        "workspace_id": None,  # the default workspace (grouped by workspace)
        "model": model,
        "service_tier": "standard",
        "context_window": "0-200k",
        "inference_geo": None,  # not grouped by geo
        "uncached_input_tokens": tokens.get("input", 0),
        "cache_creation": {
            "ephemeral_5m_input_tokens": tokens.get("cw5", 0),
            "ephemeral_1h_input_tokens": 0,
        },
        "cache_read_input_tokens": tokens.get("cr", 0),
        "output_tokens": tokens.get("output", 0),
        "server_tool_use": {"web_search_requests": 0},
    }


def bucket(start: str, end: str, *results: dict) -> dict:
    return {"starting_at": start, "ending_at": end, "results": list(results)}


def page(*buckets: dict, has_more: bool = False) -> dict:
    return {"data": list(buckets), "has_more": has_more, "next_page": "p2" if has_more else None}


def cost_line(
    cents: str,
    token_type: str | None,
    model: str | None = "claude-sonnet-4-5",
    cost_type: str = "tokens",
    service_tier: str | None = "standard",
) -> dict:
    return {
        "amount": cents,
        "currency": "USD",
        "cost_type": cost_type,
        "description": None,
        "model": model,
        "service_tier": service_tier,
        "context_window": "0-200k" if model else None,
        "token_type": token_type,
        "workspace_id": None,
    }


def message(msg_id: str, model: str, usage: dict) -> dict:
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": "SECRET COMPLETION TEXT"}],
        "stop_reason": "end_turn",
        "usage": usage,
    }


def write(path: Path, text: str, *, mtime: int | None = None, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_acme(root: Path) -> None:
    acme = root / "account=acme"
    day1 = ("2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z")
    # the 1d report: two pages as a JSON array, an empty bucket (09-04) at the end
    write(
        acme / "usage_1d.json",
        json.dumps(
            [
                page(
                    bucket(
                        *day1,
                        usage_result(input=1_000_000, cw5=100_000, cr=2_000_000, output=200_000),
                    ),
                    has_more=True,
                ),  # fmt: skip
                page(
                    bucket(
                        "2026-09-02T00:00:00Z",
                        "2026-09-03T00:00:00Z",
                        usage_result(input=500_000, output=100_000),
                    ),  # fmt: skip
                    bucket(
                        "2026-09-03T00:00:00Z",
                        "2026-09-04T00:00:00Z",
                        usage_result(input=100_000, output=10_000),
                    ),  # fmt: skip
                    bucket("2026-09-04T00:00:00Z", "2026-09-05T00:00:00Z"),
                ),
            ],
            indent=2,
        ),
    )
    # the same 09-01 traffic in 1h buckets, one compact page per line, a float count
    hour = lambda h: (f"2026-09-01T{h:02d}:00:00Z", f"2026-09-01T{h + 1:02d}:00:00Z")  # noqa: E731
    write(
        acme / "usage_1h.jsonl",
        json.dumps(
            page(
                bucket(
                    *hour(10),
                    usage_result(input=600_000.0, cw5=100_000, cr=2_000_000, output=120_000),
                )
            )
        )  # fmt: skip
        + "\n"
        + json.dumps(page(bucket(*hour(11), usage_result(input=400_000, output=80_000))))
        + "\n",
    )
    write(
        acme / "cost_report.json",
        json.dumps(
            page(
                bucket(
                    *day1,
                    cost_line("300", "uncached_input_tokens"),
                    cost_line("37.5", "cache_creation.ephemeral_5m_input_tokens"),
                    cost_line("60", "cache_read_input_tokens"),
                    cost_line("301.5", "output_tokens"),
                ),  # fmt: skip
                bucket(
                    "2026-09-02T00:00:00Z",
                    "2026-09-03T00:00:00Z",
                    cost_line("150", "uncached_input_tokens"),
                    cost_line("3.75", "cache_creation.ephemeral_5m_input_tokens"),
                    cost_line("150", "output_tokens"),
                    cost_line(
                        "50",
                        "uncached_input_tokens",
                        "claude-haiku-4-5-20251001",
                        service_tier="batch",
                    ),
                    cost_line(
                        "25", "output_tokens", "claude-haiku-4-5-20251001", service_tier="batch"
                    ),
                    cost_line("10", None, None, "web_search", None),
                ),  # fmt: skip
                bucket(
                    "2026-09-03T00:00:00Z",
                    "2026-09-04T00:00:00Z",
                    cost_line("30", "uncached_input_tokens"),
                    cost_line("15", "output_tokens"),
                ),  # fmt: skip
            ),
            indent=2,
        ),
    )
    # Messages responses and batch results carry no time: their day is the `date=` folder's
    write(
        acme / "date=2026-09-02" / "responses.jsonl",
        json.dumps(
            message(
                "msg_acme_1",
                "claude-sonnet-4-5",
                {
                    "input_tokens": 100_000,
                    "output_tokens": 20_000,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "cache_creation": {
                        "ephemeral_5m_input_tokens": 0,
                        "ephemeral_1h_input_tokens": 0,
                    },
                    "service_tier": "standard",
                },
            )
        )  # fmt: skip
        + "\n"
        # no cache_creation breakdown: the writes are 5-minute writes
        + json.dumps(
            message(
                "msg_acme_2",
                "claude-sonnet-4-5",
                {
                    "input_tokens": 50_000,
                    "output_tokens": 5_000,
                    "cache_creation_input_tokens": 10_000,
                    "cache_read_input_tokens": 0,
                },
            )
        )  # fmt: skip
        + "\n",
        mtime=SEPT_2_NOON,
    )
    write(
        acme / "date=2026-09-02" / "batch_results.jsonl",
        "\n".join(
            json.dumps(line)
            for line in (
                {
                    "custom_id": "ticket-1",
                    "result": {
                        "type": "succeeded",
                        "message": message(
                            "msg_acme_batch_1",
                            "claude-haiku-4-5-20251001",
                            {
                                "input_tokens": 1_000_000,
                                "output_tokens": 100_000,
                                "service_tier": "batch",
                            },
                        ),
                    },
                },  # fmt: skip
                {"custom_id": "ticket-2", "result": {"type": "errored", "error": {"type": "x"}}},
                {"custom_id": "ticket-3", "result": {"type": "expired"}},
            )
        )
        + "\n",
        mtime=SEPT_2_NOON,
    )


CONSOLE_USAGE_2024 = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,"
    "usage_input_tokens_cache_write,usage_input_tokens_cache_read,usage_output_tokens,"
    "web_search_count\n"
    "2026-09-01,claude-haiku-4-5-20251001,support-bot,Support,standard,2000000,400000,0,"
    "300000,0\n"
)
CONSOLE_USAGE_HEADER = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,"
    "usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,"
    "usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,"
    "web_search_count,inference_geo,speed\n"
)
CONSOLE_COST_HEADER = (
    "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,"
    "list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status\n"
)


def write_globex(root: Path) -> None:
    globex = root / "account=globex"
    write(globex / "usage_2024_header.csv", CONSOLE_USAGE_2024, bom=True)
    write(
        globex / "usage.csv",
        CONSOLE_USAGE_HEADER
        + '2026-09-02,claude-sonnet-4-5,"batch, eval",Default,standard,≤ 200k,3120.0,0,0,0,'
        "1000,0,not_available,\n"
        # a model no alias maps: loaded, reported unpriced by name with its tokens
        "2026-09-02,claude-mystery-9,lab,Default,standard,≤ 200k,700,0,0,0,300,0,,\n",
        bom=True,
    )
    write(globex / "usage_header_only.csv", CONSOLE_USAGE_HEADER)
    write(
        globex / "cost.csv",
        CONSOLE_COST_HEADER
        + "2026-09-01,Claude Haiku 4.5,Support,support-bot,message,≤ 200k,input_no_cache,"
        "2.00,2.00,token,not_available,,apikey_g1,active\n"
        "2026-09-01,Claude Haiku 4.5,Support,support-bot,message,≤ 200k,input_cache_write_5m,"
        "0.50,0.50,token,not_available,,apikey_g1,active\n"
        "2026-09-01,Claude Haiku 4.5,Support,support-bot,message,≤ 200k,output,"
        "1.50,1.50,token,not_available,,apikey_g1,active\n"
        '2026-09-02,Claude Sonnet 4.5,Default,"batch, eval",message,≤ 200k,input_no_cache,'
        "0.01,0.01,token,not_available,,apikey_g2,active\n",
        bom=True,
    )


def write_anthropic_exports(root: Path) -> Path:
    write_acme(root)
    write_globex(root)
    return root
