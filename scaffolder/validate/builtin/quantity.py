"""Kubernetes resource quantities ("100m", "256Mi", "1e3") as exact decimals.

Upstream: k8s.io/apimachinery/pkg/api/resource/quantity.go (ParseQuantity): a signed decimal
number, then one suffix: binary SI (Ki..Ei), decimal SI (n, u, m, "", k, M..E) or a decimal
exponent (e3, E-2).
"""

from __future__ import annotations

import re
from decimal import Decimal

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_SUFFIX = r"(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?"
_QUANTITY = re.compile(rf"({_NUMBER})({_SUFFIX})")
_FACTORS = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    **{s: Decimal(1024) ** (i + 1) for i, s in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
}


def parse_quantity(value: object) -> Decimal | None:
    """The quantity's value, or None when Kubernetes would refuse it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    match = _QUANTITY.fullmatch(value)
    if not match:
        return None
    number, suffix = match.groups()
    if suffix[:1] in ("e", "E"):
        return Decimal(number) * Decimal(10) ** int(suffix[1:])
    return Decimal(number) * _FACTORS[suffix]


def is_quantity(value: str) -> bool:
    return parse_quantity(value) is not None
