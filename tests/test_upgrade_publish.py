"""`upgrade --fleet --push --open-pr`: real pushes to bare remotes; gh/glab are stand-ins."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Run, build_versioned_demo, run_cli
from tests.remotes import git, remote_fleet

BRANCH = "golden-path/demo-1.1.0"


@pytest.fixture
def fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    """Four clones of real remotes: alpha and beta upgrade cleanly, gamma has a local edit
    where 1.1.0 changes README.md, delta is already on 1.1.0. Returns catalog, list, clones."""
    catalog = build_versioned_demo(tmp_path / "catalog")
    urls = remote_fleet(tmp_path, catalog, ("alpha", "beta", "gamma"), "1.0.0")
    urls += remote_fleet(tmp_path, catalog, ("delta",), "1.1.0")
    (tmp_path / "fleet.txt").write_text("\n".join(urls) + "\n")
    clones = tmp_path / "clones"
    r = run_cli(capsys, "fleet", "clone", tmp_path / "fleet.txt", clones)
    assert r.code == 0, r.err
    readme = clones / "gamma/README.md"
    readme.write_text(readme.read_text() + "\nLocal notes.\n")
    git(clones / "gamma", "commit", "-qam", "local notes")
    listing = tmp_path / "repos.txt"
    listing.write_text("".join(f"clones/{n}\n" for n in ("alpha", "beta", "gamma", "delta")))
    return catalog, listing, clones


def _push(
    capsys: pytest.CaptureFixture[str], catalog: Path, listing: Path, fmt: str, *extra: str
) -> Run:
    return run_cli(
        capsys,
        *("upgrade", "--fleet", listing, "--branch", BRANCH, "--to", "1.1.0"),
        *("--catalog", catalog, "--push", "--format", fmt, "-j", "2", *extra),
    )


def _upgrade(capsys: pytest.CaptureFixture[str], catalog: Path, listing: Path, *extra: str) -> Any:
    r = _push(capsys, catalog, listing, "json", *extra)
    doc = json.loads(r.out)
    return r.code, doc["summary"], {Path(e["path"]).name: e for e in doc["repos"]}


def _requests(state: Path) -> dict[str, dict[str, Any]]:
    return {Path(r["repo"]).stem: r for r in json.loads(state.read_text())["requests"]}


def test_pull_requests_are_opened_then_updated_never_duplicated(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path, Path], forge: Path, tmp_path: Path
) -> None:
    catalog, listing, clones = fleet
    args = ("--open-pr", "github", "--label", "golden-path", "--reviewer", "platform-team")
    code, summary, repos = _upgrade(capsys, catalog, listing, *args)
    assert code == 3  # a request holds conflicts to resolve
    assert summary == {
        "opened": 2,
        "updated": 0,
        "pushed": 0,
        "conflicted": 1,
        "needs-rebase": 0,
        "skipped": 1,
        "failed": 0,
    }
    assert [repos[n]["status"] for n in ("alpha", "beta", "gamma", "delta")] == [
        "opened",
        "opened",
        "conflicted",
        "skipped",
    ]
    # Real pushes: the branch is on each remote, at the commit the upgrade made.
    for name in ("alpha", "gamma"):
        remote = tmp_path / "remotes" / f"{name}.git"
        assert git(remote, "rev-parse", f"refs/heads/{BRANCH}") == repos[name]["commit"]
    assert not git(tmp_path / "remotes/delta.git", "branch", "--list", BRANCH)
    # Conflicts are committed with their markers and listed; the request is a draft.
    gamma_readme = git(tmp_path / "remotes/gamma.git", "show", f"{BRANCH}:README.md")
    assert "<<<<<<< " in gamma_readme and "Local notes." in gamma_readme
    assert git(clones / "gamma", "rev-parse", "--abbrev-ref", "HEAD") == "main"
    requests = _requests(forge)
    assert set(requests) == {"alpha", "beta", "gamma"}
    gamma = requests["gamma"]
    assert gamma["draft"] and not requests["alpha"]["draft"]
    assert (
        "1 file(s) with conflicts to resolve" in gamma["body"] and "- `README.md`" in gamma["body"]
    )
    assert "## Golden path `demo` → 1.1.0 (from 1.0.0)" in requests["alpha"]["body"]
    assert "| `NEW.md` | added |" in requests["alpha"]["body"]
    assert requests["alpha"]["title"] == "Upgrade golden path demo to 1.1.0"
    assert requests["alpha"]["labels"] == ["golden-path"]
    assert requests["alpha"]["reviewers"] == ["platform-team"]
    assert requests["alpha"]["base"] == "main" and requests["alpha"]["head"] == BRANCH
    first_bodies = {n: r["body"] for n, r in requests.items()}

    # A rerun finds the branches and requests: updated, same bodies, nothing opened twice.
    code, summary, repos = _upgrade(capsys, catalog, listing, *args)
    assert code == 3
    assert (summary["opened"], summary["updated"], summary["conflicted"]) == (0, 2, 1)
    assert repos["gamma"]["pr"]["action"] == "updated"
    requests = _requests(forge)
    assert len(json.loads(forge.read_text())["requests"]) == 3
    assert {n: r["body"] for n, r in requests.items()} == first_bodies
    assert all(r["edits"] == 1 for r in requests.values())

    # Someone resolves gamma's conflict on the request's branch; the next run builds on it.
    fixer = tmp_path / "fixer"
    git(
        tmp_path, "clone", "-q", "--branch", BRANCH, str(tmp_path / "remotes/gamma.git"), str(fixer)
    )
    lines = (fixer / "README.md").read_text().splitlines(keepends=True)
    (fixer / "README.md").write_text(
        "".join(line for line in lines if not line.startswith(("<<<<<<<", "=======", ">>>>>>>")))
    )
    git(fixer, "commit", "-qam", "resolve")
    git(fixer, "push", "-q", "origin", BRANCH)
    code, summary, repos = _upgrade(capsys, catalog, listing, *args)
    assert code == 0 and repos["gamma"]["status"] == "updated"
    assert repos["gamma"]["conflicts"] == []
    assert "conflicts to resolve" not in _requests(forge)["gamma"]["body"]


def test_gitlab_merge_requests_and_push_only(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path, Path], forge: Path
) -> None:
    catalog, listing, _ = fleet
    code, summary, repos = _upgrade(capsys, catalog, listing, "--open-pr", "gitlab")
    assert code == 3 and summary["opened"] == 2 and summary["conflicted"] == 1
    assert repos["beta"]["pr"]["url"].endswith("/-/merge_requests/1")
    code, summary, _ = _upgrade(capsys, catalog, listing, "--open-pr", "gitlab")
    assert summary["updated"] == 2
    assert len(json.loads(forge.read_text())["requests"]) == 3
    calls = [json.loads(line) for line in Path(forge.parent / "forge.log").read_text().splitlines()]
    creates = [c["args"] for c in calls if c["args"][:2] == ["mr", "create"]]
    assert len(creates) == 3 and all(
        "--yes" in a and "--remove-source-branch" in a for a in creates
    )


def test_push_without_a_forge_and_the_markdown_summary(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path, Path], forge: Path
) -> None:
    catalog, listing, _ = fleet
    r = _push(capsys, catalog, listing, "markdown")
    assert r.code == 3
    assert r.out.startswith(f"## Golden path upgrade on `{BRANCH}`")
    assert "| `alpha` | pushed | 1.0.0 | 1.1.0 |" in r.out
    assert "| `gamma` | conflicted |" in r.out and "`README.md`" in r.out
    assert not forge.exists()  # no forge called


def test_one_repo_with_the_branch_named_after_the_version(
    capsys: pytest.CaptureFixture[str],
    fleet: tuple[Path, Path, Path],
    forge: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the per-repo CI job runs: no fleet list, the branch from a template."""
    catalog, _, clones = fleet
    monkeypatch.chdir(clones / "alpha")
    args = ("--to", "1.1.0", "--catalog", catalog, "--push", "--open-pr", "github")
    template = "golden-path/{golden_path}-{version}"
    r = run_cli(capsys, "upgrade", "--branch", template, *args, "--format", "markdown")
    assert r.code == 0, r.err
    assert (
        "| `alpha` | opened | 1.0.0 | 1.1.0 | [#1](https://github.test/acme/alpha/pull/1) |"
        in r.out
    )
    assert _requests(forge)["alpha"]["head"] == BRANCH
    r = run_cli(capsys, "upgrade", "--branch", template, *args, "--format", "json")
    assert json.loads(r.out)["repos"][0]["status"] == "updated"
    r = run_cli(capsys, "upgrade", "--branch", "gp/{name}", *args)
    assert r.code == 1 and "--branch 'gp/{name}' names name" in r.err


