"""`scaffolder upgrade`, built the way copier's update tests are: versioned templates, a repo
generated at an old version, local edits, an upgrade, and assertions on every file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.generate import plan
from scaffolder.upgrade import transaction
from tests.helpers import build_versioned_demo, generate, run_cli


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return build_versioned_demo(tmp_path / "catalog")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def commit_all(repo: Path, message: str = "local edits") -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)


def rendered(catalog: Path, version: str, **data: str) -> dict[str, bytes]:
    the_plan = plan(
        load_catalog([str(catalog)]), "demo", version=version, data={"name": "pay", **data}
    )
    return the_plan.render("pay").contents()


def files(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def recorded_version(repo: Path) -> str:
    return str(yaml.safe_load((repo / ".copier-answers.yml").read_text())["_commit"])


def upgrade(capsys: pytest.CaptureFixture[str], repo: Path, catalog: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(capsys, "upgrade", repo, "--catalog", catalog, *args)


def test_clean_upgrade_gives_exactly_the_target_render(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0", "--commit")
    assert r.code == 0, r.err
    got = files(repo)
    answers = got.pop(".copier-answers.yml")
    assert got == rendered(catalog, "1.1.0")
    assert b"_commit: 1.1.0" in answers
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%s").strip() == (
        "Upgrade golden path demo 1.0.0 -> 1.1.0"
    )


def test_local_edits_on_untouched_lines_survive(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    readme = repo / "README.md"
    readme.write_text("# pay (payments team)\n" + readme.read_text().split("\n", 1)[1])
    (repo / "envs.txt").write_text("dev\nprod\nqa\n")  # the template never changes this file
    (repo / "mine.txt").write_text("not from the template\n")
    commit_all(repo)
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 0, r.err
    assert readme.read_text() == (
        "# pay (payments team)\n\nkubernetes 1.35.0\n\n## Support\n\nAsk #platform.\n"
    )
    assert (repo / "envs.txt").read_text() == "dev\nprod\nqa\n"
    assert (repo / "mine.txt").read_text() == "not from the template\n"
    assert (repo / "NEW.md").exists() and not (repo / "secret.txt").exists()
    assert recorded_version(repo) == "1.1.0"


def test_yaml_edits_on_adjacent_keys_merge(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    app = repo / "deploy/app.yaml"
    app.write_text(app.read_text().replace("replicas: 2", "replicas: 5  # peak traffic"))
    commit_all(repo)
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 0, r.err
    assert "yaml-merge" in r.out
    merged = yaml.safe_load(app.read_text())
    assert merged["spec"]["replicas"] == 5
    assert merged["spec"]["revisionHistoryLimit"] == 5
    assert merged["spec"]["template"]["spec"]["containers"][0]["image"] == "example/pay:1.1.0"
    assert "# peak traffic" in app.read_text(), "our comments stay"


def test_true_conflict_exits_3_then_continue(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    with (repo / "README.md").open("a") as readme:  # 1.1.0 adds its own lines at the end
        readme.write("\n## Owners\n\nThe payments team.\n")
    commit_all(repo)
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 3
    assert "README.md" in r.out and "--continue" in r.out
    text = (repo / "README.md").read_text()
    assert "<<<<<<< your edit" in text and ">>>>>>> template demo 1.1.0" in text
    assert "UU README.md" in git(repo, "status", "--porcelain")
    assert (repo / "NEW.md").exists(), "the rest of the upgrade is applied"
    assert recorded_version(repo) == "1.0.0", "recorded only when the upgrade completes"
    r = upgrade(capsys, repo, catalog, "--continue")
    assert r.code == 1 and "conflict markers remain in: README.md" in r.err
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 1 and "already in progress" in r.err
    (repo / "README.md").write_text("# pay\n\n## Owners\n\nThe payments team.\n")
    r = upgrade(capsys, repo, catalog, "--continue", "--commit")
    assert r.code == 0, r.err
    assert recorded_version(repo) == "1.1.0"
    assert git(repo, "status", "--porcelain") == ""
    assert not transaction.state_dir(repo).exists()


def test_abort_restores_the_repo_exactly(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    with (repo / "README.md").open("a") as readme:
        readme.write("\n## Owners\n")
    commit_all(repo)
    before, index_before = files(repo), (repo / ".git/index").read_bytes()
    assert upgrade(capsys, repo, catalog, "--to", "1.1.0").code == 3
    assert files(repo) != before
    r = upgrade(capsys, repo, catalog, "--abort")
    assert r.code == 0 and "aborted" in r.out
    assert files(repo) == before
    assert (repo / ".git/index").read_bytes() == index_before
    assert git(repo, "status", "--porcelain") == ""


def test_file_deleted_locally_stays_deleted(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    (repo / "README.md").unlink()  # the template changes it in 1.1.0
    commit_all(repo)
    assert upgrade(capsys, repo, catalog, "--to", "1.1.0").code == 0
    assert not (repo / "README.md").exists()


def test_migrations_move_files_with_their_edits_and_answer_new_questions(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    (repo / "envs.txt").write_text("dev\nprod\nqa\n")  # moved to config/ by 2.0.0
    commit_all(repo)
    r = upgrade(capsys, repo, catalog, "--to", "2.0.0")
    assert r.code == 1
    assert "missing answer for 'tier'" in r.err and "--data tier=" in r.err
    assert git(repo, "status", "--porcelain") == "", "a refused upgrade writes nothing"
    r = upgrade(capsys, repo, catalog, "--to", "2.0.0", "-d", "tier=critical")
    assert r.code == 0, r.err
    assert "migration move envs.txt -> config/envs.txt" in r.out
    assert not (repo / "envs.txt").exists()
    assert (repo / "config/envs.txt").read_text() == "dev\nprod\nqa\n", "the edit moved along"
    assert not (repo / "static.txt").exists(), "unchanged file deleted by the migration"
    assert (repo / "tier.txt").read_text() == "critical in eu-west-1\n"
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert answers["tier"] == "critical" and answers["region"] == "eu-west-1"


def test_migration_keeps_a_locally_changed_file(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    (repo / "static.txt").write_text("mine now\n")
    commit_all(repo)
    r = upgrade(capsys, repo, catalog, "--to", "2.0.0", "-d", "tier=standard")
    assert r.code in (0, 3), r.err
    assert (repo / "static.txt").read_text() == "mine now\n"
    assert "static.txt" in r.out


def test_dirty_tree_refused_unless_allowed(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    (repo / "envs.txt").write_text("uncommitted\n")
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 1 and "uncommitted changes: envs.txt" in r.err
    assert "--allow-dirty" in r.err
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0", "--allow-dirty")
    assert r.code == 0 and (repo / "envs.txt").read_text() == "uncommitted\n"


def test_dry_run_writes_nothing(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    before = files(repo)
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0", "--dry-run", "--format", "json")
    assert r.code == 0
    report = json.loads(r.out)
    assert {c["path"]: c["action"] for c in report["changes"]}["NEW.md"] == "add"
    assert "nothing written" in r.err, "with -o json stdout is the JSON alone"
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0", "--dry-run")
    assert r.code == 0 and "+## Support" in r.out and "nothing written" in r.out
    assert files(repo) == before and git(repo, "status", "--porcelain") == ""


def test_failure_mid_upgrade_restores_everything(
    capsys: pytest.CaptureFixture[str],
    catalog: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = generate(tmp_path, catalog)
    before = files(repo)
    real_write = transaction._write

    def write_half_then_fail(root: Path, writes: dict[str, bytes | None]) -> None:
        half = dict(list(writes.items())[: len(writes) // 2])
        real_write(root, half)
        raise KeyboardInterrupt

    monkeypatch.setattr(transaction, "_write", write_half_then_fail)
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 130
    assert files(repo) == before
    assert git(repo, "status", "--porcelain") == ""
    assert not transaction.state_dir(repo).exists()


def test_without_git_needs_allow_no_git(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog, "pay", "1.0.0", "--no-git")
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 1 and "--allow-no-git" in r.err
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0", "--allow-no-git")
    assert r.code == 0 and recorded_version(repo) == "1.1.0"


def test_already_current(capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path) -> None:
    repo = generate(tmp_path, catalog, "pay", "1.1.0")
    r = upgrade(capsys, repo, catalog, "--to", "1.1.0")
    assert r.code == 0 and "already at demo 1.1.0" in r.out


def test_fleet_upgrade_on_branches_is_rerunnable(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    clean = generate(tmp_path, catalog, "clean")
    conflicted = generate(tmp_path, catalog, "conflicted")
    with (conflicted / "README.md").open("a") as readme:
        readme.write("\n## Owners\n")
    commit_all(conflicted)
    current = generate(tmp_path, catalog, "current", "1.1.0")
    listing = tmp_path / "fleet.txt"
    listing.write_text("clean\nconflicted\ncurrent\nmissing\n")
    args = [
        "upgrade",
        "--fleet",
        listing,
        "--branch",
        "golden-path/1.1.0",
        "--to",
        "1.1.0",
        "--catalog",
        catalog,
        "--format",
        "json",
        "--jobs",
        "2",
    ]
    r = run_cli(capsys, *args)
    report = json.loads(r.out)
    status = {Path(e["path"]).name: e for e in report["repos"]}
    assert status["clean"]["status"] == "upgraded" and status["clean"]["commit"]
    assert status["conflicted"]["status"] == "conflicts"
    assert status["conflicted"]["conflicts"] == ["README.md"]
    assert status["current"]["status"] == "current"
    assert status["missing"]["status"] == "failed"
    assert r.code == 1  # a failed repo
    # Each repo is back on its branch; the upgrade is committed on the fleet branch.
    assert git(clean, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert "_commit: 1.1.0" in git(clean, "show", "golden-path/1.1.0:.copier-answers.yml")
    assert git(conflicted, "status", "--porcelain") == ""
    assert recorded_version(current) == "1.1.0"
    # Re-run: the upgraded repo is now current on its branch.
    listing.write_text("clean\n")
    r = run_cli(capsys, *args)
    assert json.loads(r.out)["repos"][0]["status"] == "current" and r.code == 0
