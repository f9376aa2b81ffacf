"""One write guard for every writer: nothing a template renders leaves the destination."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.security.conftest import Workspace, one_error
from tests.security.hostile import cookiecutter_catalog, copier_catalog, version_dir

Capsys = pytest.CaptureFixture[str]


@pytest.mark.parametrize(
    ("files", "answer", "culprit"),
    [
        ({"{{ name }}.txt": "x"}, "../../victim", "from the answer name='../../victim'"),
        ({"{{ name }}.txt": "x"}, "/ABS/victim", "from the answer name='/ABS/victim'"),
        ({"{{ '..' }}/{{ '..' }}/victim.txt": "x"}, "n", "from the template's own text"),
        ({"{{ name }}/config": "[core]\n"}, ".git", "it writes into `.git`"),
        ({"{{ name }}.txt.jinja": "{{ name }}"}, "a\0b", "it holds a NUL byte"),
        ({"d/{{ name }}/f": "x"}, "x//y", "it has an empty part"),
    ],
)
def test_new_copier_paths_stay_inside(
    capsys: Capsys, ws: Workspace, files: dict[str, str], answer: str, culprit: str
) -> None:
    copier_catalog(ws.catalog, files)
    answer = answer.replace("/ABS", str(ws.root))
    culprit = culprit.replace("/ABS", str(ws.root))
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-d", f"name={answer}")
    assert r.code == 1
    line = one_error(r.err)
    assert "refusing to write outside the destination: template file" in line
    assert culprit in line
    assert ws.snapshot() == before


def test_new_copier_answers_file_stays_inside(capsys: Capsys, ws: Workspace) -> None:
    copier_catalog(
        ws.catalog, {"a.txt": "x"}, "_answers_file: '{{ name }}.yml'\nname:\n  type: str\n"
    )
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-d", "name=../../v")
    assert r.code == 1
    assert "template file _answers_file" in one_error(r.err)
    assert ws.snapshot() == before


@pytest.mark.parametrize(
    ("files", "context", "data", "culprit"),
    [
        ({"a.txt": "x"}, None, "project_slug=../../x", "project_slug='../../x'"),
        (
            {"{{cookiecutter.f}}": "x"},
            {"project_slug": "demo", "f": "f"},
            "f=../../../victim.txt",
            "f='../../../victim.txt'",
        ),
        (
            {"{{cookiecutter.d}}/f.txt": "x"},
            {"project_slug": "demo", "d": "d"},
            "d=",
            "from the answer d=''; it is absolute",  # cookiecutter would write /f.txt
        ),
    ],
)
def test_new_cookiecutter_paths_stay_inside(
    capsys: Capsys,
    ws: Workspace,
    files: dict[str, str],
    context: dict[str, object] | None,
    data: str,
    culprit: str,
) -> None:
    cookiecutter_catalog(ws.catalog, files, context)
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-d", data)
    assert r.code == 1
    line = one_error(r.err)
    assert "refusing to write outside the destination: template file" in line
    assert culprit in line
    assert ws.snapshot() == before


def test_existing_repo_target_never_writes_through_a_symlinked_folder(
    capsys: Capsys, ws: Workspace
) -> None:
    copier_catalog(ws.catalog, {"docs/{{ name }}.md": "x"})
    build = version_dir(ws.catalog).parent / "golden-path.yml"
    build.write_text("title: Evil\ndescription: hostile\ntarget: existing-repo\n")
    repo = ws.root / "a" / "repo"
    repo.mkdir()
    (repo / "docs").symlink_to(ws.root)  # the repo's own folder leads outside it
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", repo, "--catalog", ws.catalog, "-d", "name=x", "--no-git")
    assert r.code == 1
    assert "a symlink in its folders leads outside" in one_error(r.err)
    assert ws.snapshot() == before


def test_adopt_records_only_inside_the_repo(capsys: Capsys, ws: Workspace) -> None:
    copier_catalog(
        ws.catalog, {"a.txt": "x"}, "_answers_file: '{{ name }}.yml'\nname:\n  type: str\n"
    )
    repo = ws.root / "a" / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    before = ws.snapshot()
    r = run_cli(
        capsys, "adopt", repo, "--golden-path", "evil", "--catalog", ws.catalog, "-d", "name=../x"
    )
    assert r.code == 1
    assert "refusing to write outside the destination" in one_error(r.err)
    assert ws.snapshot() == before


def test_a_safe_render_still_works(capsys: Capsys, ws: Workspace) -> None:
    copier_catalog(ws.catalog, {"{{ name }}/./{{ name }}.txt.jinja": "{{ name }}"})
    r = run_cli(
        capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-d", "name=ok", "--no-git"
    )
    assert r.code == 0, r.err
    assert (ws.dest / "ok" / "ok.txt").read_text() == "ok"
    assert not any(Path(ws.root).glob(".*scaffolder-*"))
