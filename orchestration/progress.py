"""Progress lines for a person watching a run: a plain logger the CLI prints, apart from
Dagster's own (verbose) event log."""

import logging

progress_log = logging.getLogger("llm_cost_audit.progress")
