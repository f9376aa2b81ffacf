"""yamlio's one-pass loader gives what PyYAML's SafeLoader gives, value for value and type for
type: on generated documents in every style PyYAML writes, on the YAML the documents' tricky
corners need (aliases, merge keys, tags), and on every YAML file of the repository."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffolder import yamlio
from tests.helpers import REPO_ROOT


def typed(value: Any, within: frozenset[int] = frozenset()) -> Any:
    """``value`` with every type spelled out (``True == 1`` and ``1 == 1.0`` in Python); a
    collection inside itself (a recursive alias) is marked where it recurs."""
    if isinstance(value, dict | list) and id(value) in within:
        return ("recurs", type(value).__name__)
    inner = within | {id(value)}
    if isinstance(value, dict):
        return ("dict", [(typed(k, inner), typed(v, inner)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v, inner) for v in value])
    if isinstance(value, set):
        return ("set", sorted(repr(typed(v)) for v in value))
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def reference(text: str) -> Any:
    return [typed(d) for d in yaml.load_all(text, Loader=yamlio.SafeLoader)]


def ours(text: str) -> Any:
    return [typed(d) for d in yamlio.load_all(text)]


def same_outcome(text: str) -> None:
    try:
        expected = reference(text)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)):
            ours(text)
        return
    assert ours(text) == expected
    if len(expected) == 1:
        assert typed(yamlio.load(text)) == expected[0]


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(),
    st.sampled_from(
        [
            *("yes", "no", "on", "off", "~", "null", "0o17", "0x1F", "1_000", ".inf", "-.Inf"),
            *("=", "<<", "1e3", "2026-11-29", "2026-11-29 12:00:00", "12:30:00", "+1", "0.", ""),
        ]
    ),
    st.dates(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.binary(max_size=8),
)
keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.sampled_from(["<<", "="]))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    documents,
    st.sampled_from([None, True, False]),
    st.sampled_from([None, "'", '"', "|", ">"]),
    st.booleans(),
)
def test_generated_documents(doc: Any, flow: bool | None, style: str | None, shared: bool) -> None:
    # ``shared``: the same object twice, which PyYAML writes as an anchor and an alias.
    data = [doc, doc] if shared else doc
    text = yaml.dump(data, default_flow_style=flow, default_style=style, allow_unicode=True)
    same_outcome(text)


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {a: 1, b: 2}\nmerged:\n  <<: *b\n  b: 3\n",
        "- &l [1, 2]\n- *l\n- {k: *l}\n",
        "a: &r [*r]\n",  # an alias inside itself
        "=: value\n",
        "!!set {a, b}\n",
        "!!omap [{a: 1}, {b: 2}]\n",
        "!!pairs [{a: 1}, {a: 2}]\n",
        "? [a, b]\n: unhashable\n",
        "? {a: 1}\n: unhashable\n",
        "a: !!str 1\nb: !!int '2'\nc: !!float '3'\nd: !!binary aGk=\n",
        "a: !custom x\n",
        "a: 1\na: 2\n",
        "--- 1\n--- [a]\n--- {b: c}\n...\n",
        "",
        "a: [unclosed\n",
        "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
        "x: " + "[" * 150 + "]" * 150 + "\n",
    ],
)
def test_corner_cases(text: str) -> None:
    same_outcome(text)


def test_every_yaml_file_of_the_repository() -> None:
    paths = [
        p
        for folder in ("templates", "baselines", "tests", "docs", ".github")
        for p in sorted((REPO_ROOT / folder).rglob("*"))
        if p.suffix in (".yaml", ".yml") and p.is_file()
    ]
    assert len(paths) > 50
    for path in paths:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        same_outcome(text)


def test_deeper_than_the_one_pass_build_goes() -> None:
    depth = 900  # past Python's recursion limit for the one-pass build: PyYAML's builds it
    value = yamlio.load("x: " + "[" * depth + "]" * depth + "\n")["x"]
    for _ in range(depth - 1):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == []
