"""A question's Jinja ``when`` and ``default`` in words, for `scaffolder questions`.

``{{ provider != 'on-prem' }}`` reads "provider is not on-prem", ``{{ name }}-ns`` reads
"<name>-ns", ``{{ {'aws': 'eu-west-1'}.get(provider, '') }}`` reads "by provider: aws →
eu-west-1, otherwise empty". The text is built from the parsed template (the Jinja AST): simple
comparisons, ``and``/``or``/``not``, ``in`` lists, ``x if c else y``, dict lookups and text
with variables are spelled out; anything else falls back to naming what it is computed from.
Nothing is rendered, so explaining never runs template code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jinja2 import nodes

if TYPE_CHECKING:
    from jinja2 import Environment

_COMPARE = {
    "eq": "is",
    "ne": "is not",
    "gt": "is more than",
    "gteq": "is at least",
    "lt": "is less than",
    "lteq": "is at most",
}


def variables(env: Environment, source: str) -> list[str]:
    """The answers a Jinja string reads, in order of first use."""
    from jinja2 import TemplateSyntaxError, meta

    try:
        tree = env.parse(source)
    except TemplateSyntaxError:
        return []
    free = meta.find_undeclared_variables(tree)
    seen: dict[str, None] = {}
    inside: set[int] = set()  # the `cookiecutter` of `cookiecutter.x`, already counted as x
    for node in tree.find_all((nodes.Getattr, nodes.Name)):  # a parent before its children
        if isinstance(node, nodes.Getattr) and _namespaced(node):
            seen.setdefault(node.attr, None)
            inside.add(id(node.node))
        elif isinstance(node, nodes.Name) and node.name in free and id(node) not in inside:
            seen.setdefault(node.name, None)
    return list(seen)


# cookiecutter templates read every answer through one variable: ``{{ cookiecutter.name }}``
# is the answer ``name``.
NAMESPACES = frozenset({"cookiecutter"})


def _namespaced(node: nodes.Getattr) -> bool:
    return isinstance(node.node, nodes.Name) and node.node.name in NAMESPACES


def is_jinja(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def explain_when(env: Environment, source: str, kinds: Mapping[str, str]) -> str:
    """What a ``when`` expression means: "cni is cilium", else "depends on cni, provider".

    ``kinds`` maps question names to their types, so a bare boolean reads "gpu is true" and a
    bare text answer "team is set".
    """
    expression = _single_expression(env, source)
    text = _condition(expression, kinds) if expression is not None else None
    if text is not None:
        return text
    names = variables(env, source)
    return "depends on " + ", ".join(names) if names else "decided by the golden path"


def explain_default(env: Environment, source: str, kinds: Mapping[str, str]) -> str:
    """What a computed default means: "<name>-ns", "same as name", "computed from provider"."""
    try:
        tree = env.parse(source)
    except Exception:  # a broken template says so when it is rendered, not here
        tree = None
    if tree is not None and len(tree.body) == 1 and isinstance(tree.body[0], nodes.Output):
        parts = tree.body[0].nodes
        if len(parts) == 1 and not isinstance(parts[0], nodes.TemplateData):
            text = _default_expression(parts[0], kinds)
            if text is not None:
                return text
        elif all(isinstance(p, nodes.TemplateData) or _path(p) for p in parts):
            return "".join(
                p.data if isinstance(p, nodes.TemplateData) else f"<{_path(p)}>" for p in parts
            )
    names = variables(env, source)
    return "computed from " + ", ".join(names) if names else "computed by the golden path"


def _single_expression(env: Environment, source: str) -> nodes.Expr | None:
    """The expression of ``{{ expr }}`` (surrounding blanks allowed), else None."""
    try:
        tree = env.parse(source)
    except Exception:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    parts = [
        p
        for p in tree.body[0].nodes
        if not (isinstance(p, nodes.TemplateData) and not p.data.strip())
    ]
    return parts[0] if len(parts) == 1 and isinstance(parts[0], nodes.Expr) else None


def _path(node: nodes.Node) -> str | None:
    """``name`` or ``pins.images.vllm``."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        if _namespaced(node):
            return node.attr
        base = _path(node.node)
        return f"{base}.{node.attr}" if base else None
    return None


