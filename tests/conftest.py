"""Hermetic tests: no writes to $HOME, an isolated git identity and config, no user catalog."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaffolder import catalog as catalog_module
from scaffolder import engines as engines_module
from scaffolder import template as template_module
from scaffolder.validate import crds as crds_module
from tests.helpers import REPO_ROOT


@pytest.fixture(autouse=True)
def hermetic_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "scaffolder-tests" if "NAME" in var else "tests@example.invalid")
    monkeypatch.delenv(catalog_module.ENV_VAR, raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables do not wrap what tests look for
    # validate reads the CRD schemas built into the package, whatever the developer's shell has.
    monkeypatch.delenv(crds_module.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", f"{REPO_ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}")
    yield
    # Catalog and template loads are cached per process; tests build catalogs in tmp dirs.
    catalog_module._load.cache_clear()
    template_module.load_template_config.cache_clear()
    engines_module.forget_renderers()


@pytest.fixture
def demo_catalog(tmp_path: Path) -> Path:
    from tests.helpers import build_demo_catalog

    return build_demo_catalog(tmp_path / "catalog")


@pytest.fixture
def forge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """gh and glab on PATH as the recording stand-in; returns its state file."""
    standin = Path(__file__).with_name("forge_standin.py")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("gh", "glab"):
        wrapper = bin_dir / tool
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{standin}" {tool} "$@"\n')
        wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FORGE_LOG", str(tmp_path / "forge.log"))
    monkeypatch.setenv("FORGE_STATE", str(tmp_path / "forge.json"))
    return tmp_path / "forge.json"
