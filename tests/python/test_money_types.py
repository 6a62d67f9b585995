"""DuckDB turns decimals into doubles quietly (a division, avg(), read_json): every money
column the marts and price seeds expose must still be DECIMAL."""

from conftest import query


def _money_columns(warehouse, schema: str) -> list[tuple[str, str, str]]:
    return query(
        warehouse,
        """
        select table_name, column_name, data_type
        from information_schema.columns
        where table_schema = ? and (column_name like '%_usd' or column_name like '%_usd_per_mtok'
            or column_name like '%_usd_per_kcall'
            or column_name like '%multiplier' or column_name like '%contract_rate'
            or column_name = 'monthly_factor')
        order by table_name, column_name
        """,
        [schema],
    )


def test_every_mart_money_column_is_decimal(demo_warehouse):
    columns = _money_columns(demo_warehouse, "marts")
    tables = {table for table, _, _ in columns}
    assert {"fct_llm_usage", "fct_daily_costs", "savings_findings", "rpt_scenario_totals"} <= tables
    not_decimal = [c for c in columns if not c[2].startswith("DECIMAL")]
    assert not_decimal == []


def test_cost_columns_keep_sixteen_decimals(demo_warehouse):
    types = {
        column: data_type
        for table, column, data_type in _money_columns(demo_warehouse, "marts")
        if table == "fct_llm_usage"
    }
    for scenario in ("current", "tiered", "batched", "cached", "tiered_batched", "optimized"):
        assert types[f"{scenario}_cost_usd"] == "DECIMAL(38,16)"
        assert types[f"{scenario}_contracted_cost_usd"] == "DECIMAL(38,16)"
    assert types["contract_rate"].startswith("DECIMAL")


def test_price_seeds_and_calendar_are_decimal(demo_warehouse):
    columns = _money_columns(demo_warehouse, "seeds") + _money_columns(
        demo_warehouse, "intermediate"
    )
    assert any(table == "model_prices" for table, _, _ in columns)
    assert any(table == "int_prices_effective" for table, _, _ in columns)
    assert [c for c in columns if not c[2].startswith("DECIMAL")] == []