def test_push_options_are_checked(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path, Path]
) -> None:
    _, listing, clones = fleet
    r = run_cli(capsys, "upgrade", "--fleet", listing, "--branch", BRANCH, "--open-pr", "github")
    assert r.code == 1 and "--open-pr, --label and --reviewer go with --push" in r.err
    r = run_cli(capsys, "upgrade", str(clones / "alpha"), "--push")
    assert r.code == 1 and "need --branch NAME" in r.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["gh", "pr", "create", "--bogus"], "unknown flag: --bogus"),
        (["gh", "pr", "list", "--json"], "flag needs an argument"),
        (["gh", "pr", "edit", "1", "--label", "x"], "unknown flag: --label"),
        (["glab", "mr", "update", "1", "--description-file", "x"], "unknown flag"),
        (["glab", "mr", "list", "-Fyaml"], "invalid argument 'yaml'"),
        (["gh", "pr", "create", "--title", "t", "--body", "b", "--head", "nope"], "does not exist"),
    ],
)
def test_the_standin_refuses_what_the_real_cli_refuses(
    fleet: tuple[Path, Path, Path], forge: Path, argv: list[str], message: str
) -> None:
    _, _, clones = fleet
    result = subprocess.run(argv, cwd=clones / "alpha", capture_output=True, text=True, check=False)
    assert result.returncode == 1 and message in result.stderr


