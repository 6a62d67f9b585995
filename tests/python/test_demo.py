"""The demo dataset generator: deterministic, in the canonical format, shaped as documented.

Files are read back with DuckDB, the way the loader reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration import demo

SCALE = 0.02
REQUIRED_COLUMNS = {"timestamp", "provider", "model", "input_tokens", "output_tokens"}
REEXPORT = "support_chat_reexport_2026-10-20.jsonl"
# Which file each feature's rows live in (the re-export aside).
FEATURE_FILES = {
    "ticket-classifier": "anthropic_requests_2026-10.csv",
    "support-chat": "anthropic_requests_2026-10.csv",
    "faq-bot": "anthropic_requests_2026-10.csv",
    "coding-agent": "anthropic_requests_2026-10.csv",
    "lead-tagger": "anthropic_requests_2026-10.csv",
    "document-extractor": "openai_requests_2026-10.jsonl",
    "intent-router": "openai_requests_2026-10.jsonl",
    "ops-digest": "openai_requests_2026-10.jsonl",
    "nightly-report": "batch_jobs_2026-10.parquet",
    "kb-search": "internal_gateway_2026-10.csv",
}


def _reader(path: Path) -> str:
    if path.suffix == ".csv":
        # All text, so nothing depends on the sniffer; the table below casts.
        return f"read_csv('{path}', header = true, all_varchar = true)"
    if path.suffix == ".jsonl":
        return f"read_json('{path}', format = 'newline_delimited')"
    return f"read_parquet('{path}')"


def _file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    return [row[0] for row in con.execute(f"describe select * from {_reader(path)}").fetchall()]


def _load(paths: list[Path]) -> duckdb.DuckDBPyConnection:
    """Every file's rows in one typed table `demo`, with the file they came from."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    int_columns = demo.INTEGER_COLUMNS
    columns = ", ".join(
        f"{c} {'bigint' if c in int_columns else 'timestamptz' if c == 'timestamp' else 'varchar'}"
        for c in demo.CANONICAL_COLUMNS
    )
    con.execute(f"create table demo (source_file varchar, {columns})")
    for path in paths:
        con.execute(
            f"insert into demo by name select '{path.name}' as source_file, * from {_reader(path)}"
        )
    return con


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo.generate_demo(out, seed=7, scale=SCALE)
    return out


@pytest.fixture(scope="module")
def paths(demo_dir: Path) -> list[Path]:
    return sorted(demo_dir.iterdir())


@pytest.fixture(scope="module")
def con(paths: list[Path]) -> duckdb.DuckDBPyConnection:
    return _load(paths)


def test_writes_the_documented_files(demo_dir: Path, paths: list[Path]) -> None:
    assert {p.name for p in paths} == {f.name for f in demo.DEMO_FILES}
    assert not list(demo_dir.glob(".*")), "no partial files left behind"


def test_same_seed_and_scale_give_the_same_bytes_and_mtimes(tmp_path: Path) -> None:
    first = demo.generate_demo(tmp_path / "a", seed=7, scale=SCALE)
    second = demo.generate_demo(tmp_path / "b", seed=7, scale=SCALE)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        assert a.stat().st_mtime == b.stat().st_mtime, a.name
    # Load order (mtime, then name) puts the re-export last.
    load_order = sorted(first, key=lambda p: (p.stat().st_mtime, p.name))
    assert load_order[-1].name == REEXPORT


def test_regenerating_in_place_gives_the_same_bytes(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in demo.generate_demo(tmp_path, scale=SCALE)}
    after = {p.name: p.read_bytes() for p in demo.generate_demo(tmp_path, scale=SCALE)}
    assert before == after


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    a = demo.generate_demo(tmp_path / "a", seed=7, scale=SCALE)
    b = demo.generate_demo(tmp_path / "b", seed=8, scale=SCALE)
    assert a[0].read_bytes() != b[0].read_bytes()


