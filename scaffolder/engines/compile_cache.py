"""Compiled Jinja code of copier-engine templates, kept on disk between runs.

copier compiles every file, every path part and every ``_exclude`` pattern of a template in
each process; for a one-off ``scaffolder new`` or ``diff`` that is a fifth of the run. Jinja's
own bytecode cache covers files loaded by name only, so the environment's ``compile`` is
wrapped instead: the code object of each (source, name, filename) is kept, marshalled, under
a key that also holds everything else compiling depends on (Python's bytecode magic, the
Jinja and copier versions, the environment's options and extensions).

Only for environments whose extensions are Jinja's and copier's own: a template's
``_jinja_extensions`` may do work while parsing (as copier's ``{% yield %}`` does, whose state
:func:`scaffolder.engines.copier._compile_strings_once` resets), which a cached compile would
skip.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import CodeType
from typing import Any

from scaffolder.paths import cache_dir

# Extensions known to do nothing at parse time that a cached compile would skip.
_SAFE_EXTENSIONS = frozenset(
    {
        "jinja2_ansible_filters.AnsibleCoreFiltersExtension",
        "copier._jinja_ext.YieldExtension",  # its parse-time reset is done by our wrappers
        "jinja2.ext.ExprStmtExtension",
        "jinja2.ext.LoopControlExtension",
        "jinja2.ext.DebugExtension",
    }
)


def fingerprint(env: Any, envops: Iterable[tuple[str, Any]]) -> str | None:
    """What compiled code of ``env`` depends on, or None where it is not safe to cache."""
    import copier
    import jinja2

    names = sorted(f"{type(e).__module__}.{type(e).__qualname__}" for e in env.extensions.values())
    if not set(names) <= _SAFE_EXTENSIONS:
        return None
    parts = (
        importlib.util.MAGIC_NUMBER.hex(),
        sys.version,
        jinja2.__version__,
        getattr(copier, "__version__", ""),
        type(env).__qualname__,
        repr(names),
        repr(sorted((str(k), repr(v)) for k, v in envops)),
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def cache_compiles(env: Any, key: str) -> None:
    """Make ``env.compile`` keep the code it compiles in the cache folder (by ``key``)."""
    folder = cache_dir() / "copier-compiled" / key[:32]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # no cache where the folder is not writable: compile as usual
    compile_code: Callable[..., Any] = env.compile

    def compile(
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):
            return compile_code(source, name, filename, raw, defer_init)
        entry = "\0".join((str(name), str(filename), str(defer_init), source))
        path = folder / hashlib.sha256(entry.encode()).hexdigest()
        code = _read(path)
        if code is None:
            code = compile_code(source, name, filename, raw, defer_init)
            _write(path, marshal.dumps(code))
        return code

    env.compile = compile


def _read(path: Path) -> CodeType | None:
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a concurrent run reads either no entry or a complete one."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
