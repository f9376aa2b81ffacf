"""The cookiecutter engine (:mod:`scaffolder.cookiecutter_engine`), behind the engine interface."""

from __future__ import annotations

from pathlib import Path

from scaffolder.cookiecutter_engine import CookiecutterRenderer


def cookiecutter_renderer(root: Path, *, trusted: bool, origin: str) -> CookiecutterRenderer:
    return CookiecutterRenderer(root, trusted=trusted, origin=origin)
