"""Stable shards of a fleet: which repos one job of a CI matrix or an Indexed Job handles.

A repo belongs to shard ``K/N`` when the SHA-256 of its identity, taken modulo ``N``, is
``K - 1``. The identity is the repo folder's name (``fleet clone`` names each folder after its
URL the same way), never its position in a list, so adding or removing repos never moves the
others between shards, and ``fleet clone --shard K/N`` fetches exactly the repos that
``audit --shard K/N`` then checks (docs/guides/fleet.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from scaffolder.errors import AnswerError

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based, as jest and playwright count) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SPEC.match(text)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise AnswerError(
                f"--shard {text!r} is not K/N with 1 <= K <= N",
                hint="for example --shard 1/4 ... --shard 4/4 (a Kubernetes Indexed Job "
                "passes $((JOB_COMPLETION_INDEX + 1))/N)",
            )
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, identity: str) -> bool:
        digest = hashlib.sha256(identity.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def select(self, items: Sequence[T]) -> list[T]:
        """The items of this shard, in their order (items are repo paths or fleet entries)."""
        return [item for item in items if self.holds(repo_identity(item))]


def repo_identity(item: object) -> str:
    """The name a repo is sharded by: its folder's name (a fleet entry's ``name``)."""
    if isinstance(item, Path):
        return item.name
    name = getattr(item, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"cannot shard {item!r}")
    return name
