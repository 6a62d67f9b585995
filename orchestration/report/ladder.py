"""The ladder per scope (`marts.rpt_scope_ladder`) and, where no finding is confirmed, why
not: what the report shows of them, in both formats.

The ladder is what the same tokens would cost on each cheaper tier of the same vendor and
through the Batch API: what it would cost, not what to do. The silence is explained in
the user's terms, from facts of `marts.fct_llm_usage`: whether any spend carries a task or
latency class you gave (declared in the export or set by a rule), whether the usage comes
in daily buckets only, and whether any request logs were loaded. Both are read from marts
only; a warehouse published before the ladder existed simply has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from orchestration.report.formatting import format_percent, format_usd
from orchestration.report.money import money_or_none

# The folder beside the report that holds the rules template (rules_template.py).
TEMPLATE_DIR_NAME = "rules-template"
SCOPE_LABELS = {
    "account": "Account",
    "workspace": "Workspace or project",
    "api_key": "API key",
    "model": "Model",
    "service_tier": "Service tier",
}
WHAT_IT_WOULD_COST = (
    "What the same tokens would cost on each cheaper tier of the same vendor, and each of "
    "those through the Batch API, at what you pay. What it would cost, not what to do: it "
    "assumes nothing about quality; check a cheaper model on your own work before moving. "
    "Each scope type lists its values by spend until they cover 90% of it, the rest as "
    "(other). A rung model is of the same or a newer generation; an older one stands in "
    "(marked) only on days no such model was served, and usage on days no model of the "
    "tier was served stays at its cost (the covered share)."
)


@dataclass(frozen=True)
class LadderRung:
    scope_type: str
    scope_value: str
    spend_share: Decimal | None
    rung_order: int
    rung: str
    rung_model: str | None
    current: Decimal
    current_30d: Decimal | None  # None: no 30-day projection
    cost: Decimal
    cost_30d: Decimal | None
    batch: Decimal
    batch_30d: Decimal | None
    covered_share: Decimal | None
    stand_in: bool


@dataclass(frozen=True)
class Silence:
    """What the exports lack that confirmed findings need."""

    priced_spend: Decimal
    classified_spend: Decimal  # spend whose task class you gave (declared or a rule)
    latency_spend: Decimal  # spend whose latency class you gave
    daily_buckets_only: bool  # every row a bucket of a day or more
    has_request_logs: bool  # any row of a single request
    has_prompt_prefixes: bool  # any call with a prompt-prefix hash (caching needs them)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def load_ladder(con: duckdb.DuckDBPyConnection) -> tuple[LadderRung, ...]:
    if not _exists(con, "marts", "rpt_scope_ladder"):
        return ()
    rows = con.execute(
        """
        select scope_type, scope_value, spend_share, rung_order, rung, rung_model,
               current_cost_usd, current_cost_per_30d_usd, rung_cost_usd, rung_cost_per_30d_usd,
               rung_batch_cost_usd, rung_batch_cost_per_30d_usd, rung_covered_share,
               rung_stand_in
        from marts.rpt_scope_ladder
        order by scope_type, spend_rank nulls last, scope_value, rung_order
        """
    ).fetchall()
    money_columns = range(6, 12)  # current, rung and batch costs and their 30-day twins
    return tuple(
        LadderRung(
            *(
                money_or_none(value, f"marts.rpt_scope_ladder column {i + 1}")
                if i in money_columns
                else value
                for i, value in enumerate(row)
            )
        )  # fmt: skip
        for row in rows
    )


def load_silence(con: duckdb.DuckDBPyConnection) -> Silence | None:
    if not _exists(con, "marts", "fct_llm_usage"):
        return None
    row = con.execute(
        """
        select
            sum(current_contracted_cost_usd),
            sum(case when task_class_source in ('declared', 'rule')
                then current_contracted_cost_usd else 0 end),
            sum(case when latency_class_source in ('declared', 'rule')
                then current_contracted_cost_usd else 0 end),
            coalesce(bool_and(epoch(bucket_end_at) - epoch(bucket_start_at) >= 86400), false),
            coalesce(bool_or(request_id is not null), false),
            coalesce(bool_or(prefix_hash is not null), false)
        from marts.fct_llm_usage
        where is_priced
        """
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return Silence(*row)


def ladder_scope_types(ladder: Sequence[LadderRung]) -> list[str]:
    return [t for t in SCOPE_LABELS if any(r.scope_type == t for r in ladder)]


def ladder_cells(rung: LadderRung, projected: bool) -> list[str]:
    """One rung's cells: value (on rung 0 only), share, rung, model, cost, via Batch,
    covered."""
    first = rung.rung_order == 0
    model = rung.rung_model or "(not served)"
    if rung.stand_in:
        model += " (older generation stands in)"
    cost, batch = (rung.cost_30d, rung.batch_30d) if projected else (rung.cost, rung.batch)
    return [
        rung.scope_value if first else "",
        _share(rung.spend_share) if first else "",
        "now" if first else rung.rung,
        model,
        format_usd(cost),
        format_usd(batch),
        _share(rung.covered_share),
    ]


LADDER_HEADERS = ("Value", "Share of spend", "Rung", "Model", "Cost", "Via Batch", "Covered")


def _share(value: Decimal | None) -> str:
    return "n/a" if value is None else format_percent(value * 100)


@dataclass(frozen=True)
class Stakes:
    current: Decimal
    cheapest: Decimal
    cheapest_batch: Decimal


def stakes(ladder: Sequence[LadderRung], projected: bool) -> Stakes | None:
    """All spend (the account scope type covers it once), each value at its cheapest rung:
    the dollars the levers could move, at most."""
    cheapest: dict[str, LadderRung] = {}
    for rung in ladder:
        if rung.scope_type != "account":
            continue
        if (
            rung.scope_value not in cheapest
            or rung.rung_order > cheapest[rung.scope_value].rung_order
        ):
            cheapest[rung.scope_value] = rung
    if not cheapest:
        return None

    def total(pick) -> Decimal:
        return sum((pick(r) or Decimal(0) for r in cheapest.values()), Decimal(0))

    if projected:
        return Stakes(
            total(lambda r: r.current_30d),
            total(lambda r: r.cost_30d),
            total(lambda r: r.batch_30d),
        )
    return Stakes(total(lambda r: r.current), total(lambda r: r.cost), total(lambda r: r.batch))


def silence_reasons(silence: Silence) -> list[tuple[str, str]]:
    """(why, what would unlock it) for each lever, in the user's terms."""
    template = f"{TEMPLATE_DIR_NAME}/attribution_rules.csv"
    reasons: list[tuple[str, str]] = []
    if silence.classified_spend < silence.priced_spend:
        reasons.append((
            "Tiering: these exports say which model, key and workspace spent what, but carry "
            "no task labels, so nothing says which work is simple enough for a cheaper model "
            "(classification, extraction, routing...).",
            f"Name the task class of each key or workspace in {template} (beside this report) "
            "and run again with --config; or declare task_class in your own request logs.",
        ))  # fmt: skip
    if silence.latency_spend < silence.priced_spend:
        timing = (
            " Daily buckets cannot show when in the day the usage falls, so no schedule can "
            "be read from them either."
            if silence.daily_buckets_only
            else ""
        )
        reasons.append((
            "Batch: nothing says which work can wait up to 24 hours for the Batch API's half "
            f"price.{timing}",
            f"Set latency_class to async for the keys or workspaces that can wait, in "
            f"{template}" + ("; hourly exports would also show timing." if timing else "."),
        ))  # fmt: skip
    if not silence.has_request_logs or not silence.has_prompt_prefixes:
        reasons.append((
            "Caching: there are no request logs with prompt prefixes, and a usage export "
            "cannot show which calls repeat the same long prompt.",
            "Load request logs (a gateway's logs, or your own with a prompt-prefix hash) "
            "beside the exports.",
        ))  # fmt: skip
    if not reasons:
        reasons.append((
            "Every lever had what it needs (your task and latency classes, request logs), "
            "and none found a cheaper way to run this usage.",
            "Nothing is missing; eval results (tiering_evals.csv) can open cheaper models.",
        ))  # fmt: skip
    return reasons


def stakes_sentence(value: Stakes, projected: bool, ladder_at: str = "below") -> str:
    period = "per 30 days" if projected else "over the window"
    return (
        f"At stake, {period}: your {format_usd(value.current)} would cost "
        f"{format_usd(value.cheapest)} with every scope on its vendor's cheapest tier, "
        f"{format_usd(value.cheapest_batch)} through the Batch API as well (the ladder "
        f"{ladder_at}; what it would cost, not what to do)."
    )
