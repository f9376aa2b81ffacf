"""Fast, safe YAML loading: libyaml's C parser when PyYAML has it, the pure-Python one if not.

Audits parse thousands of manifests; the C loader is about ten times faster. What is left is
PyYAML's constructor and resolver, both in Python: :class:`FastLoader` builds the plain
documents manifests are (maps, lists, strings, numbers, booleans, nulls) in one pass, and
hands anything else (merge keys, recursive aliases, other tags) to PyYAML's own constructor.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scaffolder.limits import LimitedConstruction

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Scalar tags whose constructors return a value (the others are generators).
_SCALARS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")
)
_KEYS = _SCALARS | {_STR}  # keys built here; others (merge, value, collections) are not
# Plain scalars seen before and the tag PyYAML's resolver gave them: the same words (keys,
# kinds, label values) come back in every manifest of a fleet.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 100_000


class _Unusual(Exception):
    """A document the one-pass build leaves to PyYAML's constructor."""


class FastLoader(SafeLoader):  # type: ignore[valid-type,misc]
    """``SafeLoader`` (libyaml's parser when there is one) that builds plain documents in one
    pass; the result is what ``SafeLoader`` gives, checked by tests/test_yamlio.py."""

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # The safe resolver has no path resolvers, so a plain scalar's tag depends on its text.
        if kind is ScalarNode and implicit[0]:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_PLAIN_TAGS) >= _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS.clear()
                _PLAIN_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]

    def construct_document(self, node: Node) -> Any:
        try:
            return _Build(self).build(node)
        except (_Unusual, RecursionError, TypeError):  # TypeError: an unhashable key
            return super().construct_document(node)


class _Build:
    """One document built from its nodes; a node met twice (an alias) gives the same object."""

    def __init__(self, loader: FastLoader) -> None:
        self.scalar = loader.yaml_constructors
        self.loader = loader
        self.done: dict[int, Any] = {}
        self.open: set[int] = set()

    def build(self, node: Node) -> Any:
        kind = node.__class__
        if kind is ScalarNode:
            if node.tag == _STR:
                return node.value
            if node.tag not in _SCALARS:
                raise _Unusual
            return self.scalar[node.tag](self.loader, node)
        key = id(node)
        if key in self.done:
            return self.done[key]
        if key in self.open:
            raise _Unusual  # an alias inside itself: PyYAML builds it in two steps
        self.open.add(key)
        out: Any
        if kind is SequenceNode and node.tag == _SEQ:
            out = [self.build(child) for child in node.value]
        elif kind is MappingNode and node.tag == _MAP:
            out = {}
            for key_node, value_node in node.value:
                if key_node.tag not in _KEYS:
                    raise _Unusual  # merge (<<) and value (=) keys, or a collection
                out[self.build(key_node)] = self.build(value_node)
        else:
            raise _Unusual
        self.open.discard(key)
        self.done[key] = out
        return out


class LimitedFastLoader(LimitedConstruction, FastLoader):
    """:class:`FastLoader` that refuses documents whose aliases expand past the ``yaml_nodes``
    limit (:class:`scaffolder.limits.LimitedConstruction`), for text that is walked whole."""


def load(text: str | bytes) -> Any:
    return yaml.load(text, Loader=FastLoader)


def load_all(text: str | bytes) -> Iterator[Any]:
    return yaml.load_all(text, Loader=FastLoader)


def load_all_limited(text: str | bytes) -> Iterator[Any]:
    """:func:`load_all` with the alias-expansion limit: raises LimitError past it."""
    return yaml.load_all(text, Loader=LimitedFastLoader)
