"""The rules template beside the report (`rules-template/attribution_rules.csv`): one rule
per scope that carries the spend (API keys, then workspaces or projects; the account where
the export names neither), its task and latency classes left empty for the user to fill
in. The file is the one `--config DIR` reads (orchestration/settings.py): filled in and
passed back, the same exports yield confirmed findings. An empty class leaves rows as
they are, so the template as written changes nothing.

Written once: an existing template is never overwritten, since it may be the one being
filled in (or passed back as --config); delete it to have it written anew."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from orchestration.project import REPO_ROOT
from orchestration.report.formatting import format_usd, write_atomically
from orchestration.report.ladder import TEMPLATE_DIR_NAME, LadderRung
from orchestration.report.summary import AuditSummary

RULES_FILE = "attribution_rules.csv"
# which scope types a rule can match, most specific first (match_column of the rules file)
MATCH_COLUMNS = {"api_key": "api_key", "workspace": "workspace"}
UNNAMED = ("(other)", "(none)")


def _task_classes() -> list[str]:
    with (REPO_ROOT / "seeds" / "curated" / "task_class_policy.csv").open() as f:
        return [row["task_class"] for row in csv.DictReader(f) if row["task_class"] != "unknown"]


def template_scopes(ladder: tuple[LadderRung, ...]) -> list[tuple[str, LadderRung]]:
    """(match_column, the scope's rung 0) for each key and workspace that carries the
    spend; the accounts where the export names no key or workspace."""
    current = [r for r in ladder if r.rung_order == 0 and r.scope_value not in UNNAMED]
    scopes = [(MATCH_COLUMNS[r.scope_type], r) for r in current if r.scope_type in MATCH_COLUMNS]
    return scopes or [("account", r) for r in current if r.scope_type == "account"]


def template_text(summary: AuditSummary) -> str | None:
    scopes = template_scopes(summary.ladder)
    if not scopes:
        return None
    with (REPO_ROOT / "seeds" / "curated" / RULES_FILE).open() as f:
        header = next(csv.reader(f))
    classes = ", ".join(_task_classes())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for order, (column, rung) in enumerate(scopes, start=1):
        writer.writerow({
            "rule_order": order,
            "match_column": column,
            # the value itself: `_` and `%` in it match a little more (SQL LIKE), never less
            "match_pattern": rung.scope_value,
            "note": (
                f"{format_usd(rung.current)} over the window; fill in task_class (one of: "
                f"{classes}) and latency_class (realtime, or async if it can wait 24 hours "
                "for the Batch API); an empty cell changes nothing"
            ),
        })  # fmt: skip
    return buffer.getvalue()


def write_rules_template(summary: AuditSummary | None, report_dir: Path) -> Path | None:
    """The template into `report_dir/rules-template/` unless one is there; its path, or
    None when there is no scope to name."""
    path = Path(report_dir) / TEMPLATE_DIR_NAME / RULES_FILE
    if summary is None or path.exists():
        return path if path.exists() else None
    text = template_text(summary)
    if text is None:
        return None
    return write_atomically(path.parent, RULES_FILE, text)
