"""The user's own settings, in a directory outside the checkout (`run --config DIR`, or
LLM_COST_AUDIT_CONFIG): any of the rules, evals and discounts files and one settings.toml
of thresholds. A file that is absent falls back to the project's default (the seed in
seeds/curated/, the var in dbt_project.yml), so edits made there keep working.

Each file is validated here, before anything is loaded, against what seeds/_seeds.yml
declares for its seed (columns and their types, not_null, accepted_values,
expression_is_true, unique_combination_of_columns): one statement of the rules, checked
on the project's defaults by dbt and on the user's files here, with the file, the row and
the column in every message. dbt then reads the same files (models/settings/, macro
settings_file_rows), on DuckDB and on Spark, through the vars `dbt_vars` gives."""

import csv
import hashlib
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import duckdb
import yaml

from orchestration.project import REPO_ROOT

CONFIG_ENV = "LLM_COST_AUDIT_CONFIG"
SETTINGS_TOML = "settings.toml"
# the seeds a user may replace with a file of the same name in the settings directory
RULE_FILES = ("attribution_rules", "tiering_evals", "contracted_discounts")
# dbt_project.yml vars a user may set in settings.toml, and what each accepts
THRESHOLDS = {
    "reconciliation_max_variance_pct": (
        "percent",
        "A closed day's line of the provider's cost export whose computed cost differs "
        "from the billed one by more than this percent fails the reconciliation check.",
    ),
    "reconciliation_spend_floor_usd": (
        "amount",
        "Lines billed below this many dollars are never failed (rounding on tiny lines).",
    ),
    "heuristic_min_requests": (
        "count",
        "Token-shape heuristic: a feature needs at least this many calls before its "
        "short answers make it a classification candidate.",
    ),
    "heuristic_max_output_tokens_per_request": (
        "count",
        "Token-shape heuristic: at most this many output tokens per call on average "
        "make a feature a classification candidate.",
    ),
    "heuristic_async_min_days": (
        "count",
        "Timing heuristic: a feature seen on at least this many days, always at the same "
        "hours, runs on a schedule and is an async (batch) candidate.",
    ),
    "heuristic_async_max_hours_of_day": (
        "hours",
        "Timing heuristic: 'the same hours' means at most this many distinct hours of "
        "the day (UTC).",
    ),
    "heuristic_bucket_min_days": (
        "count",
        "Signals on provider buckets (exports with no task labels): a feature is read "
        "only when it is seen on at least this many days.",
    ),
    "heuristic_max_output_per_input_token": (
        "rate",
        "Bucket signal: at most this many output tokens per input token make a feature a "
        "classification candidate (classification, extraction, tagging and routing answer "
        "in a few tokens).",
    ),
    "heuristic_async_min_weekend_ratio": (
        "rate",
        "Bucket signal: a feature spending at the weekend at least this share of its "
        "weekday tokens a day runs without people waiting on it: an async candidate.",
    ),
    "heuristic_max_cache_read_share": (
        "rate",
        "Bucket signal: a feature with at most this share of its input tokens (uncached, "
        "cache writes and reads) read from the cache, on a model that caches, is a caching "
        "candidate.",
    ),
    "heuristic_cache_min_input_tokens_per_day": (
        "count",
        "Bucket signal: the caching candidate needs at least this many uncached input "
        "tokens a day on average over the days its buckets cover.",
    ),
    "cache_signal_assumed_cached_share": (
        "rate",
        "What a caching candidate's saving assumes: this share of its uncached text input "
        "would be read from the cache instead, at the cache-read price (cache writes left "
        "out).",
    ),
    "tiering_eval_min_pass_rate": (
        "rate",
        "Quality bar for your eval results (tiering_evals.csv): a model is recommended for "
        "a feature only if its pass rate (0 to 1) is at least this.",
    ),
    "max_tokens_per_second": (
        "count",
        "Loader bound: a usage bucket holding more tokens (input, cache and output) than "
        "its length in seconds times this is refused as absurd, naming the record.",
    ),
}
VALUE_RULES = {  # kind: (accepts integers only, lowest, highest)
    "count": (True, Decimal(1), None),
    "hours": (True, Decimal(1), Decimal(24)),
    "percent": (False, Decimal(0), Decimal(100)),
    "amount": (False, Decimal(0), None),
    "rate": (False, Decimal(0), Decimal(1)),
}


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file, row and column."""


@dataclass(frozen=True)
class Settings:
    """The settings one run uses: the user's files (absent ones fall back) and values."""

    directory: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)  # rule file name -> the user's file
    thresholds: dict[str, Decimal] = field(default_factory=dict)  # only those the user set

    def dbt_vars(self) -> dict:
        """What dbt is given (`--vars`): the user's files and values, nothing else."""
        values = {name: str(value) for name, value in sorted(self.thresholds.items())}
        if self.files:
            files = sorted(self.files.items())
            values["settings_files"] = {name: str(path) for name, path in files}
        return values

    def dbt_args(self) -> list[str]:
        values = self.dbt_vars()
        return ["--vars", json.dumps(values)] if values else []

    def fingerprint(self) -> str:
        """The contents the figures depend on; empty when every default is kept, so a
        warehouse built without settings keeps its project fingerprint."""
        if not self.files and not self.thresholds:
            return ""
        digest = hashlib.sha256(json.dumps(self.dbt_vars(), sort_keys=True).encode())
        for name, path in sorted(self.files.items()):
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


