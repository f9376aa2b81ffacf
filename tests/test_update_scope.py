"""The upgrade's shortcut past the immutable-field builds, held to the builds themselves.

:func:`why_build` may say "no build needed" only where building both sides finds no
immutable-field change and no overlay that stops building. Every case below is built for
real (``kubectl kustomize``, before and after) and checked against the shortcut: the safe
changes a golden-path upgrade usually makes must take it (that is the speed), and every
hazard the rules exist for must be a real finding of the build that the shortcut sends to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.validate.update_scope import why_build
from scaffolder.validate.updates import Comparison, compare, tree_with
from tests.helpers import build_file_tree

Files = dict[str, str | None]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
          envFrom:
            - configMapRef: {name: cfg}
"""
JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example.com/web:1.0
          envFrom:
            - configMapRef: {name: cfg}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: 10.96.0.10
  selector: {app: web}
  ports:
    - port: 80
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  LEVEL: info
"""
ROUTE = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
"""
BASE_K = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - job.yaml
  - service.yaml
  - configmap.yaml
"""
DEV_K = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../../base]
patches:
  - target: {kind: Deployment, name: web}
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 1
"""
PROD_K = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../../base]
labels:
  - pairs: {env: prod}
    includeSelectors: false
"""
REPO: Files = {
    "deploy/base/kustomization.yaml": BASE_K,
    "deploy/base/deployment.yaml": DEPLOYMENT,
    "deploy/base/job.yaml": JOB,
    "deploy/base/service.yaml": SERVICE,
    "deploy/base/configmap.yaml": CONFIGMAP,
    "deploy/overlays/dev/kustomization.yaml": DEV_K,
    "deploy/overlays/prod/kustomization.yaml": PROD_K,
    "README.md": "# web\n",
    ".github/workflows/ci.yml": "on: [push]\njobs: {}\n",
}


def edit(rel: str, old: str, new: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        text = files[rel]
        assert text is not None and old in text, f"{old!r} not in {rel}"
        files[rel] = text.replace(old, new, 1)

    return change


def put(rel: str, text: str | None) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        files[rel] = text

    return change


def add_resource(rel: str, text: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        files[f"deploy/base/{rel}"] = text
        edit("deploy/base/kustomization.yaml", "resources:\n", f"resources:\n  - {rel}\n")(files)

    return change


def drop_resource(rel: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        files[f"deploy/base/{rel}"] = None
        edit("deploy/base/kustomization.yaml", f"  - {rel}\n", "")(files)

    return change


def both(*changes: Callable[[Files], None]) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        for c in changes:
            c(files)

    return change


# Changes a golden-path upgrade makes every day: the shortcut must take them.
SAFE: dict[str, Callable[[Files], None]] = {
    "a new resource file": add_resource("networkpolicy.yaml", ROUTE),
    "a resource removed": drop_resource("service.yaml"),
    "a mutable field": edit("deploy/base/deployment.yaml", "web:1.0", "web:1.1"),
    "a mutable field of a JSON-patched object": edit(
        "deploy/base/deployment.yaml",
        "        - name: web\n",
        "        - name: web\n          ports: [{containerPort: 8080}]\n",
    ),
    "the labels outside the selector": edit(
        "deploy/base/deployment.yaml",
        "  labels: {app: web}\nspec",
        "  labels: {app: web, team: a}\nspec",
    ),
    "a comment in a kustomization": edit(
        "deploy/base/kustomization.yaml", "resources:", "# ok\nresources:"
    ),
    "a ConfigMap's data (mutable)": edit("deploy/base/configmap.yaml", "info", "debug"),
    "a file that is no manifest": put("README.md", "# web, v2\n"),
    "a CI workflow": put(".github/workflows/ci.yml", "on: [push, pull_request]\njobs: {}\n"),
}
# Changes the API server refuses: the build finds them, so the shortcut must not skip it.
HAZARDS: dict[str, tuple[Callable[[Files], None] | None, Callable[[Files], None]]] = {
    "a selector": (
        None,
        edit("deploy/base/deployment.yaml", "matchLabels: {app: web}", "matchLabels: {app: web2}"),
    ),
    "a Job's pod template": (None, edit("deploy/base/job.yaml", "web:1.0", "web:1.1")),
    "a Service's clusterIP": (None, edit("deploy/base/service.yaml", "10.96.0.10", "10.96.0.11")),
    "an immutable ConfigMap's data": (
        edit("deploy/base/configmap.yaml", "\ndata:", "\nimmutable: true\ndata:"),
        edit("deploy/base/configmap.yaml", "info", "debug"),
    ),
    "a ConfigMap a patch makes immutable": (
        edit(
            "deploy/overlays/dev/kustomization.yaml",
            "patches:\n",
            "patches:\n  - target: {kind: ConfigMap, name: cfg}\n    patch: |-\n"
            "      - op: add\n        path: /immutable\n        value: true\n",
        ),
        edit("deploy/base/configmap.yaml", "info", "debug"),
    ),
    "commonLabels added to an overlay": (
        None,
        edit(
            "deploy/overlays/prod/kustomization.yaml",
            "labels:",
            "commonLabels: {tier: web}\nlabels:",
        ),
    ),
    "an object moved to another file with a new selector": (
        None,
        both(
            drop_resource("deployment.yaml"),
            add_resource(
                "web.yaml", DEPLOYMENT.replace("{app: web}\n  template", "{app: w}\n  template")
            ),
        ),
    ),
    "a JSON patch copying a label into the selector": (
        put(
            "deploy/overlays/dev/kustomization.yaml",
            DEV_K.replace(
                "      - op: replace",
                "      - op: copy\n        from: /metadata/labels/app\n"
                "        path: /spec/selector/matchLabels/origin\n      - op: replace",
            ),
        ),
        edit(
            "deploy/base/deployment.yaml",
            "  labels: {app: web}\nspec",
            "  labels: {app: api}\nspec",
        ),
    ),
    "replacements from a ConfigMap into a Job": (
        edit(
            "deploy/overlays/prod/kustomization.yaml",
            "labels:",
            "replacements:\n  - source: {kind: ConfigMap, name: cfg, fieldPath: data.LEVEL}\n"
            "    targets:\n      - select: {kind: Job, name: migrate}\n"
            "        fieldPaths: [spec.template.spec.containers.0.args.0]\n"
            "        options: {create: true}\nlabels:",
        ),
        edit("deploy/base/configmap.yaml", "info", "debug"),
    ),
    "namePrefix with a ConfigMap a Job refers to renamed": (
        edit("deploy/overlays/prod/kustomization.yaml", "labels:", "namePrefix: prod-\nlabels:"),
        both(
            edit("deploy/base/configmap.yaml", "name: cfg", "name: settings"),
        ),
    ),
    "a generator's input file, whose hash the Job's reference follows": (
        both(
            put("deploy/base/settings.env", "LEVEL=info\n"),
            edit(
                "deploy/base/kustomization.yaml",
                "resources:",
                "configMapGenerator:\n  - name: settings\n    envs: [settings.env]\nresources:",
            ),
            edit("deploy/base/job.yaml", "{name: cfg}", "{name: settings}"),
        ),
        put("deploy/base/settings.env", "LEVEL=debug\n"),
    ),
}
# Not an immutable change, but an overlay that stops building: the shortcut must build, so
# the upgrade can say what it could not check.
BREAKS: dict[str, tuple[Callable[[Files], None] | None, Callable[[Files], None]]] = {
    "a JSON patch whose path is gone": (
        edit(
            "deploy/overlays/dev/kustomization.yaml",
            "        value: 1\n",
            "        value: 1\n      - op: remove\n        path: /metadata/labels/app\n",
        ),
        edit(
            "deploy/base/deployment.yaml", "  labels: {app: web}\nspec", "  labels: {team: a}\nspec"
        ),
    ),
    "a new file clashing with an existing object": (None, add_resource("web.yaml", DEPLOYMENT)),
    "a new ConfigMap with a generator's name": (
        edit(
            "deploy/overlays/prod/kustomization.yaml",
            "labels:",
            "configMapGenerator:\n  - name: extra\n    literals: [EXTRA=1]\nlabels:",
        ),
        add_resource("extra.yaml", CONFIGMAP.replace("name: cfg", "name: extra")),
    ),
}


@dataclass
class Outcome:
    reason: str | None
    comparison: Comparison

    @property
    def new_problems(self) -> set[str]:
        return set(self.comparison.after_problems) - set(self.comparison.before_problems)

    def sound(self) -> bool:
        """The shortcut skipped only what the build finds nothing in."""
        return self.reason is not None or not (self.comparison.findings or self.new_problems)


def run(
    root: Path, setup: Callable[[Files], None] | None, *changes: Callable[[Files], None]
) -> Outcome:
    files = dict(REPO)
    if setup:
        setup(files)
    build_file_tree(root, {k: v for k, v in files.items() if v is not None})
    after = dict(files)
    for change in changes:
        change(after)
    writes = {
        rel: None if text is None else text.encode()
        for rel, text in after.items()
        if text != files.get(rel)
    }
    assert writes, "the case changes nothing"
    with tree_with(root, writes) as tree:
        comparison = compare(root, tree)
    assert not comparison.before_problems, comparison.before_problems
    return Outcome(why_build(root, writes), comparison)


@pytest.mark.parametrize("name", SAFE)
def test_everyday_upgrade_changes_need_no_build(tmp_path: Path, name: str) -> None:
    out = run(tmp_path, None, SAFE[name])
    assert out.comparison.findings == [] and not out.new_problems
    assert out.reason is None, f"{name}: the shortcut built for {out.reason}"


@pytest.mark.parametrize("name", HAZARDS)
def test_every_hazard_is_found_by_the_build_the_shortcut_runs(tmp_path: Path, name: str) -> None:
    setup, change = HAZARDS[name]
    out = run(tmp_path, setup, change)
    assert out.comparison.findings, f"{name}: not a hazard, the build finds nothing"
    assert out.reason is not None, f"{name}: skipped, and the build finds {out.comparison.findings}"


@pytest.mark.parametrize("name", BREAKS)
def test_an_overlay_that_stops_building_is_built(tmp_path: Path, name: str) -> None:
    out = run(tmp_path, *BREAKS[name])
    assert out.new_problems, f"{name}: the overlays still build"
    assert out.reason is not None


def test_reasons_name_what_needs_the_build(tmp_path: Path) -> None:
    out = run(tmp_path, None, HAZARDS["a selector"][1])
    assert out.reason == "Deployment/web changes spec.selector"
    out = run(tmp_path / "2", None, HAZARDS["commonLabels added to an overlay"][1])
    assert (
        out.reason == "kustomization deploy/overlays/prod/kustomization.yaml changes commonLabels"
    )
    out = run(tmp_path / "3", *HAZARDS["replacements from a ConfigMap into a Job"])
    assert out.reason is not None and re.search(
        "prod/kustomization.yaml uses replacements", out.reason
    )


# More changes for the combinations, each decided by the build alone.
OTHERS = [
    edit("deploy/base/configmap.yaml", "name: cfg", "name: settings"),
    put("deploy/base/configmap.yaml", None),  # still listed: the build fails
    both(drop_resource("job.yaml"), add_resource("jobs.yaml", JOB)),
    edit("deploy/base/deployment.yaml", "  name: web\n", "  name: web\n  namespace: apps\n"),
    edit("deploy/base/job.yaml", "  name: migrate\n", "  name: migrate-v2\n"),
    edit(
        "deploy/base/deployment.yaml", "      containers:", "      volumes: []\n      containers:"
    ),
    put("deploy/base/service.yaml", SERVICE + "---\n" + ROUTE),
    put("deploy/base/job.yaml", "not: [valid"),
]
CHANGES = [
    *SAFE.values(),
    *OTHERS,
    *(change for setup, change in HAZARDS.values() if setup is None),
    *(change for setup, change in BREAKS.values() if setup is None),
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(range(len(CHANGES))), min_size=2, max_size=4, unique=True))
def test_combined_changes_never_skip_a_finding(
    tmp_path_factory: pytest.TempPathFactory, picks: list[int]
) -> None:
    root = tmp_path_factory.mktemp("combined")
    try:
        out = run(root, None, *(CHANGES[i] for i in picks))
    except AssertionError as exc:
        if "not in" in str(exc) or "changes nothing" in str(exc):
            return  # an earlier change took the text a later one edits
        raise
    assert out.sound(), (picks, out.reason, out.comparison)


def test_a_repo_with_symbolic_links_is_built(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {k: v for k, v in REPO.items() if v is not None})
    (tmp_path / "deploy/base/web.yaml").symlink_to("deployment.yaml")
    writes = {"deploy/base/deployment.yaml": DEPLOYMENT.replace("web:1.0", "web:1.1").encode()}
    assert why_build(tmp_path, writes) == "deploy/base/web.yaml is a symbolic link"


def test_yaml_alias_bombs_and_deep_nesting_are_left_to_the_build(tmp_path: Path) -> None:
    # A billion laughs in a changed manifest: walking it would take hours; the proof stops.
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n" + "".join(
        f"  {line}\n" for line in levels
    )
    build_file_tree(tmp_path, {k: v for k, v in REPO.items() if v is not None})
    reason = why_build(tmp_path, {"deploy/base/configmap.yaml": bomb.encode()})
    assert (
        reason == "deploy/base/configmap.yaml expands to more YAML nodes than the limit (aliases)"
    )
    deep = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: " + "[" * 5000 + "]" * 5000
    )
    reason = why_build(tmp_path, {"deploy/base/configmap.yaml": deep.encode()})
    assert reason is not None
