"""Backstage Template entities (scaffolder.backstage.io/v1beta3) exported from golden paths.

One Template per golden path that makes a new repo: the form comes from the questions' JSON
Schema with Backstage widgets added (OwnerPicker for the owner, Secret for secret questions,
RepoUrlPicker for where to publish), and the steps are ``fetch:golden-path`` (our action), a
configurable ``publish:*`` step and ``catalog:register``. The same answers reach the same
generator as on the command line, so repos born in the portal diff and upgrade like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scaffolder.catalog import Catalog, GoldenPath
from scaffolder.generate import renderer_for
from scaffolder.names import escape_expressions
from scaffolder.schema import questions_schema

ACTION_ID = "fetch:golden-path"
OWNER_NAMES = ("owner", "team")


@dataclass(frozen=True)
class ExportOptions:
    publish_action: str = "publish:github"
    allowed_hosts: tuple[str, ...] = ("github.com",)
    namespace: str = "default"


def _ui(schema: dict[str, Any], name: str) -> None:
    """Backstage widgets for the properties that have a better one than a text box."""
    if schema.pop("x-scaffolder-secret", False):
        schema["ui:field"] = "Secret"
    if name in OWNER_NAMES and schema.get("type") == "string":
        schema["ui:field"] = "OwnerPicker"
        schema["ui:options"] = {"catalogFilter": [{"kind": "Group"}]}
        schema.pop("default", None)  # the picker answers entity refs, not the bare default
    if schema.get("type") == "array" and "enum" in schema.get("items", {}):
        schema["ui:widget"] = "checkboxes"
    default = schema.pop("x-scaffolder-default", None)
    if default is not None:
        schema["description"] = (
            schema.get("description", "") + f" Default: computed by the golden path ({default})."
        ).strip()
    schema.pop("x-scaffolder-when", None)


def _walk(schema: dict[str, Any]) -> None:
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict) and "title" in prop:
            _ui(prop, name)
            if prop.get("ui:field") == "OwnerPicker" and name not in schema.get("required", []):
                # Without its default, an empty owner would reach the generator as an
                # unrendered expression: the form asks for one instead.
                schema.setdefault("required", []).append(name)
    for dep in (schema.get("dependencies") or {}).values():
        for branch in dep.get("oneOf", []):
            _walk(branch)


def _value(name: str, schema: dict[str, Any]) -> str:
    if schema.get("ui:field") == "Secret":
        return "${{ secrets." + name + " }}"
    if schema.get("ui:field") == "OwnerPicker":
        # OwnerPicker answers an entity ref (group:default/payments); the golden path wants
        # the group's name.
        return (
            "${{ parameters." + name + " | parseEntityRef({ defaultKind: 'group', "
            "defaultNamespace: 'default' }) | pick('name') }}"
        )
    return "${{ parameters." + name + " }}"


def template_entity(gp: GoldenPath, options: ExportOptions) -> dict[str, Any]:
    version = gp.latest
    config = renderer_for(version).config
    schema = questions_schema(config.questions, title=gp.title)
    _walk(schema)
    form = {k: v for k, v in schema.items() if k != "$schema"}
    form["title"] = f"{gp.title} ({gp.name} {version.version})"
    values: dict[str, str] = {}
    for props in [form.get("properties") or {}] + [
        b.get("properties") or {}
        for d in (form.get("dependencies") or {}).values()
        for b in d.get("oneOf", [])
    ]:
        for name, prop in props.items():
            if isinstance(prop, dict) and "title" in prop:
                values[name] = _value(name, prop)
    repo_step = {
        "title": "Where to publish",
        "required": ["repoUrl"],
        "properties": {
            "repoUrl": {
                "title": "Repository location",
                "type": "string",
                "ui:field": "RepoUrlPicker",
                "ui:options": {"allowedHosts": list(options.allowed_hosts)},
            }
        },
    }
    description = gp.description or gp.title
    entity = {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {
            "name": gp.name,
            "namespace": options.namespace,
            "title": gp.title,
            "description": description,
            "tags": sorted({*gp.tags, "golden-path"}),
            "annotations": {
                "scaffolder.dev/golden-path": gp.name,
                "scaffolder.dev/golden-path-version": version.version,
            },
        },
        "spec": {
            "owner": f"group:{gp.owner}" if gp.owner else "group:platform-team",
            "type": gp.kind,
            "parameters": [form, repo_step],
            "steps": [
                {
                    "id": "fetch",
                    "name": f"Generate from golden path {gp.name}",
                    "action": ACTION_ID,
                    "input": {"goldenPath": gp.name, "version": version.version, "values": values},
                },
                {
                    "id": "publish",
                    "name": "Publish",
                    "action": options.publish_action,
                    "input": {
                        "repoUrl": "${{ parameters.repoUrl }}",
                        "description": description,
                        "defaultBranch": "main",
                    },
                },
                {
                    "id": "register",
                    "name": "Register in the catalog",
                    "action": "catalog:register",
                    "input": {
                        "repoContentsUrl": "${{ steps['publish'].output.repoContentsUrl }}",
                        "catalogInfoPath": "/catalog-info.yaml",
                    },
                },
            ],
            "output": {
                "links": [
                    {"title": "Repository", "url": "${{ steps['publish'].output.remoteUrl }}"},
                    {
                        "title": "Open in catalog",
                        "icon": "catalog",
                        "entityRef": "${{ steps['register'].output.entityRef }}",
                    },
                ]
            },
        },
    }
    # Text from the golden path never forms an expression; only ours below are evaluated.
    ours = frozenset({*values.values(), *_OUR_EXPRESSIONS})
    return escape_expressions(entity, keep=ours)  # type: ignore[no-any-return]


_OUR_EXPRESSIONS = (
    "${{ parameters.repoUrl }}",
    "${{ steps['publish'].output.repoContentsUrl }}",
    "${{ steps['publish'].output.remoteUrl }}",
    "${{ steps['register'].output.entityRef }}",
)


def export_templates(
    catalog: Catalog, outdir: Path, options: ExportOptions, names: Iterable[str] = ()
) -> list[Path]:
    """Write ``<outdir>/<name>/template.yaml`` per golden path, and a Location for them all."""
    chosen = [catalog.get(n) for n in names] or [gp for gp in catalog if gp.target == "new-repo"]
    entities = [(gp, template_entity(gp, options)) for gp in chosen]  # all, before any write
    written = []
    for gp, entity in entities:
        path = outdir / gp.name / "template.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump(entity, sort_keys=False, width=100, allow_unicode=True),
            encoding="utf-8",
        )
        written.append(path)
    location = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": "scaffolder-golden-paths",
            "description": "Golden paths exported by scaffolder",
        },
        "spec": {"targets": [f"./{p.parent.name}/template.yaml" for p in written]},
    }
    (outdir / "catalog-info.yaml").write_text(
        yaml.safe_dump(location, sort_keys=False), encoding="utf-8"
    )
    return [*written, outdir / "catalog-info.yaml"]
