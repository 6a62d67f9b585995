"""What the report says, read from the marts (and nothing else) into plain dataclasses.

Reads `marts.rpt_audit_window`, `marts.rpt_scenario_totals`, `marts.savings_findings`,
`marts.rpt_unpriced_usage`, `marts.rpt_savings_by_scope`, `marts.rpt_daily_scenarios`,
`marts.fct_daily_costs`, `marts.rpt_scope_ladder` and `marts.fct_llm_usage` (the ladder
and the silence: report/ladder.py) and, when one exists, a reconciliation mart (columns in
docs/internals.md). Money stays `decimal.Decimal`:
DuckDB hands DECIMAL columns to Python as Decimal, and a money column that arrives as a
float means a mart lost its DECIMAL type, which is a bug: it raises instead of rounding.

The headline counts confirmed attribution only (docs/cost-semantics.md: `declared` and
`rule` rows; `heuristic` rows are candidates, reported apart). So the scenario table and
the waterfall are "the whole priced bill, with each lever applied to the confirmed rows":
for a scenario X, `all.current - (confirmed.current - confirmed.X)`. Rows in the
`candidate` scope stay at their current cost there; their savings are shown on their own.

Every per-30-days figure is `window figure x monthly_factor`. When the window is a single
instant (all usage at one time, e.g. one request) the factor is NULL, so is every `monthly_*`
column, and nothing is projected: `AuditSummary.has_projection` is False and each 30-day
figure here is None (rendered `n/a`), never zero. A NULL sum over no priced rows, with a
factor, still reads as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import duckdb

from orchestration.report.formatting import format_percent, format_usd, percent
from orchestration.report.ladder import LadderRung, Silence, load_ladder, load_silence
from orchestration.report.money import money, money_or_none

ZERO = Decimal(0)
# The window line when there is no 30-day projection; the figures themselves read `n/a`.
NO_PROJECTION = "The window is a single instant, so no 30-day projection is made."

# Scenario columns of marts.rpt_scenario_totals, in the order the report shows them.
SCENARIOS: tuple[str, ...] = (
    "current",
    "tiered",
    "batched",
    "cached",
    "tiered_batched",
    "optimized",
)
# The single-lever table: each lever alone, then all stacked.
TABLE_SCENARIOS: tuple[str, ...] = ("current", "tiered", "batched", "cached", "optimized")
SCENARIO_LABELS: Mapping[str, str] = {
    "current": "current",
    "tiered": "tiered",
    "batched": "batched",
    "cached": "cached",
    "tiered_batched": "tiered + batched",
    "optimized": "optimized (all levers)",
}
# The waterfall: levers stacked in a fixed order (docs/cost-semantics.md).
WATERFALL: tuple[tuple[str, str], ...] = (
    ("current", "current"),
    ("tiered", "after tiering"),
    ("tiered_batched", "after tiering + batch"),
    ("optimized", "after all three (optimized)"),
)


def _number(value: object) -> Decimal:
    """A window measure (not money): exact when it can be, tolerant of a DOUBLE."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return money(value, "window")


def _monthly(value: object, column: str, projected: bool) -> Decimal | None:
    """A per-30-days figure: None when nothing is projected, whatever the column holds."""
    return money(value, column) if projected else None


def _count(value: object) -> int:
    return 0 if value is None else int(value)  # type: ignore[call-overload]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class AuditWindow:
    """The global window: earliest usage to latest, and the 30-day factor
    (docs/cost-semantics.md)."""

    start_at: datetime
    end_at: datetime
    seconds: Decimal
    days: Decimal
    monthly_factor: Decimal | None  # 30 days / window days; None for a single instant


@dataclass(frozen=True)
class ScenarioCosts:
    """The six scenario costs of one scope, over one period (window or 30 days)."""

    current: Decimal = ZERO
    tiered: Decimal = ZERO
    batched: Decimal = ZERO
    cached: Decimal = ZERO
    tiered_batched: Decimal = ZERO
    optimized: Decimal = ZERO

    def cost(self, scenario: str) -> Decimal:
        return getattr(self, scenario)

    def savings(self, scenario: str) -> Decimal:
        return self.current - self.cost(scenario)


