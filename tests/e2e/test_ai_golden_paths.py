"""End to end: every service-kind golden path over answer presets renders, passes `scaffolder
validate` (Kubernetes and pinned CRD schemas, semantic rules), and its own tests pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.standards import run_standards
from scaffolder.standards.model import Level
from scaffolder.validate.runner import validate_repo
from tests.e2e.venvs import run, venv_for
from tests.helpers import run_cli

pytestmark = pytest.mark.e2e

PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "inference-defaults": ("inference-service", {"name": "chat-llm"}),
    "inference-cpu-one-env": (
        "inference-service",
        {"name": "embedder", "gpu_count": 0, "canary": False, "environments": ["prod"]},
    ),
    "inference-mig": (
        "inference-service",
        {
            "name": "summarizer",
            "gpu_mode": "mig",
            "mig_profile": "3g.40gb",
            "environments": ["dev", "stage"],
        },
    ),
    "inference-time-sliced": (
        "inference-service",
        {"name": "ranker", "gpu_mode": "time-sliced", "canary": False, "environments": ["dev"]},
    ),
    # manage_priority_class: its own WorkloadPriorityClass (a custom resource to validate);
    # since 1.1.0 the default is the cluster baseline's class.
    "training-job": ("training-job", {"name": "churn-model", "manage_priority_class": True}),
    "training-jobset": (
        "training-job",
        {"name": "pretrain", "workload": "jobset", "workers": 2, "gpu_count": 1},
    ),
    "training-cpu": ("training-job", {"name": "tabular", "gpu_count": 0, "environments": ["prod"]}),
}


@pytest.fixture(scope="module", params=sorted(PRESETS))
def repo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    golden_path, answers = PRESETS[request.param]
    dest = tmp_path_factory.mktemp(request.param) / answers["name"]
    generate(plan(load_catalog(), golden_path, data=answers), dest, git=False)
    return dest, golden_path


def test_validates_against_pinned_schemas(repo: tuple[Path, str]) -> None:
    path, _ = repo
    report = validate_repo(path)
    assert report.ok, [f"{f.location()}: {f.message}" for f in report.errors]
    # A single-worker CPU Job on the baseline's priority class is all built-in kinds.
    has_crs = request_id(path) != "training-cpu"
    assert (report.checked.get("custom-resources", 0) > 0) == has_crs, report.checked
    assert not [f for f in report.findings if f.check == "crds"]


def request_id(path: Path) -> str:
    """The preset a repo was made from (its parent folder is the preset's tmp dir)."""
    return path.parent.name.rstrip("0123456789")


def test_own_tests_pass(repo: tuple[Path, str]) -> None:
    path, _ = repo
    bin_dir = venv_for(path)
    result = run(
        [str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_reaches_gold(repo: tuple[Path, str]) -> None:
    path, _ = repo
    report = run_standards(path, "service")
    assert report.level == Level.GOLD, [
        (r.rule.id, r.violations) for r in report.results if not r.passed
    ]


@pytest.mark.parametrize(
    ("golden_path", "data", "message"),
    [
        ("inference-service", {"gpu_count": "-1"}, "gpu_count"),
        ("inference-service", {"gpu_mode": "mig", "mig_profile": "5g.50gb"}, "mig_profile"),
        ("training-job", {"queue_name": "Team_Queue"}, "queue_name"),
        ("training-job", {"workers": "0"}, "workers"),
    ],
)
def test_invalid_answers_are_refused(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    golden_path: str,
    data: dict[str, str],
    message: str,
) -> None:
    args = [a for k, v in {"name": "x-ml", **data}.items() for a in ("-d", f"{k}={v}")]
    r = run_cli(capsys, "new", golden_path, tmp_path / "out", *args)
    assert r.code == 1 and f"question '{message}'" in r.err, r.err
    assert not (tmp_path / "out").exists()
