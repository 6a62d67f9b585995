"""Dagster resources: where the warehouse, the exports and the report live for a run."""

from pathlib import Path

import dagster as dg


class AuditPaths(dg.ConfigurableResource):
    """The three paths a run works on. The CLI sets them per invocation; the schedule
    takes them from the environment (see definitions.py)."""

    warehouse: str
    exports_dir: str
    report_dir: str

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse).resolve()

    @property
    def exports_path(self) -> Path:
        return Path(self.exports_dir).resolve()

    @property
    def report_path(self) -> Path:
        return Path(self.report_dir).resolve()