@dataclass(frozen=True)
class ScopeTotals:
    """One row of marts.rpt_scenario_totals: `all`, `confirmed` or `candidate`."""

    scope: str
    request_count: int
    observed: ScenarioCosts
    monthly: ScenarioCosts | None  # None when there is no 30-day projection

    def monthly_cost(self, scenario: str) -> Decimal | None:
        return None if self.monthly is None else self.monthly.cost(scenario)

    def monthly_savings(self, scenario: str) -> Decimal | None:
        return None if self.monthly is None else self.monthly.savings(scenario)


@dataclass(frozen=True)
class Finding:
    """One row of marts.savings_findings: one lever on one scope, alone."""

    finding_id: str
    lever: str  # tiering | batch | caching
    confidence: str  # confirmed | candidate
    provider: str | None
    model_id: str | None
    feature: str | None
    recommended_model: str | None
    action: str
    evidence: str
    request_count: int
    observed_current_cost_usd: Decimal
    observed_savings_usd: Decimal
    monthly_current_cost_usd: Decimal | None  # None: no 30-day projection
    monthly_savings_usd: Decimal | None
    prefix_hash: str | None = None  # caching findings: which prompt prefix
    quality_risk: str | None = None  # tiering: what it assumes, how to verify it
    workspaces: str | None = None  # the scope the calls came from, comma-separated
    api_keys: str | None = None
    share_of_spend_pct: Decimal | None = None  # of all priced spend over the window
    observed_stacked_savings_usd: Decimal | None = None  # all levers on the same calls
    monthly_stacked_savings_usd: Decimal | None = None
    # the evidence as fields (report/evidence.py turns them into a sentence)
    evidence_signal: str | None = None
    evidence_value: Decimal | None = None
    evidence_threshold: Decimal | None = None
    evidence_source_grain: str | None = None  # call | minute | hour | day
    evidence_bucket_count: int | None = None
    counts_calls: bool = True  # False: a bucket export counted no requests

    @property
    def is_combination(self) -> bool:
        """Several levers stacked (`tiering+batch`, ...), not one lever alone."""
        return "+" in self.lever

    @property
    def lever_label(self) -> str:
        return self.lever.replace("+", " + ")

    @property
    def savings_pct(self) -> Decimal | None:
        """Savings as a percentage of this scope's current cost (exact)."""
        return percent(self.observed_savings_usd, self.observed_current_cost_usd)

    @property
    def change(self) -> str:
        """`model -> recommended` for tiering; the lever's change otherwise."""
        model = self.model_id or "(any model)"
        levers = self.lever.split("+")
        if levers == ["caching"]:
            return f"{model} + cache {self.prefix_hash or 'its prompt prefix'}"
        change = f"{model} -> {self.recommended_model}" if self.recommended_model else model
        if "batch" in levers:
            change += " + Batch API" if self.is_combination else " -> Batch API"
        if "caching" in levers:
            change += " + caching"
        return change


@dataclass(frozen=True)
class UnpricedUsage:
    """One row of marts.rpt_unpriced_usage: usage left out of every cost figure."""

    provider: str | None
    model: str | None
    unpriced_reason: str | None
    row_count: int
    request_count: int
    total_tokens: int


@dataclass(frozen=True)
class ScenarioLine:
    """One line of the scenario table (headline basis)."""

    scenario: str
    label: str
    observed_cost: Decimal
    observed_savings: Decimal
    monthly_cost: Decimal | None  # None: no 30-day projection
    monthly_savings: Decimal | None
    savings_pct: Decimal | None  # of the current cost; None when that is zero


@dataclass(frozen=True)
class WaterfallStep:
    """One step of the waterfall: the cost after it and what this step alone took off."""

    scenario: str
    label: str
    observed_cost: Decimal
    observed_step_savings: Decimal
    monthly_cost: Decimal | None  # None: no 30-day projection
    monthly_step_savings: Decimal | None


@dataclass(frozen=True)
class DailySpend:
    """One day of marts.rpt_daily_scenarios: priced spend now and with all levers."""

    usage_date: date
    # None on a day with usage but no priced row: drawn as a gap, never as $0
    current: Decimal | None
    confirmed_optimized: Decimal | None  # the headline's basis: candidates at current cost


@dataclass(frozen=True)
class FeatureModelSpend:
    """A feature's priced spend on one model over the window (marts.fct_daily_costs)."""

    feature: str
    provider: str | None
    model_id: str
    current: Decimal


