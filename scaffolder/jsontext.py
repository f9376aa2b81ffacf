"""``json.dumps(value, indent=2)``, the same text in a little over half the time.

Python's json module encodes indented output with its pure-Python encoder (the C one only
writes compact text before Python 3.14); a 10,000-repo audit report is about 80 MB of it,
written by one process after the workers are done. This writer appends to one list instead
of chaining generators, and gives anything it does not know (other types, a circular
reference, nesting deeper than the recursion limit) to ``json.dumps``, whose error or text
is then the answer. tests/test_jsontext.py checks the text against ``json.dumps``.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii
from typing import Any

_INDENT = "  "


class _Unknown(Exception):
    """A value ``json.dumps`` would have to judge (a type it may reject, a key to convert)."""


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2)``."""
    out: list[str] = []
    try:
        _write(value, out, "\n")
    except (_Unknown, RecursionError):
        return json.dumps(value, indent=2)
    return "".join(out)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # json writes NaN and Infinity its own way
            raise _Unknown
        return float.__repr__(value)
    raise _Unknown


def _write(value: Any, out: list[str], newline: str) -> None:
    """Append ``value``'s text; ``newline`` is a line break and the current indentation."""
    append = out.append
    if isinstance(value, list | tuple):
        if not value:
            append("[]")
            return
        inner = newline + _INDENT
        separator = "," + inner
        append("[" + inner)
        for index, item in enumerate(value):
            if index:
                append(separator)
            kind = item.__class__
            if kind is str:  # the common cases first, without a call
                append(encode_basestring_ascii(item))
            elif kind is dict or kind is list:
                _write(item, out, inner)
            else:
                _item(item, out, inner)
        append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            append("{}")
            return
        inner = newline + _INDENT
        separator = "," + inner
        append("{" + inner)
        for index, (key, item) in enumerate(value.items()):
            if key.__class__ is not str and not isinstance(key, str):
                raise _Unknown  # json converts numbers, booleans and None; let it
            append((separator if index else "") + encode_basestring_ascii(key) + ": ")
            kind = item.__class__
            if kind is str:
                append(encode_basestring_ascii(item))
            elif kind is dict or kind is list:
                _write(item, out, inner)
            else:
                _item(item, out, inner)
        append(newline + "}")
    else:
        append(_scalar(value))


def _item(item: Any, out: list[str], newline: str) -> None:
    if isinstance(item, list | tuple | dict):
        _write(item, out, newline)
    else:
        out.append(_scalar(item))
