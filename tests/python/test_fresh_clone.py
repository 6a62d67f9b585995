"""A fresh clone has no target/ folder: CI starts there, a developer's checkout rarely
does. Every test module must still be collected, so every module of the package imports
on a clean tree; the dbt assets parse the project themselves when no manifest is current.
(CI once failed here: two test modules imported the dbt assets before anything
had parsed the project.)"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import checkout_files

from orchestration.project import REPO_ROOT


@pytest.mark.slow
def test_every_test_module_is_collected_on_a_tree_without_target(tmp_path):
    clone = tmp_path / "clone"
    for path in checkout_files():
        copy = clone / path.relative_to(REPO_ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
    assert not (clone / "target").exists()
    # The clone's package, not the editable install's.
    env = {**os.environ, "PYTHONPATH": str(clone)}
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
         "-p", "no:cacheprovider"],
        cwd=clone, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout[-4000:] + collected.stderr[-2000:]
    assert "error" not in collected.stdout.splitlines()[-1], collected.stdout[-4000:]
    assert (clone / "target" / "manifest.json").exists()
    imported_from = subprocess.run(
        [sys.executable, "-c", "import orchestration; print(orchestration.__file__)"],
        cwd=clone, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(imported_from).is_relative_to(clone), imported_from