@dataclass(frozen=True)
class MartTable:
    """A mart shown as it is (column names and rows), e.g. a reconciliation mart whose
    shape this report does not fix."""

    name: str  # schema-qualified
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class ScopeSavings:
    """One workspace, API key or account (marts.rpt_savings_by_scope): its cost and what
    all levers stacked would save, per 30 days over every priced row, and over the window
    on its confirmed rows only."""

    scope_type: str
    scope_value: str
    request_count: int
    monthly_current: Decimal | None  # None: no 30-day projection
    confirmed_optimized_savings: Decimal
    monthly_optimized_savings: Decimal | None


@dataclass(frozen=True)
class AuditSummary:
    window: AuditWindow | None  # None when the warehouse holds no usage
    scopes: Mapping[str, ScopeTotals]
    findings: tuple[Finding, ...]  # by 30-day savings (else window savings), largest first
    unpriced: tuple[UnpricedUsage, ...]
    savings_by_scope: tuple[ScopeSavings, ...] = ()  # workspaces, API keys, accounts
    daily: tuple[DailySpend, ...] = ()  # by date
    spend_by_feature_model: tuple[FeatureModelSpend, ...] = ()  # largest first
    reconciliation: MartTable | None = None  # None: no reconciliation mart yet
    ladder: tuple[LadderRung, ...] = ()  # marts.rpt_scope_ladder, by scope type and spend
    silence: Silence | None = None  # what the exports lack that confirmed findings need
    # current cost of every priced row at list price; the scopes hold what you pay
    list_current: Decimal | None = None
    # of what you pay now, the spend priced at the standard tier because the export does
    # not state the service tier (fct_llm_usage.tier_assumed)
    tier_assumed_current: Decimal = ZERO

    @property
    def pricing_basis(self) -> str:
        """One sentence: list prices, or the contracted prices the figures are at."""
        paid = self.scope("all").observed.current
        if self.list_current is None or self.list_current == paid:
            return (
                "Prices are list prices: no negotiated discount is recorded in "
                "contracted_discounts.csv (your settings directory, else seeds/curated/)."
            )
        return (
            "Costs and savings are what you pay: your contracted prices "
            f"(contracted_discounts.csv), {format_usd(paid)} over the window "
            f"against {format_usd(self.list_current)} at list price."
        )

    @property
    def tier_assumed_share_pct(self) -> Decimal | None:
        """The share of current spend priced on the standard-tier assumption; None when
        no spend is."""
        if self.tier_assumed_current == 0:
            return None
        return percent(self.tier_assumed_current, self.scope("all").observed.current)

    @property
    def tier_assumed_note(self) -> str | None:
        """The sentence beside the headline when part of it rests on an assumed tier."""
        share = self.tier_assumed_share_pct
        if share is None:
            return None
        return (
            f"{format_percent(share)} of this spend ({format_usd(self.tier_assumed_current)}) "
            "is priced at the standard tier: its export does not state the service tier "
            "(tier_assumed in marts.fct_llm_usage)."
        )

    def scope(self, name: str) -> ScopeTotals:
        """A scope's totals; zeros when the mart has no row for it."""
        monthly = ScenarioCosts() if self.has_projection else None
        return self.scopes.get(name) or ScopeTotals(name, 0, ScenarioCosts(), monthly)

    @property
    def has_usage(self) -> bool:
        return self.window is not None

    @property
    def has_projection(self) -> bool:
        """Whether there are per-30-days figures: not for no usage or a single instant."""
        return self.window is not None and self.window.monthly_factor is not None

    @property
    def findings_basis(self) -> str:
        """What the findings are ranked by (their 30-day savings, else window savings)."""
        return "per 30 days" if self.has_projection else "over the window"

    @property
    def headline(self) -> ScopeTotals:
        """The headline basis: the whole bill, levers applied to the confirmed rows."""
        return ScopeTotals(
            "headline",
            self.scope("all").request_count,
            self.headline_observed,
            self.headline_monthly,
        )

    @property
    def headline_observed(self) -> ScenarioCosts:
        return _headline(self.scope("all").observed, self.scope("confirmed").observed)

    @property
    def headline_monthly(self) -> ScenarioCosts | None:
        everything, confirmed = self.scope("all").monthly, self.scope("confirmed").monthly
        if everything is None or confirmed is None:
            return None
        return _headline(everything, confirmed)

    def scenario_lines(self) -> list[ScenarioLine]:
        headline = self.headline
        observed = headline.observed
        return [
            ScenarioLine(
                scenario=name,
                label=SCENARIO_LABELS[name],
                observed_cost=observed.cost(name),
                observed_savings=observed.savings(name),
                monthly_cost=headline.monthly_cost(name),
                monthly_savings=headline.monthly_savings(name),
                savings_pct=percent(observed.savings(name), observed.current),
            )
            for name in TABLE_SCENARIOS
        ]

    def waterfall(self) -> list[WaterfallStep]:
        headline = self.headline
        observed, monthly = headline.observed, headline.monthly
        steps: list[WaterfallStep] = []
        previous: str | None = None
        for name, label in WATERFALL:
            steps.append(
                WaterfallStep(
                    scenario=name,
                    label=label,
                    observed_cost=observed.cost(name),
                    observed_step_savings=_step_savings(observed, previous, name),
                    monthly_cost=headline.monthly_cost(name),
                    monthly_step_savings=(
                        None if monthly is None else _step_savings(monthly, previous, name)
                    ),
                )
            )
            previous = name
        return steps

    @property
    def confirmed_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.confidence == "confirmed")

    @property
    def candidate_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.confidence != "confirmed")

    @property
    def has_unpriced(self) -> bool:
        return any(u.row_count for u in self.unpriced)

    @property
    def unpriced_row_count(self) -> int:
        return sum(u.row_count for u in self.unpriced)

    @property
    def unpriced_request_count(self) -> int:
        return sum(u.request_count for u in self.unpriced)

    @property
    def unpriced_total_tokens(self) -> int:
        return sum(u.total_tokens for u in self.unpriced)


