"""copier's `_message_*` settings: shown when copier shows them, rendered as copier renders
them (the `before_*` ones before any answer exists), on stderr."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.copier_fixture import ANSWERS_TEMPLATE, commit_repo, copier_copy, git_template
from tests.helpers import REPO_ROOT, run_cli

Capsys = pytest.CaptureFixture[str]

MESSAGES = (
    "_message_before_copy: 'bc [{{ name }}] {{ _copier_answers._commit }}'\n"
    "_message_after_copy: |\n  ac [{{ name }}] [{{ size }}]\n"
    "_message_before_update: 'bu [{{ name }}] {{ _copier_answers._commit }}'\n"
    "_message_after_update: 'au [{{ name }}] {{ _copier_answers.size }}'\n"
)
V1 = {
    "copier.yml": MESSAGES + "name: demo\nsize: {type: int, default: 2}\n",
    "a.txt.jinja": "{{ name }}\n",
    **ANSWERS_TEMPLATE,
}
V2 = {**V1, "a.txt.jinja": "{{ name }} 2\n"}
# `{% yield %}` sends a template to copier's own engine; without it, the native one renders it.
YIELD = {"{% yield s from [size] %}s{{ s }}{% endyield %}.txt": "s\n"}
ENGINES = {"native": {}, "copier": YIELD}


def _copier_says(*args: str | Path, cwd: Path | None = None) -> list[str]:
    """What the copier CLI prints on stderr (its messages among its own lines)."""
    copier = REPO_ROOT / ".venv" / "bin" / "copier"
    done = subprocess.run(
        [str(copier), *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return [line for line in done.stderr.splitlines() if line[:3] in {"bc ", "ac ", "bu ", "au "}]


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_new_shows_the_messages_when_copier_does(
    capsys: Capsys, tmp_path: Path, engine: str
) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": {**V1, **ENGINES[engine]}})
    expected = _copier_says("copy", "--defaults", "-d", "name=pay", template, tmp_path / "ref")
    assert expected == ["bc [] v1.0.0", "ac [pay] [2]"]  # before: no answers yet
    run = run_cli(capsys, "new", "--template", template, tmp_path / "o", "-d", "name=pay")
    assert run.code == 0, run.err
    lines = run.err.splitlines()
    assert lines.index("bc [] v1.0.0") < lines.index("  rendering tpl 1.0.0")  # before
    assert "ac [pay] [2]" in run.err.split("writing")[-1]  # after, in the panel
    # stdout keeps the result ("bc [", not "bc": the first commit's hash may hold "bc")
    assert "bc [" not in run.out and "ac [" not in run.out
    run = run_cli(
        capsys, "new", "--template", template, tmp_path / "j", "-d", "name=pay", "-o", "json"
    )
    assert run.code == 0, run.err
    assert json.loads(run.out)["messages"] == ["ac [pay] [2]"]
    assert run.err.splitlines()[0] == "bc [] v1.0.0"
    questions = json.loads(run_cli(capsys, "questions", "--template", template, "--json").out)
    assert questions["engine"] == engine, questions["engine_reason"]


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_upgrade_shows_the_update_messages_when_copier_does(
    capsys: Capsys, tmp_path: Path, engine: str
) -> None:
    extra = ENGINES[engine]
    template = git_template(
        tmp_path / "tpl", {"v1.0.0": {**V1, **extra}, "v2.0.0": {**V2, **extra}}
    )
    repos = [tmp_path / "ours", tmp_path / "theirs"]
    for repo in repos:
        copier_copy(template, repo, {"name": "pay"}, ref="v1.0.0")
        commit_repo(repo)
    expected = _copier_says("update", "--defaults", cwd=repos[1])
    assert expected == ["bu [] v2.0.0", "au [pay] 2"]
    run = run_cli(capsys, "upgrade", repos[0], "--format", "json", "--commit")
    assert run.code == 0, run.err
    said = [line for line in run.err.splitlines() if line[:3] in {"bu ", "au "}]
    assert said == expected
    json.loads(run.out)  # stdout is the JSON alone
    run = run_cli(capsys, "upgrade", repos[0])
    assert "already at" in run.out and "bu [" not in run.err  # nothing to update: no message
