"""`scaffolder crds fetch` against a mirror on localhost: CRDs kept, other objects dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import release_mirror, run_cli

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: not-a-crd
"""


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[str]:
    with release_mirror(tmp_path / "mirror", "kueue", "v0.19.2", CRD) as url:
        yield url


def test_fetch_for_a_repo(capsys: pytest.CaptureFixture[str], mirror: str, tmp_path: Path) -> None:
    repo = tmp_path / "job"
    r = run_cli(
        capsys, "new", "training-job", repo, "-d", "name=train", "-d", "gpu_count=0", "--no-git"
    )
    assert r.code == 0, r.err
    crd_dir = tmp_path / "crds"
    fetch = ("crds", "fetch", "--crd-dir", crd_dir, "--repo", repo)
    r = run_cli(capsys, *fetch, "--mirror", mirror)
    assert r.code == 0, r.err
    assert "kueue-v0.19.2: built in, not downloaded" in r.err
    assert "jobset-v0.12.0: built in, not downloaded" in r.err
    assert not crd_dir.exists()
    # --include-bundled downloads them anyway; the mirror only has kueue.
    r = run_cli(capsys, *fetch, "--include-bundled", "--mirror", mirror)
    assert r.code == 1 and "jobset" in r.err and "cannot download" in r.err
    assert (crd_dir / "kueue-v0.19.2/widgets.example.com.yaml").is_file()
    assert len(list((crd_dir / "kueue-v0.19.2").iterdir())) == 1, "only the CRD is kept"
    r = run_cli(capsys, *fetch, "--include-bundled", "--mirror", "http://127.0.0.1:9/")
    assert "kueue-v0.19.2: 1 CRDs already there" in r.err
