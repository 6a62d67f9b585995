"""`make dagster`'s command for real: the Dagster webserver on a free loopback port, with
the project loaded, asked over GraphQL for the asset graph, the schedule and the sensor;
then the whole process group is stopped."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from orchestration.dagster_home import write_dagster_home
from orchestration.project import REPO_ROOT

pytestmark = pytest.mark.slow  # the Dagster webserver: `make test` only

GRAPH_QUERY = """
{
  assetNodes { assetKey { path } }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        schedules { name cronSchedule executionTimezone }
        sensors { name }
      }
    }
  }
}
"""
STARTUP_LIMIT_SECONDS = 180  # a readiness limit, not a speed assertion


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs (a zombie waiting to be reaped by a
    container's init does not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it exited while we looked
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            return True
    return False


def _stop_group(process: subprocess.Popen) -> None:
    """dagster dev runs a webserver, a daemon and code servers: stop them all, as Ctrl-C
    in a terminal does (SIGINT to the group), then by force whatever is left."""
    if _group_alive(process.pid):
        os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + 60
    while _group_alive(process.pid) and time.monotonic() < deadline:
        process.poll()  # reap the leader once it exits
        time.sleep(0.5)
    if _group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
        while _group_alive(process.pid):
            time.sleep(0.1)
    process.wait()


@pytest.fixture
def dagster_dev(tmp_path: Path):
    home = tmp_path / "dagster_home"
    write_dagster_home(home)
    (tmp_path / "exports").mkdir()
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "LLM_COST_AUDIT_WAREHOUSE": str(tmp_path / "audit.duckdb"),
        "LLM_COST_AUDIT_EXPORTS": str(tmp_path / "exports"),
        "LLM_COST_AUDIT_REPORTS": str(tmp_path / "reports"),
    }
    env.pop("LLM_COST_AUDIT_NIGHTLY_AT", None)
    env.pop("LLM_COST_AUDIT_TIMEZONE", None)
    dagster = Path(sys.executable).parent / "dagster"
    log = (tmp_path / "dagster-dev.log").open("w")
    process = subprocess.Popen(
        [
            str(dagster),
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            "orchestration.definitions",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped whole below
    )
    try:
        yield process, port, tmp_path / "dagster-dev.log"
    finally:
        _stop_group(process)
        log.close()


def _wait_for_graph(process: subprocess.Popen, port: int, log: Path) -> dict:
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            answer = _graphql(port, GRAPH_QUERY)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
            continue
        repositories = (answer.get("data") or {}).get("repositoriesOrError") or {}
        if repositories.get("nodes"):  # the code location has loaded
            return answer["data"]
        time.sleep(1)
    pytest.fail(f"dagster dev did not serve the project:\n{log.read_text()[-3000:]}")


def test_the_ui_serves_the_asset_graph_schedule_and_sensor(dagster_dev):
    process, port, log = dagster_dev
    data = _wait_for_graph(process, port, log)

    keys = {"/".join(node["assetKey"]["path"]) for node in data["assetNodes"]}
    for key in ("raw/canonical_usage", "intermediate/int_usage_priced", "marts/fct_llm_usage",
                "marts/savings_findings", "report/findings", "publish/marts"):  # fmt: skip
        assert key in keys, key
    [repository] = data["repositoriesOrError"]["nodes"]
    assert {"name": "nightly_audit", "cronSchedule": "0 2 * * *", "executionTimezone": "UTC"} in (
        repository["schedules"]
    )
    assert {"name": "new_export_files"} in repository["sensors"]

    _stop_group(process)
    assert not _group_alive(process.pid)  # nothing of the group is left running
