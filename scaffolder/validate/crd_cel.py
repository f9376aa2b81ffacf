"""The ``x-kubernetes-validations`` CEL rules of a CRD schema, evaluated on a custom resource.

As the API server does (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go):
a rule is attached to a schema node and runs once for every value at that node, with ``self``
bound to it; absent (or null) values are not visited; schema defaults are applied first
(defaulting precedes validation); at the root ``self.metadata`` holds only name and
generateName. Transition rules (they read ``oldSelf``) only run on updates, so an offline
check, which sees creates, skips them. ``messageExpression``, ``fieldPath`` and ``reason``
shape the error as they do upstream. Cost limits do not apply offline.

Per schema, a pruned tree of the nodes that carry rules is built once; per expression, the
program is compiled once (:func:`scaffolder.validate.cel.compile_expression`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from scaffolder.validate.cel import CelError, compile_expression

_OLD_SELF = re.compile(r"\boldSelf\b")
# x-kubernetes-validations reason -> the field error type the API server prints.
_REASONS = {
    "FieldValueInvalid": "Invalid value",
    "FieldValueForbidden": "Forbidden",
    "FieldValueRequired": "Required value",
    "FieldValueDuplicate": "Duplicate value",
}


@dataclass(frozen=True)
class Violation:
    """A rule that fails (or cannot be evaluated) at ``path`` of the object."""

    path: str
    message: str
    unsupported: bool = False  # the rule uses CEL we do not offer: reported, not failed


@dataclass
class _Node:
    rules: list[Mapping[str, Any]] = field(default_factory=list)
    properties: dict[str, _Node] = field(default_factory=dict)
    items: _Node | None = None
    additional: _Node | None = None


_TREES: dict[int, tuple[Mapping[str, Any], _Node | None]] = {}


def _tree(schema: Mapping[str, Any]) -> _Node | None:
    cached = _TREES.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = _TREES[id(schema)] = (schema, _prune(schema))
    return cached[1]


def _prune(schema: Any) -> _Node | None:
    """The schema reduced to the nodes with rules and their ancestors (None: no rules)."""
    if not isinstance(schema, dict):
        return None
    node = _Node(rules=[r for r in schema.get("x-kubernetes-validations") or [] if "rule" in r])
    for name, sub in (schema.get("properties") or {}).items():
        child = _prune(sub)
        if child:
            node.properties[name] = child
    node.items = _prune(schema.get("items"))
    node.additional = _prune(schema.get("additionalProperties"))
    if node.rules or node.properties or node.items or node.additional:
        return node
    return None


def violations(schema: Mapping[str, Any], obj: Mapping[str, Any]) -> Iterator[Violation]:
    """Every CEL rule of ``schema`` (a CRD version's openAPIV3Schema) that ``obj`` breaks."""
    tree = _tree(schema)
    if tree is None:
        return
    value = with_defaults(schema, obj)
    meta = value.get("metadata")
    if isinstance(meta, dict):
        value["metadata"] = {k: meta[k] for k in ("name", "generateName") if k in meta}
    yield from _walk(tree, value, [])


def _walk(node: _Node, value: Any, path: list[str]) -> Iterator[Violation]:
    if value is None:
        return
    for rule in node.rules:
        yield from _check(rule, value, path)
    if isinstance(value, dict):
        for name, child in node.properties.items():
            if name in value:
                yield from _walk(child, value[name], [*path, name])
        if node.additional:
            for key, item in value.items():
                yield from _walk(node.additional, item, [*path, str(key)])
    elif isinstance(value, list) and node.items:
        for i, item in enumerate(value):
            yield from _walk(node.items, item, [*path, str(i)])


def _check(rule: Mapping[str, Any], value: Any, path: list[str]) -> Iterator[Violation]:
    expression = str(rule["rule"])
    where = _join(path, str(rule.get("fieldPath") or ""))
    if _OLD_SELF.search(expression):
        return  # a transition rule: only updates have an oldSelf
    try:
        program = compile_expression(expression)
    except CelError as exc:
        yield Violation(where, f"rule not evaluated ({exc}): {expression}", unsupported=True)
        return
    outcome = program.evaluate({"self": value})
    if outcome.error is not None:
        yield Violation(where, f"rule {expression!r} failed to evaluate: {outcome.error}")
        return
    if outcome.value is True:
        return
    message = _message(rule, value) or str(rule.get("message") or f"failed rule: {expression}")
    reason = _REASONS.get(str(rule.get("reason") or "FieldValueInvalid"), "Invalid value")
    if reason != "Invalid value":
        message = f"{reason}: {message}"
    yield Violation(where, message)


def _message(rule: Mapping[str, Any], value: Any) -> str | None:
    """messageExpression's result; None when it is unset, fails or is blank (upstream falls
    back to ``message`` then)."""
    expression = rule.get("messageExpression")
    if not expression:
        return None
    try:
        outcome = compile_expression(str(expression)).evaluate({"self": value})
    except CelError:
        return None
    text = outcome.value
    if not isinstance(text, str) or not text.strip() or "\n" in text:
        return None
    return text


def _join(path: list[str], field_path: str) -> str:
    """The dotted path of the node, extended by the rule's fieldPath (".a.b" or "['k']")."""
    extra = re.findall(r"\.([^.\[]+)|\[['\"]?([^\]'\"]+)['\"]?\]", field_path)
    parts = path + [a or b for a, b in extra]
    return ".".join(parts) or "(root)"


def with_defaults(schema: Mapping[str, Any], value: Any) -> Any:
    """A copy of ``value`` with the schema's defaults filled in and numbers typed as the
    schema says (a ``number`` field written ``1`` is the double 1.0 in CEL)."""
    return _default(schema, copy.deepcopy(value))


def _default(schema: Any, value: Any) -> Any:
    if not isinstance(schema, dict):
        return value
    kind = schema.get("type")
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for name, sub in props.items():
            if name not in value and isinstance(sub, dict) and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                value[name] = _default(sub, value[name])
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict):
            for key in value:
                if key not in props:
                    value[key] = _default(additional, value[key])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_default(schema["items"], item) for item in value]
    return value