def _literal(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Const):
        value = node.value
        if value == "":
            return "empty"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if isinstance(node, nodes.Neg) and isinstance(node.node, nodes.Const):
        return f"-{node.node.value}"
    return None


def _alternatives(node: nodes.Node) -> str | None:
    """``['gcp', 'azure']`` as "gcp or azure"."""
    if not isinstance(node, nodes.List | nodes.Tuple):
        return None
    items = [_literal(item) for item in node.items]
    if not items or any(item is None for item in items):
        return None
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _condition(node: nodes.Node, kinds: Mapping[str, str], nested: bool = False) -> str | None:
    path = _path(node)
    if path is not None:
        return f"{path} is true" if kinds.get(path) == "bool" else f"{path} is set"
    if isinstance(node, nodes.Not):
        inner = _path(node.node)
        if inner is not None:
            return f"{inner} is false" if kinds.get(inner) == "bool" else f"{inner} is empty"
        text = _condition(node.node, kinds, nested=True)
        return f"not {text}" if text else None
    if isinstance(node, nodes.And | nodes.Or):
        left = _condition(node.left, kinds, nested=True)
        right = _condition(node.right, kinds, nested=True)
        if left is None or right is None:
            return None
        text = f"{left} {'and' if isinstance(node, nodes.And) else 'or'} {right}"
        return f"({text})" if nested else text
    if isinstance(node, nodes.Compare) and len(node.ops) == 1:
        return _comparison(node.expr, node.ops[0], kinds)
    if isinstance(node, nodes.Const):
        return _literal(node)
    return None


def _comparison(left: nodes.Expr, op: nodes.Operand, kinds: Mapping[str, str]) -> str | None:
    subject = _path(left)
    if subject is None and isinstance(left, nodes.Filter) and left.name == "length":
        inner = _path(left.node) if left.node is not None else None
        subject = f"the number of {inner}" if inner else None
    if op.op in ("in", "notin"):
        options = _alternatives(op.expr)
        if subject is not None and options is not None:
            return f"{subject} is {'not ' if op.op == 'notin' else ''}{options}"
        container, item = _path(op.expr), _literal(left)
        if container is not None and item is not None:  # 'nvidia' in gpus
            verb = "does not include" if op.op == "notin" else "includes"
            return f"{container} {verb} {item}"
        return None
    value = _literal(op.expr)
    if subject is None or value is None or op.op not in _COMPARE:
        return None
    return f"{subject} {_COMPARE[op.op]} {value}"


def _value(node: nodes.Node) -> str | None:
    literal = _literal(node)
    if literal is not None:
        return literal
    path = _path(node)
    return f"<{path}>" if path else None


def _default_expression(node: nodes.Expr, kinds: Mapping[str, str]) -> str | None:
    path = _path(node)
    if path is not None:
        return f"same as {path}"
    if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
        test = _condition(node.test, kinds)
        yes, no = _value(node.expr1), _value(node.expr2)
        if test is not None and yes is not None and no is not None:
            return f"{yes} if {test}, else {no}"
        return None
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
        return _lookup(node)
    if isinstance(node, nodes.Compare | nodes.And | nodes.Or | nodes.Not):
        test = _condition(node, kinds)
        return f"true if {test}" if test is not None else None
    return None


def _lookup(call: nodes.Call) -> str | None:
    """``{'aws': 'eu-west-1'}.get(provider, '')`` as "by provider: aws → eu-west-1, ..."."""
    getattr_node = call.node
    assert isinstance(getattr_node, nodes.Getattr)
    table = getattr_node.node
    if getattr_node.attr != "get" or not isinstance(table, nodes.Dict) or call.kwargs:
        return None
    if not 1 <= len(call.args) <= 2:
        return None
    key = _path(call.args[0])
    pairs = [(_literal(p.key), _literal(p.value)) for p in table.items]
    if key is None or any(k is None or v is None for k, v in pairs):
        return None
    text = f"by {key}: " + ", ".join(f"{k} → {v}" for k, v in pairs)
    if len(call.args) == 1:
        return text
    fallback = _value(call.args[1])
    return f"{text}, otherwise {fallback}" if fallback is not None else None
