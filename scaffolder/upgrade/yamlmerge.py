"""Structure-aware three-way merge of Kubernetes YAML.

Objects are matched by apiVersion, kind, namespace and name; inside an object, values merge by
key path, and lists of named items (containers, env, ports, volumes...) by their ``name``. So a
local change to ``replicas`` and a template change to labels never conflict, even on adjacent
lines, where a line-based merge would. The merge starts from *our* document (ruamel round-trip,
so our comments and key order stay) and applies the template's changes to it. Any true
conflict makes the whole file fall back to the line-based merge with markers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

_MISSING = object()


class Conflict(Exception):
    """Both sides changed the same value differently."""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def plain(node: Any) -> Any:
    """Order-insensitive plain data for comparisons."""
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def _same(a: Any, b: Any) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return bool(plain(a) == plain(b))


def _key(doc: Any, index: int) -> tuple[Any, ...]:
    if not isinstance(doc, Mapping):
        return ("#", index)
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), Mapping) else {}
    if "kind" not in doc:
        return ("#", index)
    return (
        str(doc.get("apiVersion", "")).split("/")[0],
        doc.get("kind"),
        (meta or {}).get("namespace"),
        (meta or {}).get("name"),
    )


def _load_all(text: bytes) -> list[Any] | None:
    try:
        docs = list(_yaml().load_all(text.decode("utf-8")))
    except (YAMLError, UnicodeDecodeError):
        return None
    return [d for d in docs if d is not None]


def merge_yaml(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """The merged file, or None when the structure-aware merge does not apply or conflicts."""
    docs = [_load_all(x) for x in (base, ours, theirs)]
    if any(d is None for d in docs):
        return None
    b_docs, o_docs, t_docs = (d or [] for d in docs)
    keyed = []
    for d in (b_docs, o_docs, t_docs):
        keys = [_key(doc, i) for i, doc in enumerate(d)]
        if len(set(keys)) != len(keys):
            return None  # ambiguous: duplicate objects
        keyed.append(dict(zip(keys, d, strict=True)))
    b_map, o_map, t_map = keyed
    result = []
    try:
        order = list(o_map) + [k for k in t_map if k not in o_map]
        for key in order:
            b, o, t = (m.get(key, _MISSING) for m in (b_map, o_map, t_map))
            merged = _merge(b, o, t, path=str(key))
            if merged is not _MISSING:
                result.append(merged)
    except Conflict:
        return None
    out = io.StringIO()
    _yaml().dump_all(result, out)
    text = out.getvalue()
    if ours.startswith(b"---") is False and text.startswith("---"):
        text = text[4:]
    return text.encode()


def _merge(b: Any, o: Any, t: Any, path: str) -> Any:
    if _same(o, t):
        return o
    if _same(b, o):
        return t
    if _same(b, t):
        return o
    if isinstance(o, CommentedMap) and isinstance(t, Mapping) and isinstance(b, Mapping):
        return _merge_map(b, o, t, path)
    if isinstance(o, CommentedSeq) and isinstance(t, list) and isinstance(b, list):
        return _merge_named_list(b, o, t, path)
    raise Conflict(path)


def _merge_map(
    b: Mapping[str, Any], o: CommentedMap, t: Mapping[str, Any], path: str
) -> CommentedMap:
    for key in list(dict.fromkeys([*o.keys(), *t.keys(), *b.keys()])):
        bv, ov, tv = (
            m.get(key, _MISSING) if isinstance(m, Mapping) else _MISSING for m in (b, o, t)
        )
        merged = _merge(bv, ov, tv, f"{path}.{key}")
        if merged is _MISSING:
            if key in o:
                del o[key]
        elif key not in o:  # new in the template: where the template puts it, not at the end
            o.insert(_position(o, t, key), key, merged)
        elif merged is not ov:
            o[key] = merged
    return o


def _position(o: CommentedMap, t: Mapping[str, Any], key: str) -> int:
    """Where ``key`` goes in ``o``: after the nearest key before it in ``t`` that ``o`` has."""
    keys = list(t.keys())
    present = list(o.keys())
    for before in reversed(keys[: keys.index(key)]):
        if before in o:
            return present.index(before) + 1
    return 0


def _names(items: list[Any]) -> list[Any] | None:
    if not all(isinstance(i, Mapping) and "name" in i for i in items):
        return None
    names = [i["name"] for i in items]
    return names if len(set(names)) == len(names) else None


def _merge_named_list(b: list[Any], o: CommentedSeq, t: list[Any], path: str) -> CommentedSeq:
    names = [_names(x) for x in (b, o, t)]
    if any(n is None for n in names):
        raise Conflict(path)
    by = [{i["name"]: i for i in x} for x in (b, o, t)]
    order = [i["name"] for i in o] + [i["name"] for i in t if i["name"] not in by[1]]
    merged = CommentedSeq()
    for name in order:
        value = _merge(
            by[0].get(name, _MISSING),
            by[1].get(name, _MISSING),
            by[2].get(name, _MISSING),
            f"{path}[{name}]",
        )
        if value is not _MISSING:
            merged.append(value)
    return merged
