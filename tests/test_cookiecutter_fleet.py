"""Cookiecutter and cruft fleets without surprises (issue 16): dual-format templates, binary
merges, hooks and paths, adopt's ref, missing extensions, untrusted hooks, per-repo paths.

Every test builds a small template in a tmp git repository with tags; where the defect is
about repos cruft made, the repo is made by the real ``cruft create``.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import zlib
from collections.abc import Mapping
from pathlib import Path

import pytest
from cruft import create as cruft_create

from tests.helpers import build_file_tree, run_cli

Capsys = pytest.CaptureFixture[str]
PROJECT = "{{cookiecutter.project_slug}}"
CONTEXT = {"project_name": "Demo", "project_slug": "{{ cookiecutter.project_name|lower }}"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def _template(root: Path, versions: list[tuple[str, Mapping[str, str | bytes]]]) -> Path:
    """A template repository with one commit (and tag) per version; files are full paths."""
    root.mkdir(parents=True)
    _git(root, "init", "--quiet", "--initial-branch=main")
    for tag, files in versions:
        for old in [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]:
            old.unlink()
        build_file_tree(root, files)
        _git(root, "add", "--all")
        _git(root, "commit", "--quiet", "--allow-empty", "-m", tag)
        _git(root, "tag", tag)
    return root


def _cruft_repo(template: Path, out: Path, checkout: str = "v1.0.0", **context: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    project = Path(
        cruft_create(
            str(template), output_dir=out, checkout=checkout, no_input=True, extra_context=context
        )
    )
    _git(project, "init", "--quiet", "--initial-branch=main")
    _git(project, "add", "--all")
    _git(project, "commit", "--quiet", "-m", "cruft create")
    return project


def _png(pixel: tuple[int, int, int]) -> bytes:
    """A real 1x1 PNG image of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" + bytes(pixel))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# --- 2. binary files changed on both sides ----------------------------------------------------


def test_binary_files_changed_on_both_sides_are_conflicts(capsys: Capsys, tmp_path: Path):
    def version(colour: tuple[int, int, int], word: str) -> dict[str, str | bytes]:
        return {
            "cookiecutter.json": json.dumps(CONTEXT),
            f"{PROJECT}/logo.png": _png(colour),
            f"{PROJECT}/data.txt": f"header\n\0\n{word}\n".encode(),  # text with one NUL
            f"{PROJECT}/README.md": f"# {{{{ cookiecutter.project_name }}}} {word}\n",
        }

    template = _template(
        tmp_path / "tpl",
        [("v1.0.0", version((0, 0, 0), "one")), ("v1.1.0", version((9, 9, 9), "two"))],
    )
    repo = _cruft_repo(template, tmp_path / "repos")
    (repo / "logo.png").write_bytes(_png((200, 0, 0)))
    (repo / "data.txt").write_bytes(b"header\n\0\nlocal\n")
    _git(repo, "commit", "--quiet", "-am", "our logo and data")
    run = run_cli(capsys, "upgrade", repo)
    assert run.code == 3, run.err
    assert "Traceback" not in run.err and "bug" not in run.err
    assert (repo / "logo.png").read_bytes() == _png((200, 0, 0))  # ours kept
    assert (repo / "logo.png.theirs").read_bytes() == _png((9, 9, 9))  # theirs beside it
    assert (repo / "data.txt").read_bytes() == b"header\n\0\nlocal\n"
    assert (repo / "data.txt.theirs").read_bytes() == b"header\n\0\ntwo\n"
    said = run.out + run.err
    assert "logo.png" in said and "data.txt" in said and "binary" in said
    assert (repo / "README.md").read_text() == "# Demo two\n"  # the rest upgraded
    status = _git(repo, "status", "--porcelain")
    assert "UU logo.png" in status and "UU data.txt" in status
    run = run_cli(capsys, "upgrade", repo, "--abort")
    assert run.code == 0, run.err
    assert not (repo / "logo.png.theirs").exists()
    assert _git(repo, "status", "--porcelain") == ""


