"""genai-prices' model match logic -> `seeds/generated/model_match_rules.csv`.

genai-prices finds the model a spelling means by trying each model of the seller in its
list order, first match wins (`Provider.find_model`), then the models of the seller's
`fallback_model_providers` (Vertex AI falls back to Anthropic's list). A model matches by
a boolean rule of atomic clauses: `equals`, `starts_with`, `ends_with`, `contains` (on
the lower-cased spelling) and `regex` (Python `re.search` on the lower-cased spelling),
combined with `or` and `and`. The seed holds that logic as data the warehouse evaluates
in SQL (int_model_resolution, on DuckDB and on Spark): per seller, every model in the
order genai-prices tries them (the fallback sellers' models after its own), and each
model's rule in disjunctive normal form, one row per atomic clause of each conjunction.

Every model is listed, priced here or not: a model the seeds carry no price for still
takes the spellings it matches from the models after it, as it does in genai-prices.

A regex must mean the same on Python's `re`, DuckDB's RE2 and Java's regex. Only a subset
of the syntax is accepted (`check_portable_regex`); one construct outside it is rewritten:
a whole pattern `^(?!B)` (not RE2 syntax) is the negation of `^(?:B)`. Anything else
stops the generation with the model and pattern named, never a silent mismatch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from re import _constants as sre  # the parse tree's opcodes
from re import _parser as sre_parser
from typing import Any

from genai_prices.types import (
    ClauseAnd,
    ClauseContains,
    ClauseEndsWith,
    ClauseEquals,
    ClauseOr,
    ClauseRegex,
    ClauseStartsWith,
    Provider,
)

RULES_FILE = "model_match_rules.csv"

RULE_COLUMNS: tuple[str, ...] = (
    "provider",
    "model_position",
    "model_provider",
    "model_id",
    "conjunction_id",
    "clause_kind",
    "clause_value",
    "is_negated",
    "source",
)

# Clause type -> (seed clause_kind, its value); the text clauses compare lower case.
_TEXT_CLAUSES: dict[type, tuple[str, str]] = {
    ClauseEquals: ("equals", "equals"),
    ClauseStartsWith: ("starts_with", "starts_with"),
    ClauseEndsWith: ("ends_with", "ends_with"),
    ClauseContains: ("contains", "contains"),
}


class UnsupportedMatchRule(ValueError):
    """A match rule the SQL cannot evaluate exactly as genai-prices does."""


@dataclass(frozen=True)
class Atom:
    kind: str
    value: str
    negated: bool = False


# The regex syntax that reads alike in Python, RE2 and Java (and is all genai-prices
# uses): literals, `.`, classes of literals, ranges and `\d`, groups without names or
# flags, alternation, repeats, `^` and `$`. Model ids are ASCII without line breaks, where
# `\d`, `.` and `$` agree on the three engines.
_PLAIN_OPS = {sre.LITERAL, sre.NOT_LITERAL, sre.ANY}
_CLASS_OPS = {sre.LITERAL, sre.RANGE, sre.NEGATE}
_CLASS_CATEGORIES = {sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_DIGIT}
_ANCHORS = {sre.AT_BEGINNING, sre.AT_END}


def _check_items(items: Any, pattern: str) -> None:
    for op, arg in items:
        if op in _PLAIN_OPS or (op is sre.AT and arg in _ANCHORS):
            continue
        if op is sre.IN:
            for class_op, class_arg in arg:
                if class_op not in _CLASS_OPS and not (
                    class_op is sre.CATEGORY and class_arg in _CLASS_CATEGORIES
                ):
                    raise UnsupportedMatchRule(f"regex {pattern!r}: {class_op} in a class")
        elif op is sre.BRANCH:
            for alternative in arg[1]:
                _check_items(alternative, pattern)
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            if add_flags or del_flags:
                raise UnsupportedMatchRule(f"regex {pattern!r}: inline flags")
            _check_items(sub, pattern)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            _check_items(arg[2], pattern)
        else:
            raise UnsupportedMatchRule(f"regex {pattern!r}: {op} {arg!r}")


# Escapes read alike by the three: `\d`, `\D` and an escaped punctuation mark (`\.`);
# not `\u0041` or `\Z` (RE2 errors), nor any other letter or digit escape.
_ESCAPE = re.compile(r"\\.")
_PORTABLE_ESCAPE = re.compile(r"\\(?:[dD]|[^0-9A-Za-z])")


def _check_spelling(pattern: str) -> None:
    """What the parse tree does not show: how the pattern is written."""
    for escape in _ESCAPE.findall(pattern):
        if not _PORTABLE_ESCAPE.fullmatch(escape):
            raise UnsupportedMatchRule(f"regex {pattern!r}: the escape {escape}")
    if "{," in pattern:  # Python's {,n}: a literal to RE2, an error to Java
        raise UnsupportedMatchRule(f"regex {pattern!r}: a repeat with no lower bound")


def check_portable_regex(pattern: str) -> None:
    """Raise UnsupportedMatchRule unless `pattern` means the same on Python, RE2 and Java."""
    _check_spelling(pattern)
    parsed = sre_parser.parse(pattern)
    if parsed.state.flags & ~sre.SRE_FLAG_UNICODE:  # (?i) and the like, for the whole pattern
        raise UnsupportedMatchRule(f"regex {pattern!r}: inline flags")
    if parsed.state.groupdict:  # (?P<name>...) is Python and RE2 syntax, not Java's
        raise UnsupportedMatchRule(f"regex {pattern!r}: a named group")
    _check_items(parsed, pattern)


_NOT_AT_START = "^(?!"


def regex_atom(pattern: str) -> Atom:
    """The clause for `re.search(pattern, text)`: as is, or `^(?!B)` as not `^(?:B)`
    (a lookahead at the start holds exactly where B does not match there)."""
    parsed = sre_parser.parse(pattern)
    ops = [op for op, _ in parsed]
    if pattern.startswith(_NOT_AT_START) and ops == [sre.AT, sre.ASSERT_NOT]:
        body = pattern[len(_NOT_AT_START) : -1]
        positive = f"^(?:{body})"
        check_portable_regex(positive)
        return Atom("regex", positive, negated=True)
    check_portable_regex(pattern)
    return Atom("regex", pattern)


def _atom(clause: Any) -> Atom:
    if isinstance(clause, ClauseRegex):
        return regex_atom(clause.regex)
    for clause_type, (kind, field) in _TEXT_CLAUSES.items():
        if isinstance(clause, clause_type):
            return Atom(kind, getattr(clause, field).lower())
    raise UnsupportedMatchRule(f"unknown match clause {clause!r}")


# An `and` of nothing holds for every spelling: a prefix of '' does too.
_ALWAYS = Atom("starts_with", "")


def disjunctive_normal_form(clause: Any) -> list[tuple[Atom, ...]]:
    """The rule as an `or` of `and`s of atomic clauses (an `or` of nothing never holds)."""
    if isinstance(clause, ClauseOr):
        return [conjunction for sub in clause.or_ for conjunction in disjunctive_normal_form(sub)]
    if isinstance(clause, ClauseAnd):
        conjunctions: list[tuple[Atom, ...]] = [()]
        for sub in clause.and_:
            conjunctions = [
                left + right for left in conjunctions for right in disjunctive_normal_form(sub)
            ]
        # a clause twice in one conjunction is once: the SQL counts distinct clauses
        return [tuple(dict.fromkeys(c)) or (_ALWAYS,) for c in conjunctions]
    return [(_atom(clause),)]


def search_order(provider: Provider, providers: dict[str, Provider]) -> Iterator[Provider]:
    """The sellers whose models genai-prices tries for `provider`, in order: its own, then
    each fallback seller's own list (one step: a fallback's fallbacks are not tried)."""
    yield provider
    for fallback_id in provider.fallback_model_providers or ():
        if fallback_id in providers:
            yield providers[fallback_id]


def build_rule_rows(
    provider_ids: tuple[str, ...], providers: dict[str, Provider], source: str
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for provider_id in provider_ids:
        position = 0
        for seller in search_order(providers[provider_id], providers):
            for model in seller.models:
                position += 1
                try:
                    conjunctions = disjunctive_normal_form(model.match)
                except UnsupportedMatchRule as exc:
                    raise UnsupportedMatchRule(f"{seller.id}/{model.id}: {exc}") from exc
                for conjunction_id, conjunction in enumerate(conjunctions, start=1):
                    for atom in conjunction:
                        rows.append(
                            {
                                "provider": provider_id,
                                "model_position": str(position),
                                "model_provider": seller.id,
                                "model_id": model.id,
                                "conjunction_id": str(conjunction_id),
                                "clause_kind": atom.kind,
                                "clause_value": atom.value,
                                "is_negated": "true" if atom.negated else "false",
                                "source": source,
                            }
                        )
    return rows
