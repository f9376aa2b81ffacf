"""copier `_migrations` in `scaffolder upgrade`, against `copier update` on the same repo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffolder.engines.copier import pep440
from tests.copier_fixture import ANSWERS_TEMPLATE, commit_repo, copier_copy, git, git_template
from tests.copier_fixture import tree_of as files_of
from tests.helpers import run_cli

Capsys = pytest.CaptureFixture[str]

V1 = {
    "copier.yml": "name: demo\n",
    "a.txt.jinja": "{{ name }} 1\n",
    "sub/keep.txt": "kept\n",
    **ANSWERS_TEMPLATE,
}
# v2 renames the answer `name` to `title`: its `before` migration renames it in the answers
# file, which copier reads again before it renders v2.
MIGRATIONS = """\
_migrations:
  - version: v1.0.0
    command: echo never >> log.txt
  - version: v2.0.0
    when: "{{ true }}"
    command: >-
      echo "{{ _stage }} [{{ title }}] $STAGE $VERSION_FROM $VERSION_TO $VERSION_PEP440_FROM
      $VERSION_PEP440_TO $VERSION_CURRENT $VERSION_PEP440_CURRENT $COPIER_OPERATION
      {{ _copier_operation }} {{ _copier_phase }}" >> log.txt
  - version: v2.0.0
    when: "{{ _stage == 'before' }}"
    command: [sed, -i, "s/^name:/title:/", "{{ _copier_conf.answers_file }}"]
  - version: v3.0.0
    command: echo future >> log.txt
  - command: [sh, -c, "basename $(pwd) > where.txt; ls > seen-{{ _stage }}.txt"]
    working_directory: "{{ 'sub' }}"
