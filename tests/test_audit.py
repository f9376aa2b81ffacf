"""`scaffolder audit` over a fleet: shared renders, per-repo errors, summary, HTML, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffolder.audit import audit, expand_paths
from tests.helpers import build_versioned_demo, generate, run_cli


@pytest.fixture
def fleet(tmp_path: Path) -> tuple[Path, Path]:
    catalog = build_versioned_demo(tmp_path / "catalog")
    root = tmp_path / "fleet"
    root.mkdir()
    for name in ("alpha", "beta", "gamma"):
        generate(root, catalog, name, "1.0.0")
    (root / "beta/envs.txt").write_text("edited\n")
    (root / "not-a-repo").mkdir()
    return catalog, root


def test_audit_reports_every_repo_and_survives_a_broken_one(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    catalog, root = fleet
    html = tmp_path / "report.html"
    r = run_cli(
        capsys,
        "audit",
        root,
        "--catalog",
        catalog,
        "--against",
        "1.1.0",
        "--format",
        "json",
        "--html",
        html,
        "--jobs",
        "2",
    )
    assert r.code == 2
    repos = {Path(x["path"]).name: x for x in json.loads(r.out)["repos"]}
    assert set(repos) == {"alpha", "beta", "gamma", "not-a-repo"}
    assert "has no .copier-answers.yml" in repos["not-a-repo"]["error"]
    assert repos["beta"]["summary"]["modified"] == 1
    assert repos["alpha"]["summary"]["outdated"] == 3
    assert "Audit of 4 repos" not in r.out + r.err, "-o json prints the JSON alone"
    assert f"HTML report: {html}" in r.err
    page = html.read_text()
    assert "<title>Golden path audit</title>" in page and "demo 1.0.0" in page
    assert "not-a-repo" in page


def test_order_is_kept_and_results_are_equal_across_job_counts(fleet: tuple[Path, Path]) -> None:
    catalog, root = fleet
    repos = expand_paths([root])
    one = audit(repos, catalogs=(str(catalog),), jobs=1)
    two = audit(repos, catalogs=(str(catalog),), jobs=2)
    assert [r.path for r in one] == repos == [r.path for r in two]
    assert [r.drift.summary() if r.drift else r.error for r in one] == [
        r.drift.summary() if r.drift else r.error for r in two
    ]


def test_from_file_and_no_repos(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    catalog, root = fleet
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# the fleet\n{root / 'alpha'}\n\nfleet/gamma\n")
    r = run_cli(
        capsys,
        "audit",
        "--from-file",
        listing,
        "--catalog",
        catalog,
        "--against",
        "1.0.0",
        "--format",
        "json",
    )
    assert [Path(x["path"]).name for x in json.loads(r.out)["repos"]] == ["alpha", "gamma"]
    assert r.code == 0
    r = run_cli(capsys, "audit")
    assert r.code == 1 and "no repos to audit" in r.err
