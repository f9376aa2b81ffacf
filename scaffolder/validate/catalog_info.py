"""Backstage catalog-info.yaml checked as catalog entities.

The envelope rules (apiVersion, kind, metadata.name format, annotation keys) and the required
spec fields of the kinds golden paths generate follow the Backstage catalog model's
documentation. The Backstage module's tests check the same files with Backstage's own
published validators.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

NAME = re.compile(r"^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$")
# Annotation keys: an optional DNS-subdomain prefix and a name part, as in Kubernetes.
KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$"
)
REQUIRED_SPEC = {
    "Component": ("type", "lifecycle", "owner"),
    "API": ("type", "lifecycle", "owner", "definition"),
    "Resource": ("type", "owner"),
    "System": ("owner",),
    "Domain": ("owner",),
    "Group": ("type", "children"),
    "User": (),
    "Location": (),
    "Template": ("type", "steps"),
}


def entity_problems(entity: Any) -> Iterator[tuple[str, str]]:
    """(field, message) for each way ``entity`` is not a valid Backstage entity."""
    if not isinstance(entity, dict):
        yield "(root)", "an entity must be a mapping"
        return
    api_version = entity.get("apiVersion")
    if not isinstance(api_version, str) or not (
        api_version.startswith("backstage.io/")
        or api_version.startswith("scaffolder.backstage.io/")
    ):
        yield "apiVersion", f"expected backstage.io/v1alpha1 (or v1beta1), got {api_version!r}"
    kind = str(entity.get("kind"))
    if kind not in REQUIRED_SPEC:
        yield "kind", f"unknown entity kind {kind!r}; one of: {', '.join(REQUIRED_SPEC)}"
    metadata = entity.get("metadata")
    if not isinstance(metadata, dict):
        yield "metadata", "metadata is required"
        return
    name = metadata.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        yield "metadata.name", f"{name!r} is not a valid entity name (1-63 of [a-zA-Z0-9-_.])"
    for section in ("annotations", "labels"):
        values = metadata.get(section) or {}
        if not isinstance(values, dict):
            yield f"metadata.{section}", "must be a mapping"
            continue
        for key, value in values.items():
            if not KEY.match(str(key)):
                yield f"metadata.{section}.{key}", "not a valid key"
            if not isinstance(value, str):
                yield f"metadata.{section}.{key}", f"values must be strings, got {value!r}"
    spec = entity.get("spec")
    if REQUIRED_SPEC.get(kind):
        if not isinstance(spec, dict):
            yield "spec", f"{kind} needs a spec"
            return
        for key in REQUIRED_SPEC[kind]:
            if key not in spec or spec[key] in (None, ""):
                yield f"spec.{key}", f"{kind} needs spec.{key}"