def _headline(everything: ScenarioCosts, confirmed: ScenarioCosts) -> ScenarioCosts:
    return ScenarioCosts(
        **{name: everything.current - confirmed.savings(name) for name in SCENARIOS}
    )


def _step_savings(costs: ScenarioCosts, previous: str | None, name: str) -> Decimal:
    return ZERO if previous is None else costs.cost(previous) - costs.cost(name)


def _load_window(con: duckdb.DuckDBPyConnection) -> AuditWindow | None:
    rows = _rows(
        con,
        """
        select window_start_at, window_end_at, window_seconds, window_days, monthly_factor
        from marts.rpt_audit_window
        """,
    )
    if not rows or rows[0]["window_start_at"] is None:
        return None
    if len(rows) > 1:
        raise ValueError(f"marts.rpt_audit_window must hold one row, found {len(rows)}")
    row = rows[0]
    return AuditWindow(
        start_at=row["window_start_at"],  # type: ignore[arg-type]
        end_at=row["window_end_at"],  # type: ignore[arg-type]
        seconds=_number(row["window_seconds"]),
        days=_number(row["window_days"]),
        monthly_factor=None if row["monthly_factor"] is None else _number(row["monthly_factor"]),
    )


def _load_scopes(con: duckdb.DuckDBPyConnection, projected: bool) -> dict[str, ScopeTotals]:
    # what you pay: contracted cost, which is list cost where no discount is recorded
    cost_columns = [f"{s}_contracted_cost_usd" for s in SCENARIOS]
    columns = ", ".join(cost_columns + [f"monthly_{c}" for c in cost_columns])
    scopes: dict[str, ScopeTotals] = {}
    for row in _rows(
        con, f"select confidence_scope, request_count, {columns} from marts.rpt_scenario_totals"
    ):
        scope = str(row["confidence_scope"])

        def costs(prefix: str, row: dict[str, object] = row) -> ScenarioCosts:
            return ScenarioCosts(
                **{
                    s: money(
                        row[f"{prefix}{s}_contracted_cost_usd"],
                        f"rpt_scenario_totals.{prefix}{s}_contracted",
                    )
                    for s in SCENARIOS
                }
            )

        scopes[scope] = ScopeTotals(
            scope,
            _count(row["request_count"]),
            costs(""),
            costs("monthly_") if projected else None,
        )
    return scopes


