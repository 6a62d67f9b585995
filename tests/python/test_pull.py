"""`llm-cost-audit pull` against a real HTTP server on 127.0.0.1 (an ephemeral port, a
thread) that serves the documented shapes of both providers' admin APIs and checks the
auth headers: pagination, retries, errors, the files written, and both providers' pulled
pages audited end to end. No test touches the internet."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from anthropic_fixtures import bucket, cost_line, usage_result
from conftest import audit, query

from orchestration.cli import main
from orchestration.ingest import detect_format
from orchestration.pull import PullError, RetryPolicy, Window, anthropic, pull_reports

ANTHROPIC_KEY = "sk-ant-admin01-test-key-0123456789abcdef"
OPENAI_KEY = "sk-admin-test-key-fedcba9876543210"
ANTHROPIC_USAGE = "/v1/organizations/usage_report/messages"
ANTHROPIC_COST = "/v1/organizations/cost_report"
OPENAI_USAGE = "/v1/organization/usage/completions"
OPENAI_COSTS = "/v1/organization/costs"
SEPT = Window(datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 4, tzinfo=UTC))
STAMP = "20260901T000000Z_20260904T000000Z"
# opaque cursors with characters that must survive URL encoding
CURSOR_2 = "page_MjAyNi0wOS0wMlQ+/="
CURSOR_3 = "page_Mw== &x=1"


# -- the server -------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class AdminApiServer:
    """Serves, per path, the scripted replies in order; answers 401 in the provider's
    shape when the auth headers are not the expected key's; records every request."""

    def __init__(self) -> None:
        self.script: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                url = urllib.parse.urlsplit(self.path)
                server.seen.append(
                    Seen(
                        url.path,
                        urllib.parse.parse_qs(url.query, keep_blank_values=True),
                        {k.lower(): v for k, v in self.headers.items()},
                    )
                )
                reply = server.authorize(url.path, self.headers) or server.next_reply(url.path)
                self.send_response(reply.status)
                for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def authorize(self, path: str, headers) -> Reply | None:
        if path.startswith("/v1/organizations/"):  # Anthropic
            if headers.get("x-api-key") == ANTHROPIC_KEY and (
                headers.get("anthropic-version") == "2023-06-01"
            ):
                return None
            error = {"type": "authentication_error", "message": "invalid x-api-key"}
            return Reply(401, json.dumps({"type": "error", "error": error}).encode())
        if headers.get("Authorization") == f"Bearer {OPENAI_KEY}":
            return None
        sent = headers.get("Authorization", "").removeprefix("Bearer ")
        masked = f"{sent[:12]}****{sent[-4:]}"  # as OpenAI echoes a wrong key
        error = {"message": f"Incorrect API key provided: {masked}.", "code": "invalid_api_key"}
        return Reply(401, json.dumps({"error": error}).encode())

    def next_reply(self, path: str) -> Reply:
        replies = self.script.get(path)
        if not replies:
            return Reply(404, b'{"error": {"message": "not scripted: ' + path.encode() + b'"}}')
        return replies.pop(0)

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[AdminApiServer]:
    api = AdminApiServer()
    yield api
    api.close()


class Sleeps(list):
    """Records the waits asked for instead of waiting: backoff made instant by parameter."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fast_retry(attempts: int = 4) -> tuple[RetryPolicy, Sleeps]:
    sleeps = Sleeps()
    return RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.05, sleep=sleeps), sleeps


def anthropic_env(server: AdminApiServer, key: str = ANTHROPIC_KEY) -> dict[str, str]:
    return {"ANTHROPIC_ADMIN_KEY": key, "LLM_COST_AUDIT_ANTHROPIC_BASE_URL": server.base_url}


def openai_env(server: AdminApiServer, key: str = OPENAI_KEY) -> dict[str, str]:
    return {"OPENAI_ADMIN_KEY": key, "LLM_COST_AUDIT_OPENAI_BASE_URL": server.base_url}


def anthropic_page(*buckets: dict, next_page: str | None = None) -> bytes:
    page = {"data": list(buckets), "has_more": next_page is not None, "next_page": next_page}
    return json.dumps(page, indent=2).encode()


def openai_page(*buckets: dict, next_page: str | None = None) -> bytes:
    page = {
        "object": "page",
        "data": list(buckets),
        "has_more": next_page is not None,
        "next_page": next_page,
    }
    return json.dumps(page).encode()


def openai_bucket(day: int, *results: dict) -> dict:
    start = int(datetime(2026, 9, day, tzinfo=UTC).timestamp())
    return {"object": "bucket", "start_time": start, "end_time": start + 86400,
            "results": list(results)}  # fmt: skip


def files_under(root: Path) -> list[str]:
    """Every file and folder under `root`, hidden ones included (a staging leftover)."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


