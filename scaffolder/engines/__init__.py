"""Engines: which renderer a golden-path version uses, and building it.

``renderer_for(version)`` returns the version's :class:`~scaffolder.engines.base.TemplateRenderer`:

- ``cookiecutter`` for a ``cookiecutter.json`` template;
- ``native`` (the fast in-memory renderer) for a copier template the classifier verified;
- ``copier`` (copier's own library) for every other copier template.

``engine="native"|"copier"`` (or a version's ``renderer``, which ``--engine`` sets) forces one;
forcing ``native`` onto a template outside its subset fails with the classifier's reasons.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

from scaffolder.catalog import GoldenPathVersion
from scaffolder.engines.base import (
    COOKIECUTTER,
    COPIER,
    ENGINES,
    NATIVE,
    EngineChoice,
    TemplateConfigLike,
    TemplateRenderer,
)
from scaffolder.errors import TemplateError

__all__ = [
    "COOKIECUTTER",
    "COPIER",
    "ENGINES",
    "NATIVE",
    "EngineChoice",
    "TemplateConfigLike",
    "TemplateRenderer",
    "choose",
    "describe",
    "forget_renderers",
    "renderer_for",
    "skip_if_exists",
]


def choose(version: GoldenPathVersion, engine: str | None = None) -> EngineChoice:
    """The engine for ``version``, and why; ``engine`` (else the version's ``renderer``,
    from ``--engine``) forces native or copier."""
    engine = engine or version.renderer
    if version.engine == COOKIECUTTER:
        if engine not in (None, COOKIECUTTER):
            raise TemplateError(
                f"{version.golden_path} {version.version} is a cookiecutter template",
                hint="--engine native|copier applies to copier templates only",
            )
        return EngineChoice(COOKIECUTTER)
    if engine == COOKIECUTTER:
        raise TemplateError(
            f"{version.golden_path} {version.version} is not a cookiecutter template",
            hint="leave out --engine, or pass --engine native|copier",
        )
    from scaffolder.engines.classify import classify

    exported = version.commit and version.source and f"{version.commit}:{version.source.directory}"
    auto = classify(version.root, exported or None)
    if engine is None or engine == auto.engine:
        return auto
    if engine == NATIVE:
        raise TemplateError(
            f"the native engine cannot render {version.golden_path} {version.version}: "
            + auto.reason,
            hint="leave out --engine: scaffolder picks the copier engine for it",
        )
    if engine == COPIER:
        return EngineChoice(COPIER, ("--engine copier",))
    raise TemplateError(f"unknown engine {engine!r}", hint="use native or copier")


@functools.cache
def describe(version: GoldenPathVersion) -> str:
    """What copier records as ``_commit``: the tag, ``git describe`` of a commit, or the
    catalog version."""
    if version.ref is not None or version.source is None or version.commit is None:
        return version.ref or version.version
    from scaffolder.git import GitError, run_git

    try:
        return run_git(
            version.source.sync(), ["describe", "--tags", "--always", version.commit]
        ).strip()
    except (GitError, subprocess.SubprocessError):
        return version.commit


def renderer_for(version: GoldenPathVersion, engine: str | None = None) -> TemplateRenderer:
    """One renderer per golden-path version (and engine) per process, shared by every caller."""
    return _renderer_for(version, engine)  # one cache key however a caller passes `engine`


def forget_renderers() -> None:
    """Drop the renderers built so far (tests build catalogs in tmp dirs)."""
    _renderer_for.cache_clear()


@functools.cache
def _renderer_for(version: GoldenPathVersion, engine: str | None) -> TemplateRenderer:
    origin = f"{version.golden_path} {version.version}"  # names it in template errors
    try:
        return _build(version, engine, origin)
    except TemplateError as exc:
        from scaffolder.catalog import COOKIECUTTER_CONFIG, formats_of

        if version.engine == COOKIECUTTER or COOKIECUTTER not in formats_of(version.root):
            raise
        raise TemplateError(  # a template moving between tools: its other format may work
            exc.message,
            hint=f"{origin} also ships {COOKIECUTTER_CONFIG}, which `--engine cookiecutter`"
            " reads (see docs/guides/cookiecutter.md)",
        ) from exc


def _build(version: GoldenPathVersion, engine: str | None, origin: str) -> TemplateRenderer:
    choice = choose(version, engine)
    if choice.engine == COOKIECUTTER:
        from scaffolder.engines.cookiecutter import cookiecutter_renderer

        return cookiecutter_renderer(version.root, trusted=version.trusted, origin=origin)
    if choice.engine == NATIVE:
        from scaffolder.engines.native import native_renderer

        return native_renderer(version.root, origin)
    from scaffolder.engines.copier import CopierRenderer

    return CopierRenderer(
        version.root,
        trusted=version.trusted,
        origin=origin,
        commit=version.commit,
        describe=describe(version) if version.commit else None,
    )


def skip_if_exists(renderer: TemplateRenderer, context: Mapping[str, Any]) -> Callable[[str], bool]:
    """copier's ``_skip_if_exists``, rendered: whether an existing file is the repo's to keep."""
    import pathspec

    from scaffolder.render import PATTERN_STYLE

    raw = getattr(renderer.config, "skip_if_exists", ())
    patterns = [renderer.evaluator.render(p, context) if "{" in p else p for p in raw]
    spec = pathspec.PathSpec.from_lines(PATTERN_STYLE, patterns)
    return spec.match_file
