"""The built-in CRD bundle: it matches its manifest, holds every pin of the built-in golden
paths, and `validate` finds CRDs in order --crd-dir, $SCAFFOLDER_CRD_DIR, user cache, bundle."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from scaffolder.catalog import BUILTIN
from scaffolder.crds_fetch import SOURCES
from scaffolder.validate import crd_bundle
from scaffolder.validate.crds import crd_documents, load_crd_schema, load_index
from scaffolder.validate.pins import catalog_crd_pins
from tests.helpers import build_file_tree, release_mirror, run_cli

# Pins the bundle cannot hold, and why; anything else pinned and not bundled fails below.
# Cilium's CRDs live only in its source repository (no release artifact), which was too large
# to bring here when the bundle was built; only cluster-baseline 1.1.0 with
# ingress=gateway-cilium pins them, and `scaffolder crds fetch` downloads them.
NOT_BUNDLED = {"cilium-v1.20.1"}

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {"size": {"type": "integer"}},
                                "x-kubernetes-validations": [
                                    {"rule": "self.size > 0", "message": "size must be positive"}
                                ],
                            }
                        },
                    }
                },
            },
            {
                "name": "v0",
                "served": False,
                "storage": False,
                "schema": {"openAPIV3Schema": {"type": "object"}},
            },
        ],
    },
}


def widget_folder(root: Path, name: str, size_type: str = "integer") -> Path:
    crd = json.loads(json.dumps(WIDGET_CRD))
    props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
    props["spec"]["properties"]["size"]["type"] = size_type
    other = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "not-a-crd"}}
    return build_file_tree(root / name, {"install.yaml": yaml.safe_dump_all([crd, other])})


def test_the_bundle_matches_its_manifest() -> None:
    manifest = crd_bundle.read_manifest()
    folders = manifest["folders"]
    assert folders, "scaffolder/_crds/manifest.json lists the bundled folders"
    on_disk = {p.name for p in crd_bundle.BUNDLE_DIR.glob("*.json.gz")}
    assert on_disk == {entry["data"] for entry in folders.values()}, "no stray or missing file"
    for name, entry in folders.items():
        data = (crd_bundle.BUNDLE_DIR / entry["data"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert name == f"{entry['project']}-{entry['tag']}"
        records = json.loads(gzip.decompress(data))
        assert [r["name"] for r in records] == entry["crds"], name
        assert {r["source"] for r in records} <= set(entry["sources"]), name
        assert all(len(digest) == 64 for digest in entry["sources"].values())
        base, paths = SOURCES[entry["project"]]
        assert entry["release"] == [base + p.format(version=entry["tag"]) for p in paths]
        for record in records:
            for version in record["versions"]:
                # Only served versions keep their schema.
                assert ("schema" in version) == version["served"], (name, record["name"])


def test_every_pin_of_every_builtin_golden_path_is_bundled() -> None:
    pinned = {f"{p}-{v}": by for (p, v), by in catalog_crd_pins((BUILTIN,)).items()}
    manifest = crd_bundle.read_manifest()
    stale = set(manifest["folders"]) - set(pinned)
    missing = set(pinned) - set(manifest["folders"]) - NOT_BUNDLED
    fix = "run `make crd-bundle CRD_SOURCES='<folders of upstream CRDs>'`"
    assert not missing, f"pinned but not bundled: {sorted(missing)}; {fix}"
    assert not stale, f"bundled but pinned by no golden path: {sorted(stale)}; {fix}"
    assert set(manifest["not_bundled"]) == NOT_BUNDLED
    for name, entry in manifest["folders"].items():
        assert entry["pinned_by"] == sorted(pinned[name]), name


def test_bundled_schemas_keep_cel_rules() -> None:
    schema = load_crd_schema("gateway.networking.k8s.io", "v1", "HTTPRoute")
    assert schema is not None and "x-kubernetes-validations" in json.dumps(schema)
    assert load_crd_schema("gateway.networking.k8s.io", "v9", "HTTPRoute") is None


def test_build_from_several_sources_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    widget_folder(first, "kueue-v0.19.2")
    widget_folder(second, "kueue-v0.19.2", size_type="string")  # shadowed by the first
    widget_folder(second, "jobset-v0.12.0")
    pins = {
        ("kueue", "v0.19.2"): ["demo 1.0.0"],
        ("jobset", "v0.12.0"): ["demo 1.0.0"],
        ("cert-manager", "v1.19.0"): ["demo 2.0.0"],
    }
    out = tmp_path / "out"
    result = crd_bundle.build([first, second], pins, out)
    assert result.bundled == {
        "jobset-v0.12.0": second / "jobset-v0.12.0",
        "kueue-v0.19.2": first / "kueue-v0.19.2",
    }
    assert result.not_bundled == {"cert-manager-v1.19.0": ["demo 2.0.0"]}
    again = tmp_path / "again"
    crd_bundle.build([first, second], pins, again)
    assert crd_bundle.differences(out, again) == [], "byte-for-byte reproducible"

    manifest = crd_bundle.read_manifest(out)
    source = (first / "kueue-v0.19.2/install.yaml").read_bytes()
    assert manifest["folders"]["kueue-v0.19.2"]["sources"] == {
        "install.yaml": hashlib.sha256(source).hexdigest()
    }
    (record,) = crd_bundle.load_bundled("kueue-v0.19.2", out)
    assert record["versions"][1] == {"name": "v0", "served": False}
    spec = record["versions"][0]["schema"]["properties"]["spec"]
    assert spec["properties"]["size"] == {"type": "integer"}, "the first source wins"
    assert spec["x-kubernetes-validations"][0]["rule"] == "self.size > 0"


def test_check_reports_a_stale_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    widget_folder(tmp_path, "kueue-v0.19.2")
    assert crd_bundle.main(["--check", str(tmp_path)]) == 1
    assert "the bundle is out of date" in capsys.readouterr().err


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pins = {"kueue": "v0.19.2"}
    assert load_index(None, pins).sources["kueue-v0.19.2"].label == "built-in"
    cache = tmp_path / "home/.cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    widget_folder(cache / "scaffolder/crds", "kueue-v0.19.2")
    assert load_index(None, pins).sources["kueue-v0.19.2"].label == "user cache"
    widget_folder(tmp_path / "env", "kueue-v0.19.2")
    monkeypatch.setenv("SCAFFOLDER_CRD_DIR", str(tmp_path / "env"))
    index = load_index(None, pins)
    assert index.sources["kueue-v0.19.2"].label == "$SCAFFOLDER_CRD_DIR"
    assert index.lookup("example.com/v1", "Widget") is not None
    assert index.lookup("kueue.x-k8s.io/v1beta2", "ClusterQueue") is None
    widget_folder(tmp_path / "explicit", "kueue-v0.19.2")
    index = load_index(tmp_path / "explicit", {**pins, "nothing": "v1"})
    assert index.sources["kueue-v0.19.2"].label == "--crd-dir"
    assert index.missing == ["nothing-v1"]
    assert [s.label for s in index.searched] == [
        "--crd-dir",
        "$SCAFFOLDER_CRD_DIR",
        "user cache",
        "built-in",
    ]


# A golden path pinning a CRD the bundle has (kueue) and one it lacks (an older gatekeeper).
PINNED_CATALOG = {
    "templates/pinned/golden-path.yml": "title: Pinned\ndescription: pins CRDs\n",
    "templates/pinned/1.0.0/copier.yml": """\