# --- 4. adopt records the ref -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["@REF", "--checkout"])
def test_adopt_records_the_ref_as_cruft_link_does(capsys: Capsys, tmp_path: Path, how: str):
    from cruft import link as cruft_link

    files = {"cookiecutter.json": json.dumps(CONTEXT), f"{PROJECT}/README.md": "# hi\n"}
    template = _template(tmp_path / "tpl", [("v1.0.0", files), ("v1.1.0", files)])
    repos = {}
    for tool in ("cruft", "scaffolder"):
        repos[tool] = repo = tmp_path / tool / "demo"
        build_file_tree(repo, {"README.md": "# hi\n"})
        _git(repo, "init", "--quiet")
    assert cruft_link(str(template), repos["cruft"], checkout="v1.0.0", no_input=True)
    spec = ["--template", f"{template}@v1.0.0"]
    if how == "--checkout":
        spec = ["--template", str(template), "--checkout", "v1.0.0"]
    run = run_cli(capsys, "adopt", repos["scaffolder"], *spec)
    assert run.code == 0, run.err
    ours = json.loads((repos["scaffolder"] / ".cruft.json").read_text())
    theirs = json.loads((repos["cruft"] / ".cruft.json").read_text())
    assert ours["checkout"] == theirs["checkout"] == "v1.0.0"
    assert ours == theirs


# --- 5. a missing Jinja extension -------------------------------------------------------------


def test_missing_jinja_extension_names_the_package(capsys: Capsys, tmp_path: Path):
    context = {**CONTEXT, "_extensions": ["jinja2_time.TimeExtension"]}
    files = {"cookiecutter.json": json.dumps(context), f"{PROJECT}/README.md": "# hi\n"}
    template = _template(tmp_path / "tpl", [("v1.0.0", files)])
    dest = tmp_path / "demo"
    run = run_cli(capsys, "new", "--template", template, dest, "--defaults")
    assert run.code == 1, run.err
    assert "'jinja2_time'" in run.err and "pip install jinja2-time" in run.err
    assert "bug" not in run.err and len(run.err.strip().splitlines()) == 1
    assert not dest.exists()


# --- 1. templates that ship both copier.yml and cookiecutter.json -----------------------------


def _dual_format(root: Path, copier_settings: str = "") -> Path:
    files = {
        "cookiecutter.json": json.dumps(CONTEXT),
        f"{PROJECT}/README.md": "# {{ cookiecutter.project_name }} (cookiecutter)\n",
        "copier.yml": f"_subdirectory: copier\n{copier_settings}project_name:\n  default: Demo\n",
        "copier/README.md.jinja": "# {{ project_name }} (copier)\n",
        # copier writes the answers file only from the template's own template of it
        "copier/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}",
    }
    return _template(root, [("v1.0.0", files), ("v1.1.0", files)])


def test_the_record_decides_how_a_dual_format_template_is_read(capsys: Capsys, tmp_path: Path):
    template = _dual_format(tmp_path / "tpl", "_jinja_extensions: [jinja2.ext.do]\n")
    repo = _cruft_repo(template, tmp_path / "repos")
    assert (repo / "README.md").read_text() == "# Demo (cookiecutter)\n"
    run = run_cli(capsys, "diff", repo, "--format", "json")
    assert run.code == 0, run.err
    files = json.loads(run.out)["repos"][0]["files"]
    assert {f["path"]: f["status"] for f in files} == {"README.md": "unchanged"}
    run = run_cli(capsys, "upgrade", repo)
    assert run.code == 0, run.err
    assert json.loads((repo / ".cruft.json").read_text())["checkout"] == "v1.1.0"


