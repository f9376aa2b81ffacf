"""Checkpoints that survive preemption: written atomically, read back defensively.

A checkpoint is one JSON file, ``ckpt-<step>.json``, in the checkpoint directory. It is first
written to a temporary file in the same directory, flushed and fsynced, then renamed over its
final name: a rename within one filesystem is atomic, so a reader (or the next attempt after a
preemption) sees either the previous checkpoint or the complete new one, never half a file.
Reading skips files that do not parse, so a checkpoint damaged outside this code (a full disk,
a copy cut short) costs one checkpoint interval instead of the whole run.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = 1
_NAME = re.compile(r"^ckpt-(\d{10})\.json$")
_TEMP_PREFIX = ".ckpt-"
_TEMP_SUFFIX = ".tmp"


@dataclass(frozen=True)
class Checkpoint:
    """Everything needed to continue training exactly where it stopped."""

    step: int
    weights: tuple[float, ...]
    bias: float
    loss: float

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "step": self.step,
            "weights": list(self.weights),
            "bias": self.bias,
            "loss": self.loss,
        }

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a format {FORMAT} checkpoint")
        step, weights = data["step"], data["weights"]
        if not isinstance(step, int) or step < 0 or not isinstance(weights, list):
            raise ValueError("invalid step or weights")
        return cls(
            step=step,
            weights=tuple(float(w) for w in weights),
            bias=float(data["bias"]),
            loss=float(data["loss"]),
        )


def path_for(directory: Path, step: int) -> Path:
    return directory / f"ckpt-{step:010d}.json"


def save(directory: Path, checkpoint: Checkpoint, keep: int = 3) -> Path:
    """Write ``checkpoint`` atomically, then delete all but the ``keep`` newest."""
    directory.mkdir(parents=True, exist_ok=True)
    final = path_for(directory, checkpoint.step)
    fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(checkpoint.to_json(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, final)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(directory)
    prune(directory, keep)
    return final


def load(path: Path) -> Checkpoint:
    with path.open(encoding="utf-8") as handle:
        return Checkpoint.from_json(json.load(handle))


def steps(directory: Path) -> list[int]:
    """Steps of the checkpoint files in ``directory``, newest first (temp files excluded)."""
    if not directory.is_dir():
        return []
    found = (_NAME.match(p.name) for p in directory.iterdir())
    return sorted((int(m.group(1)) for m in found if m), reverse=True)


def latest(directory: Path) -> Checkpoint | None:
    """The newest checkpoint that reads back whole; None when there is none."""
    for step in steps(directory):
        path = path_for(directory, step)
        try:
            checkpoint = load(path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("skipping unreadable checkpoint %s: %s", path.name, exc)
            continue
        if checkpoint.step != step:
            log.warning("skipping %s: it holds step %d", path.name, checkpoint.step)
            continue
        return checkpoint
    return None


def prune(directory: Path, keep: int) -> None:
    """Delete all but the ``keep`` newest checkpoints."""
    for step in steps(directory)[max(keep, 1) :]:
        with suppress(FileNotFoundError):
            path_for(directory, step).unlink()


def remove_stale_temp_files(directory: Path) -> int:
    """Delete temp files left by a process killed mid-write; returns how many."""
    if not directory.is_dir():
        return 0
    removed = 0
    for path in directory.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
        with suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself (the directory entry), where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
