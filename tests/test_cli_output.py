"""Output conventions (issue 18): results on stdout, -o/--format/--json everywhere, quiet broken
pipes, shell completion, readable `questions`, every answer problem at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from scaffolder.cli import COMMANDS, cli
from tests.helpers import build_versioned_demo, generate, run_cli

# Commands that print a result, and the formats each offers.
RESULT_COMMANDS = {
    "list": ("text", "json"),
    "new": ("text", "json"),
    "questions": ("text", "json", "json-schema"),
    "adopt": ("text", "json", "sarif", "junit", "markdown", "codequality"),
    "diff": ("text", "json", "sarif", "junit", "markdown", "codequality"),
    "audit": ("text", "json", "sarif", "junit", "markdown", "codequality"),
    "audit merge": ("text", "json", "sarif", "junit", "markdown", "codequality"),
    "upgrade": ("text", "json", "markdown"),
    "fleet clone": ("text", "json"),
    "validate": ("text", "json"),
}


@pytest.mark.parametrize("name", sorted(RESULT_COMMANDS))
def test_every_result_command_takes_format_o_and_json(name: str) -> None:
    group, _, sub = name.partition(" ")
    command = cli.get_command(None, group)  # type: ignore[arg-type]
    if isinstance(command, click.Group):  # audit runs `audit run` by default
        command = command.commands[sub or "run"]
    assert command is not None
    options = {opt: p for p in command.params for opt in getattr(p, "opts", [])}
    assert options["--format"] is options["-o"], "-o is the short form of --format"
    assert tuple(options["--format"].type.choices) == RESULT_COMMANDS[name]  # type: ignore[attr-defined]
    assert "--json" in options


def test_json_is_an_alias_of_format_json_and_o_its_short_form(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path
) -> None:
    outs = [
        run_cli(capsys, "list", *flags, "--catalog", demo_catalog).out
        for flags in (["--json"], ["--format", "json"], ["-o", "json"], ["-ojson"])
    ]
    assert json.loads(outs[0]) and len(set(outs)) == 1
    r = run_cli(capsys, "list", "--json", "-o", "text", "--catalog", demo_catalog)
    assert r.code == 1 and "--json and --format text contradict each other" in r.err


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    catalog = build_versioned_demo(tmp_path / "catalog")
    return catalog, generate(tmp_path, catalog)


def test_reports_go_to_stdout_and_machine_formats_print_alone(
    capsys: pytest.CaptureFixture[str], repo: tuple[Path, Path]
) -> None:
    catalog, path = repo
    r = run_cli(capsys, "diff", path, "--catalog", catalog, "--against", "1.1.0")
    assert r.code == 2 and "outdated" in r.out and r.err == ""
    r = run_cli(capsys, "diff", path, "--catalog", catalog, "--against", "1.1.0", "-o", "json")
    assert json.loads(r.out)["repos"][0]["summary"]["outdated"] == 3 and r.err == ""
    r = run_cli(capsys, "audit", path, "--catalog", catalog, "--against", "1.1.0")
    assert r.out.startswith("Audit of 1 repo\n") and r.err == ""
    r = run_cli(capsys, "upgrade", path, "--catalog", catalog, "--to", "1.1.0", "--dry-run")
    assert "NEW.md" in r.out and "dry run: nothing written" in r.out


def test_a_reader_that_stops_early_ends_the_run_quietly(repo: tuple[Path, Path]) -> None:
    """`scaffolder diff . | head -3`: no traceback, no "Exception ignored", exit 0."""
    catalog, path = repo
    argv = [sys.executable, "-m", "scaffolder", "diff", str(path), "--catalog", str(catalog)]
    argv += ["--against", "1.1.0", "--patch"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and err == ""


def test_mistyped_subcommand_of_a_group_is_suggested_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = run_cli(capsys, "crds", "fech")
    assert r.code == 1 and "fetch" in r.err


@pytest.mark.parametrize(
    ("shell", "defines"),
    [("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files")],
)
def test_completion_script_is_clicks(
    capsys: pytest.CaptureFixture[str], shell: str, defines: str
) -> None:
    r = run_cli(capsys, "completion", shell)
    assert r.code == 0 and "_SCAFFOLDER_COMPLETE" in r.out and defines in r.out


def test_bash_completion_script_loads(capsys: pytest.CaptureFixture[str]) -> None:
    script = run_cli(capsys, "completion", "bash").out
    bash = shutil.which("bash") or "/bin/bash"
    check = subprocess.run(
        [bash, "-c", f"{script}\ncomplete -p scaffolder"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and "_scaffolder_completion" in check.stdout, check.stderr


def test_completion_completes_commands_and_format_values() -> None:
    env = {
        **os.environ,
        "_SCAFFOLDER_COMPLETE": "bash_complete",
        "COMP_WORDS": "scaffolder d",
        "COMP_CWORD": "1",
    }
    argv = [sys.executable, "-c", "from scaffolder.cli import run; run()"]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["plain,diff"]
    env.update(COMP_WORDS="scaffolder audit -o ", COMP_CWORD="3")
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    assert "plain,sarif" in out.split()
    env.update(COMP_WORDS="scaffolder new cluster-b", COMP_CWORD="2")
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["plain,cluster-baseline"], "golden-path names complete too"
    assert "completion" in COMMANDS


def test_questions_read_well_at_80_columns_and_explain_jinja(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = run_cli(capsys, "questions", "cluster-baseline")
    assert r.code == 0
    lines = r.out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "{{" not in r.out
    block = r.out.split("\n\nregion (str)\n", 1)[1].split("\n\n", 1)[0]
    assert "by provider: aws → eu-west-1" in block
    assert "asked:    when provider is not on-prem" in block
    assert "asked:    when cni is cilium" in r.out
    assert "default:  <cluster_name>.example.internal" in r.out
    assert "example:  --data cluster_name=" in r.out
    r = run_cli(capsys, "questions", "cluster-baseline", "--raw")
    assert "{{ provider != 'on-prem' }}" in r.out


def test_every_missing_answer_is_reported_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dest = tmp_path / "cb"
    r = run_cli(capsys, "new", "cluster-baseline", dest, "--defaults")
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1
    for name in ("cluster_name", "aws_account_id", "api_server_host"):
        assert f"--data {name}=" in r.err, name
    assert not dest.exists()
    # An invalid answer hides only what depends on it, and says so.
    r = run_cli(
        capsys, "new", "cluster-baseline", dest, "--defaults", "-d", "provider=moon", "-d", "gpu=x"
    )
    assert "'moon' is not one of: aws, gcp, azure, on-prem" in r.err
    assert "invalid value 'x' for question 'gpu'" in r.err
    assert "--data cluster_name=" in r.err and "--data provider=aws" in r.err
    assert "'gcp_project'" in r.err and "may be asked too" in r.err


def test_next_steps_comments_line_up() -> None:
    from scaffolder.generate import GenerateResult
    from scaffolder.next_steps import next_steps_text

    result = GenerateResult("service", "2.0.0", Path("/x/pay"), ["Makefile", "mkdocs.yml"])
    lines = next_steps_text(result).splitlines()
    assert lines[0] == "cd /x/pay"
    commented = [line for line in lines if "#" in line]
    assert len(commented) == 3 and len({line.index("#") for line in commented}) == 1
    assert lines[-1].startswith("git init && git add -A && git commit   # --no-git")


def test_a_mistyped_key_is_reported_with_the_answers_it_leaves_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = run_cli(capsys, "new", "service", tmp_path / "svc", "--defaults", "-d", "nmae=pay")
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1
    assert "missing answers for 'name'" in r.err and "'tier'" in r.err
    assert "unknown question 'nmae': did you mean 'name'" in r.err
    assert "pass --data name=payments-api --data tier=critical" in r.err
