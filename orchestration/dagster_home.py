"""The Dagster instance folder for `make dagster`: telemetry off, and one run at a time on
the warehouse (the schedule and the sensor may both want to start one; DuckDB takes one
writer). `python -m orchestration.dagster_home DIR` writes DIR/dagster.yaml."""

import sys
from pathlib import Path

from orchestration.schedules import WRITER_TAG

DAGSTER_YAML = """\
# Written by `make dagster` (orchestration/dagster_home.py); edit freely, it is kept.
telemetry:
  enabled: false
concurrency:
  runs:
    # runs of the audit job queue behind each other: one writer on the warehouse file
    tag_concurrency_limits:
      - key: "{key}"
        value: "{value}"
        limit: 1
"""


def write_dagster_home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        [(key, value)] = WRITER_TAG.items()
        config.write_text(DAGSTER_YAML.format(key=key, value=value))
    return config


if __name__ == "__main__":
    print(write_dagster_home(Path(sys.argv[1]).resolve()))
