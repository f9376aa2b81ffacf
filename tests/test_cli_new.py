"""`scaffolder new` in-process: results, recorded answers, and every bad input's error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from scaffolder import writer
from tests.helpers import run_cli


def leftovers(parent: Path) -> list[str]:
    """Staging folders that a failed run would leave behind."""
    return [p.name for p in parent.iterdir() if ".scaffolder-" in p.name]


def test_new_prints_json_and_records_answers_in_copier_format(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "pay"
    r = run_cli(
        capsys,
        "new",
        "demo",
        dest,
        "--catalog",
        demo_catalog,
        "-d",
        "name=pay",
        "-d",
        "token=hunter2",
        "--json",
    )
    assert r.code == 0, r.err
    result = json.loads(r.out)
    assert result["golden_path"] == "demo" and result["version"] == "1.0.0"
    assert result["destination"] == str(dest)
    assert ".copier-answers.yml" in result["files"] and "deploy/pay.yaml" in result["files"]
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == "1.0.0"
    assert recorded["_scaffolder_golden_path"] == "demo"
    assert recorded["name"] == "pay" and recorded["environments"] == ["dev", "prod"]
    assert "token" not in recorded and "hunter2" not in (dest / ".copier-answers.yml").read_text()
    assert "pins" not in recorded and "gpu_count" not in recorded
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=dest, capture_output=True, text=True, check=True
    ).stdout
    assert log.strip() == "Generate from golden path demo 1.0.0"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True, check=True
    ).stdout
    assert status == "", "every generated file is committed"


def test_message_after_copy_is_shown_and_in_json(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    config = demo_catalog / "templates" / "demo" / "1.0.0" / "copier.yml"
    config.write_text(
        config.read_text() + '_message_after_copy: "Deploy {{ name }} with: make deploy"\n'
    )
    base = ["new", "demo", "--catalog", demo_catalog, "-d", "name=pay", "--no-git"]
    r = run_cli(capsys, *base[:2], tmp_path / "a", *base[2:], "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["messages"] == ["Deploy pay with: make deploy"]
    r = run_cli(capsys, *base[:2], tmp_path / "b", *base[2:])
    assert "From the template" in r.err and "Deploy pay with: make deploy" in r.err
    assert "Deploy pay" not in r.out  # stdout keeps the result


def test_copier_reads_our_answers_file(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    from copier._user_data import load_answersfile_data

    run_cli(
        capsys,
        "new",
        "demo",
        tmp_path / "p",
        "--catalog",
        demo_catalog,
        "-d",
        "name=pay",
        "--no-git",
    )
    data = load_answersfile_data(tmp_path / "p", ".copier-answers.yml")
    assert data["name"] == "pay" and data["_commit"] == "1.0.0"


def test_data_file_then_flags(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "a.yml"
    answers.write_text("name: fromfile\nport: 9000\nenvironments: [stage]\n")
    r = run_cli(
        capsys,
        "new",
        "demo",
        tmp_path / "p",
        "--catalog",
        demo_catalog,
        "--data-file",
        answers,
        "-d",
        "port=9100",
        "--no-git",
        "--json",
    )
    assert r.code == 0, r.err
    assert (tmp_path / "p/deploy/fromfile.yaml").read_text() == (
        "namespace: fromfile-ns\nport: 9100\n"
    )
    assert (tmp_path / "p/envs.txt").read_text() == "stage\n"


def test_save_answers_replays_the_same_repo(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.yml"
    run_cli(
        capsys,
        "new",
        "demo",
        tmp_path / "a",
        "--catalog",
        demo_catalog,
        "-d",
        "name=pay",
        "-d",
        "gpu=yes",
        "-d",
        "token=t0p",
        "--save-answers",
        saved,
        "--no-git",
    )
    assert "t0p" not in saved.read_text()
    run_cli(
        capsys,
        "new",
        "demo",
        tmp_path / "b",
        "--catalog",
        demo_catalog,
        "--data-file",
        saved,
        "--no-git",
    )
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert files_a == files_b
    assert (tmp_path / "a/gpu.yaml").read_text() == (tmp_path / "b/gpu.yaml").read_text()


def test_an_empty_existing_destination_is_fine(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    r = run_cli(
        capsys,
        "new",
        "demo",
        tmp_path / "empty",
        "--catalog",
        demo_catalog,
        "-d",
        "name=pay",
        "--no-git",
    )
    assert r.code == 0, r.err
    assert (tmp_path / "empty/README.md").exists()


BAD_INPUTS = [
    (["new", "servce", "DEST"], "unknown golden path 'servce'; did you mean 'service'"),
    (
        ["new", "demo", "DEST", "--version", "9.9.9", "-d", "name=a"],
        "has no version '9.9.9'; available: 1.0.0",
    ),
    (
        ["new", "demo", "DEST", "-d", "name=Pay_"],
        "invalid value 'Pay_' for question 'name': must be a DNS-1123 label; "
        "for example: --data name=payments",
    ),
    (
        ["new", "demo", "DEST", "-d", "name=a", "-d", "port=eighty"],
        "invalid value 'eighty' for question 'port'",
    ),
    (
        ["new", "demo", "DEST"],
        "missing answer for 'name' (Service name); pass --data name=payments, or put the"
        " answers in --data-file",
    ),
    (
        ["new", "demo", "DEST", "-d", "name=a", "-d", "nmespace=x"],
        "unknown question 'nmespace'; did you mean 'namespace'",
    ),
    (["new", "demo", "DEST", "-d", "name"], "--data expects KEY=VALUE"),
    (["new", "demo"], "missing DEST (no terminal to ask on)"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_1_and_nothing_written(
    capsys: pytest.CaptureFixture[str],
    demo_catalog: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    dest = tmp_path / "out"
    argv = [str(dest) if a == "DEST" else a for a in args]
    r = run_cli(capsys, *argv, "--catalog", demo_catalog)
    assert r.code == 1
    assert r.err.startswith("error: ") and r.err.count("\n") == 1, r.err
    assert message in r.err
    assert "Traceback" not in r.err
    assert not dest.exists()
    assert leftovers(tmp_path) == []


def test_malformed_data_file_names_file_and_line(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "answers.yml"
    bad.write_text("name: pay\nport: [8080\n")
    r = run_cli(
        capsys, "new", "demo", tmp_path / "out", "--catalog", demo_catalog, "--data-file", bad
    )
    assert r.code == 1
    assert f"error: {bad}:3: malformed YAML" in r.err
    assert not (tmp_path / "out").exists()
    bad_json = tmp_path / "answers.json"
    bad_json.write_text('{"name": "pay",\n "port": }')
    r = run_cli(
        capsys, "new", "demo", tmp_path / "out", "--catalog", demo_catalog, "--data-file", bad_json
    )
    assert f"error: {bad_json}:2: malformed JSON" in r.err
    r = run_cli(
        capsys,
        "new",
        "demo",
        tmp_path / "out",
        "--catalog",
        demo_catalog,
        "--data-file",
        tmp_path / "nope.yml",
    )
    assert "does not exist" in r.err


def test_destination_not_empty_is_left_untouched(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    r = run_cli(capsys, "new", "demo", dest, "--catalog", demo_catalog, "-d", "name=pay")
    assert r.code == 1 and "exists and is not empty" in r.err
    assert [p.name for p in dest.iterdir()] == ["mine.txt"]


def test_unwritable_destination(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = run_cli(capsys, "new", "demo", blocker / "sub", "--catalog", demo_catalog, "-d", "name=pay")
    assert r.code == 1 and "is not a directory" in r.err
    r = run_cli(
        capsys, "new", "demo", "/proc/scaffolder-test", "--catalog", demo_catalog, "-d", "name=pay"
    )
    assert r.code == 1 and "error: cannot write to /proc" in r.err, r.err


def test_parent_folders_created_for_a_failed_run_are_removed(
    capsys: pytest.CaptureFixture[str],
    demo_catalog: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*_args: object, **_kwargs: object) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr("scaffolder.generate.write_tree", fail)
    r = run_cli(
        capsys, "new", "demo", tmp_path / "a/b/c", "--catalog", demo_catalog, "-d", "name=pay"
    )
    assert r.code == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_failure_while_writing_leaves_nothing(
    capsys: pytest.CaptureFixture[str],
    demo_catalog: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: type[BaseException],
) -> None:
    real = writer.write_tree

    def write_then_fail(*args: object, **kwargs: object) -> list[str]:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise failure("injected")

    monkeypatch.setattr("scaffolder.generate.write_tree", write_then_fail)
    dest = tmp_path / "out"
    r = run_cli(capsys, "new", "demo", dest, "--catalog", demo_catalog, "-d", "name=pay")
    if failure is KeyboardInterrupt:
        assert r.code == 130 and r.err.endswith("\nerror: cancelled, nothing written\n")
    else:
        assert r.code == 4 and "internal error" in r.err and "please report" in r.err
    assert not dest.exists()
    assert leftovers(tmp_path) == []


def test_missing_git_suggests_no_git(
    capsys: pytest.CaptureFixture[str],
    demo_catalog: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    r = run_cli(
        capsys, "new", "demo", tmp_path / "out", "--catalog", demo_catalog, "-d", "name=pay"
    )
    assert r.code == 1 and "git is not installed" in r.err and "--no-git" in r.err
    assert not (tmp_path / "out").exists()


def test_a_broken_golden_path_is_reported_as_its_bug_not_ours(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.helpers import build_file_tree

    build_file_tree(
        tmp_path / "cat/templates/bad",
        {
            "golden-path.yml": "title: Bad\n",
            "1.0.0/copier.yml": "name:\n  type: str\n  validator: '{{ name() }}'\n",
        },
    )
    r = run_cli(
        capsys, "new", "bad", tmp_path / "out", "--catalog", tmp_path / "cat", "-d", "name=x"
    )
    assert r.code == 1
    assert "bad 1.0.0: copier.yml: error evaluating '{{ name() }}'" in r.err
    assert "bug in the golden path" in r.err
