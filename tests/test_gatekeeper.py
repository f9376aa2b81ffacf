"""Gatekeeper constraints validate offline against schemas derived from the repo's
ConstraintTemplates (scaffolder/validate/gatekeeper.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scaffolder.validate import crds
from scaffolder.validate.gatekeeper import with_constraint_templates
from scaffolder.validate.runner import validate_repo
from tests.helpers import build_file_tree

TEMPLATE: dict[str, Any] = {
    "apiVersion": "templates.gatekeeper.sh/v1",
    "kind": "ConstraintTemplate",
    "metadata": {"name": "k8srequiredlabels"},
    "spec": {
        "crd": {
            "spec": {
                "names": {"kind": "K8sRequiredLabels"},
                "validation": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {"labels": {"type": "array", "items": {"type": "string"}}},
                    }
                },
            }
        },
        "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": "package x"}],
    },
}
# Gatekeeper's generated match schema lives in a DummyCRD of group match.gatekeeper.sh.
MATCH_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "matchcrd.match.gatekeeper.sh"},
    "spec": {
        "group": "match.gatekeeper.sh",
        "names": {"kind": "DummyCRD", "plural": "matchcrd"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "match",
                "served": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "embeddedMatch": {
                                "type": "object",
                                "properties": {
                                    "excludedNamespaces": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    }
                                },
                            }
                        },
                    }
                },
            }
        ],
    },
}


def constraint(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": "K8sRequiredLabels",
        "metadata": {"name": "require-team"},
        "spec": spec,
    }


def messages(index: crds.CrdIndex, obj: dict[str, Any]) -> list[str]:
    crd = index.lookup(obj["apiVersion"], obj["kind"])
    assert crd is not None
    return [e.message for e in crds.errors(index, crd, obj)]


def test_parameters_follow_the_templates_schema() -> None:
    index = with_constraint_templates(crds.CrdIndex(), [TEMPLATE])
    assert messages(index, constraint(parameters={"labels": ["team"]})) == []
    assert messages(index, constraint(parameters={"labels": "team"})) == [
        "'team' is not of type 'array'"
    ]
    (unknown,) = messages(index, constraint(parameters={"label": ["team"]}))
    assert "'label' was unexpected" in unknown
    # Without Gatekeeper's match schema, match is taken as written.
    assert messages(index, constraint(match={"anything": True})) == []


def test_match_uses_gatekeepers_generated_schema(tmp_path: Path) -> None:
    folder = tmp_path / "crds" / "gatekeeper-v3.22.2"
    folder.mkdir(parents=True)
    (folder / "match-crd.yaml").write_text(yaml.safe_dump(MATCH_CRD))
    index = with_constraint_templates(crds.load_index(tmp_path / "crds"), [TEMPLATE])
    assert messages(index, constraint(match={"excludedNamespaces": ["kube-system"]})) == []
    (unknown,) = messages(index, constraint(match={"excludedNamespace": ["kube-system"]}))
    assert "'excludedNamespace' was unexpected" in unknown


def test_validate_checks_constraints_against_the_repos_templates(tmp_path: Path) -> None:
    repo = build_file_tree(
        tmp_path / "repo",
        {
            "policies/template.yaml": yaml.safe_dump(TEMPLATE),
            "policies/constraint.yaml": yaml.safe_dump(
                constraint(parameters={"labels": ["team"], "extra": 1})
            ),
        },
    )
    crd_dir = tmp_path / "crds" / "gatekeeper-v3.22.2"
    crd_dir.mkdir(parents=True)
    report = validate_repo(repo, crds_options(tmp_path / "crds"))
    found = [(f.file, f.message) for f in report.findings if f.check == "crds"]
    assert any(
        file == "policies/constraint.yaml"
        and "unknown field 'extra'" in message
        and "ConstraintTemplate k8srequiredlabels" in message
        for file, message in found
    ), found


def crds_options(crd_dir: Path) -> Any:
    from scaffolder.validate.runner import ValidateOptions

    return ValidateOptions(kubernetes_version="1.35", crd_dir=crd_dir)
