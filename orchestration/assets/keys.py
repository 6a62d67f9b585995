"""Asset keys, one rule for every node: `<schema>/<name>`. A dbt source in schema raw is
keyed like the ingest asset that loads its table (`raw/anthropic_usage`), whatever its
source block is named, so each staging model hangs off the load that fills its table."""

from collections.abc import Mapping
from typing import Any

import dagster as dg

RAW_SCHEMA = "raw"


def raw_asset_key(table: str) -> dg.AssetKey:
    """The ingest asset loading `raw.<table>`."""
    return dg.AssetKey([RAW_SCHEMA, table])


def dbt_asset_key(dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
    """A dbt node's key: its schema and name (a source's schema is where it is loaded)."""
    return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
