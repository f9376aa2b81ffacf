"""The native engine: scaffolder's in-memory renderer (:mod:`scaffolder.render`)."""

from __future__ import annotations

from pathlib import Path

from scaffolder.render import Renderer


def native_renderer(root: Path, origin: str) -> Renderer:
    return Renderer.for_root(root, origin)