def _load_findings(con: duckdb.DuckDBPyConnection, projected: bool) -> tuple[Finding, ...]:
    observed = ("observed_current_cost_usd", "observed_savings_usd")
    monthly = ("monthly_current_cost_usd", "monthly_savings_usd")
    rows = _rows(
        con,
        f"""
        select finding_id, lever, confidence, provider, model_id, feature,
            recommended_model, prefix_hash, action, evidence, request_count,
            {", ".join(observed + monthly)}, quality_risk, workspaces, api_keys,
            share_of_spend_pct, observed_stacked_savings_usd, monthly_stacked_savings_usd,
            evidence_signal, evidence_value, evidence_threshold, evidence_source_grain,
            evidence_bucket_count, counts_calls
        from marts.savings_findings
        order by monthly_savings_usd desc nulls last, observed_savings_usd desc, finding_id
        """,
    )
    return tuple(
        Finding(
            finding_id=str(r["finding_id"]),
            lever=str(r["lever"]),
            confidence=str(r["confidence"]),
            provider=r["provider"],  # type: ignore[arg-type]
            model_id=r["model_id"],  # type: ignore[arg-type]
            feature=r["feature"],  # type: ignore[arg-type]
            recommended_model=r["recommended_model"],  # type: ignore[arg-type]
            prefix_hash=r["prefix_hash"],  # type: ignore[arg-type]
            action=str(r["action"] or ""),
            evidence=str(r["evidence"] or ""),
            request_count=_count(r["request_count"]),
            **{m: money(r[m], f"savings_findings.{m}") for m in observed},
            **{m: _monthly(r[m], f"savings_findings.{m}", projected) for m in monthly},
            quality_risk=r["quality_risk"],  # type: ignore[arg-type]
            workspaces=r["workspaces"],  # type: ignore[arg-type]
            api_keys=r["api_keys"],  # type: ignore[arg-type]
            share_of_spend_pct=r["share_of_spend_pct"],  # type: ignore[arg-type]
            # null for a caching candidate: the stacked scenario has no such lever
            observed_stacked_savings_usd=money_or_none(
                r["observed_stacked_savings_usd"], "savings_findings.observed_stacked_savings_usd"
            ),
            monthly_stacked_savings_usd=_monthly(
                r["monthly_stacked_savings_usd"],
                "savings_findings.monthly_stacked_savings_usd",
                projected and r["observed_stacked_savings_usd"] is not None,
            ),
            evidence_signal=r["evidence_signal"],  # type: ignore[arg-type]
            evidence_value=r["evidence_value"],  # type: ignore[arg-type]
            evidence_threshold=r["evidence_threshold"],  # type: ignore[arg-type]
            evidence_source_grain=r["evidence_source_grain"],  # type: ignore[arg-type]
            evidence_bucket_count=_count(r["evidence_bucket_count"]),
            counts_calls=bool(r["counts_calls"]),
        )
        for r in rows
    )


def _load_unpriced(con: duckdb.DuckDBPyConnection) -> tuple[UnpricedUsage, ...]:
    rows = _rows(
        con,
        """
        select provider, model, unpriced_reason, row_count, request_count, total_tokens
        from marts.rpt_unpriced_usage
        order by total_tokens desc, row_count desc, provider, model, unpriced_reason
        """,
    )
    return tuple(
        UnpricedUsage(
            provider=r["provider"],  # type: ignore[arg-type]
            model=r["model"],  # type: ignore[arg-type]
            unpriced_reason=r["unpriced_reason"],  # type: ignore[arg-type]
            row_count=_count(r["row_count"]),
            request_count=_count(r["request_count"]),
            total_tokens=_count(r["total_tokens"]),
        )
        for r in rows
    )


def _load_savings_by_scope(
    con: duckdb.DuckDBPyConnection, projected: bool
) -> tuple[ScopeSavings, ...]:
    rows = _rows(
        con,
        """
        select scope_type, scope_value, request_count, monthly_current_cost_usd,
               confirmed_optimized_savings_usd, monthly_optimized_savings_usd
        from marts.rpt_savings_by_scope
        where scope_type in ('workspace', 'api_key', 'account')
        order by scope_type, monthly_optimized_savings_usd desc, scope_value
        """,
    )
    return tuple(
        ScopeSavings(
            scope_type=r["scope_type"],  # type: ignore[arg-type]
            scope_value=r["scope_value"],  # type: ignore[arg-type]
            request_count=_count(r["request_count"]),
            monthly_current=_monthly(
                r["monthly_current_cost_usd"], "monthly_current_cost_usd", projected
            ),
            confirmed_optimized_savings=money(
                r["confirmed_optimized_savings_usd"], "confirmed_optimized_savings_usd"
            ),
            monthly_optimized_savings=_monthly(
                r["monthly_optimized_savings_usd"], "monthly_optimized_savings_usd", projected
            ),
        )
        for r in rows
    )


