"""`llm-cost-audit init-config DIR`: every settings file as a template the user fills in.
The rule files start as the project's defaults (their header and illustrative rows that
match nothing); settings.toml lists each threshold at its default; README.md explains
every column and threshold, from the same declarations the validator reads."""

import shutil
import textwrap
from pathlib import Path

from orchestration.project import REPO_ROOT
from orchestration.settings import (
    RULE_FILES,
    SETTINGS_TOML,
    THRESHOLDS,
    column_types,
    project_defaults,
    seed_declarations,
)

README = "README.md"


def write_templates(directory: Path) -> tuple[list[Path], list[Path]]:
    """Write each template absent from `directory`; (written, kept as they were)."""
    directory.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    templates = {f"{name}.csv": None for name in RULE_FILES}
    templates[SETTINGS_TOML] = settings_toml()
    templates[README] = readme()
    for file_name, text in templates.items():
        path = directory / file_name
        if path.exists():
            kept.append(path)
            continue
        if text is None:
            shutil.copyfile(REPO_ROOT / "seeds" / "curated" / file_name, path)
        else:
            path.write_text(text)
        written.append(path)
    return written, kept


def settings_toml() -> str:
    lines = [
        "# llm-cost-audit thresholds (README.md beside this file). Each line is at the",
        "# project's default; change a value, or delete its line to keep the default.",
    ]
    for name, value in project_defaults().items():
        comment = textwrap.wrap(THRESHOLDS[name][1], 86)
        lines += ["", *(f"# {line}" for line in comment), f"{name} = {value}"]
    return "\n".join(lines) + "\n"


def readme() -> str:
    parts = [
        "# Your llm-cost-audit settings",
        "",
        "Use them with `llm-cost-audit run --exports DIR --config THIS_DIR` (or set",
        "`LLM_COST_AUDIT_CONFIG=THIS_DIR` for the Dagster schedule). Every file is optional:",
        "delete one and the project's default is used. Each file is checked before the run",
        "loads anything; a problem is named with the file, the row and the column. A changed",
        "file makes the next run rebuild every figure by itself.",
        "",
        "CSV files: UTF-8 (Excel's 'CSV UTF-8' is fine), a header row, an empty cell for",
        "no value. The illustrative rows match nothing real: replace them with yours.",
    ]
    for name in RULE_FILES:
        parts += ["", *_rule_file_section(name)]
    parts += ["", f"## {SETTINGS_TOML}", "", "| setting | default | meaning |", "|---|---|---|"]
    for name, default in project_defaults().items():
        parts.append(f"| `{name}` | {default} | {THRESHOLDS[name][1]} |")
    return "\n".join(parts) + "\n"


def _rule_file_section(name: str) -> list[str]:
    seed = seed_declarations()[name]
    described = {column["name"]: column for column in seed.get("columns", [])}
    lines = [f"## {name}.csv", "", " ".join(seed["description"].split()), ""]
    lines += ["| column | type | meaning |", "|---|---|---|"]
    for column, column_type in column_types(name).items():
        declared = described.get(column, {})
        meaning = " ".join(declared.get("description", "").split())
        if "not_null" in declared.get("data_tests", []):
            meaning = f"Required. {meaning}".strip()
        lines.append(f"| `{column}` | {column_type} | {meaning} |")
    return lines
