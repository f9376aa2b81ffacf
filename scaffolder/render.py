"""The render core: ``render(version, answers) -> RenderedTree``, pure and deterministic.

``new`` writes a tree, ``diff`` compares trees with a repo, ``upgrade`` merges three of them and
``audit`` renders a fleet: all of them go through :class:`Renderer`, one per golden-path
version, which compiles each template file once and caches whole renders by answers. Several
versions of a golden path (base and target of an upgrade) live side by side as separate
renderers; nothing here touches the destination or global state.

Semantics follow copier: files under the template's ``_subdirectory``; path parts rendered
with Jinja and a part that renders empty drops the file; files ending in ``_templates_suffix``
rendered and the suffix stripped, others copied byte for byte; ``_exclude`` matched
gitignore-style; the answers file is not taken from the template but written by
:mod:`scaffolder.project`.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec
from jinja2 import Template
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from scaffolder.errors import TemplateError
from scaffolder.jinja import make_environment
from scaffolder.questions import Answers, Evaluator
from scaffolder.template import TemplateConfig, load_template_config


@dataclass(frozen=True)
class RenderedFile:
    """One generated file: its bytes and whether it is executable."""

    content: bytes
    executable: bool = False

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644


class RenderedTree(Mapping[str, RenderedFile]):
    """An immutable mapping of POSIX relative path to :class:`RenderedFile`, sorted by path.

    ``messages`` are what the template has to say to the person who generated it (copier's
    ``_message_after_copy``, what cookiecutter hooks printed); they are not files.
    """

    __slots__ = ("_files", "messages")

    def __init__(self, files: Mapping[str, RenderedFile], messages: tuple[str, ...] = ()) -> None:
        self._files = dict(sorted(files.items()))
        self.messages = messages

    def __getitem__(self, path: str) -> RenderedFile:
        return self._files[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def contents(self) -> dict[str, bytes]:
        """Path -> bytes, the form comparisons and merges work on."""
        return {path: f.content for path, f in self._files.items()}

    def digest(self) -> str:
        """A content hash of the whole tree (paths, bytes, modes)."""
        h = hashlib.sha256()
        for path, f in self._files.items():
            h.update(path.encode() + b"\0" + f.mode.to_bytes(2, "big") + f.content + b"\0")
        return h.hexdigest()


@dataclass(frozen=True)
class RenderMeta:
    """Where a render comes from, as copier exposes it to templates."""

    src_path: str
    version: str
    folder_name: str = ""
    commit: str = ""  # the template's git commit, when it is kept in git
    # The repo's absolute path, for engines that run template code which may record it
    # (cookiecutter hooks: docs/guides/cookiecutter.md, "Hooks and paths").
    destination: str = ""


@dataclass(frozen=True)
class _Source:
    relpath: str  # relative to the template dir, POSIX
    target: str  # relpath without the templates suffix; may hold Jinja
    templated: bool  # ends in the templates suffix
    executable: bool


# pathspec 1.0 renamed copier's gitignore-style patterns; copier picks the name the same way.
PATTERN_STYLE = "gitignore" if int(pathspec.__version__.split(".")[0]) >= 1 else "gitwildmatch"


def _template_line(exc: BaseException, relpath: str) -> int | None:
    """The template line Jinja's rewritten traceback points at, for runtime errors."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(relpath):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class Renderer:
    """Renders one golden-path version; safe to share between threads of a fleet run."""

    def __init__(
        self, config: TemplateConfig, *, cache_size: int = 512, origin: str | None = None
    ) -> None:
        self.config = config
        self.env: SandboxedEnvironment = make_environment(config.template_dir, config.envops)
        self.origin = origin or f"{config.root.parent.name} {config.root.name}"
        self.evaluator = Evaluator(self.env, origin=f"{self.origin}: ")
        self._sources = tuple(self._scan())
        self._path_templates: dict[str, Template] = {}
        self._cache: OrderedDict[tuple[str, str, str, str], RenderedTree] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @classmethod
    def for_root(cls, root: Path, origin: str | None = None) -> Renderer:
        return cls(load_template_config(root), origin=origin)

    def _scan(self) -> Iterator[_Source]:
        base = self.config.template_dir
        if not base.is_dir():
            raise TemplateError(
                f"template folder {base} does not exist", hint="check _subdirectory in copier.yml"
            )
        exclude = pathspec.PathSpec.from_lines(PATTERN_STYLE, self.config.exclude)
        suffix = self.config.templates_suffix
        for dirpath, dirnames, filenames in os.walk(base):
            rel_dir = Path(dirpath).relative_to(base)
            dirnames[:] = sorted(
                d for d in dirnames if not exclude.match_file((rel_dir / d).as_posix() + "/")
            )
            names = set(filenames)
            for name in sorted(filenames):
                rel = (rel_dir / name).as_posix()
                if exclude.match_file(rel):
                    continue
                templated = bool(suffix) and name.endswith(suffix)
                if suffix and not templated and name + suffix in names:
                    continue  # copier: a templated sibling wins over the plain file
                mode = (Path(dirpath) / name).stat().st_mode
                yield _Source(
                    relpath=rel,
                    target=rel[: -len(suffix)] if templated else rel,
                    templated=templated,
                    executable=bool(mode & stat.S_IXUSR),
                )

    def answers_path(self, answers: Answers) -> str:
        """Where this version records answers; ``_answers_file`` may use the answers."""
        raw = self.config.answers_file
        if "{{" not in raw and "{%" not in raw:
            return raw
        return self.evaluator.render(raw, answers.context).strip()

    def context(self, answers: Answers, meta: RenderMeta) -> dict[str, Any]:
        """The Jinja context copier would give the template."""
        remembered = {"_commit": meta.version, "_src_path": meta.src_path, **answers.recorded}
        conf = {
            "answers_file": self.answers_path(answers),
            "src_path": meta.src_path,
            "vcs_ref": meta.version,
            "sep": "/",
            "os": "linux",
        }
        return {
            **answers.context,
            "_copier_answers": remembered,
            "_copier_conf": conf,
            "_folder_name": meta.folder_name,
            "_copier_python": "python3",
        }

    def render(self, answers: Answers, meta: RenderMeta) -> RenderedTree:
        """Render every file; identical inputs return the same cached tree."""
        key = (answers.cache_key(), meta.src_path, meta.version, meta.folder_name)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        tree = self._render(self.context(answers, meta))
        with self._lock:
            self._cache[key] = tree
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return tree

    def _render(self, context: dict[str, Any]) -> RenderedTree:
        answers_file = context["_copier_conf"]["answers_file"]
        files: dict[str, RenderedFile] = {}
        for source in self._sources:
            target = self._target_path(source, context)
            if target is None:
                continue
            if target == answers_file:
                continue  # written by scaffolder.project, never by the template
            if source.templated:
                content = self._render_file(source.relpath, context).encode()
            else:
                content = (self.config.template_dir / source.relpath).read_bytes()
            files[target] = RenderedFile(content, source.executable)
        message = self.config.message_after_copy
        if message.strip():
            return RenderedTree(files, (self.evaluator.render(message, context).strip(),))
        return RenderedTree(files)

    def _target_path(self, source: _Source, context: dict[str, Any]) -> str | None:
        if "{{" not in source.target and "{%" not in source.target:
            return source.target
        parts = []
        for raw in source.target.split("/"):
            part = raw
            if "{{" in raw or "{%" in raw:
                template = self._path_templates.get(raw)
                if template is None:
                    template = self._path_templates[raw] = self.env.from_string(raw)
                try:
                    part = template.render(**context)
                except Exception as exc:  # any error raised by template code
                    raise self._error(source.relpath, exc) from exc
                if not part.strip():
                    return None
            parts.append(part)
        return "/".join(parts)

    def _render_file(self, relpath: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(relpath).render(**context)
        except Exception as exc:  # any error raised by template code
            raise self._error(relpath, exc) from exc

    def _error(self, relpath: str, exc: Exception) -> TemplateError:
        line = getattr(exc, "lineno", None) or _template_line(exc, relpath)
        where = f"{relpath}:{line}" if line else relpath
        message = (
            str(exc) if isinstance(exc, JinjaTemplateError) else (f"{type(exc).__name__}: {exc}")
        )
        return TemplateError(
            f"golden path {self.origin} failed to render {where}: {message}",
            hint="this is a bug in the golden path; report it to the golden path's owner",
        )
