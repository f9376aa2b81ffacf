"""Template symlinks: followed inside the template's folder, refused when they lead out;
no host file, FIFO or device is ever read through a template."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.security.conftest import Workspace, one_error, run_bin
from tests.security.hostile import cookiecutter_catalog, copier_catalog, version_dir

Capsys = pytest.CaptureFixture[str]


def _copier(ws: Workspace) -> Path:
    copier_catalog(ws.catalog, {"README.md": "hi\n"})
    return version_dir(ws.catalog) / "template"


def _cookiecutter(ws: Workspace) -> Path:
    cookiecutter_catalog(ws.catalog, {"README.md": "hi\n"}, {"project_slug": "demo", "name": "n"})
    return version_dir(ws.catalog) / "{{cookiecutter.project_slug}}"


ENGINES = {"copier": _copier, "cookiecutter": _cookiecutter}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("target", ["absolute", "relative", "folder"])
def test_a_link_out_of_the_template_is_refused(
    capsys: Capsys, ws: Workspace, engine: str, target: str
) -> None:
    files = ENGINES[engine](ws)
    host = ws.root / "victim.txt"
    if target == "absolute":
        (files / "passwd").symlink_to(host)
    elif target == "relative":
        (files / "hostname").symlink_to(os.path.relpath(host, files))
    else:
        (files / "etc").symlink_to(ws.root, target_is_directory=True)
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults", "-dname=x")
    assert r.code == 1
    assert "that leads outside the template's folder" in one_error(r.err)
    assert ws.snapshot() == before


def test_copier_follows_links_inside_the_template(capsys: Capsys, ws: Workspace) -> None:
    files = _copier(ws)
    (files / "docs").mkdir()
    (files / "docs" / "guide.md").write_text("guide\n")
    (files / "GUIDE.md").symlink_to("docs/guide.md")
    (files / "manual").symlink_to("docs", target_is_directory=True)  # not silently dropped
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x", "--no-git")
    assert r.code == 0, r.err
    assert (ws.dest / "GUIDE.md").read_text() == "guide\n"
    assert (ws.dest / "manual" / "guide.md").read_text() == "guide\n"


def test_copier_include_of_a_host_file_is_refused(capsys: Capsys, ws: Workspace) -> None:
    files = _copier(ws)
    (files / "secret").symlink_to(ws.root / "victim.txt")
    build = version_dir(ws.catalog) / "copier.yml"
    build.write_text(build.read_text() + "_exclude: [secret]\n")
    (files / "README.md.jinja").write_text("{% include 'secret' %}")
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x")
    assert r.code == 1
    assert "leads outside the template's folder" in one_error(r.err)
    assert ws.snapshot() == before


def test_cookiecutter_folder_link_is_a_clear_error(capsys: Capsys, ws: Workspace) -> None:
    files = _cookiecutter(ws)
    (files / "docs").mkdir()
    (files / "manual").symlink_to("docs", target_is_directory=True)
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults")
    assert r.code == 1
    assert "is a symlink to a folder, whose files cookiecutter would silently leave out" in (
        one_error(r.err)
    )
    assert ws.snapshot() == before


def test_a_link_loop_is_refused(capsys: Capsys, ws: Workspace) -> None:
    files = _copier(ws)
    (files / "loop").symlink_to(".", target_is_directory=True)
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x")
    assert r.code == 1 and "symlink loop" in one_error(r.err)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fifo_in_a_template_is_refused_not_read(ws: Workspace, engine: str) -> None:
    files = ENGINES[engine](ws)
    os.mkfifo(files / "README.md.jinja" if engine == "copier" else files / "pipe")
    before = ws.snapshot()
    r = run_bin("new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults", "-dname=x")
    assert r.code == 1
    assert "is a FIFO" in one_error(r.err)
    assert ws.snapshot() == before


def test_a_subdirectory_outside_the_template_is_refused(capsys: Capsys, ws: Workspace) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"}, "_subdirectory: ../../../../ws\nname: {type: str}\n")
    config = version_dir(ws.catalog) / "copier.yml"
    config.write_text(config.read_text().replace("_subdirectory: template\n", ""))
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x")
    assert r.code == 1
    assert "is outside the template" in one_error(r.err)
    assert ws.snapshot() == before


def test_a_fifo_config_file_is_refused_not_read(ws: Workspace) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"}, "name: {type: str}\n---\n!include more.yml\n")
    os.mkfifo(version_dir(ws.catalog) / "more.yml")
    before = ws.snapshot()
    r = run_bin("new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x")
    assert r.code == 1
    assert "more.yml is not a regular file" in one_error(r.err)
    assert ws.snapshot() == before


@pytest.mark.parametrize("link", ["absolute", "relative"])
def test_a_git_template_linking_out_is_refused(
    capsys: Capsys, ws: Workspace, tmp_path: Path, link: str
) -> None:
    repo = tmp_path / "tpl"
    project = repo / "{{cookiecutter.project_slug}}"
    project.mkdir(parents=True)
    (repo / "cookiecutter.json").write_text('{"project_slug": "demo"}')
    target = ws.root / "victim.txt"
    (project / "hostname").symlink_to(
        target if link == "absolute" else os.path.relpath(target, project)
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "t"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    before = ws.snapshot()
    r = run_cli(capsys, "new", "--template", repo, ws.dest, "--defaults")
    assert r.code == 1
    assert "leads outside the template" in one_error(r.err)
    assert ws.snapshot() == before
