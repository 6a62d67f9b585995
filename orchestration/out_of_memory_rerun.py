"""One more try, one node at a time, for a build in which DuckDB ran out of memory.

dbt builds two nodes at once on DuckDB (the profile's `threads`), and both queries share
the warehouse's one memory limit. DuckDB spills what it can, but two large joins or
aggregations side by side can still exhaust it: at 10M calls a full build once failed so,
in a key test run beside the tier ladder (benchmarks/RESULTS.md, ninth run). DuckDB's own
advice is fewer threads. So when a node fails with DuckDB's out-of-memory error, the dbt
step builds again what did not build or run, one node at a time and each query on one
thread, and keeps what already built: every model is idempotent (a table rebuilt whole,
an incremental one replacing its days), so the rerun converges as any rerun of a
half-failed build does (docs/operating.md, "Memory"). Only if that fails too is the build
failed; the report then says to raise the memory limit.
"""

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from orchestration.build_failures import BuildFailure

# What the rerun leaves out: each node the first build finished, passed or warned. A test
# that failed runs again, so what depends on it is skipped again, as dbt build does.
FINISHED = "result:success result:pass result:warn"


# The progress line's words when a build reruns (the CLI prints it; benchmarks and tests
# look for it).
RERUN_SAID = "building what is left one node at a time"

# Read by the on-run-start hook `query_threads` (macros/query_threads.sql).
QUERY_THREADS_ENV = "LLM_COST_AUDIT_DUCKDB_THREADS"


def rerun_args(first_build_target: Path) -> list[str]:
    """dbt arguments, beside the first build's own, for the rerun: one node at a time; the
    nodes the first build finished excluded, read from its run_results.json. Without
    indirect selection, as dbt's default would also exclude a test that could not run
    because its model, which built, is excluded. (A run of a few assets from the UI thus
    reruns the tests it names, not those it took in through their models.)"""
    return ["--threads", "1", "--exclude", FINISHED, "--state", str(first_build_target),
            "--indirect-selection", "empty"]  # fmt: skip


@contextmanager
def one_thread_per_query() -> Iterator[None]:
    """For a dbt process started inside: each DuckDB query on one thread, which holds
    less in memory at once (a hash table or sort per thread)."""
    before = os.environ.get(QUERY_THREADS_ENV)
    os.environ[QUERY_THREADS_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[QUERY_THREADS_ENV]
        else:
            os.environ[QUERY_THREADS_ENV] = before


def merged_failures(
    first: Iterable[BuildFailure], rerun: Iterable[BuildFailure], rerun_ran: Iterable[str]
) -> list[BuildFailure]:
    """What the two builds leave failing: the rerun's word on each node it ran."""
    ran = set(rerun_ran)
    return [f for f in first if f.unique_id not in ran] + list(rerun)


class HeldCheckResults:
    """Failed check results, held back until the step knows whether a rerun checks
    again: Dagster takes one result per check and step, and the rerun's is the word."""

    def __init__(self) -> None:
        self._held: dict[tuple[dg.AssetKey, str], dg.AssetCheckResult] = {}

    def pass_through(self, events: Iterable[object]) -> Iterator[object]:
        """The events, but each failed check's result held back: the latest replaces an
        earlier one, and a pass drops it (the rerun's result is the word)."""
        for event in events:
            if isinstance(event, dg.AssetCheckResult):
                key = (event.asset_key, event.check_name)
                self._held.pop(key, None)
                if not event.passed:
                    self._held[key] = event
                    continue
            yield event

    def release(self) -> Iterator[dg.AssetCheckResult]:
        yield from self._held.values()
        self._held = {}
