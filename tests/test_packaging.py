"""The wheel carries the built-in catalog: a non-editable install finds every golden path."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.e2e


def test_wheel_install_has_the_catalog(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(next(iter(WheelBuilder(str(REPO_ROOT)).build(directory=str(tmp_path)))))
    names = zipfile.ZipFile(wheel).namelist()
    assert "scaffolder/_catalog/templates/service/1.0.0/copier.yml" in names
    assert "scaffolder/_catalog/templates/service/2.0.0/migrations.yml" in names
    assert "scaffolder/reports/audit.html.jinja" in names
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    script = (
        "import json; from scaffolder.catalog import builtin_catalog_path;"
        "from scaffolder.cli import main; print(builtin_catalog_path()); "
        "main(['list', '--json'])"
    )
    # -S skips .pth files, so the checkout's editable install cannot shadow the wheel; the
    # dependencies come from this environment's site-packages, after the wheel.
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    result = subprocess.run(
        [sys.executable, "-S", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": f"{site}:{deps}", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    catalog_path, listing = result.stdout.split("\n", 1)
    assert catalog_path.startswith(str(site)), "the installed wheel's own catalog is used"
    versions = {gp["name"]: gp["versions"] for gp in json.loads(listing)}
    assert versions["service"] == ["1.0.0", "1.1.0", "2.0.0", "2.1.0"]
    assert {"inference-service", "training-job"} <= set(versions)
