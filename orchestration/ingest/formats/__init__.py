"""One module per source family; each stages a file into DuckDB TEMP tables.

Only the canonical format exists so far; provider formats (Anthropic, OpenAI, gateways)
join it here: a module with its stager, its detector registered in
`orchestration.ingest.detect`, and a `SourceFamily` registered below. The Dagster
definitions make one raw-load asset per registered family (`raw/<raw_table>`), with its
file checks, so a new family needs no change there.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceFamily:
    name: str  # the detector's family (`DetectedFormat.family`)
    raw_table: str  # its table in schema raw, the dbt source the staging model reads
    description: str  # for the asset in the Dagster UI
    # detector families whose files land in this raw table, when not just `name` (the
    # Anthropic usage report, Console CSV and Messages responses all feed one table)
    formats: tuple[str, ...] = ()

    def takes(self, detector_family: str) -> bool:
        return detector_family == self.name or detector_family in self.formats


SOURCE_FAMILIES: dict[str, SourceFamily] = {}
# A file no detector recognises is reported with this family's files: the project's own
# format, whose required columns the rejection names.
DEFAULT_FAMILY = "canonical"


def register_family(family: SourceFamily) -> SourceFamily:
    SOURCE_FAMILIES[family.name] = family
    return family


register_family(
    SourceFamily(
        name="canonical",
        raw_table="canonical_usage",
        description="Usage records from canonical-format export files (CSV, JSONL, "
        "Parquet), loaded idempotently; each file validated by Great Expectations in a "
        "staging table before it is committed.",
    )
)