def test_new_reads_copier_yml_first_and_says_so(capsys: Capsys, tmp_path: Path):
    template = _dual_format(tmp_path / "tpl")
    run = run_cli(capsys, "new", "--template", template, tmp_path / "a", "--defaults", "--no-git")
    assert run.code == 0, run.err
    assert (tmp_path / "a" / "README.md").read_text() == "# Demo (copier)\n"
    assert (tmp_path / "a" / ".copier-answers.yml").is_file()
    assert "ships both copier.yml and cookiecutter.json" in run.err
    assert "read it as a copier template (`--engine cookiecutter` reads the other)" in run.err
    run = run_cli(
        capsys, "new", "--template", template, tmp_path / "b", "--defaults", "--no-git",
        "--engine", "cookiecutter",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert (tmp_path / "b" / "README.md").read_text() == "# Demo (cookiecutter)\n"
    assert json.loads((tmp_path / "b" / ".cruft.json").read_text())["checkout"] is None
    assert "read it as a cookiecutter template (`--engine copier` reads the other)" in run.err


def test_copier_settings_scaffolder_refuses_point_to_the_other_format(
    capsys: Capsys, tmp_path: Path
):
    template = _dual_format(tmp_path / "tpl", "_jinja_extensions: [jinja2.ext.do]\n")
    dest = tmp_path / "a"
    run = run_cli(capsys, "new", "--template", template, dest, "--defaults")
    assert run.code == 1, run.err
    assert "_jinja_extensions" in run.err and "--engine cookiecutter" in run.err
    assert not dest.exists()


# --- 3. hooks see the repo's own path -----------------------------------------------------------

PATH_HOOK = """\
import os
import sys

here = os.getcwd()
if "{{ cookiecutter.project_name }}" == "Broken":
    open("half-written.txt", "w").write("x")
    sys.exit("refusing to finish")
os.makedirs("bin", exist_ok=True)
with open("where.txt", "w") as handle:
    handle.write(here + "\\n")
with open("bin/tool", "w") as handle:  # as a virtualenv's console scripts are written
    handle.write("#!" + here + "/.venv/bin/python\\nprint('tool')\\n")
os.makedirs(".venv/lib", exist_ok=True)  # tool state: never compared
with open(".venv/pyvenv.cfg", "w") as handle:
    handle.write("home = " + here + "\\n")
print("HOOK-STDOUT", flush=True)
print("HOOK-STDERR", file=sys.stderr, flush=True)
"""


@pytest.fixture
def path_template(tmp_path: Path) -> Path:
    files = {
        "cookiecutter.json": json.dumps(CONTEXT),
        "hooks/post_gen_project.py": PATH_HOOK,
        f"{PROJECT}/README.md": "# {{ cookiecutter.project_name }}\n",
        f"{PROJECT}/.gitignore": ".venv/\n",
    }
    return _template(tmp_path / "tpl", [("v1.0.0", files), ("v1.1.0", files)])


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _diff_is_clean(capfd: pytest.CaptureFixture[str], repo: Path) -> None:
    """Compared with its template, the repo is unchanged: the renders put the repo's path
    where the hooks recorded theirs, and the virtualenv is tool state, not content."""
    run = run_cli(capfd, "diff", repo, "--trust", "--format", "json")
    assert run.code == 0, run.err
    files = json.loads(run.out)["repos"][0]["files"]
    assert {f["status"] for f in files} == {"unchanged"}, files
    assert {"where.txt", "bin/tool"} <= {f["path"] for f in files}
    assert not [f for f in files if f["path"].startswith(".venv")]
    assert "HOOK-STD" not in run.err + run.out  # 7: what hooks print stays out, both streams


def test_hooks_run_at_the_destination_as_under_cruft(
    capfd: pytest.CaptureFixture[str], path_template: Path, tmp_path: Path
):
    dest = tmp_path / "place" / "demo"
    assert _cruft_repo(path_template, tmp_path / "place") == dest
    assert (dest / "where.txt").read_text() == f"{dest}\n"
    _diff_is_clean(capfd, dest)  # the repo cruft made, as it is
    moved = dest.rename(tmp_path / "by-cruft")
    run = run_cli(
        capfd, "new", "--template", f"{path_template}@v1.0.0", dest, "--defaults", "--trust"
    )
    assert run.code == 0, run.err
    assert _tree(dest) == _tree(moved)  # byte for byte, .cruft.json and .venv included
    assert not (tmp_path / "place" / ".demo.scaffolder-partial").exists()
    assert _git(dest, "status", "--porcelain") == ""  # committed, .venv ignored
    _diff_is_clean(capfd, dest)
    run = run_cli(capfd, "upgrade", dest, "--trust")
    assert run.code == 0, run.err
    assert "HOOK-STD" not in run.err + run.out
    assert (dest / "where.txt").read_text() == f"{dest}\n"


def test_a_failed_new_in_place_leaves_nothing(
    capfd: pytest.CaptureFixture[str], path_template: Path, tmp_path: Path
):
    dest = tmp_path / "new" / "deeper" / "demo"
    run = run_cli(
        capfd, "new", "--template", path_template, dest, "--defaults", "--trust",
        "--data", "project_name=Broken",
    )  # fmt: skip
    assert run.code == 1, run.err
    assert "refusing to finish" in run.err
    assert not (tmp_path / "new").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    run = run_cli(
        capfd, "new", "--template", path_template, empty, "--defaults", "--trust",
        "--data", "project_name=Broken",
    )  # fmt: skip
    assert run.code == 1 and empty.is_dir() and not any(empty.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "tpl"]


# --- 6. untrusted hooks: what they would touch is not compared ------------------------------

TIDY_HOOK = """\
import os

if "{{ cookiecutter.use_docker }}" != "yes":
    os.remove("Dockerfile")
with open(os.path.join("config", "settings.py"), "a") as handle:
    handle.write("DEBUG = False\\n")
"""


def test_untrusted_hooks_make_their_paths_incomplete_not_drift(capsys: Capsys, tmp_path: Path):
    files = {
        "cookiecutter.json": json.dumps({**CONTEXT, "use_docker": ["no", "yes"]}),
        "hooks/post_gen_project.py": TIDY_HOOK,
        f"{PROJECT}/Dockerfile": "FROM python\n",
        f"{PROJECT}/config/settings.py": "NAME = '{{ cookiecutter.project_name }}'\n",
        f"{PROJECT}/README.md": "# {{ cookiecutter.project_name }}\n",
    }
    template = _template(tmp_path / "tpl", [("v1.0.0", files)])
    repo = _cruft_repo(template, tmp_path / "repos")  # cruft ran the hook
    assert not (repo / "Dockerfile").exists()
    run = run_cli(capsys, "diff", repo, "--format", "json")
    assert run.code == 0, run.err  # not drift
    statuses = {f["path"]: f["status"] for f in json.loads(run.out)["repos"][0]["files"]}
    assert statuses == {
        "Dockerfile": "incomplete",
        "config/settings.py": "incomplete",
        "README.md": "unchanged",
    }
    run = run_cli(capsys, "diff", repo)
    assert run.code == 0
    said = run.out + run.err
    assert "incomplete: hooks not run" in run.out and "--trust" in said
    assert "deleted locally" not in said and "locally modified" not in said
    sarif = json.loads(run_cli(capsys, "diff", repo, "--format", "sarif").out)
    results = sarif["runs"][0]["results"]
    assert {(r["ruleId"], r["kind"], r["level"]) for r in results} == {
        ("comparison/incomplete", "informational", "none")
    }
    junit = run_cli(capsys, "diff", repo, "--format", "junit").out
    assert '<skipped message="2 files not compared">' in junit and "<failure" not in junit
    markdown = run_cli(capsys, "diff", repo, "--format", "markdown").out
    assert "| `Dockerfile` | incomplete |" in markdown and "untrusted" in markdown
    # A real local edit elsewhere is still drift; trusted, the hooks run and all compare.
    (repo / "README.md").write_text("# edited\n")
    assert run_cli(capsys, "diff", repo).code == 2
    run = run_cli(capsys, "diff", repo, "--trust", "--format", "json")
    statuses = {f["path"]: f["status"] for f in json.loads(run.out)["repos"][0]["files"]}
    assert statuses == {"config/settings.py": "unchanged", "README.md": "modified"}


# --- also: files generated per repo --------------------------------------------------------

SECRET_HOOK = """\
import secrets

with open(".env", "w") as handle:
    handle.write("SECRET_KEY=" + secrets.token_hex(16) + "\\n")
"""


@pytest.fixture
def secret_template(tmp_path: Path) -> Path:
    def version(word: str) -> dict[str, str | bytes]:
        return {
            "cookiecutter.json": json.dumps(CONTEXT),
            "hooks/post_gen_project.py": SECRET_HOOK,
            f"{PROJECT}/.env": "SECRET_KEY=change-me\n",
            f"{PROJECT}/README.md": f"# {{{{ cookiecutter.project_name }}}} {word}\n",
        }

    return _template(tmp_path / "tpl", [("v1.0.0", version("one")), ("v1.1.0", version("two"))])


def test_random_secrets_are_drift_until_marked(
    capsys: Capsys, secret_template: Path, tmp_path: Path
):
    repo = _cruft_repo(secret_template, tmp_path / "repos")
    run = run_cli(capsys, "diff", repo, "--trust", "--against", "v1.0.0")
    assert run.code == 2 and ".env" in run.out  # every repo looks locally modified


def test_generated_per_repo_in_the_catalog(capsys: Capsys, secret_template: Path, tmp_path: Path):
    repo = _cruft_repo(secret_template, tmp_path / "repos")
    secret = (repo / ".env").read_text()
    catalog = build_file_tree(
        tmp_path / "catalog",
        {
            "templates/svc/golden-path.yml": f"source: {secret_template}\n"
            'generated_per_repo: [".env"]\n'
        },
    )
    # (a catalog's golden path is a service: the exit code also counts its service rules)
    run = run_cli(capsys, "diff", repo, "--trust", "--catalog", catalog, "--format", "json")
    report = json.loads(run.out)["repos"][0]
    assert report["golden_path"] == "svc"
    statuses = {f["path"]: f["status"] for f in report["files"]}
    assert statuses == {".env": "generated", "README.md": "outdated"}
    assert report["summary"]["generated"] == 1
    run = run_cli(capsys, "audit", repo, "--trust", "--catalog", catalog)
    assert "1 outdated (not drift: 1 generated)" in run.out
    run = run_cli(capsys, "upgrade", repo, "--trust", "--catalog", catalog)
    assert run.code == 0, run.err
    assert (repo / ".env").read_text() == secret  # the repo's own secret is kept
    assert (repo / "README.md").read_text() == "# Demo two\n"


def test_generated_per_repo_in_the_settings_file(
    capsys: Capsys, secret_template: Path, tmp_path: Path
):
    repo = _cruft_repo(secret_template, tmp_path / "repos")
    settings = Path.home() / ".config" / "scaffolder" / "settings.yml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"generated_per_repo:\n  {secret_template.parent}/: ['.env']\n")
    run = run_cli(capsys, "diff", repo, "--trust", "--against", "v1.0.0", "--format", "json")
    assert run.code == 0, run.err
    files = json.loads(run.out)["repos"][0]["files"]
    assert {f["path"]: f["status"] for f in files} == {
        ".env": "generated",
        "README.md": "unchanged",
    }


# --- 7. the audit table in version order -----------------------------------------------------


def test_audit_table_sorts_versions_by_version_then_commit_date(capsys: Capsys, tmp_path: Path):
    files = {"cookiecutter.json": json.dumps(CONTEXT), f"{PROJECT}/README.md": "# hi\n"}
    template = _template(tmp_path / "tpl", [("v0.0.8", files), ("v0.0.10", files)])
    untagged = []
    for stamp in ("2031-01-01T00:00:00", "2030-01-01T00:00:00"):  # the newer one first
        subprocess.run(
            ["git", "commit", "--quiet", "--allow-empty", "-m", stamp],
            cwd=template,
            check=True,
            env={**os.environ, "GIT_COMMITTER_DATE": stamp},
        )
        untagged.append(_git(template, "rev-parse", "HEAD"))
    fleet = tmp_path / "fleet"
    refs = ["v0.0.10", untagged[0], "v0.0.8", untagged[1]]
    for number, ref in enumerate(refs):
        _cruft_repo(template, fleet, checkout=ref, project_name=f"svc{number}")
    run = run_cli(capsys, "audit", fleet, "--jobs", "1")
    rows = [line.split("│")[2].strip() for line in run.out.splitlines() if "│ tpl" in line]
    # Releases in version order (0.0.8 before 0.0.10), then the untagged commits, oldest first.
    assert rows == ["0.0.8", "0.0.10", untagged[1][:12], untagged[0][:12]], run.out


@pytest.mark.parametrize("looks_like_a_version", ["123456789012", "0123a4567890", "1234b5678901"])
def test_untagged_commits_that_parse_as_versions_sort_by_commit_time(looks_like_a_version: str):
    # About 1.5 % of 12-digit commit prefixes are valid PEP 440 versions (digits only, or digits
    # around one a/b/c: a pre-release). Such a commit once sorted among the releases; the commit
    # time, which only untagged versions have, decides first, also after a JSON round trip
    # (`audit merge` rebuilds the summary from the shards' JSON).
    from scaffolder.drift import RepoDrift
    from scaffolder.reports.fleet import summarize
    from scaffolder.reports.json_report import repo_json
    from scaffolder.reports.merge import report_from_json
    from scaffolder.reports.model import RepoReport

    def report(version: str, time: int) -> RepoReport:
        drift = RepoDrift(Path(version), "tpl", version, "1.1.0", [], [], [], version_time=time)
        return report_from_json(repo_json(RepoReport(Path(version), drift=drift)), {})

    reports = [report(looks_like_a_version, 2_000_000_000), report("deadbeefcafe", 1_900_000_000)]
    reports += [report("1.1.0", 0), report("1.0.0", 0)]
    order = [version for _, version in summarize(reports).group_order()]
    assert order == ["1.0.0", "1.1.0", "deadbeefcafe", looks_like_a_version]


def test_an_untagged_commit_that_parses_as_a_version_gets_no_migrations(tmp_path: Path):
    from scaffolder.catalog import load_catalog
    from scaffolder.migrations import steps_between
    from tests.helpers import build_versioned_demo

    golden_path = load_catalog([str(build_versioned_demo(tmp_path))]).get("demo")
    assert steps_between(golden_path, "1.0.0", "2.0.0")  # the release range has steps
    assert golden_path.release("v1.0.0") == golden_path.release("1.0.0") is not None
    assert golden_path.release("123456789012") is None
    assert steps_between(golden_path, "123456789012", "2.0.0") == []
    assert steps_between(golden_path, "0123a4567890", "2.0.0") == []


def test_engine_option_for_repos_without_a_record(capsys: Capsys, tmp_path: Path):
    template = _dual_format(tmp_path / "tpl")
    repo = build_file_tree(tmp_path / "demo", {"README.md": "# Demo (cookiecutter)\n"})
    _git(repo, "init", "--quiet")
    spec = ["--template", f"{template}@v1.0.0"]
    run = run_cli(capsys, "diff", repo, *spec, "--against", "v1.0.0", "--format", "json")
    files = json.loads(run.out)["repos"][0]["files"]
    assert {f["path"]: f["status"] for f in files} == {"README.md": "modified"}  # read as copier
    run = run_cli(
        capsys, "diff", repo, *spec, "--engine", "cookiecutter", "--against", "v1.0.0",
        "--format", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    run = run_cli(capsys, "questions", *spec, "--engine", "cookiecutter", "--json")
    assert "project_slug" in run.out
    run = run_cli(capsys, "adopt", repo, *spec, "--engine", "cookiecutter")
    assert run.code == 0, run.err
    assert json.loads((repo / ".cruft.json").read_text())["checkout"] == "v1.0.0"


def test_untrusted_upgrade_leaves_what_hooks_name_alone(capsys: Capsys, tmp_path: Path):
    def version(word: str) -> dict[str, str | bytes]:
        return {
            "cookiecutter.json": json.dumps({**CONTEXT, "use_docker": ["no", "yes"]}),
            "hooks/post_gen_project.py": TIDY_HOOK,
            f"{PROJECT}/Dockerfile": f"FROM python:{word}\n",
            f"{PROJECT}/config/settings.py": f"NAME = '{word}'\n",
            f"{PROJECT}/README.md": f"# {{{{ cookiecutter.project_name }}}} {word}\n",
        }

    template = _template(tmp_path / "tpl", [("v1.0.0", version("one")), ("v1.1.0", version("two"))])
    repo = _cruft_repo(template, tmp_path / "repos")  # cruft ran the hook
    settings = (repo / "config" / "settings.py").read_text()
    run = run_cli(capsys, "upgrade", repo)
    assert run.code == 0, run.err
    assert not (repo / "Dockerfile").exists()  # the hook would delete it again
    assert (repo / "config" / "settings.py").read_text() == settings
    assert (repo / "README.md").read_text() == "# Demo two\n"
    said = " ".join((run.out + run.err).split())  # the console wraps long lines
    assert "upgrade them): config/settings.py update README.md" in said


def test_engine_naming_a_format_the_template_lacks_is_an_error(capsys: Capsys, tmp_path: Path):
    files = {"cookiecutter.json": json.dumps(CONTEXT), f"{PROJECT}/README.md": "# hi\n"}
    template = _template(tmp_path / "tpl", [("v1.0.0", files)])
    dest = tmp_path / "demo"
    run = run_cli(capsys, "new", "--template", template, dest, "--defaults", "--engine", "copier")
    assert run.code == 1
    assert "tpl 1.0.0 is not a copier template" in run.err and "drop --engine" in run.err
    assert not dest.exists()
