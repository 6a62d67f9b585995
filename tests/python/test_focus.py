"""marts.focus_llm_costs in the FinOps FOCUS 1.2 format, checked by the FOCUS project's own
validator (focus-validator, in .venv-checks: it needs Python >= 3.12) on the published
Parquet and CSV exports, and tied out to the cost marts."""

import os
import re
import subprocess
from decimal import Decimal

import pytest
from conftest import query

from orchestration.project import REPO_ROOT

CHECKS_BIN = REPO_ROOT / ".venv-checks" / "bin"

# What this data supports (the validator then checks the rules that come with each).
APPLICABILITY = ",".join(
    [
        "ACCOUNT_NAMING_SUPPORTED",
        "MULTIPLE_PRICING_CATEGORIES_SUPPORTED",
        "NEGOTIATED_PRICING_SUPPORTED",
        "PUBLIC_PRICE_LIST_SUPPORTED",
        "REGION_SUPPORTED",
        "SUB_ACCOUNT_SUPPORTED",
        "TAGGING_SUPPORTED",
        "UNIT_PRICING_SUPPORTED",
        "USAGE_MEASUREMENT_SUPPORTED",
    ]
)

# focus-validator 2.2.1 checks both halves of InvoiceId's conditional rule with no
# condition: C-004 (null when there is no invoice) and C-005 (not null when there is one)
# can't both pass. Usage exports name no invoice, so InvoiceId is null: C-005 fails.
KNOWN_VALIDATOR_FAILURES = {"InvoiceId-C-005-C"}


def _validate(path) -> tuple[set[str], set[str]]:
    if not (CHECKS_BIN / "focus-validator").exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHECKS_BIN} missing: `make checks-setup` builds it")
        pytest.skip("`make checks-setup` builds .venv-checks")
    site_packages = subprocess.run(
        [str(CHECKS_BIN / "python"), "-c",
         "import focus_validator, os; print(os.path.dirname(os.path.dirname("
         "focus_validator.__file__)))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    completed = subprocess.run(
        [
            str(CHECKS_BIN / "focus-validator"),
            "--data-file", str(path),
            "--validate-version", "1.2",
            "--block-download",
            "--applicability-criteria", APPLICABILITY,
        ],
        cwd=site_packages,  # it opens its rules' currency_codes.csv relative to here
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    passed = set(re.findall(r"(\S+-\d{3}-\w): PASS", output))
    failed = set(re.findall(r"(\S+-\d{3}-\w): FAIL", output))
    return passed, failed


@pytest.mark.parametrize("export", ["focus_llm_costs.parquet", "focus_llm_costs.csv"])
def test_focus_export_passes_the_focus_validator(demo_warehouse, export):
    passed, failed = _validate(demo_warehouse.parent / "published" / "parquet" / export)
    assert failed == KNOWN_VALIDATOR_FAILURES
    assert len(passed) > 200  # the rules really ran: columns, types, values, consistency


def test_focus_costs_tie_out_to_the_cost_marts(demo_warehouse):
    focus = query(
        demo_warehouse,
        """
        select sum(ListCost), sum(ContractedCost), sum(EffectiveCost), sum(BilledCost),
               sum(ConsumedQuantity), count(distinct ProviderName),
               count(*) filter (where ListCost <> cast(PricingQuantity as bigint) * ListUnitPrice),
               count(*) filter (where ChargePeriodEnd - ChargePeriodStart <> interval 1 day)
        from marts.focus_llm_costs
        """,
    )[0]
    marts = query(
        demo_warehouse,
        """
        select sum(current_cost_usd), sum(current_contracted_cost_usd),
               sum(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens
                   + cache_read_tokens + output_tokens)
        from marts.fct_llm_usage where is_priced
        """,
    )[0]
    list_cost, contracted, effective, billed, tokens, providers, inconsistent, not_a_day = focus
    # mart costs are rounded to 16 decimals per row; FOCUS keeps 20: equal to far below a cent
    assert abs(list_cost - marts[0]) < Decimal("1e-12")
    assert abs(contracted - marts[1]) < Decimal("1e-12")
    assert contracted == effective == billed
    assert tokens == marts[2]
    assert providers == len(
        query(demo_warehouse, "select distinct provider from marts.fct_llm_usage where is_priced")
    )
    assert inconsistent == 0 and not_a_day == 0


def test_focus_rows_carry_feature_and_task_class_as_tags(demo_warehouse):
    tags = query(
        demo_warehouse,
        "select distinct json_extract_string(Tags, '$.feature') from marts.focus_llm_costs",
    )
    features = query(
        demo_warehouse,
        "select distinct coalesce(feature, '(none)') from marts.fct_llm_usage where is_priced",
    )
    assert sorted(tags) == sorted(features)
    categories = query(
        demo_warehouse,
        "select distinct ServiceCategory, ServiceSubcategory, ChargeCategory, PricingUnit"
        " from marts.focus_llm_costs",
    )
    assert categories == [("AI and Machine Learning", "Generative AI", "Usage", "Tokens")]
