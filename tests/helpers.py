"""Helpers shared by the tests: fixture catalogs built from dicts, and in-process CLI runs."""

from __future__ import annotations

import contextlib
import functools
import http.server
import textwrap
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from scaffolder.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


def build_file_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text) below ``root``; text is dedented."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


DEMO_COPIER_YML = """\
    _subdirectory: template
    ---
    !include pins.yml
    ---
    name:
      type: str
      help: Service name
      placeholder: payments
      validator: "{% if not (name | regex_search('^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$')) %}must be a DNS-1123 label{% endif %}"
    namespace:
      type: str
      help: Namespace to deploy into
      default: "{{ name }}-ns"
    port:
      type: int
      help: Port
      default: 8080
      validator: "{% if port < 1024 or port > 65535 %}must be between 1024 and 65535{% endif %}"
    environments:
      type: str
      help: Environments
      multiselect: true
      choices: [dev, stage, prod]
      default: [dev, prod]
      validator: "{% if not environments %}choose at least one{% endif %}"
    gpu:
      type: bool
      help: Needs a GPU?
      default: false
    gpu_count:
      type: int
      help: GPUs per replica
      default: 1
      when: "{{ gpu }}"
    token:
      type: str
      help: API token
      secret: true
      default: ""
"""

DEMO_FILES = {
    "pins.yml": """\
        pins:
          type: yaml
          when: false
          default:
            kubernetes: "1.35.0"
        """,
    "template/README.md.jinja": "# {{ name }}\n\nkubernetes {{ pins.kubernetes }}\n",
    "template/static.txt": "{{ not rendered }}\n",
    "template/deploy/{{ name }}.yaml.jinja": "namespace: {{ namespace }}\nport: {{ port }}\n",
    "template/{% if gpu %}gpu.yaml{% endif %}.jinja": "gpus: {{ gpu_count }}\n",
    "template/envs.txt.jinja": "{% for e in environments %}{{ e }}\n{% endfor %}",
    "template/secret.txt.jinja": "token-set: {{ token != '' }}\n",
    # Enough of a real repo for every built-in service rule to pass.
    "template/CODEOWNERS.jinja": "* @platform-team\n",
    "template/catalog-info.yaml.jinja": "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
    "metadata:\n  name: {{ name }}\nspec:\n  type: service\n  lifecycle: production\n"
    "  owner: group:platform-team\n",
    "template/.github/workflows/ci.yml": "name: CI\non: [push]\njobs:\n  test:\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - run: python -m pytest\n",
    "template/docs/runbook.md": "# Runbook\n",
    "template/docs/rollback.md": "# Rollback\n",
}


def build_demo_catalog(root: Path, versions: tuple[str, ...] = ("1.0.0",)) -> Path:
    """A catalog with golden path ``demo`` at the given versions (identical content)."""
    build_file_tree(
        root / "templates/demo",
        {
            "golden-path.yml": "title: Demo\ndescription: A demo golden path for tests\n",
            "CHANGELOG.md": "# demo\n",
        },
    )
    for version in versions:
        build_file_tree(
            root / "templates/demo" / version, {"copier.yml": DEMO_COPIER_YML, **DEMO_FILES}
        )
    return root


