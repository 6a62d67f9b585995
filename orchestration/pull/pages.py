"""Raw pages on disk, as the loaders read them: each page exactly as fetched, one file
per page, under a name fixed by provider, report, bucket width and window, so pulling
the same window again overwrites the same files (and `run` reloads them as rewrites).

Pages are first written into a hidden staging folder beside their destination (the
loaders skip hidden folders) and moved into place only once the whole pull succeeded:
a failed pull leaves no page behind, and no reader ever sees half a file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType


def page_file_name(prefix: str, number: int) -> str:
    return f"{prefix}_page-{number:04d}.json"


class StagedPages:
    """`with StagedPages(folder) as pages: pages.write(...); pages.commit()`; leaving the
    block without `commit` (an error) discards everything staged."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._staged: list[tuple[str, Path]] = []  # (report prefix, staged file)

    def __enter__(self) -> StagedPages:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._staging = Path(tempfile.mkdtemp(prefix=".llm-cost-audit-pull-", dir=self.folder))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)

    def write(self, prefix: str, number: int, body: bytes) -> None:
        staged = self._staging / page_file_name(prefix, number)
        with staged.open("wb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        self._staged.append((prefix, staged))

    def commit(self) -> list[Path]:
        """Move every staged page into place (each move atomic, in fetch order so the
        files' modification times keep that order), then delete pages of the same
        reports left from an earlier pull of the window that had more pages."""
        written = []
        for _, staged in self._staged:
            target = self.folder / staged.name
            os.replace(staged, target)
            written.append(target)
        kept = {path.name for path in written}
        for prefix in dict.fromkeys(prefix for prefix, _ in self._staged):
            for stale in self.folder.glob(f"{prefix}_page-*.json"):
                if stale.name not in kept:
                    stale.unlink()
        return written
