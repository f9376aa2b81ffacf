"""Fast, safe YAML loading: libyaml's C parser when PyYAML has it, the pure-Python one if not.

Audits parse thousands of manifests; the C loader is about ten times faster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str | bytes) -> Any:
    return yaml.load(text, Loader=SafeLoader)


def load_all(text: str | bytes) -> Iterator[Any]:
    return yaml.load_all(text, Loader=SafeLoader)
