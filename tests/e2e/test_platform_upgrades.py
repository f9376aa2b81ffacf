"""End to end: repos made with the 1.0.0 releases upgrade to the issue-17 versions with
`scaffolder upgrade` (migrations delete what moved to the platform, new answers take their
defaults), and a tenant added to a baseline repo reads the baseline's recorded answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from tests.e2e.test_baselines import AWS, CILIUM
from tests.helpers import run_cli

pytestmark = pytest.mark.e2e


def made(tmp_path: Path, golden_path: str, version: str, answers: dict[str, Any]) -> Path:
    dest = tmp_path / golden_path
    generate(plan(load_catalog(), golden_path, version=version, data=answers), dest)
    return dest


def recorded(repo: Path, answers_file: str = ".copier-answers.yml") -> dict[str, Any]:
    data = yaml.safe_load((repo / answers_file).read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("golden_path", "answers", "target", "data", "gone", "added"),
    [
        (
            "inference-service",
            {"name": "chat-llm"},
            "1.1.0",
            [],
            ["deploy/base/priorityclass.yaml"],
            {"priority_class": "tier-critical", "queue_name": "platform-team-queue"},
        ),
        (
            "training-job",
            {"name": "churn-model"},
            "1.1.0",
            ["--data", "manage_priority_class=false"],
            ["deploy/cluster/workloadpriorityclass.yaml", "deploy/cluster/kustomization.yaml"],
            {"manage_priority_class": False, "gpu_resource": "nvidia.com/gpu"},
        ),
        (
            "service",
            {"name": "payments", "tier": "standard"},
            "2.1.0",
            [],
            [],
            {"monitoring": True},
        ),
    ],
)
def test_service_repos_upgrade_to_the_platform_versions(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    golden_path: str,
    answers: dict[str, Any],
    target: str,
    data: list[str],
    gone: list[str],
    added: dict[str, Any],
) -> None:
    old = "2.0.0" if golden_path == "service" else "1.0.0"
    repo = made(tmp_path, golden_path, old, answers)
    r = run_cli(capsys, "upgrade", repo, "--to", target, "--commit", *data)
    assert r.code == 0, r.err
    record = recorded(repo)
    assert record["_commit"] == target
    assert {k: record[k] for k in added} == added
    for path in gone:
        assert not (repo / path).exists(), path
    # The recorded namespace (1.0.0's default) is kept: moving a workload is its owners' call.
    assert record["namespace"] == answers["name"]
    # The upgraded repo is exactly what the target renders with its recorded answers.
    fresh = made(
        tmp_path / "fresh",
        golden_path,
        target,
        {k: v for k, v in record.items() if not k.startswith("_")},
    )
    assert files(fresh) == files(repo)


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file()
        and ".git" not in p.relative_to(root).parts
        and p.name != ".copier-answers.yml"
    }


def test_baseline_and_its_tenant_upgrade(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = {"cluster_name": "prod-eu", "gitops_engine": "argocd", **CILIUM, **AWS}
    repo = made(tmp_path, "cluster-baseline", "1.0.0", answers)
    r = run_cli(capsys, "new", "tenant", repo, "--version", "1.0.0", "-d", "team=search")
    assert r.code == 0, r.err
    r = run_cli(capsys, "upgrade", repo, "--to", "1.1.0", "--commit")
    assert r.code == 0, r.err
    assert recorded(repo)["_commit"] == "1.1.0"
    assert (repo / "platform/releases/argo-rollouts/values.yaml").is_file()
    assert (repo / "tenants/ml-research/clustersecretstore.yaml").is_file()
    tenant = "tenants/search/.copier-answers.yml"
    r = run_cli(capsys, "upgrade", repo, "--answers-file", tenant, "--to", "1.1.0", "--commit")
    assert r.code == 0, r.err
    assert recorded(repo, tenant)["_commit"] == "1.1.0"
    assert (repo / "tenants/search/clustersecretstore.yaml").is_file()


def test_a_tenant_reads_the_baselines_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = {
        "cluster_name": "prod-eu",
        **CILIUM,
        **AWS,
        "gpu": True,
        "gpu_sharing": "mig-mixed",
        "mig_profile": "3g.40gb",
        "kueue_cohort": "research",
        "kueue_preemption": "never",
    }
    repo = made(tmp_path, "cluster-baseline", "1.1.0", answers)
    r = run_cli(capsys, "new", "tenant", repo, "-d", "team=search", "-d", "gpu_quota=2")
    assert r.code == 0, r.err
    record = recorded(repo, "tenants/search/.copier-answers.yml")
    assert (record["cohort"], record["preemption"], record["gpu_sharing"]) == (
        "research",
        "never",
        "mig-mixed",
    )
    queue = yaml.safe_load((repo / "tenants/search/clusterqueue.yaml").read_text())
    gpu_group = queue["spec"]["resourceGroups"][1]["coveredResources"]
    assert gpu_group == [f"nvidia.com/mig-{p}" for p in ("1g.10gb", "2g.20gb", "3g.40gb")]
    # The tenant's files match what the baseline renders for its own teams.
    own = yaml.safe_load((repo / "tenants/ml-research/clusterqueue.yaml").read_text())
    assert own["spec"]["resourceGroups"][1]["coveredResources"] == gpu_group
    # --data still wins over the recorded answers.
    r = run_cli(capsys, "new", "tenant", repo, "-d", "team=ads", "-d", "cohort=ads")
    assert r.code == 0, r.err
    assert recorded(repo, "tenants/ads/.copier-answers.yml")["cohort"] == "ads"


def test_gpu_cluster_and_tenant_upgrade_to_separate_serving_and_training_pools(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """cluster-baseline and tenant 1.1.0 -> 1.2.0 (issue 20): serving and training GPUs on
    their own flavors; a tenant not yet upgraded keeps being admitted (flavor `gpu`)."""
    answers = {"cluster_name": "prod-eu", "gitops_engine": "flux", **CILIUM, **AWS, "gpu": True}
    repo = made(tmp_path, "cluster-baseline", "1.1.0", answers)
    r = run_cli(
        capsys,
        "new", "tenant", repo, "--version", "1.1.0",
        "-d", "team=search", "-d", "gpu_quota=4", "-d", "gpu_serving_reserve=1",
    )  # fmt: skip
    assert r.code == 0, r.err
    r = run_cli(capsys, "upgrade", repo, "--to", "1.2.0", "--commit")
    assert r.code == 0, r.err
    flavors = {
        d["metadata"]["name"]: d["spec"].get("nodeLabels", {}).get("scaffolder.dev/gpu-pool")
        for d in yaml.safe_load_all(
            (repo / "platform/configs/kueue/resourceflavors.yaml").read_text()
        )
    }
    assert flavors == {
        "cpu": None,
        "gpu-serving": "gpu-serving",
        "gpu-training": "gpu-training",
        "gpu": "gpu-training",
    }
    # The Karpenter controller is a release of the repo now, named per environment's cluster.
    assert (repo / "platform/releases/karpenter/values.yaml").is_file()
    env_values = list(yaml.safe_load_all((repo / "clusters/prod/apps/env-values.yaml").read_text()))
    karpenter = next(d for d in env_values if d["metadata"]["name"] == "karpenter-values-env")
    assert yaml.safe_load(karpenter["data"]["values.yaml"]) == {
        "settings": {"clusterName": "prod-eu-prod", "interruptionQueue": "prod-eu-prod"}
    }
    # The 1.1.0 tenant still counts its GPUs on `gpu`, now the training pool.
    old = yaml.safe_load((repo / "tenants/search/clusterqueue.yaml").read_text())
    assert old["spec"]["resourceGroups"][1]["flavors"][0]["name"] == "gpu"
    tenant = "tenants/search/.copier-answers.yml"
    r = run_cli(capsys, "upgrade", repo, "--answers-file", tenant, "--to", "1.2.0", "--commit")
    assert r.code == 0, r.err
    assert recorded(repo, tenant)["_commit"] == "1.2.0"
    training, serving = yaml.safe_load_all((repo / "tenants/search/clusterqueue.yaml").read_text())
    assert [f["name"] for f in training["spec"]["resourceGroups"][1]["flavors"]] == ["gpu-training"]
    assert [f["name"] for f in serving["spec"]["resourceGroups"][1]["flavors"]] == ["gpu-serving"]
    queues = {
        q["metadata"]["name"]: q["spec"]["clusterQueue"]
        for q in yaml.safe_load_all((repo / "tenants/search/localqueue.yaml").read_text())
    }
    assert queues == {"search-queue": "search", "serving-queue": "search-serving"}


@pytest.mark.parametrize(
    ("golden_path", "added"),
    [
        (
            "training-job",
            {"pod_priority_class": "tier-training", "queue_name": "platform-team-queue"},
        ),
        # The recorded queue is kept (moving serving to serving-queue needs the team's
        # serving reserve): `validate --platform` names the queue until it is changed.
        ("inference-service", {"queue_name": "platform-team-queue"}),
    ],
)
def test_service_repos_upgrade_to_the_gpu_pool_versions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, golden_path: str, added: dict[str, Any]
) -> None:
    repo = made(tmp_path, golden_path, "1.1.0", {"name": "chat-llm"})
    r = run_cli(capsys, "upgrade", repo, "--to", "1.2.0", "--commit")
    assert r.code == 0, r.err
    record = recorded(repo)
    assert record["_commit"] == "1.2.0"
    assert {k: record[k] for k in added} == added
    fresh = made(
        tmp_path / "fresh",
        golden_path,
        "1.2.0",
        {k: v for k, v in record.items() if not k.startswith("_")},
    )
    assert files(fresh) == files(repo)


def test_karpenter_with_irsa_names_each_environments_role(tmp_path: Path) -> None:
    answers = {
        "cluster_name": "prod-eu",
        "gitops_engine": "argocd",
        **CILIUM,
        **AWS,
        "gpu": True,
        "karpenter_auth": "irsa",
        "karpenter_controller_role": "ctl",
        "karpenter_interruption_queue": False,
        "environments": ["dev", "prod"],
    }
    repo = made(tmp_path, "cluster-baseline", "1.2.0", answers)
    role = "arn:aws:iam::123456789012:role/ctl-prod-eu"
    for env in ("dev", "prod"):
        kustomization = yaml.safe_load(
            (repo / f"clusters/{env}/apps/kustomization.yaml").read_text()
        )
        (patch,) = [p for p in kustomization["patches"] if p["target"]["name"] == "karpenter"]
        (op,) = yaml.safe_load(patch["patch"])
        assert op["value"] == {
            "settings": {"clusterName": f"prod-eu-{env}"},
            "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": f"{role}-{env}"}},
        }
    apps = list(yaml.safe_load_all((repo / "gitops/argocd/releases.yaml").read_text()))
    (app,) = [a for a in apps if a["metadata"]["name"] == "karpenter"]
    assert app["spec"]["sources"][0]["helm"]["skipCrds"] is True
    assert app["spec"]["sources"][0]["targetRevision"] == "1.14.1"


def test_inherit_from_reads_the_baseline_for_an_empty_destination(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """What fetch:golden-path does in Backstage: the baseline repo is in the workspace, the
    tenant renders into an empty scratch folder and is merged in; the answers it inherits
    are read from the workspace repo (--inherit-from), as `new tenant REPO` reads them."""
    answers = {"cluster_name": "prod-eu", **CILIUM, **AWS, "kueue_cohort": "research"}
    answers |= {"gpu": True, "gpu_sharing": "mig-mixed", "mig_profile": "3g.40gb"}
    repo = made(tmp_path, "cluster-baseline", "1.1.0", answers)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    r = run_cli(
        capsys, "new", "tenant", scratch, "-d", "team=search", "--inherit-from", repo, "--no-git"
    )
    assert r.code == 0, r.err
    r = run_cli(capsys, "new", "tenant", repo, "-d", "team=search", "--no-git")
    assert r.code == 0, r.err
    rendered = {
        p.relative_to(scratch).as_posix(): p.read_bytes() for p in scratch.rglob("*") if p.is_file()
    }
    assert rendered == {path: (repo / path).read_bytes() for path in rendered}
    assert recorded(scratch, "tenants/search/.copier-answers.yml")["cohort"] == "research"
    # Without it, the empty folder has no record: the tenant takes its own defaults.
    other = tmp_path / "other"
    other.mkdir()
    r = run_cli(capsys, "new", "tenant", other, "-d", "team=search", "--no-git")
    assert r.code == 0, r.err
    assert recorded(other, "tenants/search/.copier-answers.yml")["cohort"] != "research"


def test_inherit_from_must_name_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = run_cli(
        capsys, "new", "tenant", tmp_path / "t", "-d", "team=a", "--inherit-from", tmp_path / "no"
    )
    assert r.code == 1 and "--inherit-from" in r.err and "is not a folder" in r.err
