"""Strict validation of built-in Kubernetes kinds against one Kubernetes version.

The schemas come from kubernetes-validate's data (one strict schema per kind and API version,
per Kubernetes minor). Its ``validate()`` re-reads the large definitions file for every object;
we build one validator per (version, kind, apiVersion) and reuse it across a repo or a fleet.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from packaging.version import Version
from referencing import Registry, Resource


class UnknownKind(Exception):
    """No built-in schema: the object is a custom resource (or a typo'd kind)."""


class UnsupportedVersion(Exception):
    """kubernetes-validate ships no schemas for that Kubernetes version."""


def supported_versions() -> list[str]:
    from kubernetes_validate import utils

    return list(utils.all_versions())


def _minor(version: str) -> str:
    match = re.match(r"v?(\d+\.\d+)", version)
    if not match:
        raise UnsupportedVersion(version)
    return match.group(1)


@functools.cache
def _schema_dir(version: str) -> str:
    wanted = Version(_minor(version))
    candidates = [v for v in supported_versions() if Version(_minor(v)) <= wanted]
    newest = Version(_minor(supported_versions()[-1]))
    if not candidates or wanted > newest:
        raise UnsupportedVersion(version)
    return f"kubernetes-json-schema/v{candidates[-1]}-local-strict"


@functools.cache
def _definitions(schema_dir: str) -> Resource[Any]:
    from kubernetes_validate import utils

    return Resource.from_contents(utils.schema_contents(f"{schema_dir}/_definitions.json", ""))


@functools.cache
def validator_for(version: str, api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    from kubernetes_validate import utils

    schema_dir = _schema_dir(version)
    # kubernetes-validate names files kind-group-version: apps/v1 -> apps-v1,
    # rbac.authorization.k8s.io/v1 -> rbac-v1, v1 -> v1.
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(f"{schema_dir}/{kind.lower()}-{api}.json", version)
    except FileNotFoundError:
        raise UnknownKind(f"{api_version}/{kind}") from None
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = _definitions(schema_dir) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


def errors(obj: dict[str, Any], version: str) -> Iterator[ValidationError]:
    """Every schema violation of ``obj``; raises :class:`UnknownKind` for custom resources."""
    validator = validator_for(version, str(obj.get("apiVersion")), str(obj.get("kind")))
    yield from validator.iter_errors(obj)


def describe(error: ValidationError) -> tuple[str, str]:
    """(dotted field path, message) for a schema error, deepest cause first."""
    best = error
    if error.context:
        best = min(error.context, key=lambda e: (-len(e.absolute_path), str(e.message)))
    path = ".".join(str(p) for p in best.absolute_path) or "(root)"
    message = best.message
    if best.validator == "additionalProperties":
        unexpected = re.findall(r"'([^']+)'", message.rsplit("(", 1)[-1])
        message = "unknown field " + ", ".join(repr(u) for u in unexpected)
    return path, message
