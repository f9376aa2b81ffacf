"""copier templates kept in git for the engine tests, and copier itself as the reference."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.helpers import build_file_tree

ANSWERS_TEMPLATE = {
    "{{ _copier_conf.answers_file }}.jinja": "# Changes here will be overwritten by Copier\n"
    "{{ _copier_answers|to_nice_yaml -}}\n"
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def git_template(root: Path, versions: Mapping[str, Mapping[str, str | bytes]]) -> Path:
    """A git repository with one commit per version, tagged with its name (``v1.0.0``)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    for tag, files in versions.items():
        for child in root.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        build_file_tree(root, files)
        git(root, "add", "--all")
        git(root, "commit", "--quiet", "--allow-empty", "-m", tag)
        git(root, "tag", tag)
    return root


def tree_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` as path -> bytes, and every empty folder as ``path/``
    (``.git`` left out)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if ".git" in rel.parts:
            continue
        if p.is_file():
            out[rel.as_posix()] = p.read_bytes()
        elif p.is_dir() and not any(p.iterdir()):
            out[rel.as_posix() + "/"] = b""
    return out


def copier_copy(
    src: Path | str, dst: Path, data: Mapping[str, Any], *, ref: str | None = None
) -> dict[str, bytes]:
    """What ``copier copy --defaults --trust`` makes (the reference)."""
    import copier

    copier.run_copy(
        str(src), dst, data=dict(data), defaults=True, quiet=True, unsafe=True, vcs_ref=ref
    )
    return tree_of(dst)


def commit_repo(repo: Path) -> None:
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "generated")
