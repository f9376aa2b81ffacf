"""The kustomize base and overlays are complete and their patches hit real objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifests import BASE, EXPECTED, OVERLAYS, load_documents

Objects = dict[tuple[str, str], dict[str, Any]]


def test_every_yaml_file_parses() -> None:
    for path in sorted(Path(BASE).parent.rglob("*.yaml")):
        assert load_documents(path), f"{path} is empty"


def test_base_lists_every_manifest(base_kustomization: dict[str, Any]) -> None:
    listed = set(base_kustomization["resources"])
    present = {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


def test_base_labels_every_object_with_team_and_cost_center(
    base_kustomization: dict[str, Any],
) -> None:
    (labels,) = base_kustomization["labels"]
    assert {"team", "cost-center", "app.kubernetes.io/name"} <= labels["pairs"].keys()
    assert labels["includeSelectors"] is False


def test_one_overlay_per_environment() -> None:
    assert sorted(p.name for p in OVERLAYS.iterdir()) == sorted(EXPECTED["environments"])


@pytest.mark.parametrize("environment", EXPECTED["environments"])
def test_overlay_builds_on_the_base(environment: str, base_objects: Objects) -> None:
    (overlay,) = load_documents(OVERLAYS / environment / "kustomization.yaml")
    assert overlay["resources"] == ["../../base"]
    assert {"environment": environment} in [entry["pairs"] for entry in overlay["labels"]]
    for patch in overlay.get("patches", []):
        target = patch["target"]
        assert (target["kind"], target["name"]) in base_objects, f"patch target {target} missing"
