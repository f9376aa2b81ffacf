"""A cookiecutter template in a git repository with two tagged versions, as teams keep them.

It uses what cookiecutter documents and real templates rely on: a choice list with labels
(``__prompts__``), a boolean, a dict variable, ``_private`` and ``__rendered`` private
variables, ``_copy_without_render``, ``_extensions``, templated folder and file names, an
executable script, and pre/post generation hooks (the post hook deletes the Dockerfile when
``use_docker`` is off and leaves a marker file, so a skipped hook shows in the output).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

V1_CONTEXT = {
    "project_name": "Payments API",
    "project_slug": "{{ cookiecutter.project_name|lower|replace(' ', '-') }}",
    "language": ["python", "go"],
    "use_docker": True,
    "owners": {"team": "{{ cookiecutter.project_slug }}-team", "oncall": "pager"},
    "_registry": "registry.example.com/{{ kept as written }}",
    "__package": "{{ cookiecutter.project_slug|replace('-', '_') }}",
    "_copy_without_render": ["static"],
    "_extensions": ["jinja2.ext.do"],
    "__prompts__": {
        "project_name": "Name of the service",
        "language": {"__prompt__": "Implementation language", "python": "Python 3.12", "go": "Go"},
    },
}

PRE_HOOK = """\
import re
import sys

slug = "{{ cookiecutter.project_slug }}"
if not re.fullmatch(r"[a-z][a-z0-9-]+", slug):
    print(f"invalid project_slug {slug!r}")
    sys.exit(1)
"""

POST_HOOK = """\
import os

if "{{ cookiecutter.use_docker }}" != "True":
    os.remove("Dockerfile")
with open("HOOK_RAN", "w") as handle:
    handle.write("post_gen_project ran\\n")
print("Next: cd {{ cookiecutter.project_slug }} && make test")
"""

V1_FILES = {
    "README.md": (
        "# {{ cookiecutter.project_name }}\n\n"
        "Owned by {{ cookiecutter.owners.team }} (on call: {{ cookiecutter.owners.oncall }}).\n"
        "Images go to {{ cookiecutter._registry }}.\n"
        "{% do cookiecutter.update({}) %}"
    ),
    "config.yaml": (
        "name: {{ cookiecutter.project_slug }}\n"
        "language: {{ cookiecutter.language }}\n"
        "replicas: 2\n"
        "resources:\n"
        "  cpu: 100m\n"
        "  memory: 128Mi\n"
    ),
    "{{ cookiecutter.__package }}/__init__.py": '__version__ = "0.1.0"\n',
    "Dockerfile": "FROM python:3.12-slim\n",
    "static/index.html": "<p>{{ not rendered: copied as is }}</p>\n",
    "scripts/run.sh": "#!/bin/sh\nexec python -m {{ cookiecutter.__package }}\n",
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def _write(root: Path, context: dict[str, object], files: dict[str, str]) -> None:
    (root / "cookiecutter.json").write_text(json.dumps(context, indent=2) + "\n")
    hooks = root / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "pre_gen_project.py").write_text(PRE_HOOK)
    (hooks / "post_gen_project.py").write_text(POST_HOOK)
    project = root / "{{cookiecutter.project_slug}}"
    for rel, text in files.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if rel.endswith(".sh"):
            path.chmod(0o755)


def build_cookiecutter_repo(root: Path) -> dict[str, str]:
    """Create the template repo at ``root``; returns tag -> commit (v1.0.0, v1.1.0)."""
    root.mkdir(parents=True)
    _git(root, "init", "--quiet", "--initial-branch=main")
    _write(root, V1_CONTEXT, V1_FILES)
    _git(root, "add", "--all")
    _git(root, "commit", "--quiet", "-m", "cookiecutter-svc 1.0.0")
    _git(root, "tag", "-a", "v1.0.0", "-m", "1.0.0")
    # 1.1.0: a new choice question, more replicas, a new key and a new file.
    v2_context = dict(V1_CONTEXT)
    v2_context = {
        **{k: v for k, v in V1_CONTEXT.items() if not k.startswith("_")},
        "tier": ["standard", "critical"],
        **{k: v for k, v in V1_CONTEXT.items() if k.startswith("_")},
    }
    v2_files = dict(V1_FILES)
    v2_files["config.yaml"] = (
        V1_FILES["config.yaml"]
        .replace("replicas: 2\n", "replicas: 3\ntier: {{ cookiecutter.tier }}\n")
        .replace("  memory: 128Mi\n", "  memory: 256Mi\n")
    )
    v2_files["SECURITY.md"] = "Report issues to {{ cookiecutter.owners.oncall }}.\n"
    _write(root, v2_context, v2_files)
    _git(root, "add", "--all")
    _git(root, "commit", "--quiet", "-m", "cookiecutter-svc 1.1.0")
    _git(root, "tag", "v1.1.0")
    return {tag: _git(root, "rev-list", "-n", "1", tag) for tag in ("v1.0.0", "v1.1.0")}