DAY = {d: (f"2026-09-0{d}T00:00:00Z", f"2026-09-0{d + 1}T00:00:00Z") for d in (1, 2, 3)}

# Account `acme`, 2026-09-01..03, list prices per million tokens:
# Sonnet 4.5 input 3, output 15; Haiku 4.5 input 1, output 5.
# - 09-01: Sonnet 1,000,000 input + 200,000 output = 3.00 + 3.00 = $6.00; the cost
#   report bills 300 + 300 cents: variance 0, judged `ok`.
# - 09-02: Haiku 2,000,000 input + 100,000 output = 2.00 + 0.50 = $2.50; billed 200 + 50
#   cents; the export's last day, so `open_day`.
# - 09-03: an empty bucket (`results: []`): no usage.
ANTHROPIC_USAGE_PAGES = [
    anthropic_page(
        bucket(*DAY[1], usage_result(input=1_000_000, output=200_000)), next_page=CURSOR_2
    ),
    anthropic_page(
        bucket(*DAY[2], usage_result("claude-haiku-4-5-20251001", input=2_000_000, output=100_000)),
        bucket(*DAY[3]),
    ),
]
ANTHROPIC_COST_PAGES = [
    anthropic_page(
        bucket(
            *DAY[1],
            cost_line("300", "uncached_input_tokens"),
            cost_line("300", "output_tokens"),
        ),
        next_page=CURSOR_2,
    ),
    anthropic_page(
        bucket(
            *DAY[2],
            cost_line("200", "uncached_input_tokens", "claude-haiku-4-5-20251001"),
            cost_line("50", "output_tokens", "claude-haiku-4-5-20251001"),
        ),
        next_page=CURSOR_3,
    ),
    anthropic_page(bucket(*DAY[3])),
]


def script_anthropic(server: AdminApiServer) -> None:
    server.script[ANTHROPIC_USAGE] = [Reply(body=body) for body in ANTHROPIC_USAGE_PAGES]
    server.script[ANTHROPIC_COST] = [Reply(body=body) for body in ANTHROPIC_COST_PAGES]


# -- Anthropic ----------------------------------------------------------------------------


