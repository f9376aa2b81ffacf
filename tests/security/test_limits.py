"""Limits on what untrusted input may cost: YAML expansion, file and render sizes, time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.security.conftest import Workspace, one_error
from tests.security.hostile import cookiecutter_catalog, copier_catalog, version_dir

Capsys = pytest.CaptureFixture[str]

LAUGHS = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
)


def laughs_question() -> str:
    """A yaml question whose default is the billion laughs (10**9 strings once expanded)."""
    nested = LAUGHS.replace("\n", "\n    ")
    return f"name:\n  type: str\nbomb:\n  type: yaml\n  default:\n    {nested}\n"


@pytest.mark.parametrize("command", ["new", "questions"])
def test_billion_laughs_copier_yml(capsys: Capsys, ws: Workspace, command: str) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"}, laughs_question())
    before = ws.snapshot()
    started = time.monotonic()
    args = ["new", "evil", ws.dest, "-dname=x"] if command == "new" else ["questions", "evil"]
    r = run_cli(capsys, *args, "--catalog", ws.catalog)
    assert time.monotonic() - started < 10
    assert r.code == 1
    line = one_error(r.err)
    assert "copier.yml" in line and "exceeds the yaml_nodes limit" in line
    assert "SCAFFOLDER_LIMIT_YAML_NODES" in line
    assert ws.snapshot() == before


def test_billion_laughs_answers_file(capsys: Capsys, ws: Workspace, tmp_path: Path) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"})
    answers = tmp_path / "answers.yml"
    answers.write_text(LAUGHS + "name: x\n")
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--data-file", answers)
    assert r.code == 1
    assert f"{answers} (aliases expand it" in one_error(r.err)
    assert ws.snapshot() == before


def test_a_recursive_alias_is_refused(capsys: Capsys, ws: Workspace, tmp_path: Path) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"})
    answers = tmp_path / "answers.yml"
    answers.write_text("loop: &l [*l]\nname: x\n")
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--data-file", answers)
    assert r.code == 1 and "yaml_nodes" in one_error(r.err)


def test_oversized_cookiecutter_json(
    capsys: Capsys, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookiecutter_catalog(ws.catalog, {"a.txt": "x"}, {"project_slug": "demo", "pad": "x" * 9000})
    monkeypatch.setenv("SCAFFOLDER_LIMIT_CONFIG_BYTES", "8000")
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults")
    assert r.code == 1
    assert "cookiecutter.json" in one_error(r.err) and "config_bytes limit (8000)" in r.err
    assert ws.snapshot() == before


@pytest.mark.parametrize("engine", ["copier", "cookiecutter"])
def test_a_huge_sparse_file_is_refused_unread(capsys: Capsys, ws: Workspace, engine: str) -> None:
    if engine == "copier":
        copier_catalog(ws.catalog, {"a.txt": "x"})
        big = version_dir(ws.catalog) / "template" / "disk.img"
    else:
        cookiecutter_catalog(ws.catalog, {"a.txt": "x"})
        big = version_dir(ws.catalog) / "{{cookiecutter.project_slug}}" / "disk.img"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GB, no block written
    before = ws.snapshot_meta()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults", "-dname=x")
    assert r.code == 1
    assert "disk.img (2147483648 bytes) exceeds the file_bytes limit" in one_error(r.err)
    assert ws.snapshot_meta() == before


@pytest.mark.parametrize("engine", ["copier", "cookiecutter"])
def test_render_time_budget(
    capsys: Capsys, ws: Workspace, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    spin = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    if engine == "copier":
        copier_catalog(ws.catalog, {"a.txt.jinja": spin})
    else:
        cookiecutter_catalog(ws.catalog, {"a.txt": spin})
    monkeypatch.setenv("SCAFFOLDER_LIMIT_RENDER_SECONDS", "1")
    before = ws.snapshot()
    started = time.monotonic()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults", "-dname=x")
    assert time.monotonic() - started < 15
    assert r.code == 1
    assert "rendering golden path evil 1.0.0 exceeds the render_seconds limit (1.0)" in (
        one_error(r.err)
    )
    assert ws.snapshot() == before


def test_render_size_budget_and_its_settings_override(
    capsys: Capsys, ws: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    copier_catalog(ws.catalog, {"a.txt.jinja": "{% for i in range(5000) %}0123456789{% endfor %}"})
    settings = tmp_path / "settings.yml"
    settings.write_text("limits:\n  render_bytes: 10000\n")
    monkeypatch.setenv("SCAFFOLDER_SETTINGS", str(settings))
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x")
    assert r.code == 1
    assert "exceeds the render_bytes limit (10000)" in one_error(r.err)
    assert ws.snapshot() == before
    monkeypatch.setenv("SCAFFOLDER_LIMIT_RENDER_BYTES", "100000")  # the environment wins
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x", "--no-git")
    assert r.code == 0, r.err
    assert len((ws.dest / "a.txt").read_text()) == 50000


def test_a_bad_limit_value_is_a_clear_error(
    capsys: Capsys, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"})
    monkeypatch.setenv("SCAFFOLDER_LIMIT_FILE_BYTES", "lots")
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-dname=x")
    assert r.code == 1
    assert "limit file_bytes must be a number, got 'lots'" in one_error(r.err)
    assert json.dumps(r.err)  # one line, printable


def test_a_question_that_never_finishes_is_stopped(
    capsys: Capsys, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    spin = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x"
    copier_catalog(ws.catalog, {"a.txt": "x"}, f"name:\n  type: str\n  default: '{spin}'\n")
    monkeypatch.setenv("SCAFFOLDER_LIMIT_RENDER_SECONDS", "1")
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults")
    assert r.code == 1
    assert "a question's Jinja exceeds the render_seconds limit (1.0)" in one_error(r.err)
    assert ws.snapshot() == before


@pytest.mark.parametrize("where", ["copier.yml", "cookiecutter.json", "answers.yml", "a.json"])
def test_input_nested_too_deeply_is_a_clear_error(
    capsys: Capsys, ws: Workspace, tmp_path: Path, where: str
) -> None:
    deep = "[" * 50000 + "]" * 50000
    args = ["new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults"]
    if where == "copier.yml":
        copier_catalog(ws.catalog, {"a.txt": "x"}, f"name:\n  type: str\n  default: {deep}\n")
    elif where == "cookiecutter.json":
        cookiecutter_catalog(ws.catalog, {"a.txt": "x"})
        (version_dir(ws.catalog) / where).write_text('{"project_slug": ' + deep + "}")
    else:
        copier_catalog(ws.catalog, {"a.txt": "x"})
        (tmp_path / where).write_text(
            ("x: " if where.endswith("yml") else '{"x": ')
            + deep
            + ("" if where.endswith("yml") else "}")
        )
        args += ["--data-file", str(tmp_path / where)]
    before = ws.snapshot()
    r = run_cli(capsys, *args)
    assert r.code == 1
    assert f"{where} is nested too deeply to read" in one_error(r.err)
    assert ws.snapshot() == before