def config_dir_from(value: str | Path | None) -> Path | None:
    return Path(value).expanduser().resolve() if value else None


def load_settings(directory: Path | None) -> Settings:
    """The settings in `directory` (None: every default), each file validated."""
    if directory is None:
        return Settings()
    if not directory.is_dir():
        raise SettingsError(f"settings directory not found: {directory}")
    files = {}
    for name in RULE_FILES:
        path = directory / f"{name}.csv"
        if path.exists():
            validate_rule_file(name, path)
            files[name] = path
    toml_path = directory / SETTINGS_TOML
    thresholds = read_thresholds(toml_path) if toml_path.exists() else {}
    return Settings(directory, files, thresholds)


# --- rule files ------------------------------------------------------------------------


@cache
def seed_declarations() -> dict[str, dict]:
    """seeds/_seeds.yml, by seed name."""
    declared = yaml.safe_load((REPO_ROOT / "seeds" / "_seeds.yml").read_text())
    return {seed["name"]: seed for seed in declared["seeds"]}


def column_types(name: str) -> dict[str, str]:
    return seed_declarations()[name]["config"]["column_types"]


def validate_rule_file(name: str, path: Path) -> None:
    """Raise SettingsError on the first problem of the file (header, then each cell's
    type, then the seed's declared tests, row by row)."""
    types = column_types(name)
    header, rows = _read_csv(path)
    missing = [column for column in types if column not in header]
    unknown = [column for column in header if column not in types]
    if missing or unknown:
        problems = [f"missing column {c!r}" for c in missing]
        problems += [f"unknown column {c!r}" for c in unknown]
        raise SettingsError(
            f"{path}: row 1 (header): {'; '.join(problems)}; the columns are {', '.join(types)}"
        )
    for line, values in rows:
        for column, value in values.items():
            problem = _cell_problem(value, types[column])
            if problem:
                raise SettingsError(f"{path}: row {line}, column {column}: {value!r} {problem}")
    _check_declared_tests(name, path, rows)


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    """The header and each row with its line number; empty cells are None. A BOM (Excel's
    'CSV UTF-8') is accepted."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SettingsError(f"{path}: not UTF-8 text (byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise SettingsError(f"{path}: the file is empty; it needs at least its header") from None
    rows = []
    start = reader.line_num + 1
    for cells in reader:
        if not any(cell.strip() for cell in cells):  # a blank line
            start = reader.line_num + 1
            continue
        if len(cells) != len(header):
            raise SettingsError(
                f"{path}: row {start}: {len(cells)} values for {len(header)} columns"
            )
        cells = [cell if cell.strip() else None for cell in cells]
        values = dict(zip(header, cells, strict=True))
        rows.append((start, values))
        start = reader.line_num + 1
    return header, rows


DECIMAL_TYPE = re.compile(r"decimal\((\d+),\s*(\d+)\)")


def _cell_problem(value: str | None, column_type: str) -> str | None:
    """Why `value` cannot be read as `column_type`, or None."""
    if value is None or column_type == "string":
        return None
    text = value.strip()
    if column_type in ("integer", "bigint"):
        return None if re.fullmatch(r"[+-]?\d+", text) else "is not a whole number"
    if column_type == "date":
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                date.fromisoformat(text)
                return None
        except ValueError:
            pass
        return "is not a date (YYYY-MM-DD)"
    if match := DECIMAL_TYPE.fullmatch(column_type):
        precision, scale = int(match[1]), int(match[2])
        try:
            number = Decimal(text)
        except InvalidOperation:
            return "is not a number"
        if not number.is_finite():
            return "is not a number"
        sign, digits, exponent = number.as_tuple()
        decimals = max(0, -exponent)
        whole_digits = max(0, len(digits) + exponent)
        if decimals > scale or whole_digits > precision - scale:
            return f"has more digits than {column_type} holds"
        return None
    raise AssertionError(f"seed column type {column_type!r} has no check here")


def _declared_checks(name: str) -> list[tuple[str, str | None, str]]:
    """(SQL condition a row must meet, the column it is about, what it says) for each
    not_null, accepted_values and expression_is_true declared on the seed."""
    seed = seed_declarations()[name]
    checks = []
    for test in seed.get("data_tests", []):
        if isinstance(test, dict) and "expression_is_true" in test:
            expression = test["expression_is_true"]["arguments"]["expression"]
            checks.append((expression, None, f"must satisfy {expression}"))
    for column in seed.get("columns", []):
        for test in column.get("data_tests", []):
            column_name = column["name"]
            if test == "not_null":
                checks.append((f"{column_name} is not null", column_name, "must not be empty"))
            elif isinstance(test, dict) and "accepted_values" in test:
                values = test["accepted_values"]["arguments"]["values"]
                listed = ", ".join(f"'{value}'" for value in values)
                checks.append(
                    (
                        f"{column_name} is null or {column_name} in ({listed})",
                        column_name,
                        f"must be one of {', '.join(values)}",
                    )
                )
            elif isinstance(test, dict) and "expression_is_true" in test:
                expression = test["expression_is_true"]["arguments"]["expression"]
                checks.append((f"{column_name} {expression}", column_name, f"must be {expression}"))
    return checks


def _check_declared_tests(name: str, path: Path, rows: list) -> None:
    """The seed's tests, run in DuckDB on the file's typed rows; the first failing row."""
    types = column_types(name)
    columns = list(types)
    with duckdb.connect() as con:
        text_columns = ", ".join(f'"{column}" varchar' for column in columns)
        con.execute(f"create table cells (line integer, {text_columns})")
        if rows:
            placeholders = ", ".join("?" for _ in range(len(columns) + 1))
            con.executemany(
                f"insert into cells values ({placeholders})",
                [[line, *(values[column] for column in columns)] for line, values in rows],
            )
        typed = ", ".join(f'cast(trim("{c}") as {t}) as "{c}"' for c, t in types.items())
        con.execute(f"create table settings_rows as select line, {typed} from cells")
        for condition, column, says in _declared_checks(name):
            failing = con.execute(
                f"select line from settings_rows where not ({condition}) order by line limit 1"
            ).fetchone()
            if failing:
                where = f"row {failing[0]}" + (f", column {column}" if column else "")
                raise SettingsError(f"{path}: {where}: {says}")
        for test in seed_declarations()[name].get("data_tests", []):
            if isinstance(test, dict) and "unique_combination_of_columns" in test:
                key = test["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
                keyed = ", ".join(f'"{column}"' for column in key)
                duplicate = con.execute(
                    f"select min(line), max(line) from settings_rows group by {keyed} "
                    "having count(*) > 1 order by 1 limit 1"
                ).fetchone()
                if duplicate:
                    raise SettingsError(
                        f"{path}: rows {duplicate[0]} and {duplicate[1]} have the same "
                        f"{', '.join(key)}: one row per combination"
                    )


# --- thresholds ------------------------------------------------------------------------


def project_defaults() -> dict[str, object]:
    """The thresholds' defaults: dbt_project.yml's vars."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    return {name: project["vars"][name] for name in THRESHOLDS}


def read_thresholds(path: Path) -> dict[str, Decimal]:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        raise SettingsError(f"{path}: not UTF-8 text (byte {error.start})") from None
    thresholds = {}
    for name, value in values.items():
        if name not in THRESHOLDS:
            raise SettingsError(
                f"{path}: {name!r} is not a setting; the settings are {', '.join(THRESHOLDS)}"
            )
        thresholds[name] = _threshold(path, name, value)
    return thresholds


def _threshold(path: Path, name: str, value: object) -> Decimal:
    whole, lowest, highest = VALUE_RULES[THRESHOLDS[name][0]]
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise SettingsError(f"{path}: {name} = {value!r} is not a number")
    number = Decimal(value)
    if whole and number != number.to_integral_value():
        raise SettingsError(f"{path}: {name} = {value} must be a whole number")
    if number < lowest or (highest is not None and number > highest):
        bound = f"from {lowest} to {highest}" if highest is not None else f"at least {lowest}"
        raise SettingsError(f"{path}: {name} = {value} must be {bound}")
    return number
