"""One-line errors everywhere, with the exit codes docs/reference/exit-codes.md documents."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from scaffolder import writer
from tests.helpers import run_cli
from tests.security.conftest import Workspace, one_error
from tests.security.hostile import copier_catalog

Capsys = pytest.CaptureFixture[str]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["new", "--frob"], "error: no such option --frob; see `scaffolder new --help`"),
        (
            ["new", "--data-fil", "x"],
            "error: no such option --data-fil; did you mean --data-file",
        ),
        (["upgrade", "--to"], "error: option '--to' requires an argument"),
        (
            ["audit", "--format", "xml"],
            "error: invalid value for '--format' / '-o': 'xml' is not one of",
        ),
    ],
)
def test_usage_errors_are_one_line_exit_1(capsys: Capsys, args: list[str], expected: str) -> None:
    r = run_cli(capsys, *args)
    assert r.code == 1
    assert one_error(r.err).startswith(expected)
    assert r.err.count("\n") == 1 and "Usage:" not in r.err


def test_disk_full_during_new_is_exit_1_and_leaves_nothing(
    capsys: Capsys, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    copier_catalog(ws.catalog, {f"f{i}.txt": "x" * 100 for i in range(20)})
    real = writer.write_file
    calls = {"n": 0}

    def full(root: Path, path: str, content: bytes, mode: int | None = None) -> Path:
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(root, path, content, mode)

    monkeypatch.setattr(writer, "write_file", full)
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x")
    assert r.code == 1
    line = one_error(r.err)
    assert f"no space left on the device while writing {ws.dest}; nothing was written" in line
    assert "bug" not in line
    assert ws.snapshot() == before