def test_window_is_exactly_october_2026(con: duckdb.DuckDBPyConnection) -> None:
    first, last = con.execute('select min("timestamp"), max("timestamp") from demo').fetchone()
    assert first == datetime(2026, 10, 1, tzinfo=UTC)
    assert last == datetime(2026, 10, 31, tzinfo=UTC)
    assert last - first == timedelta(days=30)


def test_every_feature_is_present_in_its_file(con: duckdb.DuckDBPyConnection) -> None:
    found = dict(
        con.execute(
            f"select feature, list(distinct source_file) from demo "
            f"where source_file <> '{REEXPORT}' group by feature"
        ).fetchall()
    )
    assert set(found) == set(demo.FEATURES) == set(FEATURE_FILES)
    for feature, files in found.items():
        assert files == [FEATURE_FILES[feature]], feature


def test_columns_follow_the_canonical_contract(
    con: duckdb.DuckDBPyConnection, paths: list[Path]
) -> None:
    canonical = list(demo.CANONICAL_COLUMNS)
    seen: set[str] = set()
    for path in paths:
        columns = _file_columns(con, path)
        assert set(columns) <= set(canonical), path.name
        assert REQUIRED_COLUMNS <= set(columns), path.name
        assert columns == [c for c in canonical if c in columns], "canonical order"
        seen |= set(columns)
    assert seen == set(canonical), "every canonical column appears in some file"
    parquet = next(p for p in paths if p.suffix == ".parquet")
    types = {
        name: kind
        for name, kind, *_ in con.execute(f"describe select * from {_reader(parquet)}").fetchall()
    }
    assert types["input_tokens"] == "BIGINT"
    assert types["timestamp"] == "VARCHAR"  # ISO 8601 text, as the contract says


def test_values_are_valid(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        """
        select count(*) from demo
        where request_id is null or account <> 'northwind' or provider is null
            or model is null or feature is null or request_count <> 1
            or least(input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
                     cache_read_tokens, output_tokens) < 0
            or latency_class not in ('realtime', 'async')
            or service_tier not in ('standard', 'default', 'batch', 'priority')
        """
    ).fetchone()[0]
    assert bad == 0


def test_request_ids_are_unique_outside_the_reexport(con: duckdb.DuckDBPyConnection) -> None:
    rows, ids = con.execute(
        f"select count(*), count(distinct request_id) from demo where source_file <> '{REEXPORT}'"
    ).fetchone()
    assert rows == ids
    ids = [r[0] for r in con.execute("select request_id from demo limit 5").fetchall()]
    assert all(i.startswith("req_") for i in ids)


def test_the_reexport_repeats_identical_records(con: duckdb.DuckDBPyConnection) -> None:
    repeated, differing = con.execute(
        f"""
        with again as (select * exclude (source_file) from demo where source_file = '{REEXPORT}'),
            first as (select * exclude (source_file) from demo where source_file <> '{REEXPORT}')
        select
            (select count(*) from again),
            (select count(*) from (select * from again except select * from first))
        """
    ).fetchone()
    assert repeated > 0
    assert differing == 0


def test_token_buckets_are_disjoint(con: duckdb.DuckDBPyConnection) -> None:
    # Cached tokens sit beside input, never inside it: a cache-hit call's uncached input is
    # a short tail, smaller than what it read back (impossible if input included the reads).
    hits, inside = con.execute(
        """
        select count(*), count(*) filter (where input_tokens >= cache_read_tokens)
        from demo where cache_read_tokens > 0
        """
    ).fetchone()
    assert hits > 0
    assert inside == 0
    # Cache activity only where the feature already caches (coding-agent).
    cached_features = con.execute(
        """
        select distinct feature from demo
        where cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens > 0
        """
    ).fetchall()
    assert cached_features == [("coding-agent",)]
    writes_1h = con.execute("select sum(cache_write_1h_tokens) from demo").fetchone()[0]
    assert writes_1h is not None
    # A declared prefix is billed as uncached input today: it is inside input_tokens.
    prefix_outside_input = con.execute(
        "select count(*) from demo where prefix_hash is not null and input_tokens <= prefix_tokens"
    ).fetchone()[0]
    assert prefix_outside_input == 0


