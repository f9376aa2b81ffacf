"""The CLI shell: help, list, questions, exit codes of usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scaffolder.cli import COMMANDS, cli
from tests.helpers import run_cli


def test_help_lists_every_command_without_importing_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from scaffolder.cli import main; main(['--help']);"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('jinja2', 'copier', 'rich', 'questionary', 'yaml')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for name in COMMANDS:
        assert name in code.stdout
    assert code.stdout.strip().endswith("[]"), "heavy modules are imported lazily"


def test_every_registered_command_loads_and_matches_its_name() -> None:
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name


def test_list_json(capsys: pytest.CaptureFixture[str], demo_catalog: Path) -> None:
    r = run_cli(capsys, "list", "--json", "--catalog", demo_catalog)
    rows = {row["name"]: row for row in json.loads(r.out)}
    assert rows["demo"]["versions"] == ["1.0.0"] and rows["demo"]["latest"] == "1.0.0"
    assert rows["service"]["kind"] == "service"
    assert set(rows["demo"]) == {
        "name",
        "kind",
        "title",
        "description",
        "owner",
        "tags",
        "versions",
        "latest",
        "catalog",
        "engine",
        "render_engine",
        "render_engine_reason",
        "source",
    }
    assert rows["demo"]["render_engine"] == "native"


def test_list_table(capsys: pytest.CaptureFixture[str], demo_catalog: Path) -> None:
    r = run_cli(capsys, "list", "--catalog", demo_catalog)
    assert r.code == 0 and "demo" in r.out and "A demo golden path for tests" in r.out


def test_questions(capsys: pytest.CaptureFixture[str], demo_catalog: Path) -> None:
    r = run_cli(capsys, "questions", "demo", "--catalog", demo_catalog, "--json")
    questions = {q["name"]: q for q in json.loads(r.out)["questions"]}
    assert "pins" not in questions
    assert questions["name"]["required"] and not questions["port"]["required"]
    assert questions["token"]["secret"]
    r = run_cli(capsys, "questions", "demo", "--catalog", demo_catalog)
    assert "name (str, required)" in r.out and "asked:    when gpu is true" in r.out
    assert "{{" not in r.out, "Jinja is explained, not shown"
    r = run_cli(capsys, "questions", "demo", "--catalog", demo_catalog, "--raw")
    assert "asked:    when {{ gpu }}" in r.out and "default:  {{ name }}-ns" in r.out


def test_usage_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "nope")
    assert r.code == 1 and "error: no such command 'nope'" in r.err
    r = run_cli(capsys, "lst")
    assert r.code == 1 and r.err.count("\n") == 1
    assert "error: no such command 'lst'" in r.err and "did you mean 'list'" in r.err.lower()
    assert "'fleet'" not in r.err  # only the near-best suggestion
    r = run_cli(capsys, "new", "--bogus")
    assert r.code == 1 and r.err.startswith("error: no such option --bogus")
    assert r.err.count("\n") == 1  # one line, like every other error
    r = run_cli(capsys, "new", "--data-fil", "x")
    assert r.err.startswith("error: no such option --data-fil; did you mean --data-file")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from scaffolder import __version__

    r = run_cli(capsys, "--version")
    assert r.code == 0 and __version__ in r.out


def test_the_make_run_command_works(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """README's Quick start: `make run` must keep working as golden paths gain questions."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    line = next(x.strip() for x in makefile.splitlines() if "scaffolder new service" in x)
    args = line.split()[1:]  # drop "$(BIN)/scaffolder"
    args = [str(tmp_path / "payments") if a == "$(RUN_DEST)" else a for a in args]
    r = run_cli(capsys, *args)
    assert r.code == 0, r.err
    assert (tmp_path / "payments/catalog-info.yaml").is_file()
