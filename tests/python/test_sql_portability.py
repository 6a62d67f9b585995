"""SQL that DuckDB accepts and Spark refuses, caught in the fast lane: otherwise only the
Spark module (`make test`, minutes into its build) finds it."""

import re

from orchestration.project import REPO_ROOT

# a comma after a WITH list's last CTE, before the query's own select (comments and blank
# lines between): DuckDB ignores it, Spark's parser stops at the select (PARSE_SYNTAX_ERROR)
COMMA_BEFORE_FINAL_SELECT = re.compile(r"\)\s*,\s*\n(?:\s*--[^\n]*\n|\s*\n)*\s*select\b", re.I)


def _sql_files():
    for folder in ("models", "macros", "tests"):
        yield from sorted((REPO_ROOT / folder).rglob("*.sql"))


def test_no_with_list_ends_in_a_comma():
    found = [
        f"{path.relative_to(REPO_ROOT)}:{path.read_text()[: match.start()].count(chr(10)) + 1}"
        for path in _sql_files()
        for match in COMMA_BEFORE_FINAL_SELECT.finditer(path.read_text())
    ]
    assert not found, f"a comma before the final select (Spark refuses it): {found}"


def test_the_pattern_finds_the_comma_spark_refused():
    # the shape of int_usage_batched.sql at 6c3928f, where `make test`'s Spark build stopped
    refused = "    left join prices as batch_price\n        on true\n),\n\nselect * from joined"
    assert COMMA_BEFORE_FINAL_SELECT.search(refused)
    assert not COMMA_BEFORE_FINAL_SELECT.search(refused.replace("),\n", ")\n"))
    # a CTE followed by another CTE keeps its comma
    two_ctes = "a as (\n    select 1\n),\n\nb as (\n    select 2\n)"
    assert not COMMA_BEFORE_FINAL_SELECT.search(two_ctes)
