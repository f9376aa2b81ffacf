"""`scaffolder crds fetch` against a mirror on localhost: CRDs kept, other objects dropped."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaffolder.crds_fetch import SOURCES
from tests.helpers import build_file_tree, run_cli

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
    root = tmp_path / "mirror"
    _, paths = SOURCES["kueue"]
    build_file_tree(root, {p.format(version="v0.19.2"): CRD for p in paths})
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[method-assign, assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_fetch_for_a_repo(capsys: pytest.CaptureFixture[str], mirror: str, tmp_path: Path) -> None:
    repo = tmp_path / "job"
    r = run_cli(
        capsys, "new", "training-job", repo, "-d", "name=train", "-d", "gpu_count=0", "--no-git"
    )
    assert r.code == 0, r.err
    crd_dir = tmp_path / "crds"
    # training-job pins kueue and jobset; the mirror only has kueue.
    r = run_cli(capsys, "crds", "fetch", "--crd-dir", crd_dir, "--repo", repo, "--mirror", mirror)
    assert r.code == 1 and "jobset" in r.err and "cannot download" in r.err
    assert (crd_dir / "kueue-v0.19.2/widgets.example.com.yaml").is_file()
    assert len(list((crd_dir / "kueue-v0.19.2").iterdir())) == 1, "only the CRD is kept"
    r = run_cli(
        capsys,
        "crds",
        "fetch",
        "--crd-dir",
        crd_dir,
        "--repo",
        repo,
        "--mirror",
        "http://127.0.0.1:9/",
    )
    assert "kueue-v0.19.2: 1 CRDs already there" in r.err
