"""jsontext.dumps writes exactly what ``json.dumps(value, indent=2)`` writes (audit reports,
whose JSON must not change by a byte), and fails where it fails."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffolder import jsontext

values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(), inner, max_size=4),
        st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none()), inner, max_size=2),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert jsontext.dumps(value) == json.dumps(value, indent=2)


class Level(enum.IntEnum):
    GOLD = 3


class Status(enum.StrEnum):
    OUTDATED = "outdated"


def test_subclasses_as_json_writes_them() -> None:
    value = {"level": Level.GOLD, "status": Status.OUTDATED, "nested": [{}, [], ("a", 1.5)]}
    assert jsontext.dumps(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("value", [{"a": {1, 2}}, [object()], {(1, 2): "tuple key"}])
def test_what_json_refuses_is_refused_alike(value: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(value, indent=2)
    with pytest.raises(TypeError):
        jsontext.dumps(value)


def test_a_circular_reference_is_refused_alike() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        jsontext.dumps(loop)
