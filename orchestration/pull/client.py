"""The HTTP side of `llm-cost-audit pull`: one GET with bounded retries, and the page
loop both providers share (`data`, `has_more`, `next_page`; the cursor is opaque and goes
back as `page`).

Only the Python standard library. The admin key travels in a header only: it is never
in a URL, a log line or an error message (`redact` scrubs provider messages that echo
it). Redirects are refused, so the key never follows one to another host.
"""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Anything that looks like a secret key in a provider message (`sk-ant-admin01-...`).
_SECRET_PATTERN = re.compile(r"sk-[A-Za-z0-9_\-*]{6,}")
_ERROR_BODY_CHARS = 500
USER_AGENT = "llm-cost-audit (pull)"


class PullError(RuntimeError):
    """A pull that cannot go on; the message says what to do and never holds the key."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter on 429, 5xx and network errors; a
    `Retry-After` header, where the server sends one, is waited instead (up to
    `max_retry_after`). `sleep` is a parameter so tests run without waiting."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt `attempt` (1-based), jittered over [0, cap]."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class Endpoint:
    """One report endpoint: where it is, how to ask for it, how to authenticate."""

    provider: str
    name: str  # e.g. `usage_report`: names the report in messages and in file names
    base_url: str
    path: str
    params: Sequence[tuple[str, str]]  # without the page cursor
    # repr=False: the key must not surface in a traceback or a test failure either
    headers: dict[str, str] = field(repr=False)  # the auth headers included
    secret: str = field(repr=False)  # the key, to scrub a provider message echoing it
    key_env: str  # where the key came from, for the hint on a 401/403

    def url(self, cursor: str | None) -> str:
        params = [*self.params, *([("page", cursor)] if cursor is not None else [])]
        return f"{self.base_url}{self.path}?{urllib.parse.urlencode(params)}"

    @property
    def label(self) -> str:
        return f"{self.provider} {self.name} (GET {self.base_url}{self.path})"


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, in the order fetched
    body: bytes  # exactly as the server sent it
    bucket_count: int


def redact(text: str, secret: str) -> str:
    if secret:
        text = text.replace(secret, "[redacted]")
    return _SECRET_PATTERN.sub("sk-[redacted]", text)


def check_base_url(base_url: str, env_var: str) -> str:
    """The base URL without a trailing slash; plain http only to this machine, so the
    key never crosses a network unencrypted."""
    parsed = urllib.parse.urlsplit(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise PullError(f"{env_var}={base_url!r} is not an http(s) URL")
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        raise PullError(
            f"{env_var}={base_url!r}: plain http is allowed only to this machine "
            "(127.0.0.1, ::1, localhost); use https"
        )
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx surfaces as an HTTPError: the key is not sent elsewhere


def _opener(base_url: str) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if _is_loopback(urllib.parse.urlsplit(base_url).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))  # a local server, never a proxy
    return urllib.request.build_opener(*handlers)


def fetch_pages(endpoint: Endpoint, retry: RetryPolicy) -> Iterator[Page]:
    """Every page of the report, in order, following `next_page` until `has_more` is
    false. A cursor seen twice is an error rather than an endless loop."""
    opener = _opener(endpoint.base_url)
    cursor: str | None = None
    seen: set[str] = set()
    number = 0
    while True:
        number += 1
        body = _get(opener, endpoint, cursor, number, retry)
        envelope = _parse_page(endpoint, body, number)
        yield Page(number, body, len(envelope["data"]))
        if not envelope.get("has_more"):
            return
        cursor = envelope.get("next_page")
        if not isinstance(cursor, str) or not cursor:
            raise PullError(
                f"{endpoint.label}, page {number}: has_more is true but next_page is "
                f"{cursor!r}: cannot fetch the rest"
            )
        if cursor in seen:
            raise PullError(
                f"{endpoint.label}, page {number}: next_page {cursor!r} was already "
                "fetched: the server is paging in a loop"
            )
        seen.add(cursor)


def _parse_page(endpoint: Endpoint, body: bytes, number: int) -> dict:
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PullError(
            f"{endpoint.label}, page {number}: the response is not JSON ({error}): "
            f"{_excerpt(body, endpoint.secret)!r}"
        ) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), list):
        raise PullError(
            f"{endpoint.label}, page {number}: the response has no 'data' list: "
            f"{_excerpt(body, endpoint.secret)!r}"
        )
    return envelope


def _get(
    opener: urllib.request.OpenerDirector,
    endpoint: Endpoint,
    cursor: str | None,
    number: int,
    retry: RetryPolicy,
) -> bytes:
    where = f"{endpoint.label}, page {number}" + (f" (page={cursor})" if cursor else "")
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **endpoint.headers}
    request = urllib.request.Request(endpoint.url(cursor), headers=headers)
    for attempt in range(1, retry.attempts + 1):
        try:
            with opener.open(request, timeout=retry.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
            if not _is_retryable(status):
                raise PullError(
                    f"{where}: HTTP {status}: {_provider_message(body, endpoint.secret)}"
                    + _hint(status, endpoint)
                ) from None
            failure = f"HTTP {status}: {_provider_message(body, endpoint.secret)}"
            delay = _retry_after(error.headers.get("Retry-After"), retry)
        except (
            urllib.error.URLError,
            http.client.HTTPException,  # a connection cut mid-response
            TimeoutError,
            ConnectionError,
        ) as error:
            reason = getattr(error, "reason", error)
            failure = f"network error: {redact(str(reason), endpoint.secret)}"
            delay = None
        if attempt < retry.attempts:
            retry.sleep(delay if delay is not None else retry.backoff(attempt))
    raise PullError(f"{where}: gave up after {retry.attempts} attempts; last: {failure}")


def _retry_after(value: str | None, retry: RetryPolicy) -> float | None:
    """Seconds to wait from a `Retry-After` header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), retry.max_retry_after)


def _provider_message(body: bytes, secret: str) -> str:
    """The provider's own error message (`{"error": {"message": ...}}` on both), else
    the start of the body."""
    try:
        error = json.loads(body).get("error")
        message = error.get("message") if isinstance(error, dict) else error
        if isinstance(message, str) and message.strip():
            return redact(message.strip(), secret)
    except (ValueError, AttributeError):
        pass
    return _excerpt(body, secret) or "(empty body)"


def _excerpt(body: bytes, secret: str) -> str:
    return redact(body[:_ERROR_BODY_CHARS].decode("utf-8", "replace").strip(), secret)


def _is_retryable(status: int) -> bool:
    """Rate limits, timeouts and server errors (Anthropic's 529 overload included)."""
    return status in (408, 429) or 500 <= status < 600


def _hint(status: int, endpoint: Endpoint) -> str:
    if status in (401, 403):
        return f" (check {endpoint.key_env}: it must be an admin key of the organization)"
    if 300 <= status < 400:
        return " (redirects are not followed: check the base URL)"
    return ""
