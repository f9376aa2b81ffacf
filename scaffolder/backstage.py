"""Backstage Template entities (scaffolder.backstage.io/v1beta3) exported from golden paths.

One Template per golden path that makes a new repo: the form comes from the questions' JSON
Schema, split into pages (:mod:`scaffolder.backstage_pages`), with Backstage widgets added
(EntityNamePicker for names, OwnerPicker for the owner, Secret for secret questions,
RepoUrlPicker for where to publish), and the steps are ``fetch:golden-path`` (our action), a
configurable ``publish:*`` step and ``catalog:register``. Beside it, an "Upgrade <golden
path>" Template opens a pull request moving a repo to a newer version
(:mod:`scaffolder.backstage_upgrade`). A question the publish step already
answers (the repo's URL) is not asked again. Files are written by
:mod:`scaffolder.backstage_files`, which merges the Location and keeps edited files. The
same answers reach the same generator as on the command line, so repos born in the portal
diff and upgrade like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scaffolder.backstage_files import write_export
from scaffolder.backstage_pages import declared_pages, default_pages, is_name_like, split_pages
from scaffolder.backstage_upgrade import upgrade_template_entity, upgrade_template_name
from scaffolder.catalog import METADATA_FILE, Catalog, GoldenPath
from scaffolder.generate import renderer_for
from scaffolder.names import escape_expressions
from scaffolder.questions import Question
from scaffolder.schema import questions_schema

ACTION_ID = "fetch:golden-path"
OWNER_NAMES = ("owner", "team")
# Questions the publish step answers: the URL the repo gets, and the branch it pushes.
REPO_URL_NAMES = ("repo_url", "repository_url")
REPO_BRANCH_NAMES = ("repo_branch", "default_branch")
# The RepoUrlPicker's answer (host?owner=o&repo=r) as the clone URL a golden path asks for.
REPO_URL_VALUE = (
    "https://${{ (parameters.repoUrl | parseRepoUrl).host }}"
    "/${{ (parameters.repoUrl | parseRepoUrl).owner }}"
    "/${{ (parameters.repoUrl | parseRepoUrl).repo }}.git"
)


@dataclass(frozen=True)
class ExportOptions:
    publish_action: str = "publish:github"
    allowed_hosts: tuple[str, ...] = ("github.com",)
    namespace: str = "default"


def _ui(schema: dict[str, Any], name: str, entity_name: str | None = None) -> None:
    """Backstage widgets for the properties that have a better one than a text box."""
    if schema.pop("x-scaffolder-secret", False):
        schema["ui:field"] = "Secret"
    elif name == entity_name and schema.get("type") == "string" and "enum" not in schema:
        # Backstage's picker for entity names: validates the format as the user types.
        schema["ui:field"] = "EntityNamePicker"
    if schema.pop("x-scaffolder-format", None):
        schema["ui:widget"] = "textarea"  # YAML or JSON text, parsed by the golden path
    if name in OWNER_NAMES and schema.get("type") == "string":
        schema["ui:field"] = "OwnerPicker"
        schema["ui:options"] = {"catalogFilter": [{"kind": "Group"}]}
        schema.pop("default", None)  # the picker answers entity refs, not the bare default
    if schema.get("type") == "array" and "enum" in schema.get("items", {}):
        schema["ui:widget"] = "checkboxes"
    # Choice labels: rjsf 5 (Backstage's form library) deprecates `enumNames` in the schema
    # for `ui:enumNames` on the field, for a select and a checkbox list alike.
    labels = schema.pop("enumNames", None) or schema.get("items", {}).pop("enumNames", None)
    if labels:
        schema["ui:enumNames"] = labels
    default = schema.pop("x-scaffolder-default", None)
    if default is not None:
        schema["description"] = (
            schema.get("description", "") + f" Default: computed by the golden path ({default})."
        ).strip()
    schema.pop("x-scaffolder-when", None)


def _walk(schema: dict[str, Any], entity_name: str | None = None) -> None:
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict) and "title" in prop:
            _ui(prop, name, entity_name)
            if prop.get("ui:field") == "OwnerPicker" and name not in schema.get("required", []):
                # Without its default, an empty owner would reach the generator as an
                # unrendered expression: the form asks for one instead.
                schema.setdefault("required", []).append(name)
    for dep in (schema.get("dependencies") or {}).values():
        for branch in dep.get("oneOf", []):
            _walk(branch, entity_name)


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


def _entity_name(schema: dict[str, Any]) -> str | None:
    """The question that names the new repo's entity: ``name``, else the first ``*_name``
    (``cluster_name``); it gets Backstage's EntityNamePicker."""
    names = [n for n in schema.get("properties") or {} if is_name_like(n)]
    return "name" if "name" in names else next(iter(names), None)


