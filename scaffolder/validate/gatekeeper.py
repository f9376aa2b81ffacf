"""Gatekeeper constraints, validated offline against the repo's own ConstraintTemplates.

Gatekeeper makes a CRD for every ConstraintTemplate when the template is applied: kind
``spec.crd.spec.names.kind`` in the group ``constraints.gatekeeper.sh``, whose ``spec`` holds
``match`` (Gatekeeper's match schema), ``enforcementAction``, ``scopedEnforcementActions`` and
``parameters`` (the template's ``spec.crd.spec.validation.openAPIV3Schema``). No CRD file of
a constraint exists before a cluster runs, so ``validate`` derives the same schema from the
templates in the repo: constraints are then checked strictly and offline, like any custom
resource. The match schema is Gatekeeper's own generated one (the ``match.gatekeeper.sh``
DummyCRD of ``pkg/target/matchcrd_constant.go``, kept in the pinned gatekeeper CRD folder);
without it ``match`` is accepted as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scaffolder.validate.crds import Crd, CrdIndex, CrdVersion

CONSTRAINTS_GROUP = "constraints.gatekeeper.sh"
TEMPLATES_GROUP = "templates.gatekeeper.sh"
# The API versions Gatekeeper serves every constraint kind at.
CONSTRAINT_VERSIONS = ("v1beta1", "v1alpha1", "v1")
ANY = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def is_template(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "ConstraintTemplate"
        and str(doc.get("apiVersion", "")).startswith(TEMPLATES_GROUP + "/")
    )


def with_constraint_templates(index: CrdIndex, templates: Iterable[Mapping[str, Any]]) -> CrdIndex:
    """``index`` plus the constraint CRD of every template (a new index; ``index`` is cached)."""
    derived = {}
    for template in templates:
        crd = constraint_crd(template, _match_schema(index))
        if crd is not None:
            derived[(crd.group, crd.kind)] = crd
    if not derived:
        return index
    return CrdIndex(crds={**index.crds, **derived}, folders=list(index.folders))


def constraint_crd(template: Mapping[str, Any], match: Mapping[str, Any]) -> Crd | None:
    spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    crd_spec = ((spec or {}).get("crd") or {}).get("spec") or {}
    kind = (crd_spec.get("names") or {}).get("kind")
    if not kind:
        return None
    validation = crd_spec.get("validation") or {}
    parameters = validation.get("openAPIV3Schema")
    if not isinstance(parameters, dict) or validation.get("legacySchema"):
        parameters = ANY
    name = (template.get("metadata") or {}).get("name", kind.lower())
    schema = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "properties": {
                    "match": match,
                    "enforcementAction": {"type": "string"},
                    "scopedEnforcementActions": {"type": "array", "items": ANY},
                    "parameters": parameters,
                },
            },
            "status": ANY,
        },
    }
    crd = Crd(CONSTRAINTS_GROUP, str(kind), f"ConstraintTemplate {name}")
    for version in CONSTRAINT_VERSIONS:
        crd.versions[version] = CrdVersion(version, True, schema)
    return crd


def _match_schema(index: CrdIndex) -> Mapping[str, Any]:
    dummy = index.crds.get(("match.gatekeeper.sh", "DummyCRD"))
    if dummy is None:
        return ANY
    for version in dummy.versions.values():
        props = (version.schema or {}).get("properties") or {}
        if isinstance(props.get("embeddedMatch"), dict):
            return dict(props["embeddedMatch"])
    return ANY
