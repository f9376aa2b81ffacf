"""Template text runs no code unless the template is trusted, in both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.security.conftest import Workspace, one_error
from tests.security.hostile import cookiecutter_catalog, copier_catalog

Capsys = pytest.CaptureFixture[str]


def payload(mark: Path) -> str:
    return "{{ cycler.__init__.__globals__.os.system('touch " + str(mark) + "') }}"


@pytest.mark.parametrize("where", ["content", "name", "private"])
def test_cookiecutter_text_is_sandboxed_without_trust(
    capsys: Capsys, ws: Workspace, where: str
) -> None:
    mark = ws.root / "MARK"
    context: dict[str, object] = {"project_slug": "demo"}
    files = {"README.md": "hello\n"}
    if where == "content":
        files["README.md"] = payload(mark)
    elif where == "name":  # a file name holds no `/`: the mark lands in the working folder
        files[payload(Path("MARK"))] = "x"
    else:
        context["__x"] = payload(mark)
    cookiecutter_catalog(ws.catalog, files, context)
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults")
    assert r.code == 1
    line = one_error(r.err)
    assert "unsafe" in line and "__init__" in line
    assert not mark.exists() and not Path("MARK").exists()
    assert ws.snapshot() == before


def test_copier_text_is_sandboxed(capsys: Capsys, ws: Workspace) -> None:
    mark = ws.root / "MARK"
    copier_catalog(ws.catalog, {"README.md.jinja": payload(mark)})
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-d", "name=x")
    assert r.code == 1
    assert "unsafe" in one_error(r.err)
    assert not mark.exists() and ws.snapshot() == before


def test_trusted_cookiecutter_keeps_its_full_environment(capsys: Capsys, ws: Workspace) -> None:
    # What the sandbox refuses (a private attribute) works for a trusted template, harmlessly.
    cookiecutter_catalog(ws.catalog, {"README.md": "{{ ''.__class__.__name__ }}\n"})
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults")
    assert r.code == 1 and "unsafe" in one_error(r.err)
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults", "--trust")
    assert r.code == 0, r.err
    assert (ws.dest / "README.md").read_text() == "str\n"


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"_extensions": ["antigravity.Fly"]}, "loads Jinja extensions antigravity.Fly"),
        ({"_jinja2_env_vars": {"finalize": "x"}}, "sets finalize, which a template may not set"),
    ],
)
def test_cookiecutter_settings_that_run_code_need_trust(
    capsys: Capsys, ws: Workspace, context: dict[str, object], expected: str
) -> None:
    cookiecutter_catalog(ws.catalog, {"a.txt": "x"}, {"project_slug": "demo", **context})
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "--defaults")
    assert r.code == 1
    assert expected in one_error(r.err)
    assert ws.snapshot() == before


def test_copier_envops_extensions_is_a_clear_error(capsys: Capsys, ws: Workspace) -> None:
    copier_catalog(
        ws.catalog,
        {"a.txt": "x"},
        "_envops:\n  extensions: [jinja2.ext.debug]\nname:\n  type: str\n",
    )
    before = ws.snapshot()
    r = run_cli(capsys, "new", "evil", ws.dest, "--catalog", ws.catalog, "-d", "name=x")
    assert r.code == 1
    assert "_envops sets extensions, which a template may not set" in one_error(r.err)
    assert ws.snapshot() == before
