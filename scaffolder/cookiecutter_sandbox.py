"""Cookiecutter renders in our sandbox unless the template is trusted, and inside the guard.

cookiecutter builds its Jinja environment in one place, ``create_env_with_context`` (a
:class:`cookiecutter.environment.StrictEnvironment`: strict undefined, its default extensions
and the template's ``_extensions`` and ``_jinja2_env_vars``), which ``generate_files`` looks up
in its own module. :func:`injected` replaces that lookup for one render (renders hold the
engine's process lock) with :func:`environment`: for a trusted template, cookiecutter's own
environment, so trusted templates render byte-identical with cookiecutter and cruft; for any
other, the same strict environment on :class:`scaffolder.sandbox.Sandbox`, copier's policy,
whose loader reads only the template's own files.

:func:`check_paths` renders every file and folder name the way ``generate_files`` will and
passes it through the write guard before cookiecutter writes anything.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cookiecutter.environment import ExtensionLoaderMixin, StrictEnvironment
from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined
from jinja2 import TemplateError as JinjaTemplateError

from scaffolder.errors import TemplateError
from scaffolder.safepath import check_relpath
from scaffolder.sandbox import BudgetTemplate, Sandbox, check_options
from scaffolder.templatefiles import GuardedLoader, TemplateWalk

# Extensions an untrusted template may name in ``_extensions``: cookiecutter's own defaults and
# Jinja's. Anything else imports a module the template chooses, which is running code.
SAFE_EXTENSION_PREFIXES = ("cookiecutter.extensions.", "jinja2.ext.", "jinja2_time.")


def check_untrusted_settings(raw: Mapping[str, Any], origin: str) -> None:
    """Refuse the ``cookiecutter.json`` settings that run code unless the template is trusted."""
    from scaffolder.trust import trust_hint

    extensions = [str(e) for e in raw.get("_extensions") or []]
    foreign = [e for e in extensions if not e.startswith(SAFE_EXTENSION_PREFIXES)]
    if foreign:
        raise TemplateError(
            f"template {origin} loads Jinja extensions {', '.join(foreign)}, which import and "
            "run code",
            hint="if you trust it, " + trust_hint(),
        )
    options = raw.get("_jinja2_env_vars") or {}
    if not isinstance(options, Mapping):
        raise TemplateError(f"template {origin}: _jinja2_env_vars must be a mapping")
    check_options(options, f"template {origin}: _jinja2_env_vars")


class SandboxedStrictEnvironment(ExtensionLoaderMixin, Sandbox):  # type: ignore[misc]
    """cookiecutter's ``StrictEnvironment`` on the sandbox; file loaders are guarded."""

    def __init__(self, *, bound: Path, **kwargs: Any) -> None:
        self._bound = bound
        super().__init__(undefined=StrictUndefined, **kwargs)

    @property
    def loader(self) -> BaseLoader | None:
        return self._loader

    @loader.setter
    def loader(self, value: BaseLoader | None) -> None:
        # generate_files sets FileSystemLoader(['.', '../templates']) after building us.
        if isinstance(value, FileSystemLoader) and not isinstance(value, GuardedLoader):
            value = GuardedLoader(value.searchpath, self._bound)
        self._loader = value


def environment(context: dict[str, Any], *, trusted: bool, bound: Path) -> Environment:
    """The environment one render uses (see the module docstring)."""
    cookiecutter = context.get("cookiecutter", {})
    options = dict(cookiecutter.get("_jinja2_env_vars", {}))
    if trusted:
        env: Environment = StrictEnvironment(context=context, keep_trailing_newline=True, **options)
        env.template_class = BudgetTemplate  # the same output, charged to the render budget
        return env
    # The template's own options passed check_untrusted_settings; bytecode_cache is ours.
    return SandboxedStrictEnvironment(
        bound=bound, context=context, keep_trailing_newline=True, **options
    )


@contextlib.contextmanager
def injected(factory: Callable[[dict[str, Any]], Environment]) -> Iterator[None]:
    """``generate_files`` builds its environment with ``factory`` (one render at a time)."""
    import cookiecutter.generate as generate_module

    saved = generate_module.create_env_with_context
    generate_module.create_env_with_context = factory
    try:
        yield
    finally:
        generate_module.create_env_with_context = saved


def _copy_only(path: str, context: Mapping[str, Any]) -> bool:
    patterns = context["cookiecutter"].get("_copy_without_render") or []
    return any(fnmatch.fnmatch(path, p) for p in patterns)


def check_paths(root: Path, env: Environment, context: dict[str, Any], origin: str) -> None:
    """Render each name as ``generate_files`` will; refuse any that leaves the output folder.

    Also reads nothing unsafe: every file passes :func:`scaffolder.templatefiles.regular_file`
    and a folder symlink (whose files cookiecutter would silently drop) is refused.
    """
    from cookiecutter.find import find_template

    answers = context["cookiecutter"]
    template_dir = Path(find_template(root, env))
    top = template_dir.name

    def rendered(relpath: str, source: str) -> None:
        try:
            name = env.from_string(relpath).render(**context)
        except JinjaTemplateError:
            return  # generate_files raises the same error, with its own message
        if name == "" or name.endswith("/"):
            name = name.rstrip("/")
            if not name:
                return  # an empty file name: cookiecutter skips the file
        check_relpath(name, source=source, answers=answers, origin=origin)

    rendered(top, top)
    walk = TemplateWalk(template_dir, root, origin)
    for dirpath, dirnames, filenames in walk:
        rel_dir = os.path.relpath(dirpath, template_dir)
        for name in dirnames:
            path = Path(dirpath) / name
            rel = (Path(rel_dir) / name).as_posix()
            if path.is_symlink() and not _copy_only(rel, context):
                raise TemplateError(
                    f"template {origin}: {top}/{rel} is a symlink to a folder, whose files "
                    "cookiecutter would silently leave out",
                    hint="replace the link with a real folder (or list it in _copy_without_render)",
                )
            rendered(rel, f"{top}/{rel}")
        for name in filenames:
            rel = (Path(rel_dir) / name).as_posix()
            walk.regular_file(Path(dirpath) / name)
            rendered(rel, f"{top}/{rel}")
