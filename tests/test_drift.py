"""Drift classes built on purpose in real repos, and `scaffolder diff` over them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.drift import FileStatus, classify, repo_drift
from scaffolder.origin import load_origin
from tests.helpers import build_versioned_demo, generate, run_cli


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return build_versioned_demo(tmp_path / "catalog")


def test_classify_covers_every_case() -> None:
    base = {
        "same": b"1",
        "mine": b"1",
        "theirs": b"1",
        "both": b"1",
        "gone": b"1",
        "dropped": b"1",
        "dropped-edited": b"1",
        "converged": b"1",
    }
    ours = {
        "same": b"1",
        "mine": b"2",
        "theirs": b"1",
        "both": b"2",
        "gone": None,
        "dropped": b"1",
        "dropped-edited": b"2",
        "converged": b"3",
        "new": None,
        "new-both": b"x",
    }
    theirs = {
        "same": b"1",
        "mine": b"1",
        "theirs": b"3",
        "both": b"3",
        "gone": b"1",
        "converged": b"3",
        "new": b"n",
        "new-both": b"y",
    }
    got = {f.path: (f.status, f.locally_modified) for f in classify(base, ours, theirs)}
    assert got == {
        "same": (FileStatus.UNCHANGED, False),
        "mine": (FileStatus.MODIFIED, False),
        "theirs": (FileStatus.OUTDATED, False),
        "both": (FileStatus.CONFLICTING, False),
        "gone": (FileStatus.DELETED, False),
        "dropped": (FileStatus.REMOVED, False),
        "dropped-edited": (FileStatus.REMOVED, True),
        "converged": (FileStatus.UNCHANGED, False),
        "new": (FileStatus.ADDED, False),
        "new-both": (FileStatus.CONFLICTING, False),
    }


def test_each_drift_class_in_a_real_repo(catalog: Path, tmp_path: Path) -> None:
    repo = generate(tmp_path, catalog)
    (repo / "envs.txt").write_text("dev\nprod\nqa\n")  # local edit, template unchanged
    (repo / "static.txt").unlink()  # deleted locally
    (repo / "deploy/pay.yaml").write_text("namespace: pay-ns\nport: 9999\n")  # both changed
    drift = repo_drift(load_origin(repo, load_catalog([str(catalog)])), "1.1.0")
    got = {f.path: f.status for f in drift.drifted}
    assert got == {
        "README.md": FileStatus.OUTDATED,
        "deploy/app.yaml": FileStatus.OUTDATED,
        "deploy/pay.yaml": FileStatus.CONFLICTING,
        "envs.txt": FileStatus.MODIFIED,
        "static.txt": FileStatus.DELETED,
        "NEW.md": FileStatus.ADDED,
        "secret.txt": FileStatus.REMOVED,
    }
    assert drift.version == "1.0.0" and drift.target_version == "1.1.0"
    assert drift.summary()["outdated"] == 2 and drift.summary()["unchanged"] == 6


def test_diff_against_the_recorded_version_shows_only_local_edits(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    r = run_cli(
        capsys, "diff", repo, "--catalog", catalog, "--against", "1.0.0", "--format", "json"
    )
    assert r.code == 0, r.err
    report = json.loads(r.out)["repos"][0]
    assert report["summary"]["unchanged"] == 12
    assert {f["status"] for f in report["files"]} == {"unchanged"}
    (repo / "envs.txt").write_text("edited\n")
    r = run_cli(capsys, "diff", repo, "--catalog", catalog, "--against", "1.0.0")
    assert r.code == 2
    assert "locally modified" in r.out and "envs.txt" in r.out, "the report is on stdout"


def test_patch_shows_unified_diffs(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    r = run_cli(capsys, "diff", repo, "--catalog", catalog, "--against", "1.1.0", "--patch")
    assert "+## Support" in r.out


def test_answers_the_target_rejects_are_reported(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    r = run_cli(capsys, "diff", repo, "--catalog", catalog, "--format", "json")
    assert r.code == 2
    report = json.loads(r.out)["repos"][0]
    assert report["target_version"] == "2.0.0"
    problems = report["answer_problems"]
    assert problems[0]["question"] == "tier" and "missing answer" in problems[0]["message"]
    r = run_cli(
        capsys,
        "diff",
        repo,
        "--catalog",
        catalog,
        "--against",
        "2.0.0",
        "-d",
        "tier=critical",
        "--format",
        "json",
    )
    assert json.loads(r.out)["repos"][0]["answer_problems"] == []


def test_foreign_repo_compared_with_a_golden_path(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    foreign = tmp_path / "legacy"
    foreign.mkdir()
    (foreign / "README.md").write_text("# legacy\n")
    r = run_cli(
        capsys,
        "diff",
        foreign,
        "--catalog",
        catalog,
        "--golden-path",
        "demo",
        "--version",
        "1.0.0",
        "-d",
        "name=legacy",
        "--format",
        "json",
    )
    assert r.code == 2
    report = json.loads(r.out)["repos"][0]
    assert report["recorded"] is False
    statuses = {f["path"]: f["status"] for f in report["files"]}
    assert statuses["README.md"] == "modified"
    assert statuses["deploy/legacy.yaml"] == "deleted"


def test_repo_without_record_says_how_to_adopt(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = run_cli(capsys, "diff", tmp_path)
    assert r.code == 1 and "scaffolder adopt" in r.err and "--golden-path" in r.err


def test_junit_and_markdown_formats(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    repo = generate(tmp_path, catalog)
    r = run_cli(
        capsys, "diff", repo, "--catalog", catalog, "--against", "1.1.0", "--format", "junit"
    )
    suites = ET.fromstring(r.out)
    assert suites.tag == "testsuites"
    cases = {c.get("name"): c for c in suites.iter("testcase")}
    drift_case = cases["matches demo 1.1.0"]
    assert drift_case.find("failure") is not None
    assert "outdated: README.md" in (drift_case.find("failure").text or "")
    assert int(suites.get("tests", "0")) == len(cases)
    r = run_cli(
        capsys, "diff", repo, "--catalog", catalog, "--against", "1.1.0", "--format", "markdown"
    )
    assert r.out.startswith("### Golden path check: `pay`")
    assert "| `README.md` | outdated |" in r.out


def test_adopt_records_a_base_for_later_diffs(
    capsys: pytest.CaptureFixture[str], catalog: Path, tmp_path: Path
) -> None:
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "README.md").write_text("# legacy\n")
    r = run_cli(
        capsys,
        "adopt",
        legacy,
        "--catalog",
        catalog,
        "--golden-path",
        "demo",
        "--version",
        "1.0.0",
        "-d",
        "name=legacy",
    )
    assert r.code == 0, r.err
    assert "recorded demo 1.0.0" in r.err and "compared with 1.0.0" in r.out
    r = run_cli(
        capsys, "diff", legacy, "--catalog", catalog, "--against", "1.1.0", "--format", "json"
    )
    report = json.loads(r.out)["repos"][0]
    assert report["recorded"] is True and report["version"] == "1.0.0"
    statuses = {f["path"]: f["status"] for f in report["files"]}
    assert statuses["README.md"] == "conflicting"  # changed locally and by 1.1.0
    assert statuses["deploy/legacy.yaml"] == "deleted"
    r = run_cli(
        capsys,
        "adopt",
        legacy,
        "--catalog",
        catalog,
        "--golden-path",
        "demo",
        "--version",
        "1.1.0",
        "-d",
        "name=legacy",
    )
    assert r.code == 1 and "already exists" in r.err and "--force" in r.err
