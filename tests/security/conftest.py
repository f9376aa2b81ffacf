"""Every security test checks that the destination's parent (and so the destination) is
exactly as it was, whatever the command did; tests build what they attack in ``ws``."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import Run
from tests.security.hostile import fingerprint


@dataclass
class Workspace:
    root: Path  # the destination's parent, and the parent's parent for `../../` escapes
    catalog: Path

    @property
    def dest(self) -> Path:
        return self.root / "a" / "dest"

    def snapshot(self) -> tuple[str, str]:
        return fingerprint(self.root), fingerprint(self.catalog)

    def snapshot_meta(self) -> tuple[str, str]:
        """For trees with huge (sparse) files: names, kinds and sizes, not bytes."""
        return fingerprint(self.root), fingerprint(self.catalog, contents=False)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    space = Workspace(tmp_path / "ws", tmp_path / "catalog")
    (space.root / "a").mkdir(parents=True)
    (space.root / "victim.txt").write_text("precious\n")
    yield space


def one_error(err: str) -> str:
    """The one ``error:`` line (the last on stderr; progress lines may come before it)."""
    lines = err.strip().splitlines()
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], err
    assert "Traceback" not in err
    return lines[-1]


def run_bin(*args: str | Path, timeout: float = 60, env: dict[str, str] | None = None) -> Run:
    """The real CLI in a subprocess, killed after ``timeout`` (for what could hang)."""
    result = subprocess.run(
        ["scaffolder", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )
    return Run(result.returncode, result.stdout, result.stderr)
