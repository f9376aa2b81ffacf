"""Cookiecutter templates and cruft-made repos, driven through the real CLI and the real cruft."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cruft import check as cruft_check
from cruft import create as cruft_create
from cruft import update as cruft_update

from scaffolder.project import read_record
from tests.cookiecutter_fixture import build_cookiecutter_repo
from tests.helpers import build_file_tree, run_cli

Capsys = pytest.CaptureFixture[str]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def _commit_all(root: Path) -> None:
    """Make a template folder written by a test a git repository with one commit."""
    _git(root, "init", "--quiet")
    _git(root, "add", "--all")
    _git(root, "commit", "--quiet", "-m", "template")


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def template(tmp_path: Path) -> Path:
    root = tmp_path / "cookiecutter-svc"
    build_cookiecutter_repo(root)
    return root


@pytest.fixture
def tags(template: Path) -> dict[str, str]:
    return {tag: _git(template, "rev-list", "-n", "1", tag) for tag in ("v1.0.0", "v1.1.0")}


def _cruft_repo(template: Path, out: Path, **context: str) -> Path:
    """A repo made by the real `cruft create` at v1.0.0, committed."""
    out.mkdir(parents=True, exist_ok=True)
    project = cruft_create(
        str(template),
        output_dir=out,
        checkout="v1.0.0",
        no_input=True,
        extra_context={"project_name": "Billing", **context},
    )
    _git(project, "init", "--quiet", "--initial-branch=main")
    _git(project, "add", "--all")
    _git(project, "commit", "--quiet", "-m", "cruft create")
    return Path(project)


# --- new ------------------------------------------------------------------------------------


def test_new_from_template_matches_cruft_create(capsys: Capsys, template: Path, tmp_path: Path):
    made_by_cruft = _cruft_repo(template, tmp_path / "cruft")
    dest = tmp_path / "ours"
    run = run_cli(
        capsys, "new", "--template", f"{template}@v1.0.0", dest,
        "--defaults", "--data", "project_name=Billing", "--no-git", "--trust",
    )  # fmt: skip
    assert run.code == 0, run.err
    ours, theirs = _files(dest), _files(made_by_cruft)
    assert ours == theirs  # .cruft.json included, byte for byte
    # cookiecutter's semantics, as documented:
    readme = ours["README.md"].decode()
    assert "Images go to registry.example.com/{{ kept as written }}." in readme  # _private
    assert "Owned by billing-team (on call: pager)." in readme  # dict variable rendered
    assert "billing/__init__.py" in ours  # __rendered private in a file name
    assert ours["static/index.html"] == b"<p>{{ not rendered: copied as is }}</p>\n"
    assert (dest / "scripts" / "run.sh").stat().st_mode & 0o100
    assert ours["HOOK_RAN"] == b"post_gen_project ran\n"  # trusted: hooks ran


def test_untrusted_hooks_are_skipped_and_named(capsys: Capsys, template: Path, tmp_path: Path):
    dest = tmp_path / "svc"
    run = run_cli(
        capsys, "new", "--template", str(template), dest, "--defaults",
        "--data", "use_docker=no", "--no-git",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert not (dest / "HOOK_RAN").exists()
    assert (dest / "Dockerfile").exists()  # the post hook would have deleted it
    assert "skipped hooks post_gen_project.py, pre_gen_project.py" in run.err
    assert "--trust" in run.err and "settings.yml" in run.err
    record = json.loads((dest / ".cruft.json").read_text())
    assert record["commit"] == _git(template, "rev-list", "-n", "1", "v1.1.0")  # latest tag
    assert record["checkout"] is None
    assert record["context"]["cookiecutter"]["use_docker"] is False


def test_what_hooks_print_is_the_templates_message(capsys: Capsys, template: Path, tmp_path: Path):
    run = run_cli(
        capsys, "new", "--template", template, tmp_path / "svc", "--defaults", "--trust",
        "--no-git", "--json",
    )  # fmt: skip
    assert run.code == 0, run.err
    result = json.loads(run.out)  # stdout holds the JSON alone: hook output does not leak in
    assert result["messages"] == ["Next: cd payments-api && make test"]
    run = run_cli(
        capsys, "new", "--template", template, tmp_path / "svc2", "--defaults", "--trust",
        "--no-git",
    )  # fmt: skip
    # what the template says goes to stderr, as copier's messages: stdout keeps the result
    assert "From the template" in run.err and "Next: cd payments-api && make test" in run.err
    repo = _cruft_repo(template, tmp_path / "cruft")
    run = run_cli(capsys, "diff", repo, "--trust")  # renders twice, says nothing of it
    assert "make test" not in run.err + run.out


def test_trust_from_the_settings_file(capsys: Capsys, template: Path, tmp_path: Path):
    settings = Path.home() / ".config" / "scaffolder" / "settings.yml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"trust:\n  - {template.parent}/\n")
    dest = tmp_path / "svc"
    run = run_cli(
        capsys, "new", "--template", str(template), dest, "--defaults",
        "--data", "use_docker=false", "--no-git",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert (dest / "HOOK_RAN").exists() and not (dest / "Dockerfile").exists()
    assert "skipped hooks" not in run.err


def test_failing_hook_is_an_error_and_writes_nothing(
    capsys: Capsys, template: Path, tmp_path: Path
):
    dest = tmp_path / "svc"
    run = run_cli(
        capsys, "new", "--template", str(template), dest, "--defaults", "--trust",
        "--data", "project_slug=Not A Slug", "--no-git",
    )  # fmt: skip
    assert run.code == 1
    assert "pre_gen_project" in run.err and "Traceback" not in run.err
    assert "it said: invalid project_slug 'Not A Slug'" in run.err  # the hook's own words
    assert not dest.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "language=rust"], "'rust' is not one of: python, go"),
        (["--data", "use_docker=maybe"], "expected yes/no"),
        (["--data", "nope=1"], "unknown question 'nope'"),
        (["--data", "_registry=x"], "'_registry' is computed by the golden path"),
        (["--checkout", "v9.9.9"], "has no tag, branch or commit 'v9.9.9'"),
    ],
)
def test_bad_answers_and_refs(
    capsys: Capsys, template: Path, tmp_path: Path, args: list[str], message: str
):
    dest = tmp_path / "svc"
    run = run_cli(capsys, "new", "--template", str(template), dest, "--defaults", *args)
    assert run.code == 1
    assert message in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1
    assert not dest.exists()


@pytest.mark.parametrize(
    ("spec", "url", "ref"),
    [
        ("gh:acme/cookiecutter-svc", "https://github.com/acme/cookiecutter-svc.git", None),
        ("gl:acme/svc@v2.0.0", "https://gitlab.com/acme/svc.git", "v2.0.0"),
        ("git@github.com:acme/svc.git", "git@github.com:acme/svc.git", None),
        ("git@github.com:acme/svc.git@main", "git@github.com:acme/svc.git", "main"),
        ("https://git.example.com/a/b@feature/x", "https://git.example.com/a/b", "feature/x"),
    ],
)
def test_template_specs(spec: str, url: str, ref: str | None):
    from scaffolder.gitsource import normalize_url, parse_spec

    parsed = parse_spec(spec)
    assert parsed.ref == ref
    assert normalize_url(parsed.url) == (url, "")


def test_checkout_without_template_is_refused(capsys: Capsys, tmp_path: Path):
    for command in (["new", "service", tmp_path / "svc"], ["questions", "service"]):
        run = run_cli(capsys, *command, "--checkout", "v1.0.0")
        assert run.code == 1 and "--checkout goes with --template" in run.err
    assert not (tmp_path / "svc").exists()


def test_template_that_is_not_in_git_says_what_to_do(capsys: Capsys, tmp_path: Path):
    loose = build_file_tree(tmp_path / "loose", {"cookiecutter.json": '{"name": "x"}'})
    run = run_cli(capsys, "new", "--template", loose, tmp_path / "out", "--defaults")
    assert run.code == 1
    assert "is not in a git repository" in run.err and "git init" in run.err
    run = run_cli(capsys, "new", "--template", tmp_path / "missing", tmp_path / "out")
    assert run.code == 1 and "does not exist" in run.err


def test_local_jinja_extensions_need_trust(capsys: Capsys, tmp_path: Path):
    root = build_file_tree(
        tmp_path / "ext-tpl",
        {
            "cookiecutter.json": '{"name": "x", "_extensions": ["local_ext.Shout"]}',
            "local_ext.py": (
                "from jinja2.ext import Extension\n\n\nclass Shout(Extension):\n"
                "    def __init__(self, environment):\n        super().__init__(environment)\n"
                "        environment.filters['shout'] = lambda v: str(v).upper() + '!'\n"
            ),
            "{{cookiecutter.name}}/out.txt": "{{ cookiecutter.name|shout }}\n",
        },
    )
    _commit_all(root)
    run = run_cli(capsys, "new", "--template", root, tmp_path / "a", "--defaults", "--no-git")
    assert run.code == 1 and "local_ext.Shout" in run.err and "--trust" in run.err
    run = run_cli(
        capsys, "new", "--template", root, tmp_path / "b", "--defaults", "--no-git", "--trust"
    )
    assert run.code == 0, run.err
    assert (tmp_path / "b" / "out.txt").read_text() == "X!\n"


# --- records ----------------------------------------------------------------------------------


def test_an_unreachable_template_falls_back_to_the_cached_mirror(
    capsys: Capsys, template: Path, tmp_path: Path
):
    repo = _cruft_repo(template, tmp_path / "cruft")
    run = run_cli(capsys, "diff", repo, "--against", "v1.0.0", "--trust")
    assert run.code == 0, run.err
    from scaffolder import gitsource

    gitsource._FETCHED.clear()  # a new process: it fetches again
    template.rename(tmp_path / "moved")
    run = run_cli(capsys, "diff", repo, "--against", "v1.0.0", "--trust")
    assert run.code == 0, run.err
    assert f"could not fetch {template}" in run.err and "used the copy cached" in run.err
    shutil.rmtree(Path.home() / ".cache" / "scaffolder" / "templates")
    gitsource._FETCHED.clear()
    run = run_cli(capsys, "diff", repo, "--trust")
    assert run.code == 1 and f"cannot read template repository {template}" in run.err


def test_cruft_record_round_trips_byte_for_byte(template: Path, tmp_path: Path):
    repo = _cruft_repo(template, tmp_path / "cruft")
    original = (repo / ".cruft.json").read_text()
    record = read_record(repo)
    assert record.file == ".cruft.json"
    assert record.answers == {
        "project_name": "Billing",
        "project_slug": "billing",
        "language": "python",
        "use_docker": True,
        "owners": {"team": "billing-team", "oncall": "pager"},
    }
    assert record.serialize() == original


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"template": "x", "commit": "y", "context": []}', "lacks cruft's template, commit"),
        ("[]", "lacks cruft's template, commit"),
    ],
)
def test_broken_cruft_json_is_a_clear_error(
    capsys: Capsys, tmp_path: Path, text: str, message: str
):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".cruft.json").write_text(text)
    run = run_cli(capsys, "diff", repo)
    assert run.code == 1 and message in run.err and "git history" in run.err, run.err


def test_cruft_json_replays_as_a_data_file(capsys: Capsys, template: Path, tmp_path: Path):
    repo = _cruft_repo(template, tmp_path / "cruft", language="go")
    dest = tmp_path / "again"
    run = run_cli(
        capsys, "new", "--template", f"{template}@v1.0.0", dest, "--trust", "--no-git",
        "--data-file", repo / ".cruft.json",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert _files(dest) == _files(repo)


def test_repo_made_by_scaffolder_works_with_cruft(
    capsys: Capsys, template: Path, tags: dict[str, str], tmp_path: Path
):
    dest = tmp_path / "svc"
    run = run_cli(capsys, "new", "--template", template, dest, "--defaults", "--trust")
    assert run.code == 0, run.err
    assert cruft_check(dest) is True  # cruft agrees the repo is at the template's latest
    old = tmp_path / "old"
    run = run_cli(capsys, "new", "--template", f"{template}@v1.0.0", old, "--defaults")
    assert run.code == 0, run.err
    assert cruft_update(old, checkout="v1.1.0", skip_apply_ask=True) is True  # cruft updates it
    assert "replicas: 3" in (old / "config.yaml").read_text()
    assert json.loads((old / ".cruft.json").read_text())["commit"] == tags["v1.1.0"]


# --- diff and audit ------------------------------------------------------------------------


def test_diff_of_a_cruft_repo(capsys: Capsys, template: Path, tmp_path: Path):
    repo = _cruft_repo(template, tmp_path / "cruft")
    run = run_cli(capsys, "diff", repo, "--against", "v1.0.0", "--trust", "--format", "json")
    assert run.code == 0, run.err
    report = json.loads(run.out)["repos"][0]
    assert report["version"] == report["target_version"] == "1.0.0"
    assert report["golden_path"] == "cookiecutter-svc"
    assert {f["status"] for f in report["files"]} == {"unchanged"}
    (repo / "README.md").write_text("# Billing, our way\n")
    run = run_cli(capsys, "diff", repo, "--trust", "--format", "json")
    assert run.code == 2
    statuses = {f["path"]: f["status"] for f in json.loads(run.out)["repos"][0]["files"]}
    assert statuses["README.md"] == "modified"
    assert statuses["config.yaml"] == "outdated"
    assert statuses["SECURITY.md"] == "added"


def test_audit_mixes_cruft_and_scaffolder_repos(capsys: Capsys, template: Path, tmp_path: Path):
    fleet = tmp_path / "fleet"
    _cruft_repo(template, fleet)
    run = run_cli(capsys, "new", "--template", template, fleet / "fresh", "--defaults", "--trust")
    assert run.code == 0, run.err
    run = run_cli(capsys, "audit", fleet, "--trust", "--format", "json", "--jobs", "2")
    repos = {Path(r["path"]).name: r for r in json.loads(run.out)["repos"]}
    assert set(repos) == {"billing", "fresh"}
    assert all(r["error"] is None for r in repos.values())
    assert repos["billing"]["version"] == "1.0.0"
    assert repos["fresh"]["version"] == "1.1.0"
    # untrusted in worker processes: the notice still reaches the user, once
    run = run_cli(capsys, "audit", fleet, "--format", "json", "--jobs", "2")
    assert run.err.count("skipped hooks") == 1


# --- upgrade ---------------------------------------------------------------------------------


def test_upgrade_cruft_repo_keeps_local_edits(
    capsys: Capsys, template: Path, tags: dict[str, str], tmp_path: Path
):
    repo = _cruft_repo(template, tmp_path / "cruft")
    config = repo / "config.yaml"
    config.write_text(config.read_text().replace("cpu: 100m", "cpu: 250m"))
    (repo / "README.md").write_text((repo / "README.md").read_text() + "\nLocal notes.\n")
    _git(repo, "commit", "--quiet", "-am", "local edits")
    run = run_cli(capsys, "upgrade", repo, "--dry-run", "--trust")
    assert run.code == 0 and _git(repo, "status", "--porcelain") == ""
    run = run_cli(capsys, "upgrade", repo, "--trust", "--commit")
    assert run.code == 0, run.err
    assert config.read_text() == (  # both edits, in the template's key order
        "name: billing\nlanguage: python\nreplicas: 3\ntier: standard\nresources:\n"
        "  cpu: 250m\n  memory: 256Mi\n"
    )
    assert (repo / "README.md").read_text().endswith("Local notes.\n")
    assert (repo / "SECURITY.md").read_text() == "Report issues to pager.\n"
    state = json.loads((repo / ".cruft.json").read_text())
    assert state["commit"] == tags["v1.1.0"]
    assert state["checkout"] == "v1.1.0"  # pinned to a tag: follows the upgrade
    context = state["context"]["cookiecutter"]
    assert context["tier"] == "standard" and context["_commit"] == tags["v1.1.0"]
    assert list(context)[:6] == [
        "project_name", "project_slug", "language", "use_docker", "tier", "_registry",
    ]  # fmt: skip
    assert _git(repo, "status", "--porcelain") == ""
    assert cruft_check(repo) is True
    run = run_cli(capsys, "upgrade", repo, "--trust")
    assert run.code == 0 and "already at" in run.out


def test_upgrade_conflict_then_abort(capsys: Capsys, template: Path, tmp_path: Path):
    repo = _cruft_repo(template, tmp_path / "cruft")
    config = repo / "config.yaml"
    config.write_text(config.read_text().replace("replicas: 2", "replicas: 5"))
    _git(repo, "commit", "--quiet", "-am", "scale up")
    before = _files(repo)
    run = run_cli(capsys, "upgrade", repo, "--trust")
    assert run.code == 3, run.err
    assert "UU config.yaml" in _git(repo, "status", "--porcelain")
    assert "<<<<<<< your edit" in config.read_text()
    assert json.loads((repo / ".cruft.json").read_text())["commit"] != ""  # not yet moved
    run = run_cli(capsys, "upgrade", repo, "--abort")
    assert run.code == 0, run.err
    assert _files(repo) == before


def test_fleet_upgrade_of_cruft_repos(capsys: Capsys, template: Path, tmp_path: Path):
    repos = [_cruft_repo(template, tmp_path / f"team{i}", project_name=f"Svc {i}") for i in (1, 2)]
    fleet = tmp_path / "fleet.txt"
    fleet.write_text("".join(f"{r}\n" for r in repos))
    run = run_cli(
        capsys, "upgrade", "--fleet", fleet, "--branch", "golden-path/1.1.0", "--trust",
        "--format", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["summary"]["upgraded"] == 2
    assert {(e["from"], e["to"]) for e in report["repos"]} == {("1.0.0", "1.1.0")}


def test_cruft_skip_paths_are_left_alone(capsys: Capsys, template: Path, tmp_path: Path):
    repo = _cruft_repo(template, tmp_path / "cruft")
    state = json.loads((repo / ".cruft.json").read_text())
    state["skip"] = ["config.yaml"]
    (repo / ".cruft.json").write_text(json.dumps(state, indent=2) + "\n")
    (repo / "config.yaml").write_text("ours: entirely\n")
    _git(repo, "commit", "--quiet", "-am", "skip config")
    run = run_cli(capsys, "upgrade", repo, "--trust", "--commit")
    assert run.code == 0, run.err
    assert (repo / "config.yaml").read_text() == "ours: entirely\n"
    assert json.loads((repo / ".cruft.json").read_text())["skip"] == ["config.yaml"]


# --- catalogs, questions, Backstage ---------------------------------------------------------


@pytest.fixture
def cc_catalog(tmp_path: Path, template: Path) -> Path:
    """A catalog with a cookiecutter version folder and a golden path sourced from git."""
    root = tmp_path / "catalog"
    folder = root / "templates" / "cc-folder"
    build_file_tree(folder, {"golden-path.yml": "title: Cookiecutter in a folder\n"})
    _git(template, "worktree", "add", "--quiet", "--detach", str(folder / "1.0.0"), "v1.0.0")
    shutil.rmtree(folder / "1.0.0" / "hooks")
    (folder / "1.0.0" / ".git").unlink()
    build_file_tree(
        root / "templates" / "cc-git",
        {"golden-path.yml": f"title: Cookiecutter from git\nsource: {template}\n"},
    )
    return root


def test_catalog_holds_cookiecutter_golden_paths(
    capsys: Capsys, cc_catalog: Path, template: Path, tmp_path: Path
):
    run = run_cli(capsys, "list", "--catalog", cc_catalog, "--json")
    listed = {g["name"]: g for g in json.loads(run.out)}
    assert listed["cc-folder"]["versions"] == ["1.0.0"]
    assert listed["cc-git"]["versions"] == ["1.0.0", "1.1.0"]
    assert listed["cc-git"]["engine"] == listed["cc-folder"]["engine"] == "cookiecutter"
    assert listed["cc-git"]["source"] == str(template) and listed["service"]["engine"] == "copier"
    dest = tmp_path / "svc"
    run = run_cli(capsys, "new", "cc-folder", dest, "--catalog", cc_catalog, "--defaults")
    assert run.code == 0, run.err
    state = json.loads((dest / ".cruft.json").read_text())
    assert state["_scaffolder"] == {"golden_path": "cc-folder", "catalog": str(cc_catalog)}
    assert state["commit"] == "1.0.0"
    run = run_cli(capsys, "diff", dest, "--catalog", cc_catalog, "--format", "json")
    report = json.loads(run.out)["repos"][0]  # a service golden path: service rules apply too
    assert report["error"] is None, run.err
    assert {f["status"] for f in report["files"]} == {"unchanged"}
    dest = tmp_path / "svc-git"
    run = run_cli(capsys, "new", "cc-git", dest, "--catalog", cc_catalog, "--defaults", "--trust")
    assert run.code == 0, run.err
    state = json.loads((dest / ".cruft.json").read_text())
    assert state["template"] == str(template) and "_scaffolder" in state
    run = run_cli(capsys, "diff", dest, "--catalog", cc_catalog, "--trust", "--format", "json")
    report = json.loads(run.out)["repos"][0]
    assert report["error"] is None and report["version"] == "1.1.0", run.err
    assert {f["status"] for f in report["files"]} == {"unchanged"}


def test_questions_json_schema_of_a_cookiecutter_template(capsys: Capsys, template: Path):
    run = run_cli(capsys, "questions", "--template", f"{template}@v1.1.0", "--json-schema")
    assert run.code == 0, run.err
    schema = json.loads(run.out)
    props = schema["properties"]
    assert set(props) == {
        "project_name",
        "project_slug",
        "language",
        "use_docker",
        "tier",
        "owners",
    }
    assert props["project_name"]["description"] == "Name of the service"
    assert props["language"]["enumNames"] == ["Python 3.12", "Go"]
    assert props["language"]["enum"] == ["python", "go"]
    assert props["use_docker"]["type"] == "boolean" and props["use_docker"]["default"] is True


def test_backstage_export_covers_cookiecutter_golden_paths(
    capsys: Capsys, cc_catalog: Path, tmp_path: Path
):
    out = tmp_path / "backstage"
    run = run_cli(capsys, "backstage", "export", out, "--catalog", cc_catalog, "--trust")
    assert run.code == 0, run.err
    exported = (out / "cc-folder" / "template.yaml").read_text()
    assert "language" in exported and "Implementation language" in exported


# --- copier templates kept in git ------------------------------------------------------------


def test_copier_template_from_git_tags_new_diff_upgrade(capsys: Capsys, tmp_path: Path):
    from tests.helpers import build_versioned_demo

    demo = build_versioned_demo(tmp_path / "catalog") / "templates" / "demo"
    repo = tmp_path / "copier-demo"
    repo.mkdir()
    _git(repo, "init", "--quiet", "--initial-branch=main")
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        for child in repo.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(demo / version, repo, dirs_exist_ok=True)
        # copier writes an answers file only from the template's own answers-file template.
        (repo / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
            "{{ _copier_answers|to_nice_yaml }}"
        )
        # copytree keeps file times: an index that saw a same-size file with the same time
        # would take the new one as unchanged.
        _git(repo, "rm", "-r", "-q", "--cached", "--ignore-unmatch", ".")
        _git(repo, "add", "--all")
        _git(repo, "commit", "--quiet", "-m", version)
        _git(repo, "tag", f"v{version}")
    dest = tmp_path / "pay"
    run = run_cli(
        capsys, "new", "--template", f"{repo}@v1.0.0", dest, "--defaults", "-d", "name=pay"
    )
    assert run.code == 0, run.err
    answers = (dest / ".copier-answers.yml").read_text()
    assert "_commit: v1.0.0\n" in answers and f"_src_path: {repo}\n" in answers  # as copier
    run = run_cli(capsys, "diff", dest, "--against", "v1.0.0")
    assert run.code == 0, run.err
    run = run_cli(capsys, "upgrade", dest, "--data", "tier=critical", "--commit")
    assert run.code == 0, run.err
    assert (dest / "config" / "envs.txt").exists() and not (dest / "envs.txt").exists()
    assert "_commit: v2.0.0\n" in (dest / ".copier-answers.yml").read_text()


def test_template_error_names_the_undefined_variable(capsys: Capsys, tmp_path: Path):
    root = build_file_tree(
        tmp_path / "broken",
        {
            "cookiecutter.json": '{"name": "x"}',
            "{{cookiecutter.name}}/out.txt": "{{ cookiecutter.nmae }}\n",
        },
    )
    _commit_all(root)
    run = run_cli(capsys, "new", "--template", root, tmp_path / "out", "--defaults")
    assert run.code == 1
    assert "Unable to create file 'out.txt'" in run.err
    assert "'cookiecutter' has no attribute 'nmae'" in run.err  # not our class's name
    assert "_template" not in run.err  # not a dump of the whole context
    assert not (tmp_path / "out").exists()


def test_pre_prompt_hook_is_not_run_and_said_so(capsys: Capsys, tmp_path: Path):
    root = build_file_tree(
        tmp_path / "pp",
        {
            "cookiecutter.json": '{"name": "x"}',
            "hooks/pre_prompt.py": "open('/tmp/should-not-exist', 'w')\n",
            "{{cookiecutter.name}}/out.txt": "{{ cookiecutter.name }}\n",
        },
    )
    _commit_all(root)
    run = run_cli(
        capsys, "new", "--template", root, tmp_path / "out", "--defaults", "--trust", "--no-git"
    )
    assert run.code == 0, run.err
    assert "pre_prompt.py hook, which scaffolder does not run" in run.err
    assert (tmp_path / "out" / "out.txt").read_text() == "x\n"


def test_wizard_asks_a_cookiecutter_templates_questions(
    demo_catalog: Path, template: Path, tags: dict[str, str], tmp_path: Path
):
    from tests.test_wizard_pty import CTRL_U, DOWN, ENTER, Wizard

    w = Wizard(demo_catalog, tmp_path, "--template", str(template), "ledger")
    w.answer("Which version?", DOWN + ENTER)  # 1.0.0, below the latest
    w.answer("project_name: Name of the service", CTRL_U + "Cash Book" + ENTER)
    w.answer("project_slug", ENTER)  # computed from the name: cash-book
    w.answer("language: Implementation language", DOWN + ENTER)  # label "Go"
    w.answer("use_docker", "n")
    w.answer("owners", ENTER)
    w.expect("cash-book-team")
    w.expect("will not run: it is not trusted")  # said before anything is written
    w.answer("Ready?", ENTER)
    code, output = w.finish()
    assert code == 0, output
    state = json.loads((tmp_path / "ledger" / ".cruft.json").read_text())
    assert state["commit"] == tags["v1.0.0"]
    assert state["context"]["cookiecutter"]["language"] == "go"
    assert state["context"]["cookiecutter"]["use_docker"] is False
    assert "skipped hooks" in output


def _commit_on_main(template: Path, replicas: str) -> str:
    """A commit after the last tag, as teams make between releases."""
    config = template / "{{cookiecutter.project_slug}}" / "config.yaml"
    text = config.read_text()
    config.write_text(text.replace(text.split("replicas: ")[1].split("\n")[0], replicas, 1))
    _git(template, "commit", "--quiet", "-am", f"replicas {replicas}")
    return _git(template, "rev-parse", "HEAD")


def test_a_repo_made_from_the_branch_head_follows_the_branch(
    capsys: Capsys, template: Path, tags: dict[str, str], tmp_path: Path
):
    head = _commit_on_main(template, "4")
    repo = tmp_path / "cruft"
    repo.mkdir()
    project = Path(cruft_create(str(template), output_dir=repo, no_input=True))  # no checkout
    _git(project, "init", "--quiet", "--initial-branch=main")
    _git(project, "add", "--all")
    _git(project, "commit", "--quiet", "-m", "cruft create")
    # cruft made it from the branch head, past v1.1.0: diff must not offer to go back.
    run = run_cli(capsys, "diff", project, "--trust", "--format", "json")
    assert run.code == 0, run.err
    report = json.loads(run.out)["repos"][0]
    assert report["version"] == report["target_version"] == head[:12]
    newer = _commit_on_main(template, "6")
    from scaffolder import gitsource

    gitsource._FETCHED.clear()  # a later run fetches the new commit
    run = run_cli(capsys, "upgrade", project, "--trust", "--commit")
    assert run.code == 0, run.err
    assert "replicas: 6" in (project / "config.yaml").read_text()
    assert json.loads((project / ".cruft.json").read_text())["commit"] == newer
    assert cruft_check(project) is True


def test_tagged_repos_follow_tags_and_branch_checkouts_follow_the_branch(
    capsys: Capsys, template: Path, tags: dict[str, str], tmp_path: Path
):
    head = _commit_on_main(template, "4")
    tagged = _cruft_repo(template, tmp_path / "tagged")  # made at v1.0.0
    run = run_cli(capsys, "diff", tagged, "--trust", "--format", "json")
    assert json.loads(run.out)["repos"][0]["target_version"] == "1.1.0"  # not the branch head
    state = json.loads((tagged / ".cruft.json").read_text())
    state["checkout"] = "main"
    (tagged / ".cruft.json").write_text(json.dumps(state, indent=2) + "\n")
    run = run_cli(capsys, "diff", tagged, "--trust", "--format", "json")
    assert json.loads(run.out)["repos"][0]["target_version"] == head[:12]
    run = run_cli(capsys, "diff", tagged, "--trust", "--against", "v1.1.0", "--format", "json")
    assert json.loads(run.out)["repos"][0]["target_version"] == "1.1.0"  # asked for: honoured


def test_an_upgrade_to_a_named_ref_is_recorded_as_cruft_records_its_checkout(
    capsys: Capsys, template: Path, tags: dict[str, str], tmp_path: Path
):
    head = _commit_on_main(template, "4")
    repo = _cruft_repo(template, tmp_path / "cruft")  # made at v1.0.0, pinned to it
    run = run_cli(capsys, "upgrade", repo, "--to", head[:10], "--trust", "--commit")
    assert run.code == 0, run.err
    state = json.loads((repo / ".cruft.json").read_text())
    # `cruft update --checkout REF` writes REF; left at v1.0.0, cruft would go back to it.
    assert state["commit"] == head and state["checkout"] == head[:10]
    assert cruft_check(repo) is True
    run = run_cli(capsys, "upgrade", repo, "--to", "v1.1.0", "--trust", "--commit")
    assert run.code == 0, run.err  # back to a release, by name: the tag is recorded
    assert json.loads((repo / ".cruft.json").read_text())["checkout"] == "v1.1.0"


def test_adopt_a_repo_made_by_plain_cookiecutter(
    capsys: Capsys, template: Path, tags: dict[str, str], tmp_path: Path
):
    from cookiecutter.main import cookiecutter

    config = tmp_path / "cookiecutterrc.yaml"  # keeps cookiecutter's clones and replays here
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n"
    )
    project = Path(
        cookiecutter(
            f"git+file://{template}",  # a URL: cookiecutter clones it, so checkout applies
            checkout="v1.0.0",
            no_input=True,
            output_dir=str(tmp_path / "plain"),
            config_file=str(config),
            extra_context={"project_name": "Ledger", "language": "go"},
        )
    )
    _git(project, "init", "--quiet", "--initial-branch=main")
    _git(project, "add", "--all")
    _git(project, "commit", "--quiet", "-m", "cookiecutter")
    replay = tmp_path / "replay" / "cookiecutter-svc.json"
    assert replay.is_file()  # what cookiecutter keeps of the answers
    run = run_cli(
        capsys, "diff", project, "--template", f"{template}@v1.0.0", "--data-file", replay,
        "--against", "v1.0.0", "--trust", "--format", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert {f["status"] for f in json.loads(run.out)["repos"][0]["files"]} == {"unchanged"}
    run = run_cli(
        capsys, "adopt", project, "--template", f"{template}@v1.0.0", "--data-file", replay,
        "--trust", "--commit",
    )  # fmt: skip
    assert run.code == 0, run.err
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == tags["v1.0.0"] and state["template"] == str(template)
    assert state["context"]["cookiecutter"]["language"] == "go"
    assert cruft_check(project) is False  # cruft now sees it, one release behind
    run = run_cli(capsys, "upgrade", project, "--trust", "--commit")
    assert run.code == 0, run.err
    assert cruft_check(project) is True
    run = run_cli(capsys, "adopt", project)
    assert run.code == 1 and "--golden-path NAME" in run.err and "--template" in run.err
