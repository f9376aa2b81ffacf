"""Question names are identifiers; nothing exported to Backstage can form an expression."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.helpers import run_cli
from tests.security.conftest import Workspace, one_error
from tests.security.hostile import cookiecutter_catalog, copier_catalog, version_dir

Capsys = pytest.CaptureFixture[str]
INJECTED = "x }} ${{ secrets.TOKEN }} {{ y"


@pytest.mark.parametrize("engine", ["copier", "cookiecutter"])
@pytest.mark.parametrize("command", ["questions", "backstage", "new"])
def test_a_question_name_must_be_an_identifier(
    capsys: Capsys, ws: Workspace, tmp_path: Path, engine: str, command: str
) -> None:
    if engine == "copier":
        copier_catalog(ws.catalog, {"a.txt": "x"}, f"'{INJECTED}':\n  type: str\n")
        config = version_dir(ws.catalog) / "copier.yml"
    else:
        cookiecutter_catalog(ws.catalog, {"a.txt": "x"}, {"project_slug": "d", INJECTED: "v"})
        config = version_dir(ws.catalog) / "cookiecutter.json"
    args = {
        "questions": ["questions", "evil", "--json-schema"],
        "backstage": ["backstage", "export", tmp_path / "out"],
        "new": ["new", "evil", ws.dest, "--defaults"],
    }[command]
    before = ws.snapshot()
    r = run_cli(capsys, *args, "--catalog", ws.catalog)
    assert r.code == 1
    line = one_error(r.err)
    assert f"{config}: question name {INJECTED!r} is not an identifier" in line
    assert "${{" not in r.out
    assert ws.snapshot() == before
    assert not (tmp_path / "out").exists()


HOSTILE_COPIER_YML = """\
name:
  type: str
  help: "Name ${{ secrets.TOKEN }} {% if secrets.A %}x{% endif %}"
  default: "${{ secrets.DEFAULT }}"
flavour:
  type: str
  help: Flavour {# ${{ secrets.C }} #}
  choices:
    "Label ${{ secrets.LABEL }}": plain
    Other: "${{ secrets.VALUE }}"
"""


def _expressions(text: str) -> set[str]:
    return set(re.findall(r"\$\{\{.*?\}\}", text))


def test_backstage_export_escapes_every_template_string(
    capsys: Capsys, ws: Workspace, tmp_path: Path
) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"}, HOSTILE_COPIER_YML)
    meta = version_dir(ws.catalog).parent / "golden-path.yml"
    meta.write_text("title: 'Evil ${{ secrets.T }}'\ndescription: 'd ${{ secrets.D }} {% raw %}'\n")
    r = run_cli(capsys, "backstage", "export", tmp_path / "out", "--catalog", ws.catalog)
    assert r.code == 0, r.err
    exported = "".join(p.read_text() for p in sorted((tmp_path / "out").rglob("*.yaml")))
    evil = next(
        doc
        for p in (tmp_path / "out").rglob("*.yaml")
        for doc in yaml.safe_load_all(p.read_text())
        if doc and doc.get("metadata", {}).get("name") == "evil"
    )
    text = yaml.safe_dump(evil)
    assert "secrets." not in "".join(_expressions(text)), _expressions(text)
    assert "{%" not in text and "{#" not in text
    assert _expressions(text) == {
        "${{ parameters.name }}",
        "${{ parameters.flavour }}",
        "${{ parameters.repoUrl }}",
        "${{ parameters.description }}",
        "${{ steps['publish'].output.repoContentsUrl }}",
        "${{ steps['publish'].output.remoteUrl }}",
        "${{ steps['register'].output.entityRef }}",
    }
    assert "$ {{ secrets.TOKEN }}" in text  # shown as written, but never evaluated
    assert exported


def test_json_schema_escapes_every_template_string(capsys: Capsys, ws: Workspace) -> None:
    copier_catalog(ws.catalog, {"a.txt": "x"}, HOSTILE_COPIER_YML)
    r = run_cli(capsys, "questions", "evil", "--json-schema", "--catalog", ws.catalog)
    assert r.code == 0, r.err
    schema = json.loads(r.out)
    assert "${{" not in r.out and "{%" not in r.out and "{#" not in r.out
    assert schema["properties"]["name"]["x-scaffolder-default"] == "$ {{ secrets.DEFAULT }}"
