"""Shared fixtures: the objects of deploy/base, by kind and name."""

from __future__ import annotations

from typing import Any

import pytest

from manifests import BASE, EXPECTED, load_documents


@pytest.fixture(scope="session")
def base_kustomization() -> dict[str, Any]:
    return load_documents(BASE / "kustomization.yaml")[0]


@pytest.fixture(scope="session")
def base_objects(base_kustomization: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The objects of deploy/base, by (kind, name), from the files the kustomization lists."""
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for resource in base_kustomization["resources"]:
        for doc in load_documents(BASE / resource):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in objects, f"{key} is defined twice"
            objects[key] = doc
    return objects


@pytest.fixture(scope="session")
def workload(base_objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    return base_objects[(EXPECTED["workload_kind"], EXPECTED["name"])]


@pytest.fixture(scope="session")
def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


@pytest.fixture(scope="session")
def server(pod_spec: dict[str, Any]) -> dict[str, Any]:
    """The model server container."""
    return next(c for c in pod_spec["containers"] if c["name"] == "server")
