"""A FIFO, socket or device in a repo is an error for that repo, never opened: one special
file cannot hang a diff or an audit of the fleet."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from tests.helpers import build_versioned_demo, generate
from tests.security.conftest import one_error, run_bin
from tests.security.hostile import fingerprint


@pytest.fixture
def fleet(tmp_path: Path) -> tuple[Path, Path]:
    catalog = build_versioned_demo(tmp_path / "catalog")
    root = tmp_path / "fleet"
    for name in ("alpha", "beta"):
        generate(root, catalog, name, "1.0.0")
    return catalog, root


@pytest.mark.parametrize("kind", ["fifo", "socket", "outside-link"])
def test_diff_reports_a_special_file_and_does_not_hang(
    fleet: tuple[Path, Path], kind: str, tmp_path: Path
) -> None:
    catalog, root = fleet
    readme = root / "beta" / "README.md"
    readme.unlink()
    holder = None
    if kind == "fifo":
        os.mkfifo(readme)
    elif kind == "socket":
        holder = socket.socket(socket.AF_UNIX)
        holder.bind(str(readme))
    else:
        readme.symlink_to(tmp_path / "catalog" / "templates" / "demo" / "CHANGELOG.md")
    before = fingerprint(root)
    try:
        r = run_bin("diff", root / "beta", "--catalog", catalog, timeout=60)
    finally:
        if holder is not None:
            holder.close()
    assert r.code == 1
    line = one_error(r.err)
    assert f"{readme} is" in line
    assert {"fifo": "a FIFO", "socket": "a socket", "outside-link": "leads outside"}[kind] in line
    assert fingerprint(root) == before


def test_audit_reports_the_repo_and_the_rest_of_the_fleet(fleet: tuple[Path, Path]) -> None:
    catalog, root = fleet
    readme = root / "beta" / "README.md"
    readme.unlink()
    os.mkfifo(readme)
    answers = root / "alpha" / ".copier-answers.yml"
    answers.unlink()
    os.mkfifo(answers)  # read first of all, to sort the fleet
    r = run_bin("audit", root, "--catalog", catalog, "--format", "json", "--jobs", "1")
    assert r.code == 2, r.err
    repos = {Path(x["path"]).name: x for x in json.loads(r.out)["repos"]}
    assert "README.md is a FIFO" in repos["beta"]["error"]
    assert "has no .copier-answers.yml" in repos["alpha"]["error"]
