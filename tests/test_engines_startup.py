"""The copier engine's start-up: copier imported without its prompt stack, compiled Jinja code
kept on disk. Both must leave the output byte for byte what copier makes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from questionary.prompts.common import Choice as RealChoice

from scaffolder.engines.copier_import import Choice
from scaffolder.paths import cache_dir
from tests.copier_fixture import ANSWERS_TEMPLATE, copier_copy, git_template, tree_of
from tests.helpers import REPO_ROOT, run_cli

Capsys = pytest.CaptureFixture[str]

# `{% yield %}` sends the template to copier's engine; the questions use every choice form.
CHOICES = {
    "copier.yml": """\
name: demo
lang:
  type: str
  choices: [py, go]
  default: go
size:
  type: int
  choices: {small: 1, large: 2}
  default: 2
tier:
  type: str
  choices:
    Gold: {value: gold}
    Bronze: {value: bronze, validator: "{% if size < 2 %}too small{% endif %}"}
  default: bronze
extras:
  type: str
  multiselect: true
  choices: [[Docs, docs], [Lint, lint], [Tests, tests]]
  default: [tests, docs]
""",
    "{% yield e from extras %}{{ e }}{% endyield %}.txt.jinja": "{{ e }} {{ lang }} {{ tier }}\n",
    "sizes.txt.jinja": "{{ size }} {{ size is number }}\n",
    **ANSWERS_TEMPLATE,
}


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO_ROOT
    ).stdout.strip()


def _scaffolder(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own (what copier's import leaves out shows only there)."""
    path = f"{REPO_ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["scaffolder", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        check=False,
    )


def test_copier_is_imported_without_its_prompt_stack() -> None:
    out = _python(
        "import sys\n"
        "from scaffolder.engines.copier_import import load_copier\n"
        "load_copier()\n"
        "prompt = ('questionary', 'prompt_toolkit', 'pygments')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in prompt))\n"
        "import copier._user_data, questionary\n"
        "print(copier._user_data.Choice.__module__, questionary.confirm.__module__)\n"
    )
    assert out.splitlines() == [
        "[]",  # nothing of the prompt stack was imported
        "scaffolder.engines.copier_import questionary.prompts.confirm",  # the real one stays
    ]


def test_copier_gets_the_real_prompt_stack_when_it_is_loaded_already() -> None:
    out = _python(
        "import questionary\n"
        "from scaffolder.engines.copier_import import load_copier\n"
        "load_copier()\n"
        "import copier._user_data\n"
        "print(copier._user_data.Choice.__module__)\n"
    )
    assert out == "questionary.prompts.common"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("Docs", "docs"), {}),
        (("Docs", None), {}),
        (([("class:x", "Do"), ("", "cs")],), {}),
        (("Small", 1), {"disabled": "too small"}),
        (("Off", False), {"checked": None}),
    ],
)
def test_the_choice_stand_in_keeps_questionarys_semantics(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    ours, theirs = Choice(*args, **kwargs), RealChoice(*args, **kwargs)
    for attr in ("title", "value", "disabled", "checked", "description"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr


def test_a_fresh_process_renders_every_choice_form_as_copier_does(tmp_path: Path) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": CHOICES})
    ours = tmp_path / "ours"
    for data in ([], ["--data", "size=1", "--data", "tier=gold"]):
        done = _scaffolder("new", "--template", template, ours, "--defaults", "--no-git", *data)
        assert done.returncode == 0, done.stderr
        answers = dict(d.split("=") for d in data[1::2])
        expected = copier_copy(template, tmp_path / f"theirs{len(data)}", answers)
        assert tree_of(ours) == expected
        assert "tests.txt" in expected
        assert expected["sizes.txt"] == f"{answers.get('size', 2)} True\n".encode()
        shutil.rmtree(ours)


def test_a_rejected_choice_is_reported_as_copier_reports_it(tmp_path: Path) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": CHOICES})
    out = tmp_path / "o"
    done = _scaffolder("new", "--template", template, out, "--defaults", "--data", "size=1")
    assert done.returncode == 1
    assert (
        "error: copier rejected an answer for tpl 1.0.0: Invalid choice for 'tier': too small"
        in (done.stderr)
    )
    assert "Traceback" not in done.stderr
    assert not out.exists()  # Bronze is disabled for small sizes: nothing is written


DELIMITED = {
    "copier.yml": "name: demo\n",
    "a.txt.jinja": "[[ name ]] {{ name }}\n",
    "{% yield x from [1] %}y{{ x }}{% endyield %}.txt.jinja": "[[ name ]] {{ name }}\n",
}


def test_compiled_code_is_kept_per_environment(capsys: Capsys, tmp_path: Path) -> None:
    """Two templates with the same file text but other delimiters compile to other code."""
    squared = {
        **DELIMITED,
        "copier.yml": "_envops: {variable_start_string: '[[', variable_end_string: ']]'}\n"
        "name: demo\n",
    }
    for name, files, expected in (
        ("curly", DELIMITED, b"[[ name ]] demo\n"),
        ("squared", squared, b"demo {{ name }}\n"),
        ("curly-again", DELIMITED, b"[[ name ]] demo\n"),
    ):
        template = git_template(tmp_path / name, {"v1.0.0": files})
        out = tmp_path / f"out-{name}"
        run = run_cli(capsys, "new", "--template", template, out, "--defaults", "--no-git")
        assert run.code == 0, run.err
        assert (out / "a.txt").read_bytes() == expected
        assert tree_of(out) == copier_copy(template, tmp_path / f"ref-{name}", {})
    kept = list((cache_dir() / "copier-compiled").glob("*/*"))
    assert len({p.parent for p in kept}) == 2  # one folder per environment
    assert kept


def test_a_damaged_cache_entry_is_compiled_again(capsys: Capsys, tmp_path: Path) -> None:
    from scaffolder.engines import forget_renderers

    template = git_template(tmp_path / "tpl", {"v1.0.0": DELIMITED})
    first = tmp_path / "first"
    assert run_cli(capsys, "new", "--template", template, first, "--defaults").code == 0
    for entry in (cache_dir() / "copier-compiled").glob("*/*"):
        entry.write_bytes(b"\x00not marshal")
    forget_renderers()
    second = tmp_path / "second"
    run = run_cli(capsys, "new", "--template", template, second, "--defaults", "--no-git")
    assert run.code == 0, run.err
    assert tree_of(second) == tree_of(first)


def test_templates_with_their_own_extensions_compile_every_time() -> None:
    from jinja2.sandbox import SandboxedEnvironment

    from scaffolder.engines.compile_cache import fingerprint

    own = ["jinja2_ansible_filters.AnsibleCoreFiltersExtension", "copier._jinja_ext.YieldExtension"]
    assert fingerprint(SandboxedEnvironment(extensions=own), {}.items()) is not None
    extended = SandboxedEnvironment(extensions=[*own, "jinja2.ext.i18n"])
    assert fingerprint(extended, {}.items()) is None
