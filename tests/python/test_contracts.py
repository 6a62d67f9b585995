"""Negotiated prices end to end: a user records contract terms in the seed
`contracted_discounts`, rebuilds, and the marts carry list and contracted cost side by
side, with the levers chosen and the savings reported on what the user pays.

The worked example (50M input + 10M output tokens of async classification on Opus 4.5,
$500 at list) runs on 2026-09-01 and again on 2026-10-20 under these terms:
- September: 20% off every Anthropic model;
- from October: 90% off Opus 4.5 alone, and 10% off every other Anthropic model.
"""

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import query

from orchestration.project import NIGHTLY_EXCLUSIONS, REPO_ROOT, dbt_executable
from orchestration.report import load_summary, render_markdown
from orchestration.warehouse import connect

TERMS = """provider,model_pattern,discount_percent,valid_from,valid_to,note
anthropic,,20,2026-09-01,2026-10-01,September: 20% off everything
anthropic,claude-opus-4-5,90,2026-10-01,,Opus 4.5 commitment
anthropic,%,10,2026-10-01,,October on: 10% off the rest
"""

PROJECT_FILES = ("dbt_project.yml", "profiles", "models", "macros", "seeds", "tests/dbt")


@pytest.fixture(scope="module")
def contracted_warehouse(worked_example_warehouse, tmp_path_factory) -> Path:
    """The user's edit: a copy of the dbt project with the terms in the seed, built over a
    copy of the worked example's warehouse (its raw data already loaded)."""
    root = tmp_path_factory.mktemp("contracts")
    project = root / "project"
    for name in PROJECT_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            project.mkdir(exist_ok=True)
            shutil.copy2(source, project / name)
    (project / "seeds" / "curated" / "contracted_discounts.csv").write_text(TERMS)
    warehouse = root / "contracted.duckdb"
    shutil.copy2(worked_example_warehouse, warehouse)
    # A seed edit changes the figures of every day: dbt by hand needs --full-refresh (the
    # CLI and the schedule notice the changed project and do it by themselves).
    completed = subprocess.run(
        # the unit tests run once, in test_dbt_unit_tests.py; this build is for its figures
        [dbt_executable(), "build", "--full-refresh", *NIGHTLY_EXCLUSIONS,
         "--project-dir", str(project), "--profiles-dir", str(project / "profiles"),
         "--target-path", str(root / "target")],
        cwd=project,
        env={**os.environ, "LLM_COST_AUDIT_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]
    return warehouse


def test_list_and_contracted_cost_side_by_side(contracted_warehouse):
    months = {
        month: costs
        for month, *costs in query(
            contracted_warehouse,
            """
            select strftime(usage_at, '%Y-%m'), min(recommended_model),
                   sum(current_cost_usd), sum(current_contracted_cost_usd),
                   sum(tiered_cost_usd), sum(tiered_contracted_cost_usd),
                   sum(batched_contracted_cost_usd), sum(optimized_cost_usd),
                   sum(optimized_contracted_cost_usd), min(contract_source)
            from marts.fct_llm_usage group by 1
            """,
        )
    }
    # September, 20% off: every scenario at 80% of its list cost; Haiku recommended
    assert months["2026-09"] == [
        "claude-haiku-4-5", 500, 400, 100, 80, 200, 50, 40, "September: 20% off everything"
    ]  # fmt: skip
    # October: Opus at 10% of list ($50) beats Haiku at 90% ($90): no tiering; batch
    # still halves it ($25)
    assert months["2026-10"] == [
        "claude-opus-4-5", 500, 50, 500, 50, 25, 250, 25, "Opus 4.5 commitment"
    ]  # fmt: skip


def test_totals_and_savings_are_on_contracted_cost(contracted_warehouse):
    (list_current, current, tiered, batched, optimized) = query(
        contracted_warehouse,
        """
        select current_cost_usd, current_contracted_cost_usd, tiered_contracted_cost_usd,
               batched_contracted_cost_usd, optimized_contracted_cost_usd
        from marts.rpt_scenario_totals where confidence_scope = 'all'
        """,
    )[0]
    assert list_current == 1000
    assert (current, tiered, batched, optimized) == (450, 130, 225, 65)
    findings = {
        lever: (observed_current, savings)
        for lever, observed_current, savings in query(
            contracted_warehouse,
            "select lever, observed_current_cost_usd, observed_savings_usd"
            " from marts.savings_findings",
        )
    }
    # tiering only in September (400 -> 80); batch in both months (400 -> 200, 50 -> 25);
    # both stacked where they apply: 450 -> 40 + 25
    assert findings == {
        "tiering": (Decimal(400), Decimal(320)),
        "batch": (Decimal(450), Decimal(225)),
        "tiering+batch": (Decimal(450), Decimal(385)),
    }


def test_the_report_leads_with_what_you_pay(contracted_warehouse):
    with connect(contracted_warehouse, read_only=True) as con:
        summary = load_summary(con)
    assert summary.headline_observed.current == Decimal(450)
    assert summary.headline_observed.optimized == Decimal(65)
    assert "$450.00 over the window against $1,000.00 at list price" in render_markdown(summary)


def test_focus_export_carries_list_and_contracted_cost(contracted_warehouse):
    (list_cost, contracted, effective, discounted_rows) = query(
        contracted_warehouse,
        "select sum(ListCost), sum(ContractedCost), sum(EffectiveCost),"
        " count(*) filter (where ContractedUnitPrice < ListUnitPrice)"
        " from marts.focus_llm_costs",
    )[0]
    assert (list_cost, contracted, effective) == (1000, 450, 450)
    assert discounted_rows > 0
