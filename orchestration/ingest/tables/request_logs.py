"""`raw.request_logs`: request-level usage from Gemini `generateContent` responses and
gateway logs (LiteLLM spend logs, OpenRouter generations, OpenTelemetry GenAI spans).

Each stager writes a `<t>_rows` TEMP table of `source_record`, `location` (how an error
names the record) and the trimmed text columns of `TEXT_COLUMNS`, read straight from the
source's own fields (never prompt or completion text: `messages`, `response`, `contents`
and `candidates` are not even selected). `add_parsed_columns` types them; the checks are
the table's Great Expectations suite; `finalise_requests` turns the source's token
convention into the disjoint buckets of docs/cost-semantics.md and keys each record:

- `cache_convention = 'inside'`: cache reads/writes are part of `input_total` (Gemini,
  OpenAI-style LiteLLM usage, OpenRouter): uncached input = total - cache;
- `'beside'`: they are counted apart (Anthropic's convention);
- `'auto'` (OTel spans: the convention says inside, many Anthropic instrumentations put
  them beside): inside when the total holds them, beside when it is smaller than they are.
`extra_input` (Gemini's tool-use prompt) is input outside `input_total`; `output_extra`
(Gemini's thoughts) is output outside `output_base`; reasoning, inside the output tokens
either way, is kept apart as `reasoning_tokens` and priced at its own rate where a model
has one. The parts of `PART_COLUMNS` (audio, image, video tokens) are shares of the
buckets they name, uncached: a stager that reads none leaves them out.

Keys (`record_key`): the source's own id per channel and account (LiteLLM `request_id`,
OpenRouter `generation_id`, Gemini `responseId`, OTel trace + span id), else the file and
position; `request_id` is the provider's response id where the source carries one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import duckdb
import great_expectations.expectations as gxe

from orchestration.ingest.bounds import StagedShape, sum_of
from orchestration.ingest.checks import Check, changed_rows_suite
from orchestration.ingest.registry import RawTable
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    empty_or,
    integer,
    sql_str,
    utc_timestamp,
)

RAW_TABLE = "raw.request_logs"

# The parts of a call a log carries apart from its text tokens
# (docs/pricing.md, "Parts of a call"): each a share of the bucket named first (uncached
# input, cache reads, output), priced at its own rate. Stagers that read none leave them
# out (add_parsed_columns).
PART_COLUMNS = (
    "input_audio",
    "input_image",
    "input_video",
    "cache_read_audio",
    "cache_read_image",
    "cache_read_video",
    "output_audio",
    "output_image",
    "output_video",
)
PART_DDL = ",\n        ".join(f"{part}_tokens bigint" for part in PART_COLUMNS)
RAW_DDL = f"""
    create table if not exists {RAW_TABLE} (
        usage_id varchar not null,
        request_id varchar,
        channel varchar not null,
        account varchar not null,
        bucket_start_at timestamp not null,
        is_time_from_file boolean not null,
        provider varchar not null,
        model varchar not null,
        service_tier varchar,
        api_key varchar,
        workspace varchar,
        feature varchar,
        request_tags varchar,
        request_metadata varchar,
        upstream_provider varchar,
        status varchar,
        is_gateway_cache_hit boolean not null,
        reported_input_tokens bigint not null,
        input_tokens bigint not null,
        cache_write_5m_tokens bigint not null,
        cache_write_1h_tokens bigint not null,
        cache_read_tokens bigint not null,
        output_tokens bigint not null,
        reasoning_tokens bigint,
        gateway_cost_usd decimal(38, 12),
        {PART_DDL},
        bucket_end_at timestamp,
        request_count bigint,
        source_format varchar not null,
        source_file varchar not null,
        source_record bigint not null,
        loaded_at timestamp not null
    )
