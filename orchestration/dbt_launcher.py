"""The dbt the pipeline runs (`llm-cost-audit-dbt`): dbt itself, with one change to when it
reuses its last parse of the project.

dbt parses the project in full (about 7 s of CPU here, a third of a small warehouse's
build) unless its saved parse still matches, and one of the things it compares is every
connection field of the profile, the warehouse file's path included. Each warehouse at a
new path, a test's or a second audit folder's, was parsed anew. What a parse holds depends
on the file's stem (dbt-duckdb names the database after it, and every node records it) but
not on the folder; so here the path is left out of that comparison and the stem, with every
other field, stays in it. Which saved parse a run starts from is
orchestration/dbt_parse_cache.py's business."""

from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.cli.main import cli

_DBT_CONNECTION_KEYS = DuckDBCredentials._connection_keys


def _connection_keys_but_the_path(self: DuckDBCredentials) -> tuple[str, ...]:
    return tuple(key for key in _DBT_CONNECTION_KEYS(self) if key != "path")


def main() -> None:
    DuckDBCredentials._connection_keys = _connection_keys_but_the_path
    cli()
