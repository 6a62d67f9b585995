"""Anthropic Admin API: the usage report (`usage_report/messages`) and the cost report,
as docs/formats.md and Anthropic's API reference describe them."""

from __future__ import annotations

from orchestration.pull.client import Endpoint
from orchestration.pull.window import Window, rfc3339

NAME = "anthropic"
KEY_ENV = "ANTHROPIC_ADMIN_KEY"
BASE_URL_ENV = "LLM_COST_AUDIT_ANTHROPIC_BASE_URL"
DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"

# Most buckets a page may hold, per width (the API's maximum `limit`): fewer requests.
USAGE_PAGE_LIMITS = {"1d": 31, "1h": 168, "1m": 1440}
COST_PAGE_LIMIT = 31  # the cost report has daily buckets only
# Every dimension the loaders key, price or attribute on. Not `speed`: grouping by it
# needs a beta header, and no model prices it yet.
USAGE_GROUP_BY = (
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
)
# `description` fills in model, service tier, context window and token type per line.
COST_GROUP_BY = ("workspace_id", "description")


def endpoints(window: Window, bucket_width: str, key: str, base_url: str) -> list[Endpoint]:
    headers = {"x-api-key": key, "anthropic-version": API_VERSION}
    times = [("starting_at", rfc3339(window.since)), ("ending_at", rfc3339(window.until))]
    usage = [
        *times,
        ("bucket_width", bucket_width),
        *(("group_by[]", dimension) for dimension in USAGE_GROUP_BY),
        ("limit", str(USAGE_PAGE_LIMITS[bucket_width])),
    ]
    cost = [
        *times,
        ("bucket_width", "1d"),
        *(("group_by[]", dimension) for dimension in COST_GROUP_BY),
        ("limit", str(COST_PAGE_LIMIT)),
    ]
    common = {"provider": NAME, "base_url": base_url, "secret": key, "key_env": KEY_ENV}
    return [
        Endpoint(
            name=f"usage_report_{bucket_width}",
            path="/v1/organizations/usage_report/messages",
            params=usage,
            headers=headers,
            **common,
        ),
        Endpoint(
            name="cost_report_1d",
            path="/v1/organizations/cost_report",
            params=cost,
            headers=headers,
            **common,
        ),
    ]
