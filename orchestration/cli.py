"""`llm-cost-audit`: a thin face over the Dagster definitions.

llm-cost-audit run --exports DIR [--warehouse FILE] [--report-dir DIR] [--publish-dir DIR]
                   [--config DIR] [--undated-day YYYY-MM-DD]
llm-cost-audit formats
llm-cost-audit init-config DIR
llm-cost-audit settings [--config DIR]
llm-cost-audit demo [--scale X]
llm-cost-audit prices {update,check} [--seed-dir DIR]
llm-cost-audit pull {anthropic,openai} --since DATE [--until DATE] --out DIR [--account NAME]
llm-cost-audit export-lake --out DIR [--warehouse FILE]
"""

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from orchestration.project import DEFAULT_WAREHOUSE, REPO_ROOT, quiet_environment
from orchestration.settings import CONFIG_ENV, config_dir_from


def _print_progress() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    log = logging.getLogger("llm_cost_audit.progress")
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


def run_audit(
    exports: Path,
    warehouse: Path,
    report_dir: Path,
    publish_dir: Path | None = None,
    config_dir: Path | None = None,
    undated_day: str | None = None,
) -> int:
    """Materialize every asset in-process, as the schedule does; print the summary (after
    a failed test or model too, from where the report took it) and what failed.
    Exit status 1 when a file was rejected or any step or check failed; 2 when the
    exports or the settings cannot be used (nothing is loaded then)."""
    quiet_environment()
    # parses dbt on first use, before the dbt assets are defined
    from orchestration.definitions import audit_dbt_assets, build_definitions
    from orchestration.report.console import format_summary
    from orchestration.report.findings import load_findings
    from orchestration.report.html import HTML_REPORT_FILE_NAME
    from orchestration.report.markdown import REPORT_FILE_NAME
    from orchestration.resources import default_publish_dir
    from orchestration.settings import SettingsError, load_settings
    from orchestration.warehouse import published_database

    if not exports.is_dir():
        print(f"error: exports directory not found: {exports}", file=sys.stderr)
        return 2
    try:
        load_settings(config_dir)  # checked before anything is loaded
    except SettingsError as error:
        print(f"error: settings: {error}", file=sys.stderr)
        return 2
    _print_progress()
    print(f"Auditing {exports} into {warehouse}")
    # dagster-dbt echoes every dbt event to stdout: keep that in a log file, show progress.
    log_path = warehouse.parent / "logs" / f"{warehouse.stem}-run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    publish_dir = default_publish_dir(warehouse, publish_dir)
    defs = build_definitions(
        str(warehouse),
        str(exports),
        str(report_dir),
        str(publish_dir),
        config_dir=str(config_dir or ""),
        undated_day=undated_day or "",
    )
    with log_path.open("w") as log_file, contextlib.redirect_stdout(log_file):
        result = defs.resolve_job_def("audit_job").execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            raise_on_error=False,
        )
    failed_checks = [
        evaluation
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and not (evaluation := event.event_specific_data).passed
    ]
    # A build that failed a test or a model still wrote the report (the dbt step's
    # dg.Failure, in the report's own words); any other failed step did not.
    report_written = result.success or any(
        event.is_step_failure and event.event_specific_data.user_failure_data is not None
        for event in result.all_events
    )
    if warehouse.exists() and report_written:
        findings = load_findings(warehouse, published_database(warehouse, publish_dir))
        if findings.summary is not None:
            print()
            print(format_summary(findings.summary))
        print(f"\nReport: {report_dir / REPORT_FILE_NAME}")
        print(f"        {report_dir / HTML_REPORT_FILE_NAME}")
        if result.success:
            print(
                f"Published for analysts and BI (open read-only): "
                f"{published_database(warehouse, publish_dir)} and {publish_dir / 'parquet'}/"
            )
    for evaluation in failed_checks:
        if evaluation.asset_check_key in audit_dbt_assets.check_keys:
            continue  # a dbt test: in the build's failure below, in plain words
        detail = evaluation.metadata.get("rejected") or evaluation.metadata.get(
            "failed_expectations"
        )
        key = "/".join(evaluation.asset_key.path)
        print(
            f"FAILED check {key}:{evaluation.check_name}" + (f"\n{detail.value}" if detail else ""),
            file=sys.stderr,
        )
    if not result.success:
        for event in result.all_events:
            if not event.is_step_failure:
                continue
            failure = event.event_specific_data
            if failure.user_failure_data is not None:
                print(f"\nFAILED: {failure.user_failure_data.description}", file=sys.stderr)
                continue
            error = failure.error
            while error.cause is not None:  # Dagster wraps the step's own exception
                error = error.cause
            print(f"FAILED step {event.step_key}: {error.message.strip()}", file=sys.stderr)
        print(f"Full log of the run: {log_path}", file=sys.stderr)
    return 0 if result.success and not failed_checks else 1


