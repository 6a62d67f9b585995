"""dbt's parse of the project, kept from one run to the next.

Every pipeline run gets a target folder of its own (run results, logs), so dbt found no
saved parse there and parsed the whole project again. The parse a run leaves
(`partial_parse.msgpack`) is kept here under the warehouse's name and the run's settings,
and the next run with both the same starts from it. dbt itself still checks it (the project
files, `--vars`, the profile, dbt's version) and parses again where anything changed, so a
stale copy costs one parse, never a wrong build."""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from orchestration.project import TARGET_DIR

PARSE_FILE = "partial_parse.msgpack"
CACHE_DIR = TARGET_DIR / "parse-cache"
# Parses kept at most (about 2 MB each): settings at a new path make a new key, so a
# checkout that runs the test suite again and again would otherwise pile them up.
KEPT_PARSES = 32


def cached_parse(warehouse: Path, dbt_args: Sequence[str]) -> Path:
    """Where the parse for this warehouse name (dbt's database) and these arguments is kept."""
    settings = hashlib.sha256("\0".join(dbt_args).encode()).hexdigest()[:16]
    return CACHE_DIR / f"{warehouse.stem}-{settings}.msgpack"


def start_from_cached_parse(target_path: Path, cached: Path) -> None:
    """Puts the kept parse in the run's target folder, where dbt looks for it; without
    one (never kept, or pruned by a run finishing beside this one) dbt parses anew."""
    target_path.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(cached, target_path / PARSE_FILE)
    except FileNotFoundError:
        pass


def keep_parse(target_path: Path, cached: Path) -> None:
    """Keeps the parse the run left; written whole, then renamed, so a run starting beside
    it never reads half a file."""
    left = target_path / PARSE_FILE
    if not left.exists():
        return
    cached.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cached.parent, suffix=".partial")
    os.close(handle)
    shutil.copyfile(left, temporary)
    os.replace(temporary, cached)
    prune(cached.parent)


def prune(folder: Path, keep: int = KEPT_PARSES) -> None:
    """Deletes all but the `keep` most recently kept parses."""
    kept = sorted(folder.glob("*.msgpack"), key=_mtime, reverse=True)
    for old in kept[keep:]:
        old.unlink(missing_ok=True)  # another run may have pruned it first


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
