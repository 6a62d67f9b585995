"""A finding's evidence fields (marts.savings_findings: signal, value, threshold, source
grain, buckets read) as the sentence the report shows before the mart's evidence text.

It names what the exports carry and nothing else: buckets, not calls, where the export
counts no requests; no time of day from daily buckets (docs/cost-semantics.md, Findings).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from orchestration.report.formatting import format_count

if TYPE_CHECKING:
    from orchestration.report.summary import Finding

GRAIN_NAMES = {"minute": "one-minute", "hour": "hourly", "day": "daily"}

# signal -> (what its value is, how the threshold bounds it)
SIGNALS = {
    "output_tokens_per_request": ("{value} output tokens per request", "at most {threshold}"),
    "output_tokens_per_input_token": (
        "{value} output tokens per input token",
        "at most {threshold}",
    ),
    "hours_of_day": ("usage on the same {value} hour(s) of the day (UTC)", "at most {threshold}"),
    "weekend_to_weekday_ratio": (
        "a weekend day uses {value} times a weekday's tokens",
        "at least {threshold}",
    ),
    "cache_reads_per_input_token": (
        "{value} tokens read from the cache per input token",
        "at most {threshold}",
    ),
}
CLASS_SOURCES = {
    "declared_task_class": "the task class your export declares",
    "rule_task_class": "the task class your attribution rule sets",
    "declared_latency_class": "the latency class your export declares",
    "rule_latency_class": "the latency class your attribution rule sets",
}


def _number(value: Decimal) -> str:
    """A signal's value or threshold, as few digits as it needs (`0.0125`, `16`)."""
    text = f"{value.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


def source_text(finding: Finding) -> str:
    """What the evidence was read from: `request-level calls`, `168 hourly usage buckets`."""
    grain = finding.evidence_source_grain
    buckets = finding.evidence_bucket_count or 0
    if grain == "call" or grain is None or not buckets:
        return "request-level calls"
    return f"{format_count(buckets)} {GRAIN_NAMES.get(grain, grain)} usage buckets"


def signal_sentence(finding: Finding) -> str:
    """One sentence: the signal, its value against its threshold, and its source."""
    signal = finding.evidence_signal or ""
    value, threshold = finding.evidence_value, finding.evidence_threshold
    source = source_text(finding)
    if signal in SIGNALS and value is not None and threshold is not None:
        measured, bound = SIGNALS[signal]
        return (
            f"Signal {signal}: {measured.format(value=_number(value))} "
            f"(the setting: {bound.format(threshold=_number(threshold))}), "
            f"read from {source}; a heuristic, so a candidate."
        )
    if signal == "eval_pass_rate" and value is not None and threshold is not None:
        return (
            f"Rests on your eval: pass rate {_number(value * 100)}% against a "
            f"{_number(threshold * 100)}% quality bar; usage read from {source}."
        )
    if signal == "cache_hit_share" and value is not None:
        return f"{_number(value.quantize(Decimal('0.1')))}% of the calls would read the cache."
    if signal in CLASS_SOURCES:
        return f"Rests on {CLASS_SOURCES[signal]}; usage read from {source}."
    if signal == "levers_stacked":
        return f"The levers stacked on the same usage, read from {source}."
    return f"Usage read from {source}."