def run_demo(scale: float) -> int:
    from orchestration.demo import generate_demo

    exports = REPO_ROOT / "warehouse" / "demo-exports"
    files = generate_demo(exports, scale=scale)
    print(f"Generated {len(files)} demo export files in {exports}")
    return run_audit(exports, REPO_ROOT / "warehouse" / "demo.duckdb", REPO_ROOT / "reports")


def run_formats() -> int:
    """Every export format the loader recognises, one per line."""
    from orchestration.ingest.detect import supported_formats

    print("Export formats llm-cost-audit loads (recognised by content, not by file name):")
    for description in supported_formats():
        print(f"  - {description}")
    print("Details and traps of each: docs/formats.md")
    return 0


def _day_argument(text: str) -> str:
    from datetime import date

    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)")


def run_init_config(directory: Path) -> int:
    """Write the settings templates into `directory`; name what was written and kept."""
    from orchestration.settings_templates import write_templates

    written, kept = write_templates(directory)
    for path in written:
        print(f"  wrote {path}")
    for path in kept:
        print(f"  kept  {path} (already there)")
    print(f"Edit them, then: llm-cost-audit run --exports DIR --config {directory}")
    return 0


def run_settings(config_dir: Path | None) -> int:
    """Validate the settings and print them as dbt vars (`dbt ... --vars "$(...)"`): what
    a hand-run dbt, e.g. the Spark target, needs to read the same files."""
    import json

    from orchestration.settings import SettingsError, load_settings

    try:
        settings = load_settings(config_dir)
    except SettingsError as error:
        print(f"error: settings: {error}", file=sys.stderr)
        return 2
    print(json.dumps(settings.dbt_vars()))
    return 0


def run_pull(args: argparse.Namespace) -> int:
    """Fetch the provider's usage and cost reports into `--out`; print what was written."""
    from orchestration.pull import PullError, Window, now, pull_reports

    try:
        window = Window(args.since, args.until or now())
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        result = pull_reports(
            args.provider,
            window,
            args.out.resolve(),
            account=args.account,
            bucket_width=args.bucket_width,
            progress=lambda line: print(f"  {line}", flush=True),
        )
    except PullError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for report, (pages, buckets) in result.reports.items():
        print(f"{args.provider} {report}: {pages} page(s), {buckets} bucket(s)")
    print(f"Wrote {len(result.files)} page file(s) to {result.folder}")
    print(f"Load them with: llm-cost-audit run --exports {args.out}")
    return 0


def run_export_lake(warehouse: Path, out: Path) -> int:
    """The raw tables as the Parquet lake the Spark target reads (orchestration/lake.py)."""
    import duckdb

    from orchestration.lake import export_raw_lake

    if not warehouse.exists():
        print(f"error: warehouse not found: {warehouse}", file=sys.stderr)
        return 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = export_raw_lake(con, out)
    for table, count in counts.items():
        print(f"  raw.{table}: {count} rows -> {out / table}/")
    return 0


