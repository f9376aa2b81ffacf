"""Fixtures of the end-to-end tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from tests.e2e.baseline_repos import Make
from tests.e2e.test_platform_contract import baseline_answers


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory) -> Make:
    """Generate a baseline of the contract matrix, with answers changed; once per answers."""
    cache: dict[str, Path] = {}

    def get(name: str, **changes: Any) -> Path:
        key = repr((name, sorted(changes.items())))
        if key not in cache:
            dest = tmp_path_factory.mktemp(name) / "baseline"
            data = {**baseline_answers(name), **changes}
            generate(plan(load_catalog(), "cluster-baseline", data=data), dest, git=False)
            cache[key] = dest
        return cache[key]

    return get
