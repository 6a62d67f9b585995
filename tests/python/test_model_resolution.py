"""Which model a spelling means, resolved in SQL by the real pipeline (int_model_resolution
evaluating the generated seed model_match_rules on DuckDB), held to genai-prices' own
`find_provider_model` for every spelling it knows (tests/python/model_spellings.py), to
the shapes real exports use, and to ids it does not know. One audit of one canonical file
with a call per spelling; the oracle test prices calls of these spellings."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import audit, query, write_canonical_csv
from genai_prices.types import _normalize_compact_dated_ref
from model_spellings import (
    REAL_EXPORT_SPELLINGS,
    UNKNOWN_SPELLINGS,
    genai_resolution,
    genai_spellings,
)

from orchestration.project import PROFILES_DIR, REPO_ROOT, WAREHOUSE_ENV, dbt_executable

PRICED_MODELS = {
    (row["provider"], row["model_id"])
    for row in csv.DictReader((REPO_ROOT / "seeds/generated/model_prices.csv").open())
}


def spellings_in_exports() -> list[tuple[str, str]]:
    """(provider, spelling as exported): the spellings the warehouse is asked about, once."""
    spellings = [
        *genai_spellings(),
        *((provider, spelling) for provider, spelling, _, _ in REAL_EXPORT_SPELLINGS),
        *UNKNOWN_SPELLINGS,
    ]
    return list(dict.fromkeys(spellings))


@pytest.fixture(scope="module")
def resolution_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("resolution")
    rows = [
        {
            "request_id": f"spelling-{n}",
            "timestamp": "2026-10-20T12:00:00Z",
            "provider": provider,
            "model": spelling,
            "input_tokens": 1000,
            "output_tokens": 100,
        }
        for n, (provider, spelling) in enumerate(spellings_in_exports())
    ]
    write_canonical_csv(root / "exports" / "calls.csv", rows)
    warehouse = root / "resolution.duckdb"
    assert audit(root / "exports", warehouse) == 0
    return warehouse


@pytest.fixture(scope="module")
def resolved(resolution_warehouse) -> dict[tuple[str, str], tuple]:
    """(provider, lower-case spelling) -> (model_provider, matched_model_id, model_id,
    resolved_by), as the warehouse resolved it."""
    return {
        (provider, spelling): tuple(rest)
        for provider, spelling, *rest in query(
            resolution_warehouse,
            "select provider, model_spelling, model_provider, matched_model_id, model_id,"
            " resolved_by from intermediate.int_model_resolution",
        )
    }


def test_every_spelling_genai_prices_knows_resolves_to_its_model(resolved) -> None:
    """Every model id its search reaches, every exact spelling its rules list and their
    compact-dated forms, for anthropic, openai, google, aws and openrouter: the SQL finds
    the model genai-prices finds (the seller's list it is on included), and prices it
    where the seeds carry a price for it."""
    known = 0
    for provider, spelling in genai_spellings():
        expected = genai_resolution(provider, spelling)
        if expected is None:
            continue  # listed, yet genai-prices' rules do not match it: next test
        known += 1
        model_provider, matched, priced, resolved_by = resolved[provider, spelling]
        assert (model_provider, matched) == expected, (provider, spelling, resolved_by)
        assert resolved_by in ("match_rule", "match_rule_compact_date"), (provider, spelling)
        carried = {(provider, matched), (model_provider, matched)} & PRICED_MODELS
        assert priced == (matched if carried else None), (provider, spelling)
    assert known > 1800


def test_ids_genai_prices_lists_but_does_not_match_are_priced_by_their_own_id(resolved):
    """A documented difference: a few model ids genai-prices lists are not spellings its
    rules accept (Bedrock's `regional.` placeholders, `ft:gpt-4o`); the project's alias of
    the model's own id prices them as that model."""
    unmatched_priced = [
        (provider, spelling)
        for provider, spelling in genai_spellings()
        if genai_resolution(provider, spelling) is None and (provider, spelling) in PRICED_MODELS
    ]
    assert ("openai", "ft:gpt-4o") in unmatched_priced and len(unmatched_priced) > 20
    for provider, spelling in unmatched_priced:
        _, matched, priced, resolved_by = resolved[provider, spelling]
        assert (matched, priced, resolved_by) == (spelling, spelling, "alias")


@pytest.mark.parametrize(
    ("provider", "spelling", "model_id", "shape"),
    REAL_EXPORT_SPELLINGS,
    ids=[f"{p}:{s}" for p, s, _, _ in REAL_EXPORT_SPELLINGS],
)
def test_spellings_real_exports_use_are_priced_as_their_model(
    resolved, resolution_warehouse, provider, spelling, model_id, shape
) -> None:
    genai = genai_resolution(provider, spelling)
    if genai is not None:  # where genai-prices knows the spelling, the table agrees with it
        assert genai == (provider, model_id), shape
    _, _, priced, resolved_by = resolved[provider, spelling.lower()]
    assert priced == model_id, (shape, resolved_by)
    ((cost, reason),) = query(
        resolution_warehouse,
        "select current_cost_usd, unpriced_reason from marts.fct_llm_usage"
        " where provider = ? and model = ?",
        [provider, spelling],
    )
    assert reason is None and cost > 0, shape


def test_ids_genai_prices_does_not_know_stay_unpriced_and_named(
    resolved, resolution_warehouse
) -> None:
    named = {
        (provider, model)
        for provider, model in query(
            resolution_warehouse,
            "select provider, model from marts.rpt_unpriced_usage"
            " where unpriced_reason = 'unknown_model'",
        )
    }
    for provider, spelling in UNKNOWN_SPELLINGS:
        assert genai_resolution(provider, spelling) is None
        assert resolved[provider, spelling] == (None, None, None, None)
        assert (provider, spelling) in named


def test_compact_dates_are_written_out_as_genai_prices_does(resolution_warehouse, tmp_path):
    """The macro's RE2 rewrite against genai-prices' Python one: real and impossible days
    (2025-02-30, month 13), leap days, dates side by side, a `:` or text after the date."""
    samples = [
        "gpt-4o-20240806", "gpt-5.2-20251211", "x-20250101-20250202-20250303", "x-20240229",
        "x-20230229", "x-20000229", "x-20250230", "x-20250431", "x-20251301", "x-20251231:free",
        "x-20250101x", "20250101", "x--20250101", "x-2025010120250202", "x-19991231",
        "b-20240229-20250228-20240229", "c-20251211-v1:0", "d-20250930:0-20240431-20250101",
    ]  # fmt: skip
    values = ", ".join(f"('{sample}')" for sample in samples)
    macro = "{{ normalize_compact_model_date('s') }}"
    sql = f"select s, {macro} as n from (values {values}) as t(s)"
    completed = subprocess.run(
        [dbt_executable(), "show", "--quiet", "--inline", sql, "--output", "json",
         "--limit", "-1", "--project-dir", str(REPO_ROOT), "--profiles-dir", str(PROFILES_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env={**os.environ, WAREHOUSE_ENV: str(resolution_warehouse)},
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rewritten = {row["s"]: row["n"] for row in json.loads(completed.stdout)["show"]}
    assert rewritten == {sample: _normalize_compact_dated_ref(sample) for sample in samples}
