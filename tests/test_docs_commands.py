"""The docs' commands work verbatim: getting-started runs as written, and every install line
in README and docs names our distribution (the packaging test installs its wheel)."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from scaffolder import DISTRIBUTION
from scaffolder.cookiecutter_run import EXTENSION_PACKAGES
from tests.helpers import REPO_ROOT

# Install commands need the network; tests/test_packaging.py installs the wheel they fetch.
INSTALLERS = ("pip ", "pipx ", "uv ")
INSTALL = re.compile(r"\b(?:pip3?|pipx|uv tool|uv pip) install\b([^`\n]*)")


def console_commands(markdown: str) -> list[str]:
    """The ``$ `` lines of the ``console`` code blocks, in order."""
    blocks = re.findall(r"^```console\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]


@pytest.mark.e2e
def test_getting_started_runs_verbatim(tmp_path: Path) -> None:
    commands = console_commands((REPO_ROOT / "docs/getting-started.md").read_text())
    runnable = [c for c in commands if not c.startswith(INSTALLERS)]
    assert [c for c in commands if c.startswith(INSTALLERS)], "the page shows how to install"
    assert any(c.startswith("scaffolder new ") for c in runnable)
    assert "scaffolder validate" in runnable
    # One shell, so `cd` carries over as it does for a reader; stop at the first failure.
    script = "set -euo pipefail\n" + "".join(f"echo '+ {c}' >&2\n{c}\n" for c in runnable)
    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "valid (0 warnings)" in result.stdout  # results on stdout (issue 18)


def install_targets(text: str) -> list[str]:
    """What the install lines in ``text`` install (options and requirement files dropped)."""
    targets = []
    for match in INSTALL.finditer(text):
        try:
            words = shlex.split(match.group(1), comments=True)
        except ValueError:
            words = match.group(1).split()
        skip_next = False
        for word in words:
            if skip_next:
                skip_next = False
            elif word in ("-r", "--requirement", "-c", "--index-url", "-i", "--python"):
                skip_next = True
            elif word in ("&&", "||", ";", "\\"):
                break
            elif not word.startswith("-"):
                targets.append(word)
    return targets


def test_every_install_line_names_our_distribution() -> None:
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
    ours = re.compile(rf"^{re.escape(DISTRIBUTION)}(\[[a-z,]+\])?([=<>~!]=?[\w.*]+)?$")
    seen = 0
    for page in pages:
        for target in install_targets(page.read_text(encoding="utf-8")):
            local = target in (".", "..") or "/" in target or target.endswith(".whl")
            # Jinja extensions a template needs are installed beside scaffolder, not instead.
            extension = target in EXTENSION_PACKAGES.values()
            assert local or extension or ours.match(target), (
                f"{page.relative_to(REPO_ROOT)}: {target}"
            )
            seen += 1
    assert seen >= 3


def test_install_targets_parse() -> None:
    text = "`pip install 'scaffolder[validate]'` and pip install -r requirements.txt foo==1"
    assert install_targets(text) == ["scaffolder[validate]", "foo==1"]
