"""Hostile catalogs built in tmp dirs, and fingerprints that prove nothing else was written."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from tests.helpers import build_file_tree


def fingerprint(root: Path, *, contents: bool = True) -> str:
    """A hash of everything below ``root``: names, kinds, modes, bytes, link targets.

    Never follows a symlink and never opens a special file (a FIFO would block).
    """
    h = hashlib.sha256()
    if not root.exists() and not root.is_symlink():
        return "absent"
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            info = path.lstat()
            h.update(f"{path.relative_to(root)}\0{stat.S_IFMT(info.st_mode)}\0".encode())
            if stat.S_ISLNK(info.st_mode):
                h.update(str(path.readlink()).encode())
            elif stat.S_ISREG(info.st_mode):
                h.update(f"{info.st_mode & 0o777} {info.st_size}".encode())
                if contents:
                    h.update(path.read_bytes())
    return h.hexdigest()


def copier_catalog(
    root: Path, files: Mapping[str, str | bytes], copier_yml: str = "name:\n  type: str\n"
) -> Path:
    """Golden path ``evil`` 1.0.0: ``copier.yml`` plus ``files`` under ``template/``."""
    gp = root / "templates" / "evil"
    build_file_tree(gp, {"golden-path.yml": "title: Evil\ndescription: hostile\n"})
    build_file_tree(
        gp / "1.0.0",
        {
            "copier.yml": "_subdirectory: template\n" + copier_yml,
            **{f"template/{k}": v for k, v in files.items()},
        },
    )
    return root


def cookiecutter_catalog(
    root: Path,
    files: Mapping[str, str | bytes],
    context: Mapping[str, object] | None = None,
    project: str = "{{cookiecutter.project_slug}}",
) -> Path:
    """Golden path ``evil`` 1.0.0 as a cookiecutter template: ``files`` under ``project``."""
    gp = root / "templates" / "evil"
    build_file_tree(gp, {"golden-path.yml": "title: Evil\ndescription: hostile\n"})
    build_file_tree(
        gp / "1.0.0",
        {
            "cookiecutter.json": json.dumps(context or {"project_slug": "demo", "name": "n"}),
            **{f"{project}/{k}": v for k, v in files.items()},
        },
    )
    return root


def version_dir(catalog: Path) -> Path:
    return catalog / "templates" / "evil" / "1.0.0"
