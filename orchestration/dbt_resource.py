"""The dbt resource the pipeline runs with: dagster-dbt's, without two costs it pays on
every run and this pipeline gets nothing from.

- It asks the executable its version (`dbt --version`, a process of about 3 s of CPU) for
  each copy of the resource, and Dagster copies it for every run. The executable is the
  venv's dbt, whose version is the installed package's.
- It opens a dbt adapter in-process (about 1 s) for metadata the assets never fetch (row
  counts, column schemas).

Both replace private members of `DbtCliResource`: if a dagster-dbt release renames them,
these two stop applying and the pipeline is only as slow as before, never wrong."""

from collections.abc import Sequence
from functools import cached_property

from dagster_dbt import DbtCliResource
from dbt.version import __version__ as DBT_VERSION
from packaging import version


class PipelineDbtResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(DBT_VERSION)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None
