"""`audit --shard K/N` and `audit merge`: the shards of a fleet merge into the one-run report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffolder.reports.json_report import repo_json
from scaffolder.reports.merge import known_rules, report_from_json
from scaffolder.shard import Shard
from tests.helpers import build_versioned_demo, generate, run_cli

NAMES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("shard")
    catalog = build_versioned_demo(tmp / "catalog")
    root = tmp / "fleet"
    root.mkdir()
    for i, name in enumerate(NAMES):
        repo = generate(root, catalog, name, "1.1.0" if i % 3 == 0 else "1.0.0")
        if i % 2:
            (repo / "envs.txt").write_text("edited\n")
        if i == 4:
            (repo / "docs/runbook.md").unlink()
    (root / "not-a-repo").mkdir()
    return catalog, root


def test_shards_partition_by_name_not_position() -> None:
    names = [Path(f"r{i}") for i in range(200)]
    shards = [Shard(k, 4).select(names) for k in range(1, 5)]
    assert sorted(p for s in shards for p in s) == sorted(names)  # each repo in one shard
    assert all(20 < len(s) < 80 for s in shards)  # and spread
    # Adding repos, or reordering the list, moves no repo to another shard.
    grown = [Path("new-1"), *reversed(names), Path("new-2")]
    assert set(Shard(2, 4).select(grown)) - {Path("new-1"), Path("new-2")} == set(shards[1])
    assert Shard.parse(" 3/4 ") == Shard(3, 4) and str(Shard(3, 4)) == "3/4"


@pytest.mark.parametrize("spec", ["0/4", "5/4", "4", "a/b", "1/0"])
def test_bad_shard_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], spec: str
) -> None:
    _, root = fleet
    r = run_cli(capsys, "audit", root, "--shard", spec)
    assert r.code == 1 and "is not K/N" in r.err and "Traceback" not in r.err


def _audit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    r = run_cli(capsys, "audit", *args, "--against", "1.1.0", "--format", "json", "-j", "1")
    assert r.code in (0, 2), r.err
    return r.out


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown", "junit"])
def test_union_of_shards_is_the_single_run_byte_for_byte(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path, fmt: str
) -> None:
    catalog, root = fleet
    single = run_cli(
        capsys, "audit", root, "--catalog", catalog, "--against", "1.1.0", "--format", fmt
    )
    files = []
    sizes = []
    for k in range(1, 5):
        out = _audit(capsys, root, "--catalog", catalog, "--shard", f"{k}/4")
        doc = json.loads(out)
        assert doc["shard"] == {"index": k, "count": 4}
        sizes.append(len(doc["repos"]))
        files.append(tmp_path / f"shard-{k}.json")
        files[-1].write_text(out)
    assert sum(sizes) == len(NAMES) + 1 and max(sizes) < len(NAMES)  # really split
    html = tmp_path / "fleet.html"
    merged = run_cli(
        capsys,
        "audit",
        "merge",
        *reversed(files),
        "--catalog",
        catalog,
        "--format",
        fmt,
        "--html",
        html,
    )
    assert merged.code == single.code == 2
    assert merged.out == single.out
    if fmt == "json":  # the summary table, as a text run prints it
        text = run_cli(capsys, "audit", "merge", *files, "--catalog", catalog)
        assert text.code == 2 and "Audit of 10 repos" in text.out
    assert "epsilon" in html.read_text()


def test_json_round_trips_through_report_objects(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path]
) -> None:
    catalog, root = fleet
    doc = json.loads(_audit(capsys, root, "--catalog", catalog))
    rules = known_rules()
    assert [repo_json(report_from_json(e, rules)) for e in doc["repos"]] == doc["repos"]


def test_merge_refuses_an_incomplete_or_mixed_set(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    catalog, root = fleet
    shards = []
    for k in (1, 2, 3):
        shards.append(tmp_path / f"{k}.json")
        shards[-1].write_text(_audit(capsys, root, "--catalog", catalog, "--shard", f"{k}/3"))
    r = run_cli(capsys, "audit", "merge", shards[0], shards[2])
    assert r.code == 1 and "shard 2/3 missing" in r.err
    r = run_cli(capsys, "audit", "merge", *shards, shards[1])
    assert r.code == 1 and "shard 2/3 given more than once" in r.err
    plain = tmp_path / "plain.json"
    plain.write_text(_audit(capsys, root / "alpha", "--catalog", catalog))
    r = run_cli(capsys, "audit", "merge", *shards, plain)
    assert r.code == 1 and "not shard reports" in r.err
    other = tmp_path / "other.json"
    doc = json.loads(plain.read_text())
    other.write_text(json.dumps({**doc, "tool": {"name": "scaffolder", "version": "0.0.1"}}))
    r = run_cli(capsys, "audit", "merge", plain, other)
    assert r.code == 1 and "different scaffolder versions" in r.err
    r = run_cli(capsys, "audit", "merge", plain, plain)
    assert r.code == 1 and "is in both" in r.err
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    r = run_cli(capsys, "audit", "merge", junk)
    assert r.code == 1 and "cannot read" in r.err


def test_audit_paths_still_work_beside_the_subcommands(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, root = fleet
    # Options first, a path first, and a folder named like a subcommand (as ./merge).
    a = run_cli(
        capsys, "audit", "-j", "1", root / "alpha", "--catalog", catalog, "--format", "json"
    )
    b = run_cli(capsys, "audit", "run", root / "alpha", "--catalog", catalog, "--format", "json")
    assert a.code == b.code == 2 and a.out == b.out  # 2.0.0 asks a new question
    (root.parent / "merge").symlink_to(root / "alpha")
    monkeypatch.chdir(root.parent)
    c = run_cli(capsys, "audit", "./merge", "--catalog", catalog, "--format", "json")
    assert c.code == 2 and json.loads(c.out)["repos"][0]["path"] == "merge"
    h = run_cli(capsys, "audit", "--help")
    assert "audit merge REPORTS" in h.out and "merge" in h.out and "run" in h.out