title: demo
"""
V2 = {
    **{k: v for k, v in V1.items() if k != "a.txt.jinja"},
    "copier.yml": MIGRATIONS,
    "a.txt.jinja": "{{ title }} 2\n",
}


def _repos(tmp_path: Path) -> tuple[Path, Path]:
    """The template at v1.0.0 and v2.0.0, and two identical repos copier made at v1.0.0."""
    template = git_template(tmp_path / "tpl", {"v1.0.0": V1, "v2.0.0": V2})
    ours, theirs = tmp_path / "ours" / "proj", tmp_path / "theirs" / "proj"
    for repo in (ours, theirs):
        copier_copy(template, repo, {"name": "pay"}, ref="v1.0.0")
        commit_repo(repo)
    return ours, theirs


def test_migrations_run_as_copier_update_runs_them(capsys: Capsys, tmp_path: Path) -> None:
    ours, theirs = _repos(tmp_path)
    run = run_cli(capsys, "upgrade", ours, "--trust", "--format", "json")
    assert run.code == 0, run.err
    import copier

    copier.run_update(theirs, defaults=True, overwrite=True, quiet=True, unsafe=True)
    assert files_of(ours) == files_of(theirs)
    # what the reference did, to be sure the comparison covers every part of the semantics
    log = (ours / "log.txt").read_text().split("\n")
    stage, env = "before [] before", "v1.0.0 v2.0.0 1.0.0 2.0.0 v2.0.0 2.0.0 update update migrate"
    assert log[0].split() == f"{stage} {env}".split()
    assert log[1].startswith("after [pay] after v1.0.0 v2.0.0")
    assert (ours / "a.txt").read_text() == "pay 2\n"  # the renamed answer, carried over
    assert "title: pay" in (ours / ".copier-answers.yml").read_text()
    assert (ours / "sub" / "where.txt").read_text() == "sub\n"
    assert "seen-before.txt" not in files_of(ours)  # no `when`: after only
    notes = json.loads(run.out)["notes"]
    assert any(n.startswith("copier migration before: sed") and "ran" in n for n in notes)
    assert "Running task" in run.err  # copier's own lines, on stderr


def test_a_committed_upgrade_includes_what_migrations_changed(
    capsys: Capsys, tmp_path: Path
) -> None:
    ours, _ = _repos(tmp_path)
    run = run_cli(capsys, "upgrade", ours, "--trust", "--commit")
    assert run.code == 0, run.err
    assert git(ours, "status", "--porcelain") == ""
    assert "log.txt" in git(ours, "show", "--name-only", "HEAD")


def test_migrations_are_refused_without_trust(capsys: Capsys, tmp_path: Path) -> None:
    ours, _ = _repos(tmp_path)
    before = files_of(ours)
    run = run_cli(capsys, "upgrade", ours)
    assert run.code == 1
    assert run.err.startswith("error: template tpl 2.0.0 uses _migrations"), run.err
    assert "--trust" in run.err
    assert files_of(ours) == before  # nothing ran, nothing was written
    assert git(ours, "status", "--porcelain") == ""


def test_a_dry_run_lists_the_migrations_and_runs_none(capsys: Capsys, tmp_path: Path) -> None:
    ours, _ = _repos(tmp_path)
    before = files_of(ours)
    run = run_cli(capsys, "upgrade", ours, "--dry-run")
    assert run.code == 0, run.err
    assert "copier migration before: sed -i s/^name:/title:/" in run.out
    assert "copier migration after: sh -c" in run.out and "(with --trust)" in run.out
    assert "echo never" not in run.out and "echo future" not in run.out  # out of range
    assert files_of(ours) == before


def test_a_failing_migration_stops_the_upgrade(capsys: Capsys, tmp_path: Path) -> None:
    v2 = {**V1, "copier.yml": "_migrations: [{version: v2.0.0, when: true, command: 'exit 3'}]\n"}
    template = git_template(tmp_path / "tpl", {"v1.0.0": V1, "v2.0.0": v2})
    repo = tmp_path / "repo"
    copier_copy(template, repo, {"name": "pay"}, ref="v1.0.0")
    commit_repo(repo)
    run = run_cli(capsys, "upgrade", repo, "--trust")
    assert run.code == 1
    assert "error: a before migration of tpl 2.0.0 failed" in run.err, run.err
    assert "Traceback" not in run.err
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("ahead", [0, 2])
def test_versions_are_read_from_commit_as_copier_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: int
) -> None:
    """copier asks dunamai in a checkout; we read the same from `git describe`."""
    import dunamai

    repo = git_template(tmp_path / "t", {"v1.2.0": {"a": "1"}})
    for i in range(ahead):
        git(repo, "commit", "--quiet", "--allow-empty", "-m", str(i))
    monkeypatch.chdir(repo)
    found = dunamai.Version.from_git(pattern=dunamai.Pattern.DefaultUnprefixed)
    expected = found.serialize(style=dunamai.Style.Pep440)
    assert str(pep440(git(repo, "describe", "--tags", "--always"))) == expected


def test_a_failed_upgrade_undoes_the_before_migrations(capsys: Capsys, tmp_path: Path) -> None:
    # v2's `before` migration rewrites, adds, deletes, re-modes and links files in the repo;
    # then the upgrade stops on a new question without a default. The repo must be as it was
    # (copier leaves it half-migrated).
    messy = (
        "_migrations:\n"
        "  - version: v2.0.0\n"
        "    when: \"{{ _stage == 'before' }}\"\n"
        "    command: >-\n"
        "      sh -c 'echo changed >> a.txt; rm sub/keep.txt; mkdir -p new/deep;\n"
        "      echo x > new/deep/file.txt; ln -s a.txt link.txt; chmod 755 a.txt;\n"
        "      mkdir sub/empty'\n"
        "needed:\n  type: str\n"
    )
    template = git_template(
        tmp_path / "tpl", {"v1.0.0": V1, "v2.0.0": {**V1, "copier.yml": "name: demo\n" + messy}}
    )
    repo = tmp_path / "proj"
    copier_copy(template, repo, {"name": "pay"}, ref="v1.0.0")
    commit_repo(repo)
    (repo / "untracked.txt").write_text("mine\n")  # not in git: kept all the same
    before = files_of(repo)
    mode = (repo / "a.txt").stat().st_mode
    run = run_cli(capsys, "upgrade", repo, "--trust", "--allow-dirty")
    assert run.code == 1
    assert "missing answer for 'needed'" in run.err
    assert "the migrations' changes to the repo were undone" in run.err
    assert "Running task" in run.err, "the migration did run"
    assert files_of(repo) == before
    assert (repo / "a.txt").stat().st_mode == mode
    assert not (repo / "new").exists() and not (repo / "link.txt").is_symlink()
    assert not (repo / "sub/empty").exists()
    assert git(repo, "status", "--porcelain") == "?? untracked.txt"
    # With the answer, the same upgrade goes through and the migration's work stays.
    run = run_cli(capsys, "upgrade", repo, "--trust", "--allow-dirty", "--data", "needed=x")
    assert run.code == 0, run.err
    assert (repo / "new/deep/file.txt").is_file() and (repo / "link.txt").is_symlink()
