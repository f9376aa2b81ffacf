"""Resource limits for untrusted input: YAML/JSON sizes, template files, whole renders, time.

A template or an answers file can ask for unbounded work (a billion-laughs ``copier.yml``, a
2 GB sparse file, a render that never ends). Each limit below stops that with an
:class:`LimitError` (exit 1) naming the limit and how to raise it. Overrides, strongest first:
the environment (``SCAFFOLDER_LIMIT_<NAME>``, e.g. ``SCAFFOLDER_LIMIT_RENDER_SECONDS=600``),
then ``limits:`` in the settings file (:mod:`scaffolder.trust`). See docs/reference/security.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import signal
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from scaffolder.errors import ScaffolderError

ENV_PREFIX = "SCAFFOLDER_LIMIT_"


class LimitError(ScaffolderError):
    """Input larger or slower than a limit allows."""


@dataclass(frozen=True)
class Limits:
    """Every limit; the defaults are far above what real templates use."""

    config_bytes: int = 5_000_000  # copier.yml, cookiecutter.json, answers and data files
    yaml_nodes: int = 100_000  # YAML nodes once aliases are expanded (billion laughs)
    file_bytes: int = 50_000_000  # one template file, rendered or copied; one repo file read
    render_bytes: int = 500_000_000  # everything one render produces
    render_seconds: float = 120.0  # wall-clock time of one render
    # Address space of one `kubectl kustomize` (a YAML alias bomb in a repo grows it by
    # gigabytes a second); normal overlays need well under 100 MB.
    kustomize_bytes: int = 4 << 30

    def hint(self, name: str) -> str:
        return (
            f"if the input is genuine, raise it with {ENV_PREFIX}{name.upper()}=N "
            f"or `limits: {{{name}: N}}` in the settings file (docs/reference/security.md)"
        )

    def error(self, name: str, what: str) -> LimitError:
        return LimitError(
            f"{what} exceeds the {name} limit ({getattr(self, name)})", hint=self.hint(name)
        )


def _from_settings(path: Path) -> dict[str, Any] | None:
    """The settings file's ``limits:`` (None: the file could not be read)."""
    from scaffolder.trust import load_settings

    try:
        section = load_settings(path).get("limits")
    except (OSError, ScaffolderError):
        return None  # trust.py reports an unreadable settings file
    return dict(section) if isinstance(section, dict) else {}


# What `current()` depends on: the variables that place the settings file, and the overrides.
_KEY_VARS = (
    "SCAFFOLDER_SETTINGS",
    "XDG_CONFIG_HOME",
    "HOME",
    *(ENV_PREFIX + spec.name.upper() for spec in fields(Limits)),
)
_current: dict[tuple[str | None, ...], Limits] = {}


def current() -> Limits:
    """The limits in force: defaults, then the settings file, then the environment.

    Every file read and render asks for them (an audit about a hundred times a repo), so the
    answer is kept per value of the variables it depends on: the settings file's place and
    the overrides (the file itself is read once per path, :func:`scaffolder.trust.load_settings`).
    """
    key = tuple(map(os.environ.get, _KEY_VARS))
    found = _current.get(key)
    if found is not None:
        return found
    from scaffolder.trust import settings_path

    values: dict[str, Any] = {}
    configured = _from_settings(settings_path())
    for spec in fields(Limits):
        raw = os.environ.get(ENV_PREFIX + spec.name.upper(), (configured or {}).get(spec.name))
        if raw is None:
            continue
        kind = float if spec.type in ("float", float) else int
        try:
            values[spec.name] = kind(raw)
        except (TypeError, ValueError):
            raise ScaffolderError(
                f"limit {spec.name} must be a number, got {raw!r}",
                hint=f"fix {ENV_PREFIX}{spec.name.upper()} or `limits:` in {settings_path()}",
            ) from None
    limits = Limits(**values)
    if configured is not None:  # an unreadable settings file is read again next time
        _current[key] = limits
    return limits


def check_file_size(path: Path, size: int, what: str = "template file") -> None:
    limits = current()
    if size > limits.file_bytes:
        raise limits.error("file_bytes", f"{what} {path} ({size} bytes)")