@contextlib.contextmanager
def release_mirror(root: Path, project: str, version: str, text: str) -> Iterator[str]:
    """Serve ``text`` on localhost at every release path `crds fetch` reads for ``project``
    (a stand-in for ``--mirror``); yields the mirror's URL."""
    from scaffolder.crds_fetch import SOURCES

    _, paths = SOURCES[project]
    build_file_tree(root, {p.format(version=version): text for p in paths})
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[method-assign, assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    """Run the CLI in-process and capture its output."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


# Version 1.1.0 of the demo golden path: the template moves on the way real ones do.
DEMO_1_1_FILES = {
    **{k: v for k, v in DEMO_FILES.items() if k != "template/secret.txt.jinja"},  # removed
    "template/README.md.jinja": "# {{ name }}\n\nkubernetes {{ pins.kubernetes }}\n\n"
    "## Support\n\nAsk #platform.\n",  # changed
    "template/deploy/{{ name }}.yaml.jinja": "namespace: {{ namespace }}\nport: {{ port }}\n"
    "replicas: 2\n",  # changed
    "template/NEW.md.jinja": "new in 1.1.0 for {{ name }}\n",  # added
}
# Version 2.0.0: a new required question and a stricter validator.
DEMO_2_COPIER_YML = (
    DEMO_COPIER_YML
    + """\
    tier:
      type: str
      help: Service tier
      choices: [critical, standard]
"""
)


# A Kubernetes manifest where the template's change (a new field) sits right next to the line
# a user typically edits (replicas): a line-based merge conflicts, the YAML merge does not.
APP_YAML_1 = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ name }}
  labels:
    app: {{ name }}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {{ name }}
  template:
    metadata:
      labels:
        app: {{ name }}
    spec:
      containers:
        - name: app
          image: example/{{ name }}:1.0.0
"""
APP_YAML_1_1 = APP_YAML_1.replace(
    "spec:\n  replicas: 2", "spec:\n  revisionHistoryLimit: 5\n  replicas: 2"
).replace(":1.0.0", ":1.1.0")
DEMO_2_MIGRATIONS = """\
migrations:
  - from: "<2.0.0"
    steps:
      - move: {from: envs.txt, to: config/envs.txt}
      - delete: static.txt
      - set_answer: {name: region, value: eu-west-1}
"""


def build_versioned_demo(root: Path) -> Path:
    """The demo golden path at 1.0.0, 1.1.0 and 2.0.0.

    1.1.0 changes README.md, deploy/<name>.yaml and deploy/app.yaml, adds NEW.md, removes
    secret.txt. 2.0.0 asks a new required question (tier), moves envs.txt to config/envs.txt,
    drops static.txt, and adds a question (region) its migration answers for older repos.
    """
    build_demo_catalog(root)
    gp = root / "templates/demo"
    build_file_tree(gp / "1.0.0", {"template/deploy/app.yaml.jinja": APP_YAML_1})
    # The manifest is a merge fixture, not a real workload: the repos exempt it from the
    # workload rules (and show what an exemption looks like).
    exemptions = "exemptions:\n" + "".join(
        f"  - rule: SVC00{n}\n    path: '{'deploy/app.yaml' if n < 4 else '*'}'\n"
        "    reason: merge fixture\n    expires: 2099-12-31\n"
        for n in range(1, 8)
    )
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        build_file_tree(gp / version, {"template/.scaffolder/exemptions.yml": exemptions})
    build_file_tree(
        gp / "1.1.0",
        {
            "copier.yml": DEMO_COPIER_YML,
            **DEMO_1_1_FILES,
            "template/deploy/app.yaml.jinja": APP_YAML_1_1,
        },
    )
    files_2 = {
        k: v
        for k, v in DEMO_1_1_FILES.items()
        if k not in ("template/envs.txt.jinja", "template/static.txt")
    }
    build_file_tree(
        gp / "2.0.0",
        {
            "copier.yml": DEMO_2_COPIER_YML + "    region:\n      type: str\n      help: Region\n",
            "migrations.yml": DEMO_2_MIGRATIONS,
            **files_2,
            "template/config/envs.txt.jinja": DEMO_FILES["template/envs.txt.jinja"],
            "template/deploy/app.yaml.jinja": APP_YAML_1_1,
            "template/tier.txt.jinja": "{{ tier }} in {{ region }}\n",
        },
    )
    return root


def generate(
    root: Path, catalog: Path, name: str = "pay", version: str = "1.0.0", *extra: str
) -> Path:
    """A repo generated in-process at ``root / name`` with git, returned."""
    code = main(
        [
            "new",
            "demo",
            str(root / name),
            "--catalog",
            str(catalog),
            "--version",
            version,
            "-d",
            f"name={name}",
            *extra,
        ]
    )
    assert code == 0
    return root / name
