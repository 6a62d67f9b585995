"""The user's settings directory (`run --config DIR`, orchestration/settings.py): the
templates `init-config` writes are accepted as they are, every bad file is refused with its
file, row and column, absent files fall back to the project's defaults, and a changed
setting changes the marts on the next run by itself."""

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import write_canonical_csv

from orchestration.cli import main
from orchestration.project import REPO_ROOT
from orchestration.settings import (
    RULE_FILES,
    THRESHOLDS,
    SettingsError,
    column_types,
    load_settings,
    project_defaults,
)
from orchestration.settings_templates import write_templates

RULES_HEADER = "rule_order,match_column,match_pattern,task_class,latency_class,feature,note"
EVALS_HEADER = "provider,feature,task_class,model_id,pass_rate,eval_cases,evaluated_on,note"
DISCOUNTS_HEADER = "provider,model_pattern,discount_percent,valid_from,valid_to,note"


def write(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_init_config_writes_every_file_and_they_are_accepted_as_they_are(tmp_path, capsys):
    settings_dir = tmp_path / "my-settings"
    assert main(["init-config", str(settings_dir)]) == 0
    names = {path.name for path in settings_dir.iterdir()}
    assert names == {*(f"{name}.csv" for name in RULE_FILES), "settings.toml", "README.md"}
    settings = load_settings(settings_dir)
    assert set(settings.files) == set(RULE_FILES)
    # settings.toml holds every threshold at the project's default
    assert settings.thresholds == {
        name: Decimal(str(value)) for name, value in project_defaults().items()
    }
    readme = (settings_dir / "README.md").read_text()
    for name in RULE_FILES:
        assert f"## {name}.csv" in readme
        for column in column_types(name):
            assert f"| `{column}` |" in readme, (name, column)
    for name in THRESHOLDS:
        assert f"| `{name}` |" in readme
    # a second init keeps what the user already edited
    write(settings_dir / "attribution_rules.csv", RULES_HEADER, "1,api_key,ops-%,routing,,,")
    capsys.readouterr()
    assert main(["init-config", str(settings_dir)]) == 0
    assert "kept" in capsys.readouterr().out
    assert "ops-%" in (settings_dir / "attribution_rules.csv").read_text()


def test_filled_in_templates_are_accepted(tmp_path):
    settings_dir = tmp_path / "settings"
    write_templates(settings_dir)
    # as a user fills them in: Excel's BOM, a blank line, a quoted comma, a multi-line note
    write(
        settings_dir / "attribution_rules.csv",
        RULES_HEADER,
        '1,api_key,hotel-kanri%,classification,async,hotel-kanri,"the key of the PMS, v2"',
        "",
        '2,workspace,support,,realtime,support-chat,"two\nlines"',
        encoding="utf-8-sig",
    )
    write(
        settings_dir / "tiering_evals.csv",
        EVALS_HEADER,
        "anthropic,hotel-kanri,,claude-haiku-4-5,0.97,400,2026-03-01,",
        "anthropic,,classification,claude-haiku-4-5,0.96,,,",
    )
    write(
        settings_dir / "contracted_discounts.csv",
        DISCOUNTS_HEADER,
        "anthropic,claude-opus-%,12.5,2026-01-01,,MSA 2026",
    )
    write(settings_dir / "settings.toml", "reconciliation_max_variance_pct = 0.5")
    settings = load_settings(settings_dir)
    assert settings.thresholds == {"reconciliation_max_variance_pct": Decimal("0.5")}
    assert settings.dbt_vars()["reconciliation_max_variance_pct"] == "0.5"
    assert settings.dbt_vars()["settings_files"] == {
        name: str(settings_dir / f"{name}.csv") for name in RULE_FILES
    }


def test_absent_files_fall_back_to_the_project_defaults(tmp_path):
    assert load_settings(None).dbt_vars() == {}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_settings(empty).dbt_vars() == {}
    assert load_settings(empty).fingerprint() == ""  # a warehouse built without keeps its plan
    only_rules = tmp_path / "rules-only"
    write(only_rules / "attribution_rules.csv", RULES_HEADER, "1,feature,x%,extraction,,,")
    settings = load_settings(only_rules)
    assert set(settings.files) == {"attribution_rules"}
    assert settings.thresholds == {}
    assert settings.fingerprint() != ""


BAD_FILES = {
    "missing column": (
        "attribution_rules.csv",
        ["rule_order,match_column,match_pattern,task_class,latency_class,note", "1,feature,x,,,"],
        "row 1 (header): missing column 'feature'",
    ),
    "unknown column": (
        "contracted_discounts.csv",
        [DISCOUNTS_HEADER + ",region", "anthropic,,10,,,,eu"],
        "row 1 (header): unknown column 'region'",
    ),
    "not a whole number": (
        "attribution_rules.csv",
        [RULES_HEADER, "1,feature,a%,,,,", "first,feature,b%,,,,"],
        "row 3, column rule_order: 'first' is not a whole number",
    ),
    "not a date": (
        "contracted_discounts.csv",
        [DISCOUNTS_HEADER, "anthropic,,10,01/02/2026,,"],
        "row 2, column valid_from: '01/02/2026' is not a date (YYYY-MM-DD)",
    ),
    "too many decimals": (
        "tiering_evals.csv",
        [EVALS_HEADER, "anthropic,f,,claude-haiku-4-5,0.123456,,,"],
        "row 2, column pass_rate: '0.123456' has more digits than decimal(5,4) holds",
    ),
    "a required cell empty": (
        "contracted_discounts.csv",
        [DISCOUNTS_HEADER, "anthropic,,10,,,", ",,5,,,"],
        "row 3, column provider: must not be empty",
    ),
    "a value not accepted": (
        "attribution_rules.csv",
        [RULES_HEADER, "1,api_key_name,ops-%,routing,,,"],
        "row 2, column match_column: must be one of feature, api_key, workspace",
    ),
    "out of range": (
        "contracted_discounts.csv",
        [DISCOUNTS_HEADER, "openai,gpt-%,120,,,"],
        "row 2, column discount_percent: must be between 0 and 100",
    ),
    "both feature and task class": (
        "tiering_evals.csv",
        [EVALS_HEADER, "anthropic,f,classification,claude-haiku-4-5,0.9,,,"],
        "row 2: must satisfy (feature is null) <> (task_class is null)",
    ),
    "a duplicate key": (
        "tiering_evals.csv",
        [
            EVALS_HEADER,
            "anthropic,f,,claude-haiku-4-5,0.9,,,",
            "anthropic,f,,claude-haiku-4-5,0.8,,,",
        ],  # fmt: skip
        "rows 2 and 3 have the same provider, feature, task_class, model_id",
    ),
    "a ragged row": (
        "attribution_rules.csv",
        [RULES_HEADER, "1,feature,a%,classification"],
        "row 2: 4 values for 7 columns",
    ),
    "an unknown setting": (
        "settings.toml",
        ["reconciliation_max_variance = 2"],
        "'reconciliation_max_variance' is not a setting",
    ),
    "a setting out of range": (
        "settings.toml",
        ["tiering_eval_min_pass_rate = 95"],
        "tiering_eval_min_pass_rate = 95 must be from 0 to 1",
    ),
    "a setting of the wrong kind": (
        "settings.toml",
        ['heuristic_min_requests = "twenty"'],
        "heuristic_min_requests = 'twenty' is not a number",
    ),
    "not TOML": ("settings.toml", ["heuristic_min_requests 20"], "settings.toml: Expected"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_its_file_row_and_column(tmp_path, case):
    file_name, lines, message = BAD_FILES[case]
    path = write(tmp_path / file_name, *lines)
    with pytest.raises(SettingsError) as raised:
        load_settings(tmp_path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / "attribution_rules.csv").write_bytes(
        (RULES_HEADER + "\n1,feature,caf\xe9%,,,,\n").encode("latin-1")
    )
    with pytest.raises(SettingsError, match="attribution_rules.csv: not UTF-8 text"):
        load_settings(tmp_path)


def test_run_refuses_a_bad_settings_file_before_loading_anything(tmp_path, capsys):
    exports = tmp_path / "exports"
    write_canonical_csv(exports / "calls.csv", calls(datetime(2026, 3, 2, tzinfo=UTC), 3))
    settings_dir = tmp_path / "settings"
    write(settings_dir / "attribution_rules.csv", RULES_HEADER, "1,colour,x%,,,,")
    warehouse = tmp_path / "audit.duckdb"
    reports = tmp_path / "reports"
    code = main(["run", "--exports", str(exports), "--warehouse", str(warehouse),
                 "--report-dir", str(reports), "--config", str(settings_dir)])  # fmt: skip
    assert code == 2
    error = capsys.readouterr().err
    assert f"{settings_dir / 'attribution_rules.csv'}: row 2, column match_column" in error
    assert not warehouse.exists()


def test_the_settings_command_prints_the_vars_a_hand_run_dbt_needs(tmp_path, capsys):
    write(tmp_path / "settings.toml", "heuristic_async_min_days = 7")
    assert main(["settings", "--config", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == '{"heuristic_async_min_days": "7"}'


# --- through the pipeline ----------------------------------------------------------------


def calls(start: datetime, count: int = 200) -> list[dict]:
    """Unlabelled calls of one API key on Opus: 1M input and 100k output tokens each."""
    return [
        {
            "request_id": f"kanri-{n}",
            "timestamp": start.replace(hour=n % 24, minute=n % 60).isoformat(),
            "provider": "anthropic",
            "model": "claude-opus-4-5",
            "api_key": "hotel-kanri-prod",
            "service_tier": "standard",
            "input_tokens": 1_000_000,
            "output_tokens": 100_000,
        }
        for n in range(count)
    ]


def marts(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        usage = con.execute(
            "select feature, task_class, task_class_source, latency_class, recommended_model, "
            "recommendation_basis, sum(current_cost_usd), sum(current_contracted_cost_usd) "
            "from marts.fct_llm_usage group by all"
        ).fetchall()
        rules = con.execute(
            "select rule_order, match_pattern, latency_class from "
            "settings.settings_attribution_rules order by rule_order"
        ).fetchall()
        builds = con.execute("select full_refresh from raw.dbt_builds order by built_at").fetchall()
    return {"usage": usage, "rules": rules, "builds": [full for (full,) in builds]}


@pytest.mark.slow  # two audits
def test_settings_drive_the_marts_and_a_changed_rule_rebuilds_them_on_the_next_run(tmp_path):
    exports = tmp_path / "exports"
    write_canonical_csv(exports / "calls.csv", calls(datetime(2026, 3, 2, tzinfo=UTC)))
    settings_dir = tmp_path / "settings"
    write_templates(settings_dir)
    # the README's example: an API key's calls are classification that can wait
    write(settings_dir / "attribution_rules.csv", RULES_HEADER,
          "1,api_key,hotel-kanri%,classification,async,hotel-kanri,")  # fmt: skip
    write(settings_dir / "tiering_evals.csv", EVALS_HEADER,
          "anthropic,hotel-kanri,,claude-haiku-4-5,0.99,300,2026-02-20,")  # fmt: skip
    write(settings_dir / "contracted_discounts.csv", DISCOUNTS_HEADER,
          "anthropic,claude-%,20,,,")  # fmt: skip
    write(settings_dir / "settings.toml", "tiering_eval_min_pass_rate = 0.98")
    warehouse = tmp_path / "audit.duckdb"
    run = ["run", "--exports", str(exports), "--warehouse", str(warehouse),
           "--report-dir", str(tmp_path / "reports"), "--config", str(settings_dir)]  # fmt: skip
    assert main(run) == 0
    first = marts(warehouse)
    # 200 calls x ($5 x 1M + $25 x 0.1M) / 1M = $1,500 at list; 20% off: $1,200
    assert first["usage"] == [
        ("hotel-kanri", "classification", "rule", "async", "claude-haiku-4-5", "eval",
         Decimal("1500"), Decimal("1200"))
    ]  # fmt: skip
    assert first["rules"] == [(1, "hotel-kanri%", "async")]

    # the next night: the rule, the discount and the quality bar change, no new data
    write(settings_dir / "attribution_rules.csv", RULES_HEADER,
          "1,api_key,hotel-kanri%,classification,realtime,hotel-kanri,")  # fmt: skip
    write(settings_dir / "contracted_discounts.csv", DISCOUNTS_HEADER,
          "anthropic,claude-%,10,,,")  # fmt: skip
    write(settings_dir / "settings.toml", "tiering_eval_min_pass_rate = 0.995")
    assert main(run) == 0
    second = marts(warehouse)
    ((feature, task, source, latency, recommended, basis, list_cost, paid),) = second["usage"]
    assert (feature, task, source, latency) == ("hotel-kanri", "classification", "rule", "realtime")
    assert (list_cost, paid) == (Decimal("1500"), Decimal("1350"))
    assert recommended != "claude-haiku-4-5"  # 0.99 is below the new bar: never recommended
    assert second["rules"] == [(1, "hotel-kanri%", "realtime")]
    assert second["builds"] == [True, True]  # rebuilt whole by itself, no --full-refresh

    # the templates as init-config writes them, untouched: the project's defaults again
    shutil.rmtree(settings_dir)
    assert main(["init-config", str(settings_dir)]) == 0
    assert main(run) == 0
    third = marts(warehouse)
    ((feature, task, source, *_rest, list_cost, paid),) = third["usage"]
    assert feature is None  # no rule names one
    assert source != "rule" and list_cost == paid == Decimal("1500")
    default_rules = (REPO_ROOT / "seeds" / "curated" / "attribution_rules.csv").read_text()
    assert all(pattern in default_rules for _, pattern, _ in third["rules"])


def test_dagster_reads_the_settings_directory_from_the_environment(tmp_path, monkeypatch):
    """The schedule and `dagster dev` load orchestration.definitions with the paths from
    the environment: LLM_COST_AUDIT_CONFIG names the settings directory there as `--config`
    does for `run`."""
    import importlib

    import orchestration.definitions as definitions

    write(tmp_path / "settings.toml", "heuristic_min_requests = 30")
    monkeypatch.setenv("LLM_COST_AUDIT_CONFIG", str(tmp_path))
    try:
        reloaded = importlib.reload(definitions)
        paths = reloaded.defs.resources["paths"]
        assert paths.config_path == tmp_path.resolve()
        assert load_settings(paths.config_path).dbt_vars() == {"heuristic_min_requests": "30"}
    finally:
        monkeypatch.delenv("LLM_COST_AUDIT_CONFIG")
        importlib.reload(definitions)
