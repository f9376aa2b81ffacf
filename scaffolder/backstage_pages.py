"""The pages of an exported Backstage form: which question is asked on which page.

Backstage shows each entry of a Template's ``spec.parameters`` as one page of a stepper, as
its own example templates do ("Fill in some steps", "Choose a location"). A golden path names
its pages in ``golden-path.yml``::

    form_pages:
      - title: Service
        questions: [name, description, owner]
      - title: Runtime
        questions: [port, min_replicas, max_replicas]

Questions it does not list come last, on a page "More options". Without ``form_pages`` the
first page holds what identifies the repo (the questions without a default, the name,
description and owner) and a second page "Options" the rest. A question shown only for some
answers of another (a JSON Schema ``dependencies`` branch) always stays on that question's
page: a page is validated on its own, so the branch must sit beside its switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from scaffolder.catalog import METADATA_FILE, GoldenPath
from scaffolder.errors import CatalogError, did_you_mean

METADATA_KEY = "form_pages"
OTHER_PAGE = "More options"
DEFAULT_OPTIONS_PAGE = "Options"
IDENTITY_NAMES = ("name", "description", "owner", "team")


@dataclass(frozen=True)
class FormPage:
    """One page of the form: its title and the questions on it, in order."""

    title: str
    questions: tuple[str, ...]


def declared_pages(gp: GoldenPath) -> tuple[FormPage, ...]:
    """The pages ``golden-path.yml`` names, or none."""
    path = gp.root / METADATA_FILE
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ()  # the catalog loader reports an unreadable file; nothing to add here
    raw = meta.get(METADATA_KEY) if isinstance(meta, Mapping) else None
    if raw is None:
        return ()
    example = f"{METADATA_KEY}: [{{title: Service, questions: [name, owner]}}]"
    if not isinstance(raw, list):
        raise CatalogError(f"{path}: {METADATA_KEY} must be a list", hint=example)
    pages = []
    for index, entry in enumerate(raw, 1):
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("title"), str)
            or not entry["title"].strip()
            or not isinstance(entry.get("questions"), list)
            or not all(isinstance(q, str) for q in entry["questions"])
        ):
            raise CatalogError(
                f"{path}: page {index} of {METADATA_KEY} must have a title and a list of"
                " question names",
                hint=example,
            )
        pages.append(FormPage(entry["title"].strip(), tuple(entry["questions"])))
    return tuple(pages)


def default_pages(schema: Mapping[str, Any], title: str) -> tuple[FormPage, ...]:
    """What identifies the repo first, everything else on an "Options" page."""
    required = set(schema.get("required") or ())
    names = list(schema.get("properties") or {})
    first = tuple(n for n in names if n in required or n in IDENTITY_NAMES or is_name_like(n))
    rest = tuple(n for n in names if n not in first)
    pages = [FormPage(title, first)] if first else []
    if rest:
        pages.append(FormPage(DEFAULT_OPTIONS_PAGE if pages else title, rest))
    return tuple(pages)


def is_name_like(name: str) -> bool:
    """A question that names the new thing: ``name``, ``cluster_name``, ``service_name``."""
    return name == "name" or name.endswith("_name")


def split_pages(
    schema: Mapping[str, Any], pages: tuple[FormPage, ...], *, source: str
) -> list[dict[str, Any]]:
    """One object schema per page, each with its questions, required ones and branches.

    ``schema`` is the whole form (``properties``, ``required``, ``dependencies``). Every
    question lands on exactly one page; ``source`` names the metadata in errors.
    """
    properties: Mapping[str, Any] = schema.get("properties") or {}
    branched = {
        name
        for dep in (schema.get("dependencies") or {}).values()
        for branch in dep.get("oneOf", [])
        for name in branch.get("properties", {})
    }
    unknown = [
        q for page in pages for q in page.questions if q not in properties and q not in branched
    ]
    if unknown:
        raise CatalogError(
            f"{source}: {METADATA_KEY} names {', '.join(unknown)}, not questions the form asks",
            hint=did_you_mean(unknown[0], [*properties, *branched]),
        )
    placed: dict[str, str] = {}
    for page in pages:
        for name in page.questions:
            if name in properties:
                placed.setdefault(name, page.title)
    leftover = tuple(n for n in properties if n not in placed)
    layout = [*pages, FormPage(OTHER_PAGE, leftover)] if leftover else list(pages)
    for name in leftover:
        placed[name] = OTHER_PAGE

    result = []
    for page in layout:
        names = [n for n in page.questions if placed.get(n) == page.title]
        if not names:
            continue
        placed.update(dict.fromkeys(names, ""))  # a title used twice gets each question once
        part: dict[str, Any] = {
            "title": page.title,
            "type": "object",
            "properties": {n: properties[n] for n in names},
        }
        required = [n for n in schema.get("required") or () if n in names]
        if required:
            part["required"] = required
        dependencies = {
            n: dep for n, dep in (schema.get("dependencies") or {}).items() if n in names
        }
        if dependencies:
            part["dependencies"] = dependencies
        result.append(part)
    return result
