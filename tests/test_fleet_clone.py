"""`scaffolder fleet clone`: shallow, parallel, resumable clones from real git remotes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scaffolder.clone import name_from_url, read_fleet
from scaffolder.errors import AnswerError
from tests.helpers import build_versioned_demo, run_cli
from tests.remotes import git, remote_fleet

NAMES = ("alpha", "beta", "gamma", "delta", "epsilon")


@pytest.fixture(scope="module")
def remotes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    tmp = tmp_path_factory.mktemp("remotes")
    catalog = build_versioned_demo(tmp / "catalog")
    return catalog, remote_fleet(tmp, catalog, NAMES, "1.0.0")


def _fleet_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "fleet.txt"
    path.write_text("# our services\n\n" + "\n".join(lines) + "\n")
    return path


def test_clones_shallow_then_resumes_and_keeps_going_past_a_bad_url(
    capsys: pytest.CaptureFixture[str], remotes: tuple[Path, list[str]], tmp_path: Path
) -> None:
    _, urls = remotes
    missing = (tmp_path / "nowhere.git").as_uri()
    fleet = _fleet_file(tmp_path, [*urls, f"{missing} lost"])
    dest = tmp_path / "repos"
    r = run_cli(capsys, "fleet", "clone", fleet, dest, "--format", "json", "-j", "3")
    assert r.code == 1, r.err
    doc = json.loads(r.out)
    assert doc["summary"] == {"cloned": 5, "present": 0, "failed": 1}
    by_name = {e["name"]: e for e in doc["repos"]}
    assert by_name["lost"]["status"] == "failed" and "nowhere.git" in by_name["lost"]["error"]
    assert by_name["beta"]["records"] == [
        {"file": ".copier-answers.yml", "golden_path": "demo", "version": "1.0.0"}
    ]
    assert git(dest / "beta", "rev-parse", "--is-shallow-repository") == "true"
    assert git(dest / "beta", "rev-list", "--count", "HEAD") == "1"
    assert (dest / "beta/OWNERS.md").is_file() and not (dest / ".partial").exists()
    assert git(dest / "beta", "config", "remote.origin.url") == urls[1]

    # An interrupted run: one clone never finished (left in .partial), one never started.
    shutil.rmtree(dest / "gamma")
    (dest / ".partial/delta").mkdir(parents=True)
    (dest / ".partial/delta/half").write_text("x")
    shutil.move(dest / "delta", dest / ".partial/delta/moved")
    r = run_cli(capsys, "fleet", "clone", _fleet_file(tmp_path, urls), dest)
    assert r.code == 0, r.err
    assert "2 cloned, 3 already present, 0 failed" in r.out
    assert (dest / "delta/README.md").is_file() and not (dest / ".partial").exists()


def test_record_only_fetches_the_records_blobs_alone(
    capsys: pytest.CaptureFixture[str], remotes: tuple[Path, list[str]], tmp_path: Path
) -> None:
    _, urls = remotes
    dest = tmp_path / "records"
    r = run_cli(capsys, "fleet", "clone", _fleet_file(tmp_path, urls[:2]), dest, "--record-only")
    assert r.code == 0 and "cloned  alpha (demo 1.0.0)" in r.out
    files = sorted(p.name for p in (dest / "alpha").iterdir())
    assert files == [".copier-answers.yml", ".git"]
    missing = git(dest / "alpha", "rev-list", "--objects", "--missing=print", "HEAD").splitlines()
    assert len([m for m in missing if m.startswith("?")]) >= 8  # blobs never fetched


def test_shards_fetch_what_audit_shards_check(
    capsys: pytest.CaptureFixture[str], remotes: tuple[Path, list[str]], tmp_path: Path
) -> None:
    catalog, urls = remotes
    fleet = _fleet_file(tmp_path, urls)
    full = tmp_path / "full"
    assert run_cli(capsys, "fleet", "clone", fleet, full).code == 0
    seen: list[str] = []
    for k in (1, 2, 3):
        dest = tmp_path / f"shard-{k}"
        assert run_cli(capsys, "fleet", "clone", fleet, dest, "--shard", f"{k}/3").code == 0
        cloned = sorted(p.name for p in dest.iterdir()) if dest.exists() else []
        seen += cloned
        r = run_cli(
            capsys, "audit", full, "--catalog", catalog, "--shard", f"{k}/3", "--format", "json"
        )
        assert sorted(Path(e["path"]).name for e in json.loads(r.out)["repos"]) == cloned
    assert sorted(seen) == sorted(NAMES)


def test_fleet_file_names(tmp_path: Path) -> None:
    assert name_from_url("https://github.com/acme/payments.git") == "payments"
    assert name_from_url("git@gitlab.com:acme/group/search") == "search"
    assert name_from_url("file:///srv/git/billing.git/") == "billing"
    ok = _fleet_file(tmp_path, ["https://x/a/pay.git", "https://y/b/pay.git b-pay"])
    assert [(e.name, e.line) for e in read_fleet(ok)] == [("pay", 3), ("b-pay", 4)]
    with pytest.raises(AnswerError, match="also used on line 3"):
        read_fleet(_fleet_file(tmp_path, ["https://x/a/pay.git", "https://y/b/pay.git"]))
    with pytest.raises(AnswerError, match="cannot name a repo folder"):
        read_fleet(_fleet_file(tmp_path, ["https://x/a/pay.git ../up"]))
    with pytest.raises(AnswerError, match="expected `URL \\[NAME\\]`"):
        read_fleet(_fleet_file(tmp_path, ["https://x/a/pay.git a b"]))
