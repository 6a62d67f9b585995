"""`llm-cost-audit pull`: fetch a provider's usage and cost reports from its admin API
into an exports directory, raw, so loading them stays the one path every export takes
(`llm-cost-audit run --exports DIR`).

The admin key comes from an environment variable only; the base URL can be pointed at
a proxy (or a test server) through another.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from orchestration.pull import anthropic, openai
from orchestration.pull.client import PullError, RetryPolicy, check_base_url, fetch_pages
from orchestration.pull.pages import StagedPages
from orchestration.pull.window import Window, now, parse_time

__all__ = ["PROVIDERS", "BUCKET_WIDTHS", "PullError", "PullResult", "RetryPolicy", "Window"]
__all__ += ["now", "parse_time", "pull_reports"]

PROVIDERS: dict[str, ModuleType] = {anthropic.NAME: anthropic, openai.NAME: openai}
BUCKET_WIDTHS = ("1d", "1h", "1m")


@dataclass
class PullResult:
    folder: Path
    files: list[Path] = field(default_factory=list)
    # report name -> (pages, buckets)
    reports: dict[str, tuple[int, int]] = field(default_factory=dict)


def account_folder(out_dir: Path, account: str | None) -> Path:
    """`out_dir`, or its `account=<name>` folder: the convention the loaders read."""
    if account is None:
        return out_dir
    name = account.strip()
    if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise PullError(f"--account {account!r} is not a usable folder name")
    return out_dir / f"account={name}"


def pull_reports(
    provider: str,
    window: Window,
    out_dir: Path,
    *,
    account: str | None = None,
    bucket_width: str = "1d",
    retry: RetryPolicy | None = None,
    env: Mapping[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> PullResult:
    """Every page of the provider's usage and cost reports over `window`, written raw
    under `out_dir` (in `account=<account>/` when given). All or nothing: on any error
    (PullError) no page file is written."""
    api = PROVIDERS[provider]
    if bucket_width not in BUCKET_WIDTHS:
        raise PullError(f"bucket width {bucket_width!r} is not one of {', '.join(BUCKET_WIDTHS)}")
    env = os.environ if env is None else env
    key = env.get(api.KEY_ENV, "").strip()
    if not key:
        raise PullError(
            f"{api.KEY_ENV} is not set: export the {provider} admin API key in it "
            "(the key is read from the environment only, never from a file or an argument)"
        )
    base_url = check_base_url(env.get(api.BASE_URL_ENV) or api.DEFAULT_BASE_URL, api.BASE_URL_ENV)
    retry = retry or RetryPolicy()
    result = PullResult(account_folder(out_dir, account))
    with StagedPages(result.folder) as staged:
        for endpoint in api.endpoints(window, bucket_width, key, base_url):
            prefix = f"{provider}_{endpoint.name}_{window.stamp}"
            pages = buckets = 0
            for page in fetch_pages(endpoint, retry):
                staged.write(prefix, page.number, page.body)
                pages, buckets = page.number, buckets + page.bucket_count
                if progress:
                    progress(f"{provider} {endpoint.name}: page {page.number}")
            result.reports[endpoint.name] = (pages, buckets)
        result.files = staged.commit()
    return result
