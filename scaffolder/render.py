"""The render core: ``render(version, answers) -> RenderedTree``, pure and deterministic.

``new`` writes a tree, ``diff`` compares trees with a repo, ``upgrade`` merges three of them and
``audit`` renders a fleet: all of them go through :class:`Renderer`, one per golden-path
version, which compiles each template file once and caches whole renders by answers. Several
versions of a golden path (base and target of an upgrade) live side by side as separate
renderers; nothing here touches the destination or global state.

Semantics follow copier: files under the template's ``_subdirectory``; path parts rendered
with Jinja and a part that renders empty drops the file; files ending in ``_templates_suffix``
rendered and the suffix stripped, others copied byte for byte; ``_exclude`` rendered and
matched gitignore-style on the rendered paths; the Jinja loader rooted at the template's root,
so includes and imports name files from there; the template's own answers-file template
rendered like any file (:class:`~scaffolder.generate.Plan` takes it out as the record).
What lies outside this subset goes to copier's own engine (:mod:`scaffolder.engines`).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec
from jinja2 import Template
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from scaffolder.errors import TemplateError
from scaffolder.jinja import make_environment
from scaffolder.limits import render_budget
from scaffolder.questions import Answers, Evaluator
from scaffolder.safepath import check_relpath
from scaffolder.sandbox import render_shared
from scaffolder.template import TemplateConfig, load_template_config
from scaffolder.templatefiles import charge, read_template_file, template_walk


@dataclass(frozen=True)
class RenderedFile:
    """One generated file: its bytes and whether it is executable."""

    content: bytes
    executable: bool = False
    symlink: bool = False  # ``content`` is the link's target (copier's _preserve_symlinks)

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644


class RenderedTree(Mapping[str, RenderedFile]):
    """An immutable mapping of POSIX relative path to :class:`RenderedFile`, sorted by path.

    ``messages`` are what the template has to say to the person who generated it (copier's
    ``_message_after_copy``, what cookiecutter hooks printed); they are not files.
    ``folders`` are folders left empty, which copier creates all the same.
    """

    __slots__ = ("_files", "folders", "messages")

    def __init__(
        self,
        files: Mapping[str, RenderedFile],
        messages: tuple[str, ...] = (),
        folders: tuple[str, ...] = (),
    ) -> None:
        self._files = dict(sorted(files.items()))
        self.messages = messages
        self.folders = tuple(sorted(folders))

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
            kind = b"L" if f.symlink else f.mode.to_bytes(2, "big")
            h.update(path.encode() + b"\0" + kind + f.content + b"\0")
        return h.hexdigest()


def read_folder(
    project: Path, messages: tuple[str, ...] = (), *, skip: Collection[str] = (".git",)
) -> RenderedTree:
    """A folder an engine rendered into, as a tree (folders named in ``skip`` and links out
    of it left out)."""
    files: dict[str, RenderedFile] = {}
    empty: list[str] = []
    for dirpath, dirnames, filenames in os.walk(project):
        dirnames[:] = [d for d in dirnames if d not in skip]
        here = Path(dirpath)
        if not dirnames and not filenames and here != project:
            empty.append(here.relative_to(project).as_posix())
        for name in filenames:
            path = here / name
            rel = path.relative_to(project).as_posix()
            if path.is_symlink():
                link = path.readlink()
                if not link.is_absolute() and path.resolve().is_relative_to(project.resolve()):
                    files[rel] = RenderedFile(str(link).encode(), symlink=True)
                continue  # a link out of the repo is not written
            if not path.is_file():
                continue  # never open a FIFO or device a hook or task may have made
            files[rel] = RenderedFile(path.read_bytes(), bool(path.stat().st_mode & stat.S_IXUSR))
    return RenderedTree(files, messages, tuple(empty))


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


class _Excluded:
    """``_exclude`` as rendered for some answers; a path is matched once (most paths of a
    fleet's renders come back render after render)."""

    _MAX = 50_000

    def __init__(self, spec: pathspec.PathSpec[Any]) -> None:
        self.spec = spec
        self.seen: dict[str, bool] = {}

    def __call__(self, path: str) -> bool:
        hit = self.seen.get(path)
        if hit is None:
            if len(self.seen) >= self._MAX:
                self.seen.clear()
            hit = self.seen[path] = bool(self.spec.match_file(path))
        return hit


class Renderer:
    """Renders one golden-path version; safe to share between threads of a fleet run."""

    def __init__(
        self, config: TemplateConfig, *, cache_size: int = 512, origin: str | None = None
    ) -> None:
        self.config = config
        # copier roots its loader at the template, not at _subdirectory (issue 15).
        self.env: SandboxedEnvironment = make_environment(
            config.root, config.envops, bound=config.root
        )
        self._prefix = f"{config.subdirectory}/" if config.subdirectory else ""
        self._excludes: dict[tuple[str, ...], _Excluded] = {}
        self.origin = origin or f"{config.root.parent.name} {config.root.name}"
        self.evaluator = Evaluator(self.env, origin=f"{self.origin}: ")
        self._sources = tuple(self._scan())
        self._folders = tuple(
            p.relative_to(self.config.template_dir).as_posix()
            for p in sorted(self.config.template_dir.rglob("*"))
            if p.is_dir()
        )
        self._path_templates: dict[str, Template] = {}
        # A version's files do not change while it renders (its whole trees are cached too):
        # each file's compiled template, checked static path and copied bytes are kept, so a
        # fleet's renders skip Jinja's per-render freshness check and the disk.
        self._file_templates: dict[str, Template] = {}
        self._static_targets: dict[str, str] = {}
        self._copied: dict[str, bytes] = {}
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
        suffix = self.config.templates_suffix
        walk = template_walk(base, self.config.root, origin=self.origin)
        for dirpath, dirnames, filenames in walk:
            rel_dir = Path(dirpath).relative_to(base)
            dirnames.sort()
            names = set(filenames)
            for name in sorted(filenames):
                rel = (rel_dir / name).as_posix()
                templated = bool(suffix) and name.endswith(suffix)
                if suffix and not templated and name + suffix in names:
                    continue  # copier: a templated sibling wins over the plain file
                info = walk.regular_file(Path(dirpath) / name)
                yield _Source(
                    relpath=rel,
                    target=rel[: -len(suffix)] if templated else rel,
                    templated=templated,
                    executable=bool(info.st_mode & stat.S_IXUSR),
                )

    def answers_path(self, answers: Answers) -> str:
        """Where this version records answers; ``_answers_file`` may use the answers."""
        raw = self.config.answers_file
        if "{{" not in raw and "{%" not in raw:
            return check_relpath(raw, source="_answers_file", origin=self.origin)
        rendered = self.evaluator.render(raw, answers.context).strip()
        return check_relpath(
            rendered, source="_answers_file", answers=answers.context, origin=self.origin
        )

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
        with render_budget(f"golden path {self.origin}"):
            tree = self._render(self.context(answers, meta))
        with self._lock:
            self._cache[key] = tree
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return tree

    def _exclude_spec(self, context: dict[str, Any]) -> _Excluded:
        """``_exclude`` rendered in this context (copier renders every pattern)."""
        patterns: list[str] = []
        for raw in self.config.exclude:
            text = self.evaluator.render(raw, context) if "{" in raw else raw
            patterns += text.splitlines() if text else [text]
        key = tuple(patterns)
        spec = self._excludes.get(key)
        if spec is None:
            spec = self._excludes[key] = _Excluded(pathspec.PathSpec.from_lines(PATTERN_STYLE, key))
        return spec

    def _render(self, context: dict[str, Any]) -> RenderedTree:
        exclude = self._exclude_spec(context)
        files: dict[str, RenderedFile] = {}
        # One render is one context: every file reads the same variables (with the globals,
        # merged once), and a path part several files share renders once.
        shared = {**self.env.globals, **context}
        parts: dict[str, str] = {}
        for source in self._sources:
            target = self._target_path(source, context, parts)
            if target is None or exclude(target):
                continue  # copier matches exclusions on the rendered path
            if source.templated:
                content = self._render_file(source.relpath, shared).encode()
            else:
                content = self._copy(source.relpath)
                charge(len(content))
            files[target] = RenderedFile(content, source.executable)
        return RenderedTree(files, (), self._empty_folders(files, context, exclude, parts))

    def _empty_folders(
        self,
        files: Mapping[str, RenderedFile],
        context: dict[str, Any],
        exclude: _Excluded,
        parts: dict[str, str],
    ) -> tuple[str, ...]:
        """Template folders nothing was rendered into: copier creates them anyway."""
        if not self._folders:
            return ()
        filled = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
        out = []
        for folder in self._folders:
            target = self._target_path(_Source(folder, folder, False, False), context, parts)
            if target is not None and target not in filled and not exclude(target):
                out.append(target)
        return tuple(f for f in out if not any(o.startswith(f + "/") for o in out))

    def _copy(self, relpath: str) -> bytes:
        """A file copied as it is, read (and size-checked) once."""
        content = self._copied.get(relpath)
        if content is None:
            content = read_template_file(self.config.template_dir / relpath)
            self._copied[relpath] = content
        return content

    def _target_path(
        self, source: _Source, context: dict[str, Any], rendered: dict[str, str]
    ) -> str | None:
        """Where ``source`` goes (None: dropped); ``rendered`` keeps this render's parts."""
        if "{{" not in source.target and "{%" not in source.target:
            static = self._static_targets.get(source.target)
            if static is None:
                static = check_relpath(source.target, source=source.relpath, origin=self.origin)
                self._static_targets[source.target] = static
            return static
        parts = []
        for raw in source.target.split("/"):
            part = raw
            if "{{" in raw or "{%" in raw:
                done = rendered.get(raw)
                if done is None:
                    template = self._path_templates.get(raw)
                    if template is None:
                        template = self._path_templates[raw] = self.env.from_string(raw)
                    try:
                        done = rendered[raw] = template.render(**context)
                    except Exception as exc:  # any error raised by template code
                        raise self._error(source.relpath, exc) from exc
                part = done
                if not part:
                    return None  # copier drops a file only when a part renders empty
            parts.append(part)
        return check_relpath(
            "/".join(parts), source=source.relpath, answers=context, origin=self.origin
        )

    def _render_file(self, relpath: str, shared: dict[str, Any]) -> str:
        """A file's text; ``shared``: the globals and the render's variables, as they are."""
        try:
            template = self._file_templates.get(relpath)
            if template is None:
                template = self.env.get_template(self._prefix + relpath)
                self._file_templates[relpath] = template
            return render_shared(template, shared)
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
