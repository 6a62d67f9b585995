"""OpenAI Administration API: completions usage (`organization/usage/completions`) and
costs (`organization/costs`), as docs/formats.md and OpenAI's API reference describe them."""

from __future__ import annotations

from orchestration.pull.client import Endpoint
from orchestration.pull.window import Window, unix_seconds

NAME = "openai"
KEY_ENV = "OPENAI_ADMIN_KEY"
BASE_URL_ENV = "LLM_COST_AUDIT_OPENAI_BASE_URL"
DEFAULT_BASE_URL = "https://api.openai.com"

# Most buckets a page may hold (the API's maximum `limit`): fewer requests.
USAGE_PAGE_LIMITS = {"1d": 31, "1h": 168, "1m": 1440}
COSTS_PAGE_LIMIT = 180  # the costs endpoint has daily buckets only
# Every dimension the completions usage endpoint can group by: the finest attribution.
USAGE_GROUP_BY = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
COSTS_GROUP_BY = ("project_id", "line_item")


def endpoints(window: Window, bucket_width: str, key: str, base_url: str) -> list[Endpoint]:
    headers = {"Authorization": f"Bearer {key}"}
    times = [("start_time", unix_seconds(window.since)), ("end_time", unix_seconds(window.until))]
    usage = [
        *times,
        ("bucket_width", bucket_width),
        *(("group_by", dimension) for dimension in USAGE_GROUP_BY),
        ("limit", str(USAGE_PAGE_LIMITS[bucket_width])),
    ]
    costs = [
        *times,
        ("bucket_width", "1d"),
        *(("group_by", dimension) for dimension in COSTS_GROUP_BY),
        ("limit", str(COSTS_PAGE_LIMIT)),
    ]
    common = {"provider": NAME, "base_url": base_url, "secret": key, "key_env": KEY_ENV}
    return [
        Endpoint(
            name=f"usage_completions_{bucket_width}",
            path="/v1/organization/usage/completions",
            params=usage,
            headers=headers,
            **common,
        ),
        Endpoint(
            name="costs_1d",
            path="/v1/organization/costs",
            params=costs,
            headers=headers,
            **common,
        ),
    ]