def test_prefix_streams_are_shaped_for_the_caching_what_if(
    con: duckdb.DuckDBPyConnection,
) -> None:
    prefixes = dict(
        con.execute(
            "select prefix_hash, list(distinct prefix_tokens) from demo "
            "where prefix_hash is not null group by prefix_hash"
        ).fetchall()
    )
    assert prefixes == {
        "sp-support-v3": [6000],
        "sp-support-v4": [6250],
        "sp-faq-v1": [900],  # under Haiku 4.5's 4,096-token minimum
        "sp-sparse": [3000],
    }
    # v4 replaces v3 mid-month.
    v3_last, v4_first = con.execute(
        """
        select max("timestamp") filter (where prefix_hash = 'sp-support-v3'),
               min("timestamp") filter (where prefix_hash = 'sp-support-v4')
        from demo
        """
    ).fetchone()
    assert v3_last < v4_first
    assert v4_first.date().isoformat() == "2026-10-16"


def test_support_chat_is_bursty_with_quiet_nights() -> None:
    rows = demo.build_rows(scale=0.1)["support-chat"]
    times = [datetime.fromisoformat(str(r["timestamp"])) for r in rows]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    within_5m = sum(g <= timedelta(minutes=5) for g in gaps)
    assert within_5m / len(gaps) > 0.6
    assert sum(g > timedelta(hours=1) for g in gaps) >= 25  # at least one a night


def test_ops_digest_is_sparse_at_full_scale() -> None:
    rows = demo.build_rows(scale=1.0)["ops-digest"]
    times = [datetime.fromisoformat(str(r["timestamp"])) for r in rows]
    assert len(times) == 361
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) > timedelta(hours=1)


def test_scenario_features_are_there(con: duckdb.DuckDBPyConnection) -> None:
    def one(sql: str) -> object:
        return con.execute(sql).fetchone()[0]

    assert one("select count(*) from demo where input_tokens > 200000") >= 1
    assert (
        one(
            "select count(*) from demo where input_tokens > 200000 "
            "and not (feature = 'nightly-report' and service_tier = 'batch')"
        )
        == 0
    )
    assert one("select count(*) from demo where service_tier = 'priority'") >= 1
    assert (
        one("""select max("timestamp") from demo where service_tier = 'priority'""").date()
        < datetime(2026, 10, 12).date()
    )
    assert one("select count(*) from demo where provider = 'acme'") >= 1
    assert one("select count(*) from demo where api_key like 'sk-proj-DEMO%'") >= 3
    assert one(
        "select list(distinct service_tier order by service_tier) from demo "
        "where feature = 'document-extractor'"
    ) == ["default", "standard"]
    assert (
        one(
            "select count(*) from demo where feature = 'intent-router' "
            "and (task_class is not null or latency_class is not null)"
        )
        == 0
    )
    assert one("select list(distinct model) from demo where feature = 'ticket-classifier'") == [
        "claude-opus-4-5"
    ]


def test_scale_multiplies_volumes() -> None:
    small = sum(len(rows) for rows in demo.build_rows(scale=0.02).values())
    double = sum(len(rows) for rows in demo.build_rows(scale=0.04).values())
    assert 1.6 < double / small < 2.4
    full = demo.build_rows(scale=1.0)
    assert 40_000 <= sum(len(rows) for rows in full.values()) <= 60_000
    assert all(full.values())


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="scale"):
        demo.build_rows(scale=0)


def test_module_entry_point_writes_the_files(tmp_path: Path, capsys) -> None:
    assert demo.main([str(tmp_path), "--scale", "0.01", "--seed", "3"]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == sorted(f.name for f in demo.DEMO_FILES)
    assert all(Path(p).exists() for p in printed)