def _publish_answers(questions: list[Question]) -> dict[str, str]:
    """Answers the publish step gives, so that the form does not ask them twice."""
    return {
        q.name: REPO_URL_VALUE for q in questions if q.name in REPO_URL_NAMES and q.type == "str"
    }


def _repo_step(
    options: ExportOptions, *, asks_description: bool, description: str
) -> dict[str, Any]:
    """The last page: where to publish, and the repo description when no question asks it."""
    properties: dict[str, Any] = {
        "repoUrl": {
            "title": "Repository location",
            "type": "string",
            "ui:field": "RepoUrlPicker",
            "ui:options": {"allowedHosts": list(options.allowed_hosts)},
        }
    }
    if not asks_description:
        properties["description"] = {
            "title": "Description",
            "description": "One line about the repo, shown on the Git host.",
            "type": "string",
            "default": description,
        }
    return {"title": "Where to publish", "required": ["repoUrl"], "properties": properties}


def _form_pages(gp: GoldenPath, schema: dict[str, Any], version: str) -> list[dict[str, Any]]:
    """The questions' pages, the first titled with the version and its first field focused."""
    pages = split_pages(
        schema,
        declared_pages(gp) or default_pages(schema, gp.title),
        source=str(gp.root / METADATA_FILE),
    )
    if pages:  # a golden path may ask nothing: the form is then the publish page alone
        pages[0]["title"] = f"{gp.title} ({gp.name} {version})"
        next(iter(pages[0]["properties"].values()))["ui:autofocus"] = True
    return pages


def _owner(gp: GoldenPath) -> str:
    return f"group:{gp.owner}" if gp.owner else "group:platform-team"


def template_entity(gp: GoldenPath, options: ExportOptions) -> dict[str, Any]:
    version = gp.latest
    config = renderer_for(version).config
    publish_answers = _publish_answers(list(config.questions))
    asked = [q for q in config.questions if q.name not in publish_answers]
    schema = questions_schema(asked, title=gp.title)
    _walk(schema, _entity_name(schema))
    pages = _form_pages(gp, schema, version.version)
    values: dict[str, str] = dict(publish_answers)
    for props in [page.get("properties") or {} for page in pages] + [
        b.get("properties") or {}
        for page in pages
        for d in (page.get("dependencies") or {}).values()
        for b in d.get("oneOf", [])
    ]:
        for name, prop in props.items():
            if isinstance(prop, dict) and "title" in prop:
                values[name] = _value(name, prop)
    description = gp.description or gp.title
    repo_step = _repo_step(
        options, asks_description="description" in values, description=description
    )
    branch = next((f"${{{{ parameters.{n} }}}}" for n in REPO_BRANCH_NAMES if n in values), "main")
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
            "owner": _owner(gp),
            "type": gp.kind,
            "parameters": [*pages, repo_step],
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
                        "description": "${{ parameters.description }}",
                        "defaultBranch": branch,
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
    ours = frozenset({*values.values(), branch, *_OUR_EXPRESSIONS})
    return escape_expressions(entity, keep=ours)  # type: ignore[no-any-return]