def _load_daily(con: duckdb.DuckDBPyConnection) -> tuple[DailySpend, ...]:
    rows = _rows(
        con,
        """
        select usage_date, current_cost_usd, confirmed_optimized_cost_usd
        from marts.rpt_daily_scenarios
        order by usage_date
        """,
    )
    return tuple(
        DailySpend(
            usage_date=r["usage_date"],  # type: ignore[arg-type]
            current=money_or_none(r["current_cost_usd"], "rpt_daily_scenarios.current_cost_usd"),
            confirmed_optimized=money_or_none(
                r["confirmed_optimized_cost_usd"],
                "rpt_daily_scenarios.confirmed_optimized_cost_usd",
            ),
        )
        for r in rows
    )


def _load_spend_by_feature_model(
    con: duckdb.DuckDBPyConnection,
) -> tuple[FeatureModelSpend, ...]:
    # priced groups only: an unpriced group's cost is null, never $0
    rows = _rows(
        con,
        """
        select feature, provider, model_id,
               sum(current_contracted_cost_usd) as current_cost_usd
        from marts.fct_daily_costs
        where current_contracted_cost_usd is not null
        group by feature, provider, model_id
        order by current_cost_usd desc, feature, provider, model_id
        """,
    )
    return tuple(
        FeatureModelSpend(
            feature=str(r["feature"]),
            provider=r["provider"],  # type: ignore[arg-type]
            model_id=str(r["model_id"]),
            current=money(r["current_cost_usd"], "fct_daily_costs.current_contracted_cost_usd"),
        )
        for r in rows
    )


RECONCILIATION_ROW_LIMIT = 200


def _load_reconciliation(con: duckdb.DuckDBPyConnection) -> MartTable | None:
    """A reconciliation mart (its name holds `reconcil`), shown as it is, when one exists:
    the report does not fix its shape before the issue that builds it does."""
    names = con.execute(
        """
        select table_name from information_schema.tables
        where table_schema = 'marts' and table_name like '%reconcil%'
        order by table_name
        """
    ).fetchall()
    if not names:
        return None
    name = f"marts.{names[0][0]}"
    cursor = con.execute(f'select * from marts."{names[0][0]}" limit {RECONCILIATION_ROW_LIMIT}')
    columns = tuple(d[0] for d in cursor.description)
    return MartTable(name=name, columns=columns, rows=tuple(cursor.fetchall()))


def load_summary(con: duckdb.DuckDBPyConnection) -> AuditSummary:
    """Everything the console summary and the reports show, from the marts."""
    window = _load_window(con)
    projected = window is not None and window.monthly_factor is not None
    return AuditSummary(
        window=window,
        scopes=_load_scopes(con, projected),
        findings=_load_findings(con, projected),
        unpriced=_load_unpriced(con),
        savings_by_scope=_load_savings_by_scope(con, projected),
        daily=_load_daily(con),
        spend_by_feature_model=_load_spend_by_feature_model(con),
        reconciliation=_load_reconciliation(con),
        ladder=load_ladder(con),
        silence=load_silence(con),
        list_current=_load_list_current(con),
        tier_assumed_current=_load_tier_assumed_current(con),
    )


def _load_list_current(con: duckdb.DuckDBPyConnection) -> Decimal | None:
    row = con.execute(
        "select current_cost_usd from marts.rpt_scenario_totals where confidence_scope = 'all'"
    ).fetchone()
    return None if row is None or row[0] is None else money(row[0], "rpt_scenario_totals")


def _load_tier_assumed_current(con: duckdb.DuckDBPyConnection) -> Decimal:
    row = con.execute(
        "select tier_assumed_current_contracted_cost_usd from marts.rpt_scenario_totals"
        " where confidence_scope = 'all'"
    ).fetchone()
    return ZERO if row is None else money(row[0], "rpt_scenario_totals.tier_assumed_current")
