"""`scaffolder validate` catches real mistakes and names file, object and field."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.validate.runner import validate_repo
from tests.helpers import build_file_tree, run_cli


@pytest.fixture(scope="module")
def service_1_1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("svc") / "checkout"
    data = {"name": "checkout", "secret_keys": ["DATABASE_URL"], "canary": True}
    generate(plan(load_catalog(), "service", version="1.1.0", data=data), dest, git=False)
    return dest


@pytest.fixture
def repo(service_1_1: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    shutil.copytree(service_1_1, copy)
    return copy


def errors(path: Path) -> list[str]:
    return [f"{f.location()}: {f.message}" for f in validate_repo(path).errors]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_generated_repo_is_valid(repo: Path) -> None:
    assert errors(repo) == []


def test_misspelled_deployment_field_names_file_object_and_field(repo: Path) -> None:
    replace(repo / "deploy/base/deployment.yaml", "readinessProbe:", "readinesProbe:")
    found = errors(repo)
    assert any(
        "Deployment/checkout" in e
        and "spec.template.spec.containers.0" in e
        and "unknown field 'readinesProbe'" in e
        for e in found
    ), found


def test_external_secrets_v1beta1_is_not_served(repo: Path) -> None:
    replace(
        repo / "deploy/base/externalsecret.yaml",
        "external-secrets.io/v1",
        "external-secrets.io/v1beta1",
    )
    found = errors(repo)
    assert any(
        "ExternalSecret/" in e
        and "external-secrets.io/v1beta1 is no longer served" in e
        and "use external-secrets.io/v1" in e
        for e in found
    ), found


def test_unknown_field_in_a_custom_resource(repo: Path) -> None:
    replace(repo / "deploy/base/httproute.yaml", "parentRefs:", "parentRef:")
    found = errors(repo)
    assert any(
        "HTTPRoute/checkout" in e and "unknown field 'parentRef'" in e and "gateway-api-v1.6.1" in e
        for e in found
    ), found


def test_kustomization_with_a_missing_file(repo: Path) -> None:
    (repo / "deploy/base/service.yaml").unlink()
    found = errors(repo)
    assert any("kustomization.yaml" in e and "kubectl kustomize failed" in e for e in found)


def test_kueue_v1beta1_field_on_a_v1beta2_clusterqueue(tmp_path: Path) -> None:
    # `spec.cohort` is v1beta1's name; v1beta2 renamed it `cohortName`.
    build_file_tree(
        tmp_path,
        {
            "queues.yaml": """\
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: ClusterQueue
        metadata:
          name: team-a
        spec:
          cohort: ai
          namespaceSelector: {}
          resourceGroups: []
        """
        },
    )
    found = errors(tmp_path)
    assert any("ClusterQueue/team-a" in e and "unknown field 'cohort'" in e for e in found), found


def test_custom_resource_without_a_schema_is_reported(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path, {"x.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"}
    )
    found = errors(tmp_path)
    assert any("no schema available for example.com/v1 Widget" in e for e in found), found


def test_yaml_that_does_not_parse_names_the_line(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"bad.yaml": "a: 1\nb: [2\n"})
    assert any(e.startswith("bad.yaml: line") and "does not parse" in e for e in errors(tmp_path))


def test_workflow_schema(repo: Path) -> None:
    replace(repo / ".github/workflows/ci.yml", "runs-on:", "run-on:")
    assert any(e.startswith(".github/workflows/ci.yml") for e in errors(repo))


def test_cli_exit_codes_and_json(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    r = run_cli(capsys, "validate", repo, "--format", "json")
    assert r.code == 0 and json.loads(r.out)["ok"] is True
    replace(repo / "deploy/base/deployment.yaml", "readinessProbe:", "readinesProbe:")
    r = run_cli(capsys, "validate", repo, "--format", "json")
    assert r.code == 2
    finding = json.loads(r.out)["findings"][0]
    assert finding["file"].endswith("kustomization.yaml") and finding["object"].startswith(
        "Deployment/checkout"
    )
    assert r.err == "", "-o json prints the JSON alone"
    r = run_cli(capsys, "validate", repo)
    assert r.code == 2 and re.search(r"\n\d+ errors?, \d+ warnings?\n", r.out), r.out


def test_a_missing_dependency_is_a_user_error(
    capsys: pytest.CaptureFixture[str], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "kubernetes_validate" else real(name, *a),
    )
    r = run_cli(capsys, "validate", repo)
    assert r.code == 1
    assert "needs the Python package kubernetes-validate" in r.err
    assert "pip install scaffolder-golden-paths" in r.err


def test_cel_rule_of_a_crd_names_the_field_and_the_rules_message(repo: Path) -> None:
    # The Gateway API CRD's CEL rule: a PathPrefix match must be an absolute path.
    replace(repo / "deploy/base/httproute.yaml", "value: /v1", "value: v1-no-slash")
    found = errors(repo)
    assert any(
        "HTTPRoute/checkout" in e
        and "spec.rules.0.matches.0.path" in e
        and "value must be an absolute path and start with '/'" in e
        and "CEL rule of gateway-api-v1.6.1" in e
        for e in found
    ), found


PLATFORM_POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-label
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: [apps]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [deployments]
  validations:
    - expression: "'LABEL' in object.metadata.labels"
      message: deployments carry a LABEL label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: require-label
spec:
  policyName: require-label
  validationActions: [Deny]
"""


def test_platform_admission_policies(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    platform = tmp_path / "platform"
    build_file_tree(platform, {"policies/vap.yaml": PLATFORM_POLICY.replace("LABEL", "team")})
    r = run_cli(capsys, "validate", repo, "--platform", platform, "--format", "json")
    report = json.loads(r.out)
    assert report["checked"]["admission-policies"] == 1
    # This platform is only a policy, so the contract check has findings; admission has none.
    assert not [f for f in report["findings"] if f["check"] == "admission"], r.out
    build_file_tree(platform, {"policies/vap.yaml": PLATFORM_POLICY.replace("LABEL", "owner")})
    r = run_cli(capsys, "validate", repo, "--platform", platform, "--format", "json")
    assert r.code == 2
    findings = [f for f in json.loads(r.out)["findings"] if f["check"] == "admission"]
    assert findings and all(f["object"] == "Deployment/checkout" for f in findings)
    assert "ValidatingAdmissionPolicy 'require-label' denied request:" in findings[0]["message"]
    assert "deployments carry a owner label" in findings[0]["message"]


def test_a_yaml_alias_bomb_fails_its_overlay_within_the_memory_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Uncapped, kubectl kustomize grows by gigabytes a second on this file (4 GB in 10 s).
    from scaffolder.validate.kustomize import build

    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n" + "".join(
        f"  {line}\n" for line in levels
    )
    (tmp_path / "cm.yaml").write_text(bomb)
    (tmp_path / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    monkeypatch.setenv("SCAFFOLDER_LIMIT_KUSTOMIZE_BYTES", str(3 << 29))  # 1.5 GiB: Go needs 1
    objects, error = build(tmp_path, Path())
    assert objects == [] and error is not None
    assert error.startswith("ran out of the kustomize_bytes limit (1610612736 bytes)")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
    objects, error = build(tmp_path, Path())
    assert error is None and objects[0]["metadata"]["name"] == "ok", "a normal overlay builds"
