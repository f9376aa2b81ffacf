"""The Jinja environment golden paths render in: the one copier builds, so templates behave alike.

copier uses a sandboxed environment with ``keep_trailing_newline`` on by default, the
Ansible core filters (``to_nice_yaml``, ``regex_search``...) and the template's ``_envops``.
We build the same, once per template version, and reuse it for every render: compiled
templates are cached by Jinja, which is what makes a fleet of renders cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import FileSystemBytecodeCache, StrictUndefined, Undefined
from jinja2.sandbox import SandboxedEnvironment

from scaffolder.errors import TemplateError
from scaffolder.paths import cache_dir
from scaffolder.sandbox import Sandbox, check_options
from scaffolder.templatefiles import GuardedLoader

_ALLOWED_UNDEFINED = {"jinja2.Undefined": Undefined, "jinja2.StrictUndefined": StrictUndefined}


def make_environment(
    root: Path | None, envops: Mapping[str, Any], *, bound: Path | None = None
) -> SandboxedEnvironment:
    """A sandboxed environment loading templates below ``root`` (none for string-only use).

    Symlinks are followed only to files inside ``bound`` (default ``root``), the template's
    own folder (:mod:`scaffolder.templatefiles`).
    """
    check_options(envops, "_envops")
    options = dict(envops)
    options.setdefault("keep_trailing_newline", True)
    undefined = options.get("undefined")
    if undefined is not None:
        if undefined not in _ALLOWED_UNDEFINED:
            raise TemplateError(
                f"unsupported _envops.undefined {undefined!r}",
                hint="use jinja2.Undefined or jinja2.StrictUndefined",
            )
        options["undefined"] = _ALLOWED_UNDEFINED[undefined]
    loader = GuardedLoader(str(root), bound or root) if root is not None else None
    env = Sandbox(
        loader=loader,
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        bytecode_cache=bytecode_cache() if root is not None else None,
        **options,
    )
    env.globals["pathjoin"] = _pathjoin
    return env


def _pathjoin(*parts: str, mode: str = "posix") -> str:
    return str(PurePosixPath(*parts))


def bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept on disk: a one-off `diff` or `new` skips compiling them.

    Entries are keyed by template name and checked against the source's hash, so an edited
    template is recompiled. No cache (rather than an error) where the folder is not writable.
    """
    import jinja2

    folder = cache_dir() / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))
