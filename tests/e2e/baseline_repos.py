"""What a generated baseline's environments sync (kustomize builds), for the tests of
1.2.0's platform components; their fixture ``make`` is in tests/e2e/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from scaffolder.validate.kustomize import build

Make = Callable[..., Path]


def synced(repo: Path, env: str) -> list[dict[str, Any]]:
    """What the cluster of ``env`` syncs first: its Applications or Flux objects."""
    objects, error = build(repo, Path("clusters") / env / "apps")
    assert error is None, error
    return objects


def named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def values(repo: Path, release: str) -> dict[str, Any]:
    path = repo / "platform" / "releases" / release / "values.yaml"
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data
