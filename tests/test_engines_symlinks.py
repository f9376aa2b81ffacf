"""Symlinks a template makes (copier's `_preserve_symlinks`) stay symlinks through `upgrade`,
as through `copier update`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.copier_fixture import ANSWERS_TEMPLATE, commit_repo, copier_copy, git
from tests.helpers import build_file_tree, run_cli

Capsys = pytest.CaptureFixture[str]

V1_FILES = {"copier.yml": "_preserve_symlinks: true\nname: demo\n", "target.txt": "t1\n"}
V1_LINKS = {"link.txt": "target.txt", "gone.txt": "target.txt", "mine.txt": "target.txt"}
V2_FILES = {**V1_FILES, "target.txt": "t2\n", "other.txt": "o\n", "bin/other": "#!/bin/sh\n"}
V2_LINKS = {
    "link.txt": "other.txt",  # re-pointed by the template
    "mine.txt": "target.txt",  # as before: the repo's own change to it stays
    "new.txt": "other.txt",  # new in v2
    "bin/tool": "other",  # in a folder
}


def _template(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    for tag, files, links in (("v1.0.0", V1_FILES, V1_LINKS), ("v2.0.0", V2_FILES, V2_LINKS)):
        for child in root.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        build_file_tree(root, {**files, **ANSWERS_TEMPLATE})
        for path, target in links.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).symlink_to(target)
        git(root, "add", "--all")
        git(root, "commit", "--quiet", "-m", tag)
        git(root, "tag", tag)
    return root


def _entries(folder: Path) -> dict[str, str | bytes]:
    """Every file as its bytes and every symlink as `-> target` (.git left out)."""
    out: dict[str, str | bytes] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if rel.startswith(".git/") or rel == ".git":
            continue
        if p.is_symlink():
            out[rel] = f"-> {p.readlink()}"
        elif p.is_file():
            out[rel] = p.read_bytes()
    return out


def test_upgrade_keeps_symlinks_as_copier_update_does(capsys: Capsys, tmp_path: Path) -> None:
    template = _template(tmp_path / "tpl")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for repo in (ours, theirs):
        copier_copy(template, repo, {}, ref="v1.0.0")
        (repo / "mine.txt").unlink()
        (repo / "mine.txt").symlink_to("link.txt")  # the repo's own change
        commit_repo(repo)
    assert "-> target.txt" in str(_entries(ours)["link.txt"])
    run = run_cli(capsys, "upgrade", ours, "--commit")
    assert run.code == 0, run.err
    import copier

    copier.run_update(theirs, defaults=True, overwrite=True, quiet=True)
    # copier leaves a link the template dropped (its `_remove_old_files` skips every symlink);
    # scaffolder removes it as it removes a dropped file, in the plan (docs/guides/copier.md)
    assert _entries(theirs).pop("gone.txt") == "-> target.txt"
    assert "delete" in run.out and "gone.txt" in run.out
    assert _entries(ours) == {k: v for k, v in _entries(theirs).items() if k != "gone.txt"}
    assert _entries(ours)["link.txt"] == "-> other.txt"
    assert _entries(ours)["new.txt"] == "-> other.txt"
    assert _entries(ours)["bin/tool"] == "-> other"
    assert _entries(ours)["mine.txt"] == "-> link.txt"
    assert "gone.txt" not in _entries(ours)
    assert git(ours, "status", "--porcelain") == ""


def test_diff_reads_a_symlink_as_the_link_it_is(capsys: Capsys, tmp_path: Path) -> None:
    template = _template(tmp_path / "tpl")
    repo = tmp_path / "repo"
    copier_copy(template, repo, {}, ref="v1.0.0")
    commit_repo(repo)
    run = run_cli(capsys, "diff", repo, "--json")
    files = {f["path"]: f["status"] for f in json.loads(run.out)["repos"][0]["files"]}
    # the links are what the template made: none reads as changed in the repo
    assert files["link.txt"] == "outdated" and files["mine.txt"] == "unchanged"
    assert "modified" not in files.values()


def test_an_aborted_upgrade_puts_a_symlink_back(capsys: Capsys, tmp_path: Path) -> None:
    template = _template(tmp_path / "tpl")
    repo = tmp_path / "repo"
    copier_copy(template, repo, {}, ref="v1.0.0")
    (repo / "target.txt").write_text("local\n")  # conflicts with t2: the upgrade stays open
    commit_repo(repo)
    before = _entries(repo)
    run = run_cli(capsys, "upgrade", repo)
    assert run.code == 3, run.err
    assert _entries(repo)["link.txt"] == "-> other.txt"
    run = run_cli(capsys, "upgrade", repo, "--abort")
    assert run.code == 0, run.err
    assert _entries(repo) == before