_OUR_EXPRESSIONS = (
    "${{ parameters.repoUrl }}",
    "${{ parameters.description }}",
    "${{ steps['publish'].output.repoContentsUrl }}",
    "${{ steps['publish'].output.remoteUrl }}",
    "${{ steps['register'].output.entityRef }}",
)


def _new_questions_page(gp: GoldenPath) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The Upgrade Template's page for the questions the latest version asks without a default
    that the first version did not ask (repos made before have no answer), and the values
    that pass them on. The fields are optional: left empty, the recorded answer stays.

    A question asked only for some answers (``when``) is on the page too. When its ``when``
    tests one of the other new questions, it is shown only for the answers that ask it (the
    ``dependencies`` branches the new-repo form uses); otherwise (it tests a recorded answer,
    which the form does not know, or more than one switch) it is always shown, saying when
    it is needed. Either way an answer the repo does not need is harmless: the CLI ignores
    (and does not record) answers to questions that do not apply."""
    latest = renderer_for(gp.latest).config.questions
    first = {q.name for q in renderer_for(gp.versions[0]).config.questions}
    new = [q for q in latest if q.required and not q.computed and q.name not in first]
    if not new:
        return None, {}
    schema = questions_schema(new)
    when = {q.name: q.when for q in new if isinstance(q.when, str)}
    for name, prop in (schema.get("properties") or {}).items():
        if name in when:  # not in a branch: the form cannot tell whether it applies
            condition = when[name].strip().removeprefix("{{").removesuffix("}}").strip()
            prop["description"] = (
                prop.get("description", "") + f" Needed only when: {condition}."
            ).strip()
    _walk(schema)
    page: dict[str, Any] = {
        "title": "New questions",
        "description": (
            f"Asked by {gp.name} {gp.latest.version} without a default. A repo made before "
            "they were asked needs an answer; left empty, a recorded answer stays."
        ),
        "properties": schema.get("properties") or {},
    }
    branches = [
        branch
        for dep in (schema.get("dependencies") or {}).values()
        for branch in dep.get("oneOf", [])
    ]
    for branch in branches:
        branch.pop("required", None)  # optional like the rest of the page
    if branches:
        page["dependencies"] = schema["dependencies"]
    values = {
        name: _value(name, prop)
        for props in [page["properties"], *(b.get("properties") or {} for b in branches)]
        for name, prop in props.items()
        if isinstance(prop, dict) and "title" in prop  # not a branch's `const` of its switch
    }
    return escape_expressions(page), values


def export_templates(
    catalog: Catalog,
    outdir: Path,
    options: ExportOptions,
    names: Iterable[str] = (),
    *,
    force: bool = False,
) -> list[Path]:
    """Write ``<outdir>/<name>/template.yaml`` per golden path, and its Upgrade Template in
    ``<outdir>/<name>-upgrade/template.yaml`` (:mod:`scaffolder.backstage_upgrade`), and
    merge them into the Location in ``<outdir>/catalog-info.yaml``; the files written
    (unchanged ones are not).

    Edited files are kept unless ``force`` (see :mod:`scaffolder.backstage_files`).
    """
    chosen = [catalog.get(n) for n in names] or [gp for gp in catalog if gp.target == "new-repo"]
    entities: dict[Path, dict[str, Any]] = {}  # every entity is built before anything is written
    for gp in chosen:
        entities[outdir / gp.name / "template.yaml"] = template_entity(gp, options)
        page, values = _new_questions_page(gp)
        upgrade = upgrade_template_entity(
            gp,
            publish_action=options.publish_action,
            namespace=options.namespace,
            owner=_owner(gp),
            questions_page=page,
            values=values,
        )
        if upgrade is not None:
            entities[outdir / upgrade_template_name(gp) / "template.yaml"] = upgrade
    templates = {
        path: yaml.safe_dump(entity, sort_keys=False, width=100, allow_unicode=True)
        for path, entity in entities.items()
    }
    targets = [f"./{path.parent.name}/template.yaml" for path in templates]
    return write_export(templates, outdir / "catalog-info.yaml", targets, force=force)
