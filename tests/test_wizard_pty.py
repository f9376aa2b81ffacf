"""The real wizard in a pseudo-terminal, driven as a person would type."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
import yaml

ENTER, DOWN, CTRL_C, CTRL_D, CTRL_U = "\r", "\x1b[B", "\x03", "\x04", "\x15"


class Wizard:
    def __init__(self, catalog: Path, cwd: Path, *args: str) -> None:
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "scaffolder", "new", "--catalog", str(catalog), *args],
            cwd=str(cwd),
            env={**os.environ, "TERM": "xterm", "COLUMNS": "120", "PROMPT_TOOLKIT_NO_CPR": "1"},
            encoding="utf-8",
            dimensions=(50, 120),
            timeout=20,
        )
        self.transcript: list[str] = []

    def expect(self, text: str) -> None:
        self.child.expect(re.escape(text))

    def answer(self, prompt: str, keys: str) -> None:
        self.expect(prompt)
        self.child.send(keys)

    def finish(self) -> tuple[int, str]:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus or 0, self.child.before


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    work = tmp_path / "work"
    work.mkdir()
    yield work


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git/" not in p.relative_to(root).as_posix() + "/"
    }


def test_happy_path_with_retry_and_conditional_question(demo_catalog: Path, workdir: Path) -> None:
    w = Wizard(demo_catalog, workdir)
    w.answer("Which golden path?", ENTER)  # demo is listed first under Services
    w.answer("name: Service name", "Bad_" + ENTER)
    w.expect("must be a DNS-1123 label")
    w.child.send(CTRL_U + "shop" + ENTER)
    w.answer("namespace: Namespace to deploy into", ENTER)  # computed default: shop-ns
    w.answer("port: Port", ENTER)
    w.answer("environments: Environments", ENTER)
    w.answer("gpu: Needs a GPU?", "y")
    w.answer("gpu_count: GPUs per replica", CTRL_U + "2" + ENTER)  # appears because gpu=yes
    w.answer("token: API token", "s3cret" + ENTER)
    w.answer("Where should the repo be created?", ENTER)  # ./shop
    w.expect("shop-ns")
    w.answer("Ready?", ENTER)
    code, output = w.finish()
    assert code == 0, output
    repo = workdir / "shop"
    assert "Next steps" in output
    recorded = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert recorded["name"] == "shop" and recorded["namespace"] == "shop-ns"
    assert recorded["gpu_count"] == 2
    assert "token" not in recorded
    assert "s3cret" not in (repo / ".copier-answers.yml").read_text()
    assert "s3cret" not in output, "secrets are never echoed"
    assert (repo / "secret.txt").read_text() == "token-set: True\n"


def test_same_repo_as_non_interactive(demo_catalog: Path, workdir: Path) -> None:
    w = Wizard(demo_catalog, workdir, "demo", "interactive")
    w.answer("name: Service name", "same" + ENTER)
    w.answer("namespace:", ENTER)
    w.answer("port:", ENTER)
    w.answer("environments:", DOWN + " " + ENTER)  # toggle stage on
    w.answer("gpu:", "n")
    w.answer("token:", ENTER)
    w.answer("Ready?", ENTER)
    code, output = w.finish()
    assert code == 0, output
    assert "gpu_count" not in output, "the conditional question does not appear"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scaffolder",
            "new",
            "demo",
            "flags",
            "--catalog",
            str(demo_catalog),
            "-d",
            "name=same",
            "-d",
            "environments=[dev, stage, prod]",
            "--defaults",
        ],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    assert _tree(workdir / "interactive") == _tree(workdir / "flags")


def test_change_an_answer_from_the_summary(demo_catalog: Path, workdir: Path) -> None:
    w = Wizard(demo_catalog, workdir, "demo", "out", "-d", "name=pay")
    # name came from --data: not asked
    w.answer("namespace:", ENTER)
    w.answer("port:", ENTER)
    w.answer("environments:", ENTER)
    w.answer("gpu:", "n")
    w.answer("token:", ENTER)
    w.answer("Ready?", DOWN + ENTER)  # Change an answer
    w.answer("Which answer?", DOWN + DOWN + ENTER)  # namespace, port
    w.answer("port:", CTRL_U + "9100" + ENTER)
    w.expect("9100")
    w.answer("Ready?", ENTER)
    code, output = w.finish()
    assert code == 0, output
    assert "name: Service name" not in output
    assert (workdir / "out/deploy/pay.yaml").read_text() == "namespace: pay-ns\nport: 9100\n"


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
def test_cancel_at_a_prompt_writes_nothing(demo_catalog: Path, workdir: Path, key: str) -> None:
    w = Wizard(demo_catalog, workdir, "demo", "out")
    w.answer("name: Service name", "abc")
    w.child.send(CTRL_U + key)
    code, output = w.finish()
    assert code == 130
    assert "cancelled, nothing written" in output
    assert list(workdir.iterdir()) == []


def test_cancel_at_the_summary_writes_nothing(demo_catalog: Path, workdir: Path) -> None:
    w = Wizard(
        demo_catalog, workdir, "demo", "out", "-d", "name=pay", "-d", "gpu=no", "-d", "token=x"
    )
    for prompt in ("namespace:", "port:", "environments:"):
        w.answer(prompt, ENTER)
    w.answer("Ready?", CTRL_C)
    code, output = w.finish()
    assert code == 130 and "cancelled, nothing written" in output
    assert list(workdir.iterdir()) == []
    w = Wizard(
        demo_catalog, workdir, "demo", "out", "-d", "name=pay", "-d", "gpu=no", "-d", "token=x"
    )
    for prompt in ("namespace:", "port:", "environments:"):
        w.answer(prompt, ENTER)
    w.answer("Ready?", DOWN + DOWN + ENTER)  # Cancel
    code, output = w.finish()
    assert code == 130 and list(workdir.iterdir()) == []


def test_without_a_terminal_it_never_prompts(demo_catalog: Path, workdir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffolder", "new", "demo", "out", "--catalog", str(demo_catalog)],
        cwd=workdir,
        input="",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "missing answer for 'name'" in result.stderr and "--data name=" in result.stderr
    assert list(workdir.iterdir()) == []
