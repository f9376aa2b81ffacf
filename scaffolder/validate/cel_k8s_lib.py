"""The Kubernetes CEL library functions that take and return plain values, in Python.

Upstream: k8s.io/apiserver/pkg/cel/library (ip.go, cidr.go, urls.go, quantity.go, lists.go,
regex.go). Functions that return Kubernetes' opaque types (``ip()``, ``cidr()``, ``url()``,
``quantity()``) and the ``format`` library are not offered: an expression using them does not
compile and is reported as unsupported (tests/test_cel.py lists them).
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scaffolder.validate.builtin.quantity import is_quantity


@dataclass(frozen=True)
class Spec:
    params: tuple[str, ...]  # CEL types, see cel._TYPES; a member function's receiver first
    returns: str
    impl: Callable[..., Any]
    member: bool = False


def is_ip(text: str) -> bool:
    """ip.go isIP: netip.ParseAddr, which refuses zones and leading zeros."""
    if "%" in text:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_cidr(text: str) -> bool:
    """cidr.go isCIDR: netip.ParsePrefix (host bits may be set)."""
    address, _, bits = text.partition("/")
    if not bits or not bits.isdigit() or (len(bits) > 1 and bits.startswith("0")):
        return False
    if not is_ip(address):
        return False
    return int(bits) <= (32 if ipaddress.ip_address(address).version == 4 else 128)


def is_url(text: str) -> bool:
    """urls.go isURL: url.ParseRequestURI, an absolute URL or an absolute path."""
    if not text or any(c.isspace() for c in text):
        return False
    if text.startswith("/"):
        return True
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return bool(parts.scheme) and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme) is not None


def _sortable(items: list[Any]) -> list[Any]:
    if (
        items
        and len({type(i) for i in items}) > 1
        and not all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items)
    ):
        raise ValueError("list elements must have the same type")
    return items


def is_sorted(items: list[Any]) -> bool:
    items = _sortable(list(items))
    return all(a <= b for a, b in itertools.pairwise(items))


def list_sum(items: list[Any]) -> Any:
    return sum(_sortable(list(items)))


def list_min(items: list[Any]) -> Any:
    if not items:
        raise ValueError("min called on empty list")
    return min(_sortable(list(items)))


def list_max(items: list[Any]) -> Any:
    if not items:
        raise ValueError("max called on empty list")
    return max(_sortable(list(items)))


def list_index_of(items: list[Any], value: Any) -> int:
    return next((i for i, item in enumerate(items) if item == value), -1)


def list_last_index_of(items: list[Any], value: Any) -> int:
    return next((i for i in range(len(items) - 1, -1, -1) if items[i] == value), -1)


def regex_find(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    return match.group(0) if match else ""


def regex_find_all(text: str, pattern: str) -> list[str]:
    return [m.group(0) for m in re.finditer(pattern, text)]


def regex_find_n(text: str, pattern: str, limit: int) -> list[str]:
    found = regex_find_all(text, pattern)
    return found if limit < 0 else found[:limit]


FUNCTIONS: dict[str, list[Spec]] = {
    "isIP": [Spec(("string",), "bool", is_ip)],
    "isCIDR": [Spec(("string",), "bool", is_cidr)],
    "isURL": [Spec(("string",), "bool", is_url)],
    "isQuantity": [Spec(("string",), "bool", is_quantity)],
    "isSorted": [Spec(("list",), "bool", is_sorted, member=True)],
    "sum": [Spec(("list",), "dyn", list_sum, member=True)],
    "min": [Spec(("list",), "dyn", list_min, member=True)],
    "max": [Spec(("list",), "dyn", list_max, member=True)],
    "indexOf": [Spec(("list", "dyn"), "int", list_index_of, member=True)],
    "lastIndexOf": [Spec(("list", "dyn"), "int", list_last_index_of, member=True)],
    "find": [Spec(("string", "string"), "string", regex_find, member=True)],
    "findAll": [
        Spec(("string", "string"), "list_string", regex_find_all, member=True),
        Spec(("string", "string", "int"), "list_string", regex_find_n, member=True),
    ],
}
