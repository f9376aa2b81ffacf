"""An interrupted upgrade never wedges a repo; two upgrades never race; a full disk is exit 1
with the repo as it was; staging folders of killed runs do not pile up."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest

from scaffolder.upgrade import transaction
from scaffolder.upgrade.lock import upgrade_lock
from tests.helpers import build_versioned_demo, generate, run_cli
from tests.security.conftest import one_error
from tests.security.hostile import fingerprint

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    catalog = build_versioned_demo(tmp_path / "catalog")
    made = generate(tmp_path / "repos", catalog, "pay", "1.0.0")
    subprocess.run(["git", "status", "--porcelain"], cwd=made, check=True, capture_output=True)
    return made


def upgrade(capsys: Capsys, repo: Path, *extra: str) -> tuple[int, str]:
    catalog = repo.parent.parent / "catalog"
    r = run_cli(capsys, "upgrade", repo, "--catalog", catalog, "--to", "1.1.0", *extra)
    return r.code, r.err


def test_state_left_before_state_json_is_recognised(capsys: Capsys, repo: Path) -> None:
    before = fingerprint(repo.parent)
    sdir = transaction.state_dir(repo)
    (sdir / "backup" / "deploy").mkdir(parents=True)  # a kill during the first mkdir/copy
    (sdir / "backup" / "README.md").write_bytes(b"half")
    for args in ((), ("--continue",)):
        code, err = upgrade(capsys, repo, *args)
        assert code == 1
        assert "was interrupted before it changed anything" in one_error(err)
        assert "scaffolder upgrade --abort" in err
    code, err = upgrade(capsys, repo, "--abort")
    assert code == 0, err
    assert fingerprint(repo.parent) == before
    code, err = upgrade(capsys, repo)
    assert code == 0, err


def test_state_of_a_kill_while_writing_aborts_exactly(capsys: Capsys, repo: Path) -> None:
    before = fingerprint(repo.parent)
    real = transaction._write

    def killed(target: Path, writes: dict[str, bytes | None]) -> None:
        real(target, dict(list(writes.items())[:2]))  # some files written, then "kill -9":
        raise SystemExit(137)  # no restore ran: see `_no_cleanup`

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(transaction, "_write", killed)
        mp.setattr(transaction, "_restore", lambda *a: None)
        mp.setattr(transaction, "remove_state", lambda *a: None)
        with pytest.raises(SystemExit):
            upgrade(capsys, repo)
    assert json.loads((transaction.state_dir(repo) / "state.json").read_text())["phase"] == (
        "writing"
    )
    assert fingerprint(repo.parent) != before
    code, err = upgrade(capsys, repo)
    assert code == 1 and "was interrupted; run `scaffolder upgrade --abort`" in one_error(err)
    code, err = upgrade(capsys, repo, "--continue")
    assert code == 1 and "--abort" in one_error(err)
    code, err = upgrade(capsys, repo, "--abort")
    assert code == 0, err
    assert fingerprint(repo.parent) == before


@pytest.mark.parametrize("during", ["backup", "writing"])
def test_disk_full_is_exit_1_and_the_repo_as_before(
    capsys: Capsys, repo: Path, monkeypatch: pytest.MonkeyPatch, during: str
) -> None:
    before = fingerprint(repo.parent)
    calls = {"n": 0}

    def full(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    if during == "backup":
        real = transaction.shutil.copy2
        monkeypatch.setattr(transaction.shutil, "copy2", full)
    else:
        real = transaction.write_file
        monkeypatch.setattr(transaction, "write_file", full)
    code, err = upgrade(capsys, repo)
    assert code == 1
    assert "no space left on the device while writing" in one_error(err)
    assert fingerprint(repo.parent) == before


def test_a_second_concurrent_upgrade_is_refused(capsys: Capsys, repo: Path) -> None:
    before = fingerprint(repo.parent)
    with upgrade_lock(repo, transaction.state_dir(repo)):
        code, err = upgrade(capsys, repo)
        for extra in ("--continue", "--abort"):
            assert upgrade(capsys, repo, extra)[0] == 1
    assert code == 1
    assert f"another scaffolder upgrade (pid {os.getpid()}) is running in {repo}" in (
        one_error(err)
    )
    assert fingerprint(repo.parent) == before
    assert upgrade(capsys, repo)[0] == 0


def test_stale_staging_folders_are_removed_by_the_next_run(
    capsys: Capsys, tmp_path: Path, demo_catalog: Path
) -> None:
    from scaffolder.staging import held

    parent = tmp_path / "ws"
    stale = parent / ".gone.scaffolder-abc123"
    live = parent / ".busy.scaffolder-def456"
    for folder in (stale, live):
        (folder / "deep").mkdir(parents=True)
        (folder / "deep" / "file").write_bytes(b"x" * 1000)
        os.utime(folder, (0, 0))
    with held(live):  # a run in progress holds its folder
        r = run_cli(capsys, "new", "demo", parent / "new", "--catalog", demo_catalog, "-dname=ab")
        assert r.code == 0, r.err
        assert not stale.exists() and live.exists()
    assert sorted(p.name for p in parent.iterdir()) == [".busy.scaffolder-def456", "new"]