_subdirectory: template
name:
  type: str
pins:
  type: yaml
  when: false
  default: |
    kubernetes: "1.35.0"
    crds:
      kueue: v0.19.2
      gatekeeper: v3.21.0
""",
    "templates/pinned/1.0.0/template/queue.yaml.jinja": """\
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata:
  name: {{ name }}
  namespace: team
spec:
  clusterQueue: shared
""",
    "templates/pinned/1.0.0/template/constraint.yaml": """\
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredlabels
spec:
  crd:
    spec:
      names:
        kind: K8sRequiredLabels
""",
}

GATEKEEPER_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: constrainttemplates.templates.gatekeeper.sh
spec:
  group: templates.gatekeeper.sh
  names: {kind: ConstraintTemplate, plural: constrainttemplates}
  scope: Cluster
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
"""


@pytest.fixture
def gatekeeper_mirror(tmp_path: Path) -> Iterator[str]:
    with release_mirror(tmp_path / "mirror", "gatekeeper", "v3.21.0", GATEKEEPER_CRD) as url:
        yield url


def test_missing_pin_names_the_fix_and_the_fix_works(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, gatekeeper_mirror: str
) -> None:
    catalog = build_file_tree(tmp_path / "catalog", PINNED_CATALOG)
    repo = tmp_path / "repo"
    r = run_cli(capsys, "new", "pinned", repo, "--catalog", catalog, "-d", "name=q", "--no-git")
    assert r.code == 0, r.err

    r = run_cli(capsys, "validate", repo, "--catalog", catalog)
    assert r.code == 2
    assert "pinned CRDs not available: gatekeeper-v3.21.0 (looked in the user cache" in r.out
    assert f"scaffolder crds fetch --repo {repo}" in r.out
    assert "kueue" not in r.out.split("pinned CRDs not available")[1].split("\n")[0]

    r = run_cli(capsys, "crds", "list", "--catalog", catalog, "--repo", repo, "--json")
    rows = {row["project"]: row for row in json.loads(r.out)}
    assert rows["kueue"]["source"] == "built-in"
    assert rows["gatekeeper"]["source"] == "missing"
    assert "scaffolder crds fetch --repo" in r.err

    # The fix, behind a mirror: only what is not built in is downloaded, into the user cache.
    r = run_cli(
        capsys, "crds", "fetch", "--catalog", catalog, "--repo", repo, "--mirror", gatekeeper_mirror
    )
    assert r.code == 0, r.err
    assert "kueue-v0.19.2: built in, not downloaded" in r.err
    r = run_cli(capsys, "validate", repo, "--catalog", catalog)
    assert r.code == 0, r.err
    r = run_cli(capsys, "crds", "list", "--catalog", catalog, "--repo", repo, "--json")
    rows = {row["project"]: row for row in json.loads(r.out)}
    assert rows["gatekeeper"]["source"] == "user cache"
    assert rows["gatekeeper"]["location"].endswith("scaffolder/crds/gatekeeper-v3.21.0")


def test_a_bare_equals_sign_in_a_crd_reads_as_a_string(tmp_path: Path) -> None:
    """prometheus-operator's AlertmanagerConfig enumerates matchType `=` unquoted (YAML 1.1's
    `value` type, which PyYAML cannot construct); Kubernetes reads it as the string."""
    path = tmp_path / "crd.yaml"
    path.write_text(
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        "spec:\n"
        "  enum:\n"
        "  - '!='\n"
        "  - =\n"
        "  - =~\n"
    )
    (doc,) = crd_documents(path)
    assert doc["spec"]["enum"] == ["!=", "=", "=~"]