def _time_argument(text: str):
    from orchestration.pull import parse_time

    try:
        return parse_time(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_config_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--config",
        type=Path,
        default=os.environ.get(CONFIG_ENV) or None,
        help="your settings directory (rules, evals, discounts, settings.toml; see "
        f"init-config); default: ${CONFIG_ENV}, else the project's defaults",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="llm-cost-audit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="audit a directory of usage exports")
    run.add_argument("--exports", type=Path, required=True, help="directory of export files")
    run.add_argument(
        "--warehouse",
        type=Path,
        default=DEFAULT_WAREHOUSE,
        help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})",
    )
    run.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        help="where findings.md and findings.html go (default: ./reports)",
    )
    run.add_argument(
        "--publish-dir",
        type=Path,
        default=None,
        help="where the read-only copy for analysts and BI goes (default: published/ "
        "beside the warehouse)",
    )
    _add_config_argument(run)
    run.add_argument(
        "--undated-day",
        type=_day_argument,
        default=None,
        metavar="YYYY-MM-DD",
        help="UTC day of records that carry no time of their own (Anthropic Messages "
        "responses and batch results, ...) outside a date=YYYY-MM-DD folder; without "
        "either such a file is refused (a file's modification time is never used)",
    )
    commands.add_parser("formats", help="list the export formats the loader recognises")
    init_config = commands.add_parser(
        "init-config", help="write every settings file as a template into a directory"
    )
    init_config.add_argument("directory", type=Path, help="the settings directory to fill")
    settings = commands.add_parser(
        "settings",
        help="check a settings directory and print it as dbt vars (for dbt run by hand, "
        'e.g. the Spark target: --vars "$(llm-cost-audit settings --config DIR)")',
    )
    _add_config_argument(settings)
    demo = commands.add_parser("demo", help="generate the bundled demo month and audit it")
    demo.add_argument("--scale", type=float, default=1.0, help="call volume multiplier")
    commands.add_parser(
        "prices",
        help="update: regenerate seeds/generated/ from genai-prices; check: are they current",
        add_help=False,  # `prices --help` is the prices command's own
    )
    pull = commands.add_parser(
        "pull",
        help="fetch usage and cost reports from a provider's admin API into an exports "
        "directory (key from ANTHROPIC_ADMIN_KEY / OPENAI_ADMIN_KEY)",
    )
    pull.add_argument("provider", choices=["anthropic", "openai"])
    pull.add_argument(
        "--since", type=_time_argument, required=True, help="YYYY-MM-DD or ISO time (UTC)"
    )
    pull.add_argument(
        "--until",
        type=_time_argument,
        default=None,
        help="exclusive end, YYYY-MM-DD or ISO time (UTC; default: now)",
    )
    pull.add_argument("--out", type=Path, required=True, help="exports directory to write to")
    pull.add_argument(
        "--account", default=None, help="write under account=<NAME>/ (one folder per organization)"
    )
    pull.add_argument(
        "--bucket-width",
        choices=["1d", "1h", "1m"],
        default="1d",
        help="usage report bucket width (default: 1d; cost reports are daily)",
    )
    lake = commands.add_parser(
        "export-lake",
        help="write the raw tables as a Parquet lake partitioned by usage day (the Spark "
        "target's input, LLM_COST_AUDIT_LAKE)",
    )
    lake.add_argument("--out", type=Path, required=True, help="lake directory to write to")
    lake.add_argument(
        "--warehouse",
        type=Path,
        default=DEFAULT_WAREHOUSE,
        help=f"DuckDB file to read (default: {DEFAULT_WAREHOUSE})",
    )
    args, rest = parser.parse_known_args(argv)
    if args.command != "prices" and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")

    if args.command == "run":
        return run_audit(
            args.exports.resolve(),
            args.warehouse.resolve(),
            args.report_dir.resolve(),
            args.publish_dir.resolve() if args.publish_dir else None,
            config_dir_from(args.config),
            args.undated_day,
        )
    if args.command == "formats":
        return run_formats()
    if args.command == "init-config":
        return run_init_config(args.directory.resolve())
    if args.command == "settings":
        return run_settings(config_dir_from(args.config))
    if args.command == "demo":
        return run_demo(args.scale)
    if args.command == "pull":
        return run_pull(args)
    if args.command == "export-lake":
        return run_export_lake(args.warehouse.resolve(), args.out.resolve())
    from orchestration.prices import main as prices_main

    return prices_main(rest)


if __name__ == "__main__":
    sys.exit(main())