def test_anthropic_pages_are_fetched_in_order_and_written_raw(server, tmp_path):
    script_anthropic(server)

    result = pull_reports(
        "anthropic", SEPT, tmp_path / "exports", account="acme", env=anthropic_env(server)
    )

    folder = tmp_path / "exports" / "account=acme"
    assert result.reports == {"usage_report_1d": (2, 3), "cost_report_1d": (3, 3)}
    assert files_under(folder) == [
        f"anthropic_cost_report_1d_{STAMP}_page-0001.json",
        f"anthropic_cost_report_1d_{STAMP}_page-0002.json",
        f"anthropic_cost_report_1d_{STAMP}_page-0003.json",
        f"anthropic_usage_report_1d_{STAMP}_page-0001.json",
        f"anthropic_usage_report_1d_{STAMP}_page-0002.json",
    ]
    # every page byte for byte as served, in the order served
    assert [p.read_bytes() for p in sorted(folder.glob("anthropic_usage_*"))] == (
        ANTHROPIC_USAGE_PAGES
    )
    assert [p.read_bytes() for p in sorted(folder.glob("anthropic_cost_*"))] == (
        ANTHROPIC_COST_PAGES
    )
    # the opaque cursor went back exactly as received; the first request carried none
    assert [s.query.get("page") for s in server.requests_to(ANTHROPIC_COST)] == [
        None, [CURSOR_2], [CURSOR_3],
    ]  # fmt: skip
    usage = server.requests_to(ANTHROPIC_USAGE)
    assert [s.query.get("page") for s in usage] == [None, [CURSOR_2]]
    assert usage[0].query == {
        "starting_at": ["2026-09-01T00:00:00Z"],
        "ending_at": ["2026-09-04T00:00:00Z"],
        "bucket_width": ["1d"],
        "group_by[]": [
            "api_key_id", "workspace_id", "model", "service_tier", "context_window",
            "inference_geo",
        ],
        "limit": ["31"],
    }  # fmt: skip
    cost = server.requests_to(ANTHROPIC_COST)[0]
    assert cost.query["group_by[]"] == ["workspace_id", "description"]
    assert cost.query["bucket_width"] == ["1d"] and cost.query["limit"] == ["31"]
    assert {s.headers["x-api-key"] for s in server.seen} == {ANTHROPIC_KEY}
    assert {s.headers["anthropic-version"] for s in server.seen} == {"2023-06-01"}
    # the loaders recognise every page by its content
    assert {detect_format(p).source_format for p in folder.iterdir()} == {
        "anthropic_usage_report_json", "anthropic_cost_report_json",
    }  # fmt: skip


def test_pulling_the_same_window_again_overwrites_the_same_files(server, tmp_path):
    script_anthropic(server)
    env = anthropic_env(server)
    pull_reports("anthropic", SEPT, tmp_path, env=env)
    first = files_under(tmp_path)
    # the same window again: the usage report now fits one page, the cost report
    # still takes three
    server.script[ANTHROPIC_USAGE] = [Reply(body=anthropic_page(bucket(*DAY[1])))]
    server.script[ANTHROPIC_COST] = [Reply(body=body) for body in ANTHROPIC_COST_PAGES]

    pull_reports("anthropic", SEPT, tmp_path, env=env)

    # page 2 of the earlier usage pull is gone, not left to be loaded beside the new one
    assert files_under(tmp_path) == [
        name for name in first if "usage_report_1d" not in name or "page-0001" in name
    ]
    usage = tmp_path / f"anthropic_usage_report_1d_{STAMP}_page-0001.json"
    assert usage.read_bytes() == anthropic_page(bucket(*DAY[1]))


def test_an_hourly_pull_asks_for_hourly_buckets_and_the_largest_page(server, tmp_path):
    server.script[ANTHROPIC_USAGE] = [Reply(body=anthropic_page())]
    server.script[ANTHROPIC_COST] = [Reply(body=anthropic_page())]

    result = pull_reports("anthropic", SEPT, tmp_path, bucket_width="1h", env=anthropic_env(server))

    usage = server.requests_to(ANTHROPIC_USAGE)[0].query
    assert usage["bucket_width"] == ["1h"] and usage["limit"] == ["168"]
    # the cost report exists in daily buckets only
    assert server.requests_to(ANTHROPIC_COST)[0].query["bucket_width"] == ["1d"]
    assert [p.name for p in result.files] == [
        f"anthropic_usage_report_1h_{STAMP}_page-0001.json",
        f"anthropic_cost_report_1d_{STAMP}_page-0001.json",
    ]


def test_a_429_waits_its_retry_after_then_succeeds(server, tmp_path):
    rate_limited = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}
    server.script[ANTHROPIC_USAGE] = [
        Reply(429, json.dumps(rate_limited).encode(), {"Retry-After": "7"}),
        Reply(body=ANTHROPIC_USAGE_PAGES[1]),
    ]
    server.script[ANTHROPIC_COST] = [Reply(body=anthropic_page())]
    retry, sleeps = fast_retry()

    result = pull_reports("anthropic", SEPT, tmp_path, env=anthropic_env(server), retry=retry)

    assert sleeps == [7.0]  # the server's Retry-After, not our backoff
    assert len(server.requests_to(ANTHROPIC_USAGE)) == 2
    assert result.reports["usage_report_1d"] == (1, 2)
    assert result.files[0].read_bytes() == ANTHROPIC_USAGE_PAGES[1]


