"""A cookiecutter twin of a copier golden-path version, for measuring cruft on the same files.

cookiecutter keeps every answer under ``cookiecutter.``: the twin holds all answers in one
dict variable (``cookiecutter.answers``), starts every templated file with ``{% set %}``
lines that bind the names the copier templates use, rewrites templated paths, loads the same
Ansible filters through ``_extensions`` and copies the non-templated files verbatim. cookiecutter
cannot drop a file whose path renders empty, so a twin only matches answer sets that keep
every optional file (all environments, for `service`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffolder.template import load_template_config

ROOT_DIR = "{{ cookiecutter.answers.name }}"


def _rewrite_path(part: str, names: set[str]) -> str:
    def fix(block: re.Match[str]) -> str:
        return re.sub(
            r"\b(" + "|".join(sorted(names)) + r")\b", r"cookiecutter.answers.\1", block.group(0)
        )

    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", fix, part)


def build_twin(version_root: Path, dest: Path) -> Path:
    """Write the cookiecutter twin of ``version_root`` into ``dest`` (a git repo, committed)."""
    config = load_template_config(version_root)
    names = {q.name for q in config.questions}
    # cookiecutter renders every answer to a string: cast back to the question's type.
    casts = {"int": "|int", "float": "|float"}
    header = "".join(
        f"{{%- set {q.name} = (cookiecutter.answers.{q.name}|string|lower) in "
        "['true', 'yes', '1', 'on'] %}"
        if q.type == "bool" and not q.multiselect
        else f"{{%- set {q.name} = cookiecutter.answers.{q.name}{casts.get(q.type, '')} %}}"
        for q in sorted(config.questions, key=lambda q: q.name)
    )
    if dest.exists():
        shutil.rmtree(dest)
    project = dest / ROOT_DIR
    verbatim = []
    for source in sorted(config.template_dir.rglob("*")):
        if not source.is_file():
            continue
        rel = source.relative_to(config.template_dir).as_posix()
        templated = rel.endswith(config.templates_suffix)
        if templated:
            rel = rel[: -len(config.templates_suffix)]
        target_rel = "/".join(_rewrite_path(p, names) for p in rel.split("/"))
        target = project / target_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if templated:
            target.write_text(header + source.read_text(encoding="utf-8"), encoding="utf-8")
        else:
            shutil.copy2(source, target)
            verbatim.append(f"{ROOT_DIR}/{target_rel}")
    (dest / "cookiecutter.json").write_text(
        json.dumps(
            {
                "answers": {},
                "_copy_without_render": [p.split("/", 1)[1] for p in verbatim],
                "_extensions": ["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    env = {
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "PATH": "/usr/bin:/bin",
        "HOME": str(dest),
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "twin"]):
        subprocess.run(["git", *args], cwd=dest, check=True, capture_output=True, env=env)
    return dest


def cruft_json(twin: Path, context: Mapping[str, Any]) -> str:
    """The ``.cruft.json`` cruft writes for a repo made from the twin with ``context``."""
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=twin, capture_output=True, text=True, check=True
    ).stdout.strip()
    return json.dumps(
        {
            "template": str(twin),
            "commit": commit,
            "checkout": None,
            "context": {
                "cookiecutter": {
                    "answers": dict(context),
                    "_template": str(twin),
                    "_commit": commit,
                }
            },
            "directory": None,
        },
        indent=2,
    )
