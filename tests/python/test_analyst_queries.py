"""The README's analyst questions, run the way Superset and Metabase connect: SQLAlchemy
with duckdb-engine, read-only, against the published file (not the working warehouse)."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orchestration.project import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
SECTION = re.search(r"<!-- analyst-queries.*?-->(.*)<!-- /analyst-queries -->", README, re.S)
QUERIES = re.findall(r"```sql\n(.*?)```", SECTION.group(1), re.S) if SECTION else []


def test_the_readme_has_the_analyst_questions():
    assert len(QUERIES) >= 4
    text = " ".join(QUERIES)
    for mart in ("rpt_savings_by_scope", "fct_daily_costs", "rpt_unpriced_usage",
                 "cost_reconciliation"):  # fmt: skip
        assert f"marts.{mart}" in text


def _published_engine(warehouse):
    published = warehouse.parent / "published" / warehouse.name
    return sa.create_engine(f"duckdb:///{published}?access_mode=read_only")


@pytest.fixture(scope="module")
def engine(demo_warehouse):
    engine = _published_engine(demo_warehouse)
    yield engine
    engine.dispose()


@pytest.mark.slow  # the demo's and the Anthropic fixtures' audits, asked for by name below
@pytest.mark.parametrize("number", range(len(QUERIES)))
def test_each_readme_question_answers_from_the_published_file(request, number):
    sql = QUERIES[number].strip().rstrip(";")
    # the demo is canonical-format only: reconciliation needs provider cost reports
    if "cost_reconciliation" in sql:
        engine = _published_engine(request.getfixturevalue("anthropic_warehouse"))
    else:
        engine = request.getfixturevalue("engine")
    with engine.connect() as connection:
        result = connection.execute(sa.text(sql))
        rows = result.fetchall()
        columns = list(result.keys())
    assert rows, f"question {number + 1} returned nothing on the demo"
    assert all(name and not name.startswith("(") for name in columns)  # named, BI-ready
    money = [i for i, name in enumerate(columns) if re.search(r"_usd$|_cost$|savings", name)]
    for row in rows:  # money reaches the BI driver as exact decimals, never floats
        assert all(row[i] is None or isinstance(row[i], Decimal) for i in money), row


def test_the_published_file_refuses_writes(engine):
    with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError, match="read"):
        connection.execute(sa.text("delete from marts.savings_findings"))
