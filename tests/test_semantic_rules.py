"""Each semantic check of `validate` (and the baseline rule pack) fails on the mistake it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffolder.validate.runner import validate_repo
from tests.helpers import build_file_tree

SC = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: {name}
  annotations: {{storageclass.kubernetes.io/is-default-class: "{default}"}}
provisioner: ebs.csi.aws.com
volumeBindingMode: WaitForFirstConsumer
"""
NS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: {name}
  labels: {labels}
"""
KUEUE = """\
apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata: {name: gpu}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: team-a}
spec:
  namespaceSelector: {}
  resourceGroups:
    - coveredResources: [cpu]
      flavors:
        - name: FLAVOR
          resources: [{name: cpu, nominalQuota: 4}]
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata: {name: team-a, namespace: team-a}
spec: {clusterQueue: QUEUE}
"""
ESO = """\
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: vault}
spec:
  provider:
    vault: {server: "https://vault.example.com", path: secret, version: v2,
            auth: {kubernetes: {mountPath: kubernetes, role: eso}}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: db, namespace: team-a}
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: STORE}
  target: {name: db}
  data: [{secretKey: url, remoteRef: {key: db}}]
"""


def rule_messages(root: Path, rule: str) -> list[str]:
    return [f.message for f in validate_repo(root).findings if f.check == rule]


def test_exactly_one_default_storage_class(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "sc.yaml": SC.format(name="gp3", default="true")
            + "---\n"
            + SC.format(name="io2", default="false")
        },
    )
    assert rule_messages(tmp_path, "one-default-storageclass") == []
    build_file_tree(
        tmp_path,
        {
            "sc.yaml": SC.format(name="gp3", default="true")
            + "---\n"
            + SC.format(name="io2", default="true")
        },
    )
    assert "found 2 (gp3, io2)" in rule_messages(tmp_path, "one-default-storageclass")[0]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ("{}", "has no pod-security.kubernetes.io/enforce label"),
        (
            '{pod-security.kubernetes.io/enforce: baseline, scaffolder.dev/tenant: "true"}',
            "tenant namespaces must enforce 'restricted'",
        ),
    ],
)
def test_namespaces_declare_pod_security(tmp_path: Path, labels: str, message: str) -> None:
    build_file_tree(tmp_path, {"ns.yaml": NS.format(name="team-a", labels=labels)})
    assert message in rule_messages(tmp_path, "namespace-pod-security")[0]
    ok = '{pod-security.kubernetes.io/enforce: restricted, scaffolder.dev/tenant: "true"}'
    build_file_tree(tmp_path, {"ns.yaml": NS.format(name="team-a", labels=ok)})
    assert rule_messages(tmp_path, "namespace-pod-security") == []


def test_kueue_references_resolve(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"q.yaml": KUEUE.replace("FLAVOR", "gpu").replace("QUEUE", "team-a")})
    assert rule_messages(tmp_path, "kueue-references") == []
    build_file_tree(
        tmp_path, {"q.yaml": KUEUE.replace("FLAVOR", "h100").replace("QUEUE", "team-b")}
    )
    messages = rule_messages(tmp_path, "kueue-references")
    assert any("ClusterQueue 'team-b', which is not defined" in m for m in messages)
    assert any("ResourceFlavor 'h100', which is not defined" in m for m in messages)


def test_external_secrets_reference_existing_stores(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"eso.yaml": ESO.replace("STORE", "vault")})
    assert rule_messages(tmp_path, "externalsecret-store") == []
    build_file_tree(tmp_path, {"eso.yaml": ESO.replace("STORE", "aws")})
    assert (
        "ClusterSecretStore 'aws', which is not defined"
        in rule_messages(tmp_path, "externalsecret-store")[0]
    )


def test_no_secret_with_data(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "s.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n"
            "  name: creds\ndata:\n  pw: aHVudGVyMg==\n"
        },
    )
    assert "Secret with data committed to Git" in rule_messages(tmp_path, "no-secret-data")[0]


def test_gitops_paths_exist(tmp_path: Path) -> None:
    app = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n"
        "spec:\n  project: default\n  destination: {server: https://kubernetes.default.svc}\n"
        "  source: {repoURL: https://git.example.com/x.git, path: platform/missing}\n"
    )
    build_file_tree(tmp_path, {"app.yaml": app})
    assert (
        "path 'platform/missing' does not exist" in rule_messages(tmp_path, "gitops-paths-exist")[0]
    )
    (tmp_path / "platform/missing").mkdir(parents=True)
    assert rule_messages(tmp_path, "gitops-paths-exist") == []