def test_a_5xx_is_retried_with_jittered_backoff_then_succeeds(server, tmp_path):
    server.script[ANTHROPIC_USAGE] = [Reply(body=ANTHROPIC_USAGE_PAGES[0])]
    server.script[ANTHROPIC_COST] = [Reply(body=anthropic_page())]
    # page 2 of the usage report fails twice (an overload, a gateway error), then comes
    server.script[ANTHROPIC_USAGE] += [
        Reply(529, b'{"type": "error", "error": {"type": "overloaded_error"}}'),
        Reply(502, b"<html>Bad Gateway</html>"),
        Reply(body=ANTHROPIC_USAGE_PAGES[1]),
    ]
    retry, sleeps = fast_retry()

    result = pull_reports("anthropic", SEPT, tmp_path, env=anthropic_env(server), retry=retry)

    # full jitter: at most base x 2^(n-1), capped
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.01 and 0 <= sleeps[1] <= 0.02
    # the retried request asked for the same page
    assert [s.query.get("page") for s in server.requests_to(ANTHROPIC_USAGE)] == [
        None, [CURSOR_2], [CURSOR_2], [CURSOR_2],
    ]  # fmt: skip
    assert result.reports["usage_report_1d"] == (2, 3)


def test_a_persistent_5xx_is_a_clear_error_and_writes_nothing(server, tmp_path):
    exports = tmp_path / "exports"
    script_anthropic(server)
    pull_reports("anthropic", SEPT, exports, env=anthropic_env(server))
    before = {p: p.read_bytes() for p in exports.iterdir()}
    # a later pull of the same window: the usage report comes, page 2 of the cost report
    # never does
    server.script[ANTHROPIC_USAGE] = [Reply(body=anthropic_page(bucket(*DAY[1])))]
    server.script[ANTHROPIC_COST] = [Reply(body=ANTHROPIC_COST_PAGES[0])] + [
        Reply(503, b'{"error": {"message": "upstream unavailable"}}') for _ in range(3)
    ]
    retry, sleeps = fast_retry(attempts=3)

    with pytest.raises(PullError) as raised:
        pull_reports("anthropic", SEPT, exports, env=anthropic_env(server), retry=retry)

    assert str(raised.value) == (
        f"anthropic cost_report_1d (GET {server.base_url}{ANTHROPIC_COST}), page 2 "
        f"(page={CURSOR_2}): gave up after 3 attempts; last: HTTP 503: upstream unavailable"
    )
    assert len(sleeps) == 2  # bounded: three attempts, two waits
    # no partial page, no staging folder, and the earlier pull's files untouched
    assert {p: p.read_bytes() for p in exports.iterdir()} == before


def test_a_401_fails_at_once_with_the_providers_message_and_never_the_key(server, tmp_path):
    wrong = "sk-ant-admin01-WRONG-secret-value-42"
    retry, sleeps = fast_retry()

    with pytest.raises(PullError) as raised:
        pull_reports("anthropic", SEPT, tmp_path, env=anthropic_env(server, wrong), retry=retry)

    message = str(raised.value)
    assert message.startswith(
        f"anthropic usage_report_1d (GET {server.base_url}{ANTHROPIC_USAGE}), page 1: "
        "HTTP 401: invalid x-api-key (check ANTHROPIC_ADMIN_KEY"
    )
    assert wrong not in message and "WRONG" not in message
    assert sleeps == [] and len(server.seen) == 1  # not retried
    assert files_under(tmp_path) == []


