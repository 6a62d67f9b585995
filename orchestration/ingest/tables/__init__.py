"""One module per raw table: its DDL, key, per-file checks, finaliser, committed-row
suite and description, declared as `TABLE` (registry.RawTable). Each table is a dbt
source (models/staging/) and a raw-load asset in Dagster (`raw/<table>`); `catalog.py`
finds every module here.
"""
