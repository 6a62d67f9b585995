"""The time window of a pull: `--since` inclusive, `--until` exclusive, both UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since >= self.until:
            raise ValueError(
                f"--since ({self.since:%Y-%m-%dT%H:%M:%SZ}) must be before "
                f"--until ({self.until:%Y-%m-%dT%H:%M:%SZ})"
            )

    @property
    def stamp(self) -> str:
        """How the window appears in page file names: `20260901T000000Z_20260904T000000Z`."""
        return f"{self.since:%Y%m%dT%H%M%SZ}_{self.until:%Y%m%dT%H%M%SZ}"


def parse_time(text: str) -> datetime:
    """`YYYY-MM-DD` (midnight UTC) or an ISO 8601 time (UTC when it has no offset)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time (YYYY-MM-DDTHH:MM:SSZ)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def rfc3339(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def unix_seconds(moment: datetime) -> str:
    return str(int(moment.timestamp()))