def read_config_text(path: Path, *, pipe_ok: bool = False) -> str:
    """A configuration or answers file, refused before reading when it is too large.

    Only a regular file is read, unless ``pipe_ok`` (a ``--data-file`` the user names may be
    ``<(command)``); a pipe is read up to the limit, never without end.
    """
    limits = current()
    info = path.stat()
    if not stat.S_ISREG(info.st_mode) and not (pipe_ok and stat.S_ISFIFO(info.st_mode)):
        raise ScaffolderError(
            f"{path} is not a regular file; scaffolder does not read special files",
            hint="replace it with a regular file",
        )
    if info.st_size > limits.config_bytes:
        raise limits.error("config_bytes", f"{path} ({info.st_size} bytes)")
    with path.open("rb") as handle:
        data = handle.read(limits.config_bytes + 1)
    if len(data) > limits.config_bytes:
        raise limits.error("config_bytes", str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScaffolderError(f"{path} is not UTF-8 text: {exc}") from None


# ---- YAML: aliases expanded beyond ``yaml_nodes`` are refused before anything is built.


def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int], cap: int) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        return cap + 1  # a recursive alias: infinite once expanded
    active.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            total += _expanded_size(child, memo, active, cap)
            if total > cap:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            total += _expanded_size(k, memo, active, cap) + _expanded_size(v, memo, active, cap)
            if total > cap:
                break
    active.discard(key)
    memo[key] = total
    return total


class LimitedConstruction:
    """Mixin for a PyYAML loader: a document whose expanded size passes the limit is refused."""

    source: str = "YAML input"

    def construct_document(self, node: yaml.Node) -> Any:
        limits = current()
        if _expanded_size(node, {}, set(), limits.yaml_nodes) > limits.yaml_nodes:
            raise limits.error(
                "yaml_nodes", f"{self.source} (aliases expand it to more YAML nodes than that)"
            )
        return super().construct_document(node)  # type: ignore[misc]


class LimitedSafeLoader(LimitedConstruction, yaml.SafeLoader):
    """``yaml.SafeLoader`` with the expansion limit."""


def too_deep(source: str) -> LimitError:
    """The error for input nested deeper than the parser can follow."""
    return LimitError(
        f"{source} is nested too deeply to read", hint="flatten it; no template needs that depth"
    )


_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)


class LimitedCSafeLoader(LimitedConstruction, _CSafeLoader or yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's parser (when PyYAML has it) with the expansion limit: about ten times
    faster on the records a fleet run reads in every repo."""


def load_yaml(text: str | bytes, source: str) -> Any:
    """``yaml.safe_load`` that refuses alias bombs, naming ``source`` in the error.

    libyaml parses first; input it refuses (or nests beyond its depth limit) is read again
    by PyYAML's own parser, so errors and the too-deep limit read as they always have.
    """
    limits = current()
    if len(text) > limits.config_bytes:
        raise limits.error("config_bytes", f"{source} ({len(text)} bytes)")
    if _CSafeLoader is not None:
        with contextlib.suppress(yaml.YAMLError):
            return _load_with(LimitedCSafeLoader, text, source)
    return _load_with(LimitedSafeLoader, text, source)


def _load_with(loader_class: type[LimitedConstruction], text: str | bytes, source: str) -> Any:
    loader: Any = loader_class(text)  # type: ignore[call-arg]
    loader.source = source
    try:
        return loader.get_single_data()
    except RecursionError:
        raise too_deep(source) from None
    finally:
        loader.dispose()


def load_json(text: str, source: str) -> Any:
    """``json.loads`` that turns a too-deep document into a :class:`LimitError`."""
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(source) from None


# ---- Renders: a budget of bytes and seconds, charged as templates produce output.


class RenderBudget:
    """What one render may still spend; charged by :class:`BudgetTemplate` and the engines."""

    def __init__(self, what: str, limits: Limits) -> None:
        self.what = what
        self.limits = limits
        self.deadline = time.monotonic() + limits.render_seconds
        self.spent = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.limits.error("render_seconds", f"rendering {self.what}")

    def charge(self, size: int) -> None:
        self.spent += size
        if self.spent > self.limits.render_bytes:
            raise self.limits.error("render_bytes", f"the output of {self.what}")
        self.check_time()


_BUDGET: contextvars.ContextVar[RenderBudget | None] = contextvars.ContextVar(
    "scaffolder_render_budget", default=None
)


def active_budget() -> RenderBudget | None:
    return _BUDGET.get()


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so template code cannot swallow it."""


@contextlib.contextmanager
def render_budget(what: str) -> Iterator[RenderBudget]:
    """Charge a render against the limits. In the main thread an alarm also interrupts
    template code that loops without producing output; elsewhere output and calls are checked.
    """
    outer = _BUDGET.get()
    if outer is not None:  # inside a render already: its budget covers this part too
        yield outer
        return
    budget = RenderBudget(what, current())
    token = _BUDGET.set(budget)
    alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")
    previous: Any = None
    if alarm:

        def on_alarm(signum: int, frame: Any) -> None:
            raise _Timeout

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(budget.limits.render_seconds, 0.001))
    try:
        yield budget
    except _Timeout:
        raise budget.limits.error("render_seconds", f"rendering {what}") from None
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
        _BUDGET.reset(token)
