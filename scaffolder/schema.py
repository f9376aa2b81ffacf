"""A golden path's questions as JSON Schema (draft-07), for form builders such as Backstage.

Types, choices, static defaults, help texts and required-ness map one to one. ``when``
conditions of the common shapes (``{{ flag }}``, ``{{ not flag }}``, ``{{ x == 'v' }}``,
``{{ x != 'v' }}``, ``{{ 'v' in x }}``) become JSON Schema ``dependencies``, so a form shows the
question only when it applies; other conditions keep the question visible and say so in
``x-scaffolder-when``. Defaults computed from other answers are left to the generator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scaffolder.questions import MISSING, Question

JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
_VAR = r"([A-Za-z_]\w*)"
_STR = r"""['"]([^'"]*)['"]"""
_PATTERNS = [
    (re.compile(rf"^{_VAR}$"), "truthy"),
    (re.compile(rf"^not\s+{_VAR}$"), "falsy"),
    (re.compile(rf"^{_VAR}\s*==\s*{_STR}$"), "equals"),
    (re.compile(rf"^{_VAR}\s*!=\s*{_STR}$"), "differs"),
    (re.compile(rf"^{_STR}\s+in\s+{_VAR}$"), "contains"),
]


@dataclass(frozen=True)
class Condition:
    """A ``when`` that JSON Schema can express: ``variable`` compared with ``value``."""

    variable: str
    kind: str  # truthy | falsy | equals | differs | contains
    value: str | None = None


def parse_when(when: bool | str) -> Condition | None:
    if isinstance(when, bool):
        return None
    match = re.fullmatch(r"\s*\{\{\s*(.*?)\s*\}\}\s*", when)
    if not match:
        return None
    expr = match.group(1)
    for pattern, kind in _PATTERNS:
        m = pattern.match(expr)
        if m:
            if kind == "contains":
                return Condition(m.group(2), kind, m.group(1))
            return Condition(
                m.group(1), kind, m.group(2) if kind in ("equals", "differs") else None
            )
    return None


def is_static(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" not in value and "{%" not in value
    if isinstance(value, list):
        return all(is_static(v) for v in value)
    return True


def property_schema(question: Question) -> dict[str, Any]:
    """The JSON Schema of one answer."""
    schema: dict[str, Any] = {"title": _title(question.name)}
    if question.help.strip():
        schema["description"] = " ".join(question.help.split())
    item: dict[str, Any] = {}
    if question.type in JSON_TYPES:
        item["type"] = JSON_TYPES[question.type]
    elif not question.multiselect:  # yaml, json: the shape of the default, else YAML text
        item.update(structured_schema(question))
    if question.choices and all(is_static(c.value) for c in question.choices):
        values = [c.value for c in question.choices]
        item["enum"] = values
        if any(str(c.value) != c.label for c in question.choices):
            item["enumNames"] = [c.label for c in question.choices]
    if question.multiselect:
        schema.update(type="array", items=item, uniqueItems=True)
    else:
        schema.update(item)
    if question.default is not MISSING and is_static(question.default):
        schema["default"] = question.default
    elif question.default is not MISSING:
        schema["x-scaffolder-default"] = question.default
    if question.placeholder:
        schema["examples"] = [question.placeholder]
    if question.secret:
        schema["x-scaffolder-secret"] = True
    return schema


def structured_schema(question: Question) -> dict[str, Any]:
    """The schema of a ``yaml``/``json`` answer, inferred from its static default.

    A form needs a ``type`` on every field (Backstage's renders "Unsupported field schema"
    without one). A list default becomes an array of its items' shape (an empty one, a list
    of strings), a mapping an object; without a usable default the answer is YAML text, which
    the generator parses as it parses ``--data`` values.
    """
    default = question.default
    if default is not MISSING and default is not None and is_static(default):
        inferred = value_schema(default)
        if inferred.get("type") in ("array", "object"):
            return inferred
    return {"type": "string", "x-scaffolder-format": question.type}


def value_schema(value: Any) -> dict[str, Any]:
    """The JSON Schema of a value's shape: lists by their items, mappings by their keys."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, list):
        items = [value_schema(v) for v in value]
        return {"type": "array", "items": _merge_items(items) if items else {"type": "string"}}
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {
                str(k): {"title": _title(str(k)), **value_schema(v)} for k, v in value.items()
            },
            "required": [str(k) for k in value],
        }
    return {"type": "string"}


def _merge_items(items: list[dict[str, Any]]) -> dict[str, Any]:
    """One schema for a list's items: the first item's, with the keys of every mapping and
    only the keys all of them have required."""
    first = items[0]
    if first.get("type") != "object":
        return first
    mappings = [i for i in items if i.get("type") == "object"]
    properties: dict[str, Any] = {}
    for item in mappings:
        for key, prop in item["properties"].items():
            properties.setdefault(key, prop)
    required = [k for k in properties if all(k in i["required"] for i in mappings)]
    return {"type": "object", "properties": properties, "required": required}


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def questions_schema(
    questions: Sequence[Question], *, title: str = "", description: str = ""
) -> dict[str, Any]:
    """A draft-07 object schema of the questions, conditional ones as dependencies."""
    asked = [q for q in questions if not q.computed]
    properties: dict[str, Any] = {}
    required: list[str] = []
    dependencies: dict[str, list[tuple[Condition, Question]]] = {}
    # Only a yes/no or single-choice question can switch others on through `oneOf` branches.
    switches = {
        x.name
        for x in asked
        if not x.multiselect
        and (x.type == "bool" or (x.choices and all(is_static(c.value) for c in x.choices)))
    }
    for q in asked:
        condition = parse_when(q.when)
        if (
            condition is not None
            and condition.variable in switches
            and (condition.kind != "contains")
        ):
            dependencies.setdefault(condition.variable, []).append((condition, q))
            continue
        properties[q.name] = property_schema(q)
        if q.when is not True and condition is None:
            properties[q.name]["x-scaffolder-when"] = q.when
        elif q.required:
            required.append(q.name)
    schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
    }
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    schema["properties"] = properties
    if required:
        schema["required"] = required
    if dependencies:
        schema["dependencies"] = {
            var: _dependency(var, conds, asked) for var, conds in dependencies.items()
        }
    return schema


def _dependency(
    variable: str, conditions: list[tuple[Condition, Question]], questions: Sequence[Question]
) -> dict[str, Any]:
    """``oneOf`` branches: each value of ``variable`` with the questions it switches on."""
    source = next(q for q in questions if q.name == variable)
    values: list[Any] = (
        [True, False] if source.type == "bool" else [c.value for c in source.choices]
    )
    one_of = []
    for value in values:
        shown = [q for c, q in conditions if _holds(c, value)]
        branch: dict[str, Any] = {
            "properties": {
                variable: {"const": value},
                **{q.name: property_schema(q) for q in shown},
            }
        }
        needed = [q.name for q in shown if q.required]
        if needed:
            branch["required"] = needed
        one_of.append(branch)
    return {"oneOf": one_of}


def _holds(condition: Condition, value: Any) -> bool:
    if condition.kind == "truthy":
        return bool(value)
    if condition.kind == "falsy":
        return not value
    if condition.kind == "equals":
        return str(value) == condition.value
    return str(value) != condition.value  # differs
