"""End to end: the `service` golden path renders, its own tests pass, every overlay builds and
every built object validates strictly for the pinned Kubernetes version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.validate.kustomize import build
from scaffolder.validate.runner import validate_repo
from tests.e2e.venvs import run, venv_for
from tests.helpers import run_cli

pytestmark = pytest.mark.e2e

ANSWER_SETS: dict[str, tuple[str, dict[str, Any]]] = {
    "1.0.0-defaults": ("1.0.0", {"name": "payments"}),
    "1.0.0-one-env": (
        "1.0.0",
        {
            "name": "ledger",
            "environments": ["prod"],
            "python_version": "3.11",
            "port": 9000,
            "owner": "finance-team",
            "cost_center": "cc-4711",
        },
    ),
    "1.0.0-all-envs": (
        "1.0.0",
        {
            "name": "a-b-c",
            "environments": ["dev", "stage", "prod"],
            "python_version": "3.13",
            "min_replicas": 3,
            "max_replicas": 9,
            "namespace": "shop",
        },
    ),
    "1.1.0-canary-secrets": (
        "1.1.0",
        {
            "name": "checkout",
            "environments": ["prod"],
            "canary": True,
            "secret_keys": ["DATABASE_URL", "API_TOKEN"],
        },
    ),
    "1.1.0-defaults": ("1.1.0", {"name": "search"}),
    "2.0.0-critical": ("2.0.0", {"name": "orders", "tier": "critical", "canary": True}),
    "2.0.0-best-effort": (
        "2.0.0",
        {"name": "reports", "tier": "best-effort", "environments": ["dev", "prod"]},
    ),
}


@pytest.fixture(scope="module", params=sorted(ANSWER_SETS))
def service_repo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    version, answers = ANSWER_SETS[request.param]
    root = tmp_path_factory.mktemp(request.param)
    data_file = root / "answers.json"
    data_file.write_text(json.dumps(answers))
    dest = root / "repo"
    result = run(
        [
            "scaffolder",
            "new",
            "service",
            str(dest),
            "--version",
            version,
            "--data-file",
            str(data_file),
            "--json",
        ],
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["destination"] == str(dest)
    return dest, {**answers, "_version": version}


def test_generated_repo_tests_pass(service_repo: tuple[Path, dict[str, Any]]) -> None:
    repo, _ = service_repo
    bin_dir = venv_for(repo)
    tests = run([str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=repo)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout
    lint = run([str(bin_dir / "ruff"), "check", "--no-cache", "."], cwd=repo)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_every_overlay_builds_and_validates(service_repo: tuple[Path, dict[str, Any]]) -> None:
    repo, answers = service_repo
    environments = answers.get("environments", ["dev", "stage", "prod"])
    overlays = sorted(p.name for p in (repo / "deploy/overlays").iterdir())
    assert overlays == sorted(environments)
    for env in environments:
        objects, error = build(repo, Path("deploy/overlays") / env)
        assert error is None, error
        kinds = {o["kind"] for o in objects}
        assert kinds >= {
            "Deployment",
            "Service",
            "ServiceAccount",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
            "NetworkPolicy",
        }
        for obj in objects:
            labels = obj["metadata"]["labels"]
            assert labels["team"] == answers.get("owner", "platform-team")
            assert labels["cost-center"] == answers.get("cost_center", "shared")
            assert labels["app.kubernetes.io/name"] == answers["name"]
    report = validate_repo(repo)
    assert report.kubernetes_version == "1.35.0"
    assert report.checked["kustomize"] == len(environments)
    assert report.ok, [f.location() + ": " + f.message for f in report.errors]


def test_pod_security_restricted(service_repo: tuple[Path, dict[str, Any]]) -> None:
    repo, answers = service_repo
    env = answers.get("environments", ["dev"])[0]
    objects, _ = build(repo, Path("deploy/overlays") / env)
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    for container in pod["containers"]:
        sc = container["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["limits"] and container["resources"]["requests"]
        assert {"livenessProbe", "readinessProbe"} <= set(container)
        assert container["ports"][0]["containerPort"] == answers.get("port", 8080)


def test_catalog_info_names_golden_path_and_version(
    service_repo: tuple[Path, dict[str, Any]],
) -> None:
    repo, answers = service_repo
    entity = yaml.safe_load((repo / "catalog-info.yaml").read_text())
    annotations = entity["metadata"]["annotations"]
    assert annotations["scaffolder.dev/golden-path"] == "service"
    assert annotations["scaffolder.dev/golden-path-version"] == answers["_version"]
    assert entity["spec"]["owner"] == f"group:{answers.get('owner', 'platform-team')}"


def test_dockerfile_is_multistage_non_root_and_pinned(
    service_repo: tuple[Path, dict[str, Any]],
) -> None:
    repo, answers = service_repo
    dockerfile = (repo / "Dockerfile").read_text()
    args = dict(
        line.split()[1].split("=", 1)
        for line in dockerfile.splitlines()
        if line.startswith("ARG ") and "=" in line
    )
    froms = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("FROM ")]
    for name, value in args.items():
        froms = [f.replace("${" + name + "}", value) for f in froms]
    assert len(froms) >= 2
    version = answers.get("python_version", "3.12")
    assert all(f.startswith(f"python:{version}.") for f in froms), froms
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1].split(":")[0] not in ("root", "0")


def test_in_process_run_matches(
    capsys: pytest.CaptureFixture[str], service_repo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    repo, answers = service_repo
    data = [
        f"{k}={json.dumps(v) if isinstance(v, list) else v}"
        for k, v in answers.items()
        if not k.startswith("_")
    ]
    args = [a for kv in data for a in ("-d", kv)]
    r = run_cli(
        capsys,
        "new",
        "service",
        tmp_path / "again",
        "--version",
        answers["_version"],
        *args,
        "--no-git",
    )
    assert r.code == 0, r.err
    # The repo's own test run above leaves __pycache__ folders behind; they are not generated.
    theirs = {
        p.relative_to(repo)
        for p in repo.rglob("*")
        if ".git" not in p.parts and "__pycache__" not in p.parts
    }
    ours = {p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*")}
    assert ours == theirs