"""
# A warehouse made before the parts (or daily buckets) were read gets their columns
# (inserts go by name).
RAW_MIGRATIONS = (
    *(
        f"alter table {RAW_TABLE} add column if not exists {part}_tokens bigint"
        for part in PART_COLUMNS
    ),
    f"alter table {RAW_TABLE} add column if not exists bucket_end_at timestamp",
    f"alter table {RAW_TABLE} add column if not exists request_count bigint",
)
# A log of daily totals (OpenRouter's activity export) stages `bucket_end_time` and
# `request_count`: its rows are buckets (end after start) of that many requests, which
# request logs of the same seller, day and model net against like a provider's own
# buckets (docs/formats.md). Request logs leave both out: NULL, one request at its time.
BUCKET_COLUMNS = ("bucket_end_time", "request_count")
# `bucket_start_at` is the request's own time: the name every provider raw table shares,
# so the loader finds the usage day of each row (RawTable.time_column).

TOKEN_COLUMNS = (
    "input_total",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "extra_input",
    "output_base",
    "output_extra",
    "reasoning",
    *PART_COLUMNS,
)
TEXT_COLUMNS = (
    "request_time",
    "record_key",  # the source's own key of the record (else file + position)
    "request_id",  # the provider's response id where the source has it
    "channel",
    "provider",
    "model",
    "service_tier",
    "api_key",
    "workspace",
    "feature",
    "request_tags",
    "request_metadata",
    "upstream_provider",
    "status",
    "cache_hit",
    "cache_convention",
    *TOKEN_COLUMNS,
    "gateway_cost",
)
QUOTED_COLUMNS = (
    "request_time", "model", "provider", "cache_hit", *TOKEN_COLUMNS, *BUCKET_COLUMNS
)  # fmt: skip
PARSED_COLUMNS = (
    "parsed_request_at",
    "parsed_bucket_end_at",
    "parsed_request_count",
    *(f"parsed_{c}" for c in TOKEN_COLUMNS),
    "parsed_is_cache_hit",
    "cache_fits_input",
)
TRUE_SPELLINGS = ("true", "1", "yes", "t")
FALSE_SPELLINGS = ("false", "0", "no", "f")


def request_timestamp(expression: str) -> str:
    """RFC 3339 / naive UTC text (utc_timestamp), also with Postgres' short `+00` offset."""
    return utc_timestamp(f"regexp_replace({expression}, '([+-][0-9]{{2}})$', '\\1:00')")


