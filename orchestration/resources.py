"""Dagster resources: where the warehouse, the exports and the report live for a run."""

from pathlib import Path

import dagster as dg

from orchestration.settings import config_dir_from


class AuditPaths(dg.ConfigurableResource):
    """The paths a run works on. The CLI sets them per invocation; the schedule takes
    them from the environment (see definitions.py). The published copy goes to
    `publish_dir`, by default `published/` beside the warehouse. `config_dir` is the
    user's settings directory (orchestration/settings.py); empty: the project's defaults.
    `undated_day` (YYYY-MM-DD, `run --undated-day`) dates records that carry no time when
    no `date=` folder does; empty: such files are refused."""

    warehouse: str
    exports_dir: str
    report_dir: str
    publish_dir: str = ""
    config_dir: str = ""
    undated_day: str = ""

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse).resolve()

    @property
    def exports_path(self) -> Path:
        return Path(self.exports_dir).resolve()

    @property
    def report_path(self) -> Path:
        return Path(self.report_dir).resolve()

    @property
    def config_path(self) -> Path | None:
        return config_dir_from(self.config_dir)

    @property
    def publish_path(self) -> Path:
        return default_publish_dir(self.warehouse_path, self.publish_dir)


def default_publish_dir(warehouse: Path, publish_dir: str | Path | None = None) -> Path:
    return Path(publish_dir).resolve() if publish_dir else warehouse.parent / "published"