def test_a_400_names_the_providers_error(server, tmp_path):
    error = {"type": "invalid_request_error", "message": "limit: must be at most 31"}
    server.script[ANTHROPIC_USAGE] = [
        Reply(400, json.dumps({"type": "error", "error": error}).encode())
    ]

    with pytest.raises(PullError, match=r"page 1: HTTP 400: limit: must be at most 31$"):
        pull_reports("anthropic", SEPT, tmp_path, env=anthropic_env(server))


def test_a_page_that_claims_more_without_a_cursor_is_an_error(server, tmp_path):
    body = json.dumps({"data": [], "has_more": True, "next_page": None}).encode()
    server.script[ANTHROPIC_USAGE] = [Reply(body=body)]

    with pytest.raises(PullError, match="page 1: has_more is true but next_page is None"):
        pull_reports("anthropic", SEPT, tmp_path, env=anthropic_env(server))
    assert files_under(tmp_path) == []


def test_an_unreachable_server_is_retried_then_named(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"ANTHROPIC_ADMIN_KEY": ANTHROPIC_KEY,
           "LLM_COST_AUDIT_ANTHROPIC_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    retry, sleeps = fast_retry(attempts=2)

    with pytest.raises(PullError, match=r"page 1: gave up after 2 attempts; last: network error"):
        pull_reports("anthropic", SEPT, tmp_path, env=env, retry=retry)
    assert len(sleeps) == 1 and files_under(tmp_path) == []


def test_a_missing_key_names_the_environment_variable(tmp_path):
    with pytest.raises(PullError, match="^ANTHROPIC_ADMIN_KEY is not set"):
        pull_reports("anthropic", SEPT, tmp_path, env={})
    with pytest.raises(PullError, match="^OPENAI_ADMIN_KEY is not set"):
        pull_reports("openai", SEPT, tmp_path, env={"OPENAI_ADMIN_KEY": "  "})


def test_the_key_is_never_sent_over_plain_http_to_another_host(tmp_path):
    env = {"ANTHROPIC_ADMIN_KEY": ANTHROPIC_KEY,
           "LLM_COST_AUDIT_ANTHROPIC_BASE_URL": "http://proxy.example.com"}  # fmt: skip
    with pytest.raises(PullError, match="plain http is allowed only to this machine"):
        pull_reports("anthropic", SEPT, tmp_path, env=env)


def test_the_key_is_not_in_an_endpoints_repr():
    endpoints = anthropic.endpoints(SEPT, "1d", ANTHROPIC_KEY, "https://api.anthropic.com")
    assert ANTHROPIC_KEY not in repr(endpoints) and "usage_report_1d" in repr(endpoints)


def test_the_window_is_validated():
    with pytest.raises(ValueError, match="must be before --until"):
        Window(datetime(2026, 9, 4, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC))


# -- OpenAI -------------------------------------------------------------------------------

OPENAI_USAGE_PAGES = [
    openai_page(
        openai_bucket(
            1,
            {
                "object": "organization.usage.completions.result",
                "input_tokens": 1_000_000,
                "output_tokens": 200_000,
                "input_cached_tokens": 400_000,
                "num_model_requests": 120,
                "project_id": "proj_abc",
                "user_id": None,
                "api_key_id": "key_abc",
                "model": "gpt-5-2025-08-07",
                "batch": False,
                "service_tier": "default",
            },
        ),
        next_page="AAAAAGdGxdEiJdKOAAAAAGcqsYA=",
    ),
    openai_page(openai_bucket(2), openai_bucket(3)),  # empty buckets: `results: []`
]
OPENAI_COST_PAGES = [
    openai_page(
        openai_bucket(
            1,
            {
                "object": "organization.costs.result",
                "amount": {"value": 1.25, "currency": "usd"},
                "line_item": "gpt-5-2025-08-07, input",
                "project_id": "proj_abc",
            },
        )
    )
]


def test_openai_pages_are_written_byte_identical_in_the_documented_envelope(server, tmp_path):
    server.script[OPENAI_USAGE] = [Reply(body=body) for body in OPENAI_USAGE_PAGES]
    server.script[OPENAI_COSTS] = [Reply(body=body) for body in OPENAI_COST_PAGES]

    result = pull_reports("openai", SEPT, tmp_path, account="globex", env=openai_env(server))

    folder = tmp_path / "account=globex"
    assert [p.relative_to(tmp_path).as_posix() for p in result.files] == [
        f"account=globex/openai_usage_completions_1d_{STAMP}_page-0001.json",
        f"account=globex/openai_usage_completions_1d_{STAMP}_page-0002.json",
        f"account=globex/openai_costs_1d_{STAMP}_page-0001.json",
    ]
    assert [p.read_bytes() for p in result.files] == OPENAI_USAGE_PAGES + OPENAI_COST_PAGES
    assert files_under(folder) == sorted(p.name for p in result.files)
    for path in result.files:
        page = json.loads(path.read_bytes())
        assert page["object"] == "page" and {b["object"] for b in page["data"]} == {"bucket"}
    assert result.reports == {"usage_completions_1d": (2, 3), "costs_1d": (1, 1)}

    usage = server.requests_to(OPENAI_USAGE)
    assert usage[0].query == {
        "start_time": ["1788220800"],  # 2026-09-01T00:00:00Z
        "end_time": ["1788480000"],  # 2026-09-04T00:00:00Z
        "bucket_width": ["1d"],
        "group_by": ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"],
        "limit": ["31"],
    }
    assert usage[1].query["page"] == ["AAAAAGdGxdEiJdKOAAAAAGcqsYA="]
    costs = server.requests_to(OPENAI_COSTS)[0].query
    assert costs["group_by"] == ["project_id", "line_item"] and costs["limit"] == ["180"]
    assert {s.headers["authorization"] for s in server.seen} == {f"Bearer {OPENAI_KEY}"}
    assert all("x-api-key" not in s.headers for s in server.seen)


def test_openai_401_does_not_echo_the_key(server, tmp_path):
    wrong = "sk-admin-WRONGWRONGWRONG1234"
    with pytest.raises(PullError) as raised:
        pull_reports("openai", SEPT, tmp_path, env=openai_env(server, wrong))
    message = str(raised.value)
    # the server echoed part of the key in its message: it is scrubbed
    assert "HTTP 401: Incorrect API key provided: sk-[redacted]." in message
    assert "WRONG" not in message and "OPENAI_ADMIN_KEY" in message


# -- the CLI, and the pulled pages audited end to end --------------------------------------


def test_cli_pull_without_a_key_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_ADMIN_KEY", raising=False)
    code = main(["pull", "anthropic", "--since", "2026-09-01", "--out", str(tmp_path)])
    assert code == 1
    assert "error: ANTHROPIC_ADMIN_KEY is not set" in capsys.readouterr().err


def test_cli_pull_rejects_a_bad_window(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", ANTHROPIC_KEY)
    args = ["pull", "anthropic", "--out", str(tmp_path)]
    assert main([*args, "--since", "2026-09-04", "--until", "2026-09-01"]) == 1
    assert "must be before --until" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main([*args, "--since", "yesterday"])
    assert exited.value.code == 2
    assert "'yesterday' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


@pytest.mark.slow
def test_pulled_anthropic_reports_audit_to_hand_computed_costs(
    server, tmp_path, monkeypatch, capsys
):
    script_anthropic(server)
    for name, value in anthropic_env(server).items():
        monkeypatch.setenv(name, value)
    exports = tmp_path / "exports"

    code = main(
        ["pull", "anthropic", "--since", "2026-09-01", "--until", "2026-09-04",
         "--out", str(exports), "--account", "acme"]
    )  # fmt: skip

    out = capsys.readouterr().out
    assert code == 0, out
    assert "anthropic usage_report_1d: 2 page(s), 3 bucket(s)" in out
    assert "anthropic cost_report_1d: 3 page(s), 3 bucket(s)" in out
    assert ANTHROPIC_KEY not in out
    warehouse = tmp_path / "pulled.duckdb"
    assert audit(exports, warehouse) == 0

    # costs worked out above ANTHROPIC_USAGE_PAGES
    daily = query(
        warehouse,
        "select account, cast(usage_date as varchar), sum(current_cost_usd) "
        "from marts.fct_llm_usage group by 1, 2",
    )
    assert {(a, d): cost for a, d, cost in daily} == {
        ("acme", "2026-09-01"): Decimal("6.00"),
        ("acme", "2026-09-02"): Decimal("2.50"),
    }
    lines = query(
        warehouse,
        "select cast(cost_date as varchar), model_id, token_bucket, comparison_basis, "
        "reported_cost_usd, computed_cost_usd, variance_pct, status "
        "from marts.cost_reconciliation where account = 'acme' order by 1, 2, 3",
    )
    assert lines == [
        ("2026-09-01", "claude-sonnet-4-5", "input", "billed",
         Decimal("3"), Decimal("3"), Decimal("0"), "ok"),
        ("2026-09-01", "claude-sonnet-4-5", "output", "billed",
         Decimal("3"), Decimal("3"), Decimal("0"), "ok"),
        ("2026-09-02", "claude-haiku-4-5", "input", "billed",
         Decimal("2"), Decimal("2"), Decimal("0"), "open_day"),
        ("2026-09-02", "claude-haiku-4-5", "output", "billed",
         Decimal("0.5"), Decimal("0.5"), Decimal("0"), "open_day"),
    ]  # fmt: skip


def _openai_cost_result(value: str, line_item: str) -> dict:
    return {"object": "organization.costs.result", "amount": {"value": value, "currency": "usd"},
            "line_item": line_item, "project_id": "proj_abc"}  # fmt: skip


@pytest.mark.slow
def test_pulled_openai_reports_audit_to_hand_computed_costs(server, tmp_path, monkeypatch, capsys):
    # Day 1 as in OPENAI_USAGE_PAGES: gpt-5 at standard ($1.25 input, $0.125 cached input,
    # $10 output per million): 600,000 uncached x 1.25 = $0.75, 400,000 cached x 0.125 =
    # $0.05, 200,000 output x 10 = $2.00; $2.80. The bill says the same per line item; day
    # 2, the export's last, is open and not judged.
    server.script[OPENAI_USAGE] = [Reply(body=body) for body in OPENAI_USAGE_PAGES]
    server.script[OPENAI_COSTS] = [Reply(body=openai_page(
        openai_bucket(1, _openai_cost_result("0.75", "gpt-5-2025-08-07, input"),
                      _openai_cost_result("0.05", "gpt-5-2025-08-07, cached input"),
                      _openai_cost_result("2.00", "gpt-5-2025-08-07, output")),
        openai_bucket(2, _openai_cost_result("0.00", "gpt-5-2025-08-07, input")),
    ))]  # fmt: skip
    for name, value in openai_env(server).items():
        monkeypatch.setenv(name, value)
    exports = tmp_path / "exports"

    code = main(
        ["pull", "openai", "--since", "2026-09-01", "--until", "2026-09-04",
         "--out", str(exports), "--account", "globex"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().out
    warehouse = tmp_path / "pulled.duckdb"
    assert audit(exports, warehouse) == 0

    assert query(
        warehouse,
        "select account, cast(usage_date as varchar), model_id, workspace, api_key, "
        "sum(current_cost_usd) from marts.fct_llm_usage group by all",
    ) == [("globex", "2026-09-01", "gpt-5", "proj_abc", "key_abc", Decimal("2.80"))]
    lines = query(
        warehouse,
        "select cast(cost_date as varchar), token_bucket, reported_cost_usd, computed_cost_usd, "
        "status from marts.cost_reconciliation where account = 'globex' and cost_date = "
        "'2026-09-01' order by 2",
    )
    assert lines == [
        ("2026-09-01", "cache_read", Decimal("0.05"), Decimal("0.05"), "ok"),
        ("2026-09-01", "input", Decimal("0.75"), Decimal("0.75"), "ok"),
        ("2026-09-01", "output", Decimal("2.00"), Decimal("2.00"), "ok"),
    ]