def add_parsed_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`<table>` = `<table>_rows` + typed `parsed_*` columns (NULL where text won't parse)."""
    tokens = ",\n            ".join(f"{integer(c)} as parsed_{c}" for c in TOKEN_COLUMNS)
    true = ", ".join(sql_str(s) for s in TRUE_SPELLINGS)
    false = ", ".join(sql_str(s) for s in FALSE_SPELLINGS)
    present = {
        name
        for (name,) in con.execute(f"select column_name from (describe {table}_rows)").fetchall()
    }
    absent = "".join(
        f", cast(null as varchar) as {column}"
        for column in (*PART_COLUMNS, *BUCKET_COLUMNS)
        if column not in present
    )
    con.execute(
        f"""
        create temp table {table} as
        with staged as (select *{absent} from {table}_rows),
        typed as (
            select
                *,
                {request_timestamp("request_time")} as parsed_request_at,
                {request_timestamp("bucket_end_time")} as parsed_bucket_end_at,
                {integer("request_count")} as parsed_request_count,
                {tokens},
                case
                    when cache_hit is null or lower(cache_hit) in ({false}) then false
                    when lower(cache_hit) in ({true}) then true
                end as parsed_is_cache_hit
            from staged
        )
        select
            *,
            -- cache counted inside the input total cannot exceed it
            coalesce(
                cache_convention <> 'inside'
                or coalesce(parsed_input_total, 0) >= coalesce(parsed_cache_read, 0)
                    + coalesce(parsed_cache_write_5m, 0) + coalesce(parsed_cache_write_1h, 0),
                true
            ) as cache_fits_input
        from typed
        """
    )


# A format's source field names for its token columns, for error messages.
FieldNames = Mapping[str, str]


def request_checks(
    field_names: FieldNames, required: Sequence[str]
) -> Callable[[Sequence[str]], list[Check]]:
    """The table's suite, naming the source's own fields. Service tiers are not checked at
    load: a spelling the seed does not map leaves the row unpriced and reported by name."""

    def name(column: str) -> str:
        return field_names.get(column, column)

    def build(service_tier_keys: Sequence[str]) -> list[Check]:
        del service_tier_keys
        checks = [
            Check(
                gxe.ExpectColumnValuesToNotBeNull(column="parsed_request_at"),
                lambda row: empty_or(
                    row, "request_time", "is not a time", label=name("request_time")
                ),
            ),
            Check(
                gxe.ExpectColumnValuesToNotBeNull(column="model"),
                lambda row: f"{name('model')} is empty",
            ),
            Check(
                gxe.ExpectColumnValuesToNotBeNull(column="provider"),
                lambda row: f"{name('provider')} is empty",
            ),
            Check(
                gxe.ExpectColumnValuesToNotBeNull(column="parsed_is_cache_hit"),
                lambda row: f"{name('cache_hit')} '{row.get('cache_hit')}' is not true or false",
            ),
        ]
        for column, parsed, problem in (
            ("bucket_end_time", "parsed_bucket_end_at", "is not a time"),
            ("request_count", "parsed_request_count", "is not a non-negative integer"),
        ):
            checks.append(
                Check(
                    gxe.ExpectColumnValuesToNotBeNull(
                        column=parsed,
                        row_condition=f"{column}.notnull()",
                        condition_parser="pandas",
                    ),
                    functools.partial(
                        lambda row, c, p: empty_or(row, c, p, label=name(c)), c=column, p=problem
                    ),
                )
            )
        for column in TOKEN_COLUMNS:
            describe = functools.partial(
                lambda row, c: empty_or(row, c, "is not a non-negative integer", label=name(c)),
                c=column,
            )
            condition = {} if column in required else {
                "row_condition": f"{column}.notnull()", "condition_parser": "pandas"
            }  # fmt: skip
            checks.append(
                Check(
                    gxe.ExpectColumnValuesToNotBeNull(column=f"parsed_{column}", **condition),
                    describe,
                )
            )
        checks.append(
            Check(
                gxe.ExpectColumnValuesToBeInSet(column="cache_fits_input", value_set=[True]),
                lambda row: (
                    f"cached tokens ({name('cache_read')} {row.get('cache_read') or 0}, "
                    f"{name('cache_write_5m')} {row.get('cache_write_5m') or 0}) exceed "
                    f"{name('input_total')} {row.get('input_total') or 0}, which includes them"
                ),
            )
        )
        return checks

    return build


def finalise_requests(con: duckdb.DuckDBPyConnection, staged: str, context: FileContext) -> str:
    """TEMP table shaped like `raw.request_logs`, one row per usage_id (a record repeated
    within the file, e.g. streamed chunks of one response: the later one is the final)."""
    final = f"{staged}_final"
    account = sql_str(context.account)
    cache = "parsed_cache_read + parsed_cache_write_5m + parsed_cache_write_1h"
    con.execute(
        f"""
        create temp table {final} as
        with counted as (
            select
                * exclude (parsed_cache_read, parsed_cache_write_5m, parsed_cache_write_1h),
                coalesce(parsed_cache_read, 0) as parsed_cache_read,
                coalesce(parsed_cache_write_5m, 0) as parsed_cache_write_5m,
                coalesce(parsed_cache_write_1h, 0) as parsed_cache_write_1h,
                coalesce(parsed_input_total, 0) as reported_input
            from {staged}
        ),
        keyed as (
            select
                case
                    when record_key is not null
                        then channel || ':' || {account} || ':' || record_key
                    else channel || ':pos:' || left(sha256({sql_str(context.path)}), 16)
                        || ':' || source_record
                end as usage_id,
                *,
                case
                    when cache_convention = 'beside' then false
                    when cache_convention = 'inside' then true
                    else reported_input >= {cache}
                end as is_cache_inside
            from counted
        ),
        last_occurrence as (
            select *
            from keyed
            qualify row_number() over (partition by usage_id order by source_record desc) = 1
        )
        select
            usage_id,
            request_id,
            channel,
            {account} as account,
            parsed_request_at as bucket_start_at,
            parsed_bucket_end_at as bucket_end_at,
            parsed_request_count as request_count,
            coalesce(time_from_file, false) as is_time_from_file,
            lower(provider) as provider,
            model,
            lower(service_tier) as service_tier,
            -- a live-looking key is never stored as is: a short hash still groups by key
            case
                when lower(api_key) like 'sk-%' then 'redacted:' || left(sha256(api_key), 16)
                else api_key
            end as api_key,
            workspace,
            feature,
            request_tags,
            request_metadata,
            upstream_provider,
            status,
            parsed_is_cache_hit as is_gateway_cache_hit,
            reported_input as reported_input_tokens,
            case when is_cache_inside then reported_input - ({cache}) else reported_input end
                + coalesce(parsed_extra_input, 0) as input_tokens,
            parsed_cache_write_5m as cache_write_5m_tokens,
            parsed_cache_write_1h as cache_write_1h_tokens,
            parsed_cache_read as cache_read_tokens,
            coalesce(parsed_output_base, 0) + coalesce(parsed_output_extra, 0) as output_tokens,
            parsed_reasoning as reasoning_tokens,
            {", ".join(f"coalesce(parsed_{part}, 0) as {part}_tokens" for part in PART_COLUMNS)},
            try_cast(gateway_cost as decimal(38, 12)) as gateway_cost_usd,
            {sql_str(context.source_format)} as source_format,
            {sql_str(context.path)} as source_file,
            source_record,
            timezone('UTC', now()) as loaded_at
        from last_occurrence
        """
    )
    return final


def jsonl_records(context: FileContext) -> str:
    """SQL of `(source_line, doc)`: one row per non-blank line of a JSONL file, `doc` the
    line as JSON where it is an object (else NULL, see `raise_on_bad_lines`). The whole
    line exists only inside the query that extracts fields from it: never in a table."""
    return f"""
        with source as (
            select string_split(content, chr(10)) as lines
            from read_text({sql_str(context.path)})
        ),
        numbered as (
            select unnest(lines) as line, generate_subscripts(lines, 1) as source_line
            from source
        ),
        cleaned as (
            -- a UTF-8 byte order mark survives in the first line's text
            select source_line, ltrim(rtrim(line, chr(13)), chr(65279)) as line from numbered
        )
        select
            source_line,
            case when json_valid(line) and json_type(line) = 'OBJECT' then json(line) end as doc
        from cleaned
        where trim(line, ' \t\r\n') <> ''
    """


def csv_header(con: duckdb.DuckDBPyConnection, context: FileContext) -> list[str]:
    """Header names of a CSV (mapped by name, never by position); no row is read."""
    rows = con.execute(
        f"select column_name from (describe select * from {csv_reader(context)})"
    ).fetchall()
    return [name for (name,) in rows]


def csv_reader(context: FileContext) -> str:
    # Same fixed dialect as the other loaders: values stay text, the header is kept.
    return (
        f"read_csv({sql_str(context.path)}, all_varchar = true, header = true, skip = 0, "
        f"delim = {sql_str(context.delimiter)}, quote = '\"', escape = '\"')"
    )


def raise_on_bad_lines(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """A line that is not a JSON object rejects the file (staged rows: `bad_line`)."""
    bad = con.execute(
        f"select location from {table}_rows where bad_line order by source_record limit 1"
    ).fetchone()
    if bad is not None:
        raise StagingError(f"{bad[0]}: not a JSON object (expected one JSON object per line)")


# Logs that name the model but not who sold it (Helicone's CSV, Langfuse observations):
# the seller a model id's own prefix names (`anthropic/claude-...`), else the one its
# family belongs to; else `unknown`, which prices nothing and is reported by name.
MODEL_FAMILIES = (
    ("claude-%", "anthropic"),
    ("gpt-%", "openai"),
    ("chatgpt-%", "openai"),
    ("text-embedding-%", "openai"),
    ("o1%", "openai"),
    ("o3%", "openai"),
    ("o4%", "openai"),
    ("gemini-%", "google"),
)


def provider_from_model(model: str) -> str:
    """SQL: the seller of `model` (text) by its prefix or family (MODEL_FAMILIES)."""
    families = " ".join(
        f"when lower({model}) like {sql_str(pattern)} then {sql_str(seller)}"
        for pattern, seller in MODEL_FAMILIES
    )
    return (
        f"case when {model} is null then null "
        f"when contains({model}, '/') then split_part({model}, '/', 1) "
        f"{families} else 'unknown' end"
    )


def model_without_prefix(model: str) -> str:
    """SQL: `model` without a `<provider>/` prefix (the provider is read from it)."""
    return (
        f"case when contains({model}, '/') "
        f"then substr({model}, strpos({model}, '/') + 1) else {model} end"
    )


TABLE = RawTable(
    name="request_logs",
    description="Request-level usage from Gemini responses and gateway logs (LiteLLM spend "
    "logs, OpenRouter generations, OpenTelemetry GenAI spans, Helicone requests, Langfuse "
    "observations) and OpenRouter's daily activity, each file validated before it is "
    "committed; prompt and completion text never read.",
    ddl=(RAW_DDL, *RAW_MIGRATIONS),
    key_column="usage_id",
    time_column="bucket_start_at",
    shape=StagedShape(
        time="parsed_request_at",
        # the cache may be counted inside the total or beside it: the larger reading
        # is never below the truth, the smaller one could be; take the total alone
        prompt_tokens=sum_of("parsed_input_total", "parsed_extra_input"),
        # a daily bucket (OpenRouter's activity) holds its requests' prompts: their
        # average may not exceed the window, nor its tokens the bucket's length times the
        # rate; a request has neither an end nor a count
        calls="greatest(coalesce(parsed_request_count, 1), 1)",
        end="parsed_bucket_end_at",
        total_tokens=sum_of(
            "parsed_input_total", "parsed_extra_input", "parsed_output_base", "parsed_output_extra"
        ),
    ),
    finalise=finalise_requests,
    # on committed rows; the per-file suite checks everything else at the door
    check_committed=changed_rows_suite(
        "request_logs",
        nonnegative=(
            "input_tokens",
            "cache_write_5m_tokens",
            "cache_write_1h_tokens",
            "cache_read_tokens",
            "output_tokens",
        ),
        not_null=("account", "bucket_start_at", "provider", "model"),
    ),
    # each format brings its suite, naming its own fields: request_checks(field_names)
    quoted_columns=QUOTED_COLUMNS,
    parsed_columns=PARSED_COLUMNS,
)