def test_fleet_json_on_stdout_is_the_report_alone(
    fleet: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """A whole process: a repo's conflict notes go to stderr, stdout parses as the report."""
    catalog, listing, _ = fleet
    argv = ["scaffolder", "upgrade", "--fleet", str(listing), "--branch", BRANCH]
    argv += ["--to", "1.1.0", "--catalog", str(catalog), "--format", "json", "-j", "2"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 3
    assert json.loads(result.stdout)["summary"]["conflicts"] == 1
    assert "conflict to resolve" in result.stderr


def _commit_on_remote(tmp_path: Path, name: str, branch: str, path: str, text: str) -> str:
    """A person's commit on ``branch`` of the remote ``name``; returns its sha."""
    work = tmp_path / f"person-{name}-{branch.replace('/', '-')}"
    git(
        tmp_path,
        "clone",
        "-q",
        "--branch",
        branch,
        str(tmp_path / f"remotes/{name}.git"),
        str(work),
    )
    (work / path).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "--author", "Pat Person <pat@example.com>", "-m", f"edit {path}")
    git(work, "push", "-q", "origin", branch)
    return git(work, "rev-parse", "HEAD")


def _alpha_with_a_request(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> tuple[Path, Path]:
    """The fleet's alpha alone, its request opened: its listing and its remote."""
    listing = tmp_path / "alpha.txt"
    listing.write_text("clones/alpha\n")
    code, _, repos = _upgrade(capsys, catalog, listing, "--open-pr", "github")
    assert (code, repos["alpha"]["status"]) == (0, "opened")
    return listing, tmp_path / "remotes/alpha.git"


def test_a_stale_branch_of_scaffolder_commits_is_rebuilt_on_the_default_branch(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path, Path], forge: Path, tmp_path: Path
) -> None:
    catalog, _, clones = fleet
    listing, remote = _alpha_with_a_request(capsys, catalog, tmp_path)
    first = git(remote, "rev-parse", f"refs/heads/{BRANCH}")

    # The team merges other work into main; the clone's main is now behind the remote's.
    main = _commit_on_remote(tmp_path, "alpha", "main", "OWNERS.md", "alpha: payments team\n")
    code, _, repos = _upgrade(capsys, catalog, listing, "--open-pr", "github")
    assert code == 0, repos["alpha"]
    assert (repos["alpha"]["status"], repos["alpha"]["rebuilt"]) == ("updated", True)
    rebuilt = git(remote, "rev-parse", f"refs/heads/{BRANCH}")
    assert rebuilt != first
    # One commit, on the new head of main: the request shows the upgrade alone.
    assert git(remote, "rev-parse", f"{BRANCH}^") == main
    assert git(remote, "show", f"{BRANCH}:OWNERS.md") == "alpha: payments team"
    assert git(remote, "show", f"{BRANCH}:.copier-answers.yml").count("_commit: 1.1.0") == 1
    request = _requests(forge)["alpha"]
    assert len(json.loads(forge.read_text())["requests"]) == 1 and request["edits"] == 1
    assert "| `OWNERS.md` |" not in request["body"]
    # The clone is back on main; a third run finds the branch up to date and keeps it.
    assert git(clones / "alpha", "rev-parse", "--abbrev-ref", "HEAD") == "main"
    code, _, repos = _upgrade(capsys, catalog, listing, "--open-pr", "github")
    assert (code, repos["alpha"]["rebuilt"]) == (0, False)
    assert git(remote, "rev-parse", f"refs/heads/{BRANCH}") == rebuilt


def test_a_stale_branch_with_a_persons_commit_is_never_force_pushed(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path, Path], forge: Path, tmp_path: Path
) -> None:
    catalog, _, _ = fleet
    listing, remote = _alpha_with_a_request(capsys, catalog, tmp_path)
    theirs = _commit_on_remote(tmp_path, "alpha", BRANCH, "NOTES.md", "reviewed by Pat\n")
    _commit_on_remote(tmp_path, "alpha", "main", "OWNERS.md", "alpha: payments team\n")

    r = _push(capsys, catalog, listing, "markdown", "--open-pr", "github")
    assert r.code == 3, r.err
    assert "| `alpha` | needs-rebase |" in r.out
    assert "holds commits scaffolder did not make" in r.out and "(Pat Person)" in r.out
    # The person's commit is still the branch's head; the request was not touched.
    assert git(remote, "rev-parse", f"refs/heads/{BRANCH}") == theirs
    assert "edits" not in _requests(forge)["alpha"]

    # Once they merge main into it, the branch is up to date: the run builds on their work.
    person = tmp_path / f"person-alpha-{BRANCH.replace('/', '-')}"
    git(person, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    git(person, "push", "-q", "origin", BRANCH)
    code, _, repos = _upgrade(capsys, catalog, listing, "--open-pr", "github")
    assert (code, repos["alpha"]["status"]) == (0, "updated")
    assert git(remote, "show", f"{BRANCH}:NOTES.md") == "reviewed by Pat"


def test_a_fleet_upgrade_of_a_named_record_is_pushed_and_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, forge: Path
) -> None:
    """--answers-file with --fleet --push: each repo keeps its record under another name
    (a baseline's tenants do); that record is the one upgraded, pushed and described."""
    catalog = build_versioned_demo(tmp_path / "catalog")
    record = ".golden-path/demo.yml"
    remote_fleet(tmp_path, catalog, ("alpha", "beta"), "1.0.0")
    for name in ("alpha", "beta"):
        work = tmp_path / "work" / name
        (work / ".golden-path").mkdir()
        git(work, "mv", ".copier-answers.yml", record)
        git(work, "commit", "-qm", "record under another name")
        git(work, "push", "-q", str(tmp_path / f"remotes/{name}.git"), "HEAD:main")
    listing = tmp_path / "repos.txt"
    urls = [(tmp_path / f"remotes/{n}.git").as_uri() for n in ("alpha", "beta")]
    (tmp_path / "fleet.txt").write_text("\n".join(urls) + "\n")
    assert run_cli(capsys, "fleet", "clone", tmp_path / "fleet.txt", tmp_path / "clones").code == 0
    listing.write_text("clones/alpha\nclones/beta\n")

    code, summary, repos = _upgrade(
        capsys, catalog, listing, "--open-pr", "github", "--answers-file", record
    )
    assert code == 0, repos
    assert summary["opened"] == 2
    requests = _requests(forge)
    for name in ("alpha", "beta"):
        remote = tmp_path / f"remotes/{name}.git"
        assert "_commit: 1.1.0" in git(remote, "show", f"{BRANCH}:{record}")
        files = git(remote, "ls-tree", "-r", "--name-only", BRANCH).splitlines()
        assert ".copier-answers.yml" not in files and "NEW.md" in files
        assert repos[name]["answers_file"] == record
        body = requests[name]["body"]
        assert "→ 1.1.0 (from 1.0.0)" in body and f"| `{record}` | updated |" in body
