"""The built-in rule pack for cluster baselines: the semantic checks `validate` also runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scaffolder.standards.model import Level, RepoFiles, Rule, Violation
from scaffolder.validate import rules as semantic


def _semantic(rule_id: str) -> Callable[[RepoFiles], Iterator[Violation]]:
    def check(repo: RepoFiles) -> Iterator[Violation]:
        objects = [semantic.Obj(path, doc) for path, doc in repo.manifests]
        for finding in semantic.RULES[rule_id](objects, repo.root):
            where = f"{finding.object}: " if finding.object else ""
            yield Violation(where + finding.message, finding.file)

    return check


def B(id: str, title: str, level: Level, rationale: str, fix: str, semantic_id: str) -> Rule:
    return Rule(id, title, level, rationale, fix, _semantic(semantic_id), family="baseline")


RULES = [
    B(
        "BSL001",
        "No Secret with data in Git",
        Level.BRONZE,
        "Cluster credentials in Git leak through every clone.",
        "Use External Secrets with the cluster's secret store.",
        "no-secret-data",
    ),
    B(
        "BSL002",
        "Exactly one default StorageClass",
        Level.BRONZE,
        "With none, PVCs without a class hang; with two, the default is a coin toss.",
        'Mark one StorageClass with storageclass.kubernetes.io/is-default-class: "true".',
        "one-default-storageclass",
    ),
    B(
        "BSL003",
        "Namespaces declare Pod Security levels; tenants are restricted",
        Level.BRONZE,
        "Pod Security Admission enforces only what namespaces label.",
        "Label every Namespace with pod-security.kubernetes.io/enforce; tenants: restricted.",
        "namespace-pod-security",
    ),
    B(
        "BSL004",
        "Every GitOps path exists",
        Level.BRONZE,
        "An Application or Kustomization pointing at a missing path never syncs.",
        "Fix spec.path / spec.source.path.",
        "gitops-paths-exist",
    ),
    B(
        "BSL005",
        "Kueue queues and flavors resolve",
        Level.SILVER,
        "A LocalQueue without its ClusterQueue admits nothing.",
        "Point LocalQueues at existing ClusterQueues and flavors at ResourceFlavors.",
        "kueue-references",
    ),
    B(
        "BSL006",
        "ExternalSecrets reference existing stores",
        Level.SILVER,
        "An ExternalSecret with a missing store never syncs its secret.",
        "Reference a ClusterSecretStore or SecretStore defined in the repo.",
        "externalsecret-store",
    ),
    B(
        "BSL007",
        "CRDs land before their custom resources",
        Level.BRONZE,
        "On a new cluster a custom resource applied before its CRD fails to sync.",
        "Give units that use custom resources a later sync wave, or dependsOn the unit that "
        "installs the CRDs.",
        "crds-before-crs",
    ),
]
