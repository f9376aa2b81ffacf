"""kill -9 at random points of `new` and `upgrade` never leaves a repo half-written or wedged.

The default suite runs a few kills on a small repo; the full run (>= 5,000 files, 20 kills
each) is under the ``slow`` marker: ``.venv/bin/pytest -m slow tests/security/test_kill.py``
(and bench/bench_kill.py prints the same figures).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.security.killing import big_catalog, kill_new, kill_upgrade

SIZES = [
    pytest.param(300, 3, id="quick"),
    pytest.param(5000, 20, id="full", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("files", "runs"), SIZES)
def test_kill_during_new(tmp_path: Path, files: int, runs: int) -> None:
    catalog = big_catalog(tmp_path / "catalog", files)
    (tmp_path / "work").mkdir()
    report = kill_new(catalog, tmp_path / "work", runs, random.Random(13))
    assert report.failures == [], report
    assert sum(report.outcomes[k] for k in ("nothing", "complete")) == runs


@pytest.mark.parametrize(("files", "runs"), SIZES)
def test_kill_during_upgrade(tmp_path: Path, files: int, runs: int) -> None:
    catalog = big_catalog(tmp_path / "catalog", files)
    (tmp_path / "work").mkdir()
    report = kill_upgrade(catalog, tmp_path / "work", runs, random.Random(13))
    assert report.failures == [], report
