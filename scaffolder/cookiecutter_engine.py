"""Cookiecutter templates as golden paths: their questions, and renders by the cookiecutter library.

``cookiecutter.json`` becomes the same :class:`~scaffolder.questions.Question` objects copier
templates give, so the wizard, ``--data``, JSON schema and Backstage export work unchanged:

- a string (or number) is a text question whose default may use earlier answers
  (``{{ cookiecutter.project_name|lower }}``); a list is a choice (first item the default);
  a boolean a yes/no question; a dict a JSON answer rendered recursively;
- ``_private`` variables are never asked nor rendered, ``__private`` ones are rendered, not
  asked; both reach the templates, as do settings such as ``_copy_without_render`` and
  ``_extensions``; ``__prompts__`` gives the help text and choice labels.

Rendering goes through :func:`cookiecutter.generate.generate_files` into a temporary folder,
whose project directory becomes the :class:`~scaffolder.render.RenderedTree`. Hooks and local
Jinja extensions run code from the template, so they run only for trusted templates
(:mod:`scaffolder.trust`); otherwise hooks are skipped and the run says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache

from scaffolder import notices
from scaffolder.catalog import COOKIECUTTER_CONFIG
from scaffolder.cookiecutter_run import TempRender, captured_output, missing_extension, project_at
from scaffolder.errors import TemplateError
from scaffolder.project import CRUFT_FILE, NOT_CONTENT
from scaffolder.questions import MISSING, Answers, Choice, Evaluator, Question, cast
from scaffolder.render import RenderedFile, RenderedTree, RenderMeta

HOOK_NAMES = ("pre_prompt", "pre_gen_project", "post_gen_project")
# Folders hooks make that hold tools' state, not the template's content (a virtualenv, git,
# node_modules): never part of a render, so never compared or upgraded.
TOOL_STATE = NOT_CONTENT - {"site", "build"}
# generate_files changes the working directory and hooks import from sys.path: one at a time.
_PROCESS_STATE = threading.Lock()


def _is_private(name: str) -> bool:
    """``_name``: copied as is, never rendered (``__name`` is rendered)."""
    return name.startswith("_") and not name.startswith("__")


@dataclass(frozen=True)
class CookiecutterConfig:
    """The parsed ``cookiecutter.json`` of one golden-path version."""

    root: Path
    variables: Mapping[str, Any]  # in cookiecutter's rendering order, __prompts__ removed
    questions: tuple[Question, ...]
    hooks: tuple[str, ...]  # hook scripts in hooks/, by file name
    local_extensions: tuple[str, ...]  # _extensions importable from the template folder
    message_after_copy: str = ""

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


def load_config(root: Path) -> CookiecutterConfig:
    path = root / COOKIECUTTER_CONFIG
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))  # dicts keep the file's order
    except (OSError, ValueError) as exc:
        raise TemplateError(f"{path} is not valid JSON: {exc}", hint="fix the template") from exc
    if not isinstance(raw, dict):
        raise TemplateError(f"{path} must hold a JSON object")
    if {"template", "templates"} & set(raw):
        raise TemplateError(
            f"{path} is a nested-templates chooser, which scaffolder does not support",
            hint="add each nested template to the catalog as a golden path of its own",
        )
    prompts = raw.pop("__prompts__", {}) or {}
    # cookiecutter renders dict variables after all others, since they may use any of them.
    order = [k for k in raw if k.startswith("_") or not isinstance(raw[k], dict)]
    order += [k for k in raw if k not in order]
    variables = {k: raw[k] for k in order}
    questions = tuple(
        _question(name, value, prompts.get(name)) for name, value in variables.items()
    )
    hooks_dir = root / "hooks"
    hooks = tuple(
        sorted(
            p.name
            for p in (hooks_dir.iterdir() if hooks_dir.is_dir() else [])
            if p.is_file() and p.stem in HOOK_NAMES and not p.name.endswith("~")
        )
    )
    extensions = [str(e) for e in raw.get("_extensions") or []]
    local = tuple(e for e in extensions if _is_local_module(root, e.split(".")[0]))
    return CookiecutterConfig(root, variables, questions, hooks, local)


def _is_local_module(root: Path, name: str) -> bool:
    return (root / f"{name}.py").is_file() or (root / name / "__init__.py").is_file()


def _question(name: str, value: Any, prompt: Any) -> Question:
    help_text = prompt.get("__prompt__", "") if isinstance(prompt, Mapping) else (prompt or "")
    computed = name.startswith("_")
    if isinstance(value, list) and not computed:
        if not value:
            raise TemplateError(f"{COOKIECUTTER_CONFIG}: choice variable {name!r} has no options")
        labels = prompt if isinstance(prompt, Mapping) else {}
        choices = tuple(Choice(str(labels.get(str(v), v)), v) for v in value)
        return Question(name, "str", str(help_text), value[0], choices)
    if isinstance(value, bool):
        qtype = "bool"
    elif isinstance(value, dict | list):
        qtype = "json"
    else:
        qtype = "str"
    return Question(name, qtype, str(help_text), value, when=not computed)


class CookiecutterEvaluator(Evaluator):
    """Evaluates defaults the way cookiecutter does: in ``{"cookiecutter": answers so far}``."""

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        return super().render(source, {"cookiecutter": dict(context)})

    def default(self, question: Question, context: Mapping[str, Any]) -> Any:
        raw = question.default
        if raw is MISSING or _is_private(question.name):
            return raw
        return cast(question, self._variable(raw, context))

    def _variable(self, raw: Any, context: Mapping[str, Any]) -> Any:
        """cookiecutter's ``render_variable``: strings rendered, containers recursively."""
        if raw is None or isinstance(raw, bool):
            return raw
        if isinstance(raw, dict):
            return {self._variable(k, context): self._variable(v, context) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self._variable(v, context) for v in raw]
        return self.render(str(raw), context)


class CookiecutterRenderer:
    """Renders one cookiecutter golden-path version; the same interface as copier's Renderer."""

    def __init__(
        self, root: Path, *, trusted: bool, origin: str | None = None, cache_size: int = 256
    ) -> None:
        from cookiecutter.utils import create_env_with_context

        self.config = load_config(root)
        self.trusted = trusted
        self.origin = origin or f"{root.parent.name} {root.name}"
        if self.config.local_extensions and not trusted:
            from scaffolder.trust import trust_hint

            raise TemplateError(
                f"template {self.origin} loads Jinja extensions from its own folder "
                f"({', '.join(self.config.local_extensions)}), which runs its code",
                hint="if you trust it, " + trust_hint(),
            )
        with self._template_imports(), missing_extension(self.origin):
            env = create_env_with_context({"cookiecutter": dict(self.config.variables)})
        self.evaluator = CookiecutterEvaluator(env, origin=f"{self.origin}: ")
        self._cache: OrderedDict[str, TempRender] = OrderedDict()
        self._cache_size = cache_size
        self._bytecode = _MemoryBytecodeCache()

    @contextlib.contextmanager
    def _template_imports(self) -> Iterator[None]:
        """Local extensions import from the template folder (trusted templates only)."""
        if not self.config.local_extensions:
            yield
            return
        saved = list(sys.path)
        sys.path.append(str(self.config.root))
        try:
            yield
        finally:
            sys.path[:] = saved

    @property
    def skipped_hooks(self) -> tuple[str, ...]:
        return () if self.trusted else self.config.hooks

    def answers_path(self, answers: Answers) -> str:
        return CRUFT_FILE

    def context(self, answers: Answers, meta: RenderMeta) -> dict[str, Any]:
        """The ``cookiecutter`` dict as cruft records it: variables in order, then origin."""
        values = answers.context
        out = {name: values[name] for name in self.config.variables if name in values}
        out["_template"] = meta.src_path
        out["_commit"] = meta.commit or meta.version
        return out

    @property
    def hooks_run(self) -> bool:
        """Whether renders run the template's hooks (trusted, and it has some we run)."""
        return self.trusted and any(not h.startswith("pre_prompt") for h in self.config.hooks)

    def render(self, answers: Answers, meta: RenderMeta) -> RenderedTree:
        """The tree in memory, rendered in a temporary folder (diff, upgrade, audit).

        Hooks run in a folder named like the repo, and the temporary path they may have
        recorded in files is replaced by ``meta.destination``: the bytes the hooks would
        have written in the repo itself.
        """
        context = self.context(answers, meta)
        name = meta.folder_name if self.hooks_run else ""  # only hooks can see the name
        key = json.dumps([context, name], default=str)
        with _PROCESS_STATE:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
            else:
                cached = self._cache[key] = self._render_in_temp(context, name)
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        self._notices(meta)
        return cached.moved_to(meta.destination)

    def render_into(self, answers: Answers, meta: RenderMeta, dest: Path) -> RenderedTree:
        """Generate at ``dest`` itself, so hooks run where the repo will live (``new``).

        The files stay there; the caller owns ``dest`` and removes it if anything fails.
        """
        context = self.context(answers, meta)
        with _PROCESS_STATE, tempfile.TemporaryDirectory(prefix="scaffolder-cc-") as tmp:
            tree = self._generate(context, dest, Path(tmp) / ".hook-output", quiet=False)
        self._notices(meta)
        return tree

    def _notices(self, meta: RenderMeta) -> None:
        unsupported = [h for h in self.config.hooks if h.startswith("pre_prompt")]
        if unsupported and self.trusted:
            notices.add(
                f"{meta.src_path} has a {unsupported[0]} hook, which scaffolder does not run"
                " (it edits the template before the questions); the other hooks ran"
            )
        if self.skipped_hooks:
            from scaffolder.trust import trust_hint

            notices.add(
                f"skipped hooks {', '.join(self.skipped_hooks)} of {meta.src_path} "
                f"(the template is not trusted, so its code did not run); {trust_hint()}"
            )

    def _render_in_temp(self, context: dict[str, Any], name: str) -> TempRender:
        with tempfile.TemporaryDirectory(prefix="scaffolder-cc-") as tmp:
            out = Path(tmp).resolve()  # what os.getcwd() says in a hook
            project = out / "out" / name if name else None
            tree = self._generate(context, project, out / ".hook-output", quiet=True)
            at = str(project) if project else ""
            holders = frozenset(path for path, f in tree.items() if at and at.encode() in f.content)
            return TempRender(tree, at, holders)

    def _generate(
        self,
        context: dict[str, Any],
        project: Path | None,
        output_file: Path,
        *,
        quiet: bool,
    ) -> RenderedTree:
        """Run cookiecutter's ``generate_files``; the project folder is ``project`` if given.

        ``quiet``: what hooks print to stderr is kept too (diff, upgrade and audit are quiet);
        for ``new`` it reaches the terminal as cookiecutter shows it.
        """
        from cookiecutter.exceptions import (
            CookiecutterException,
            FailedHookException,
            UndefinedVariableInTemplate,
        )
        from cookiecutter.generate import generate_files
        from jinja2 import TemplateError as JinjaTemplateError

        full = {
            "cookiecutter": _WithBytecodeCache(context, self._bytecode),
            "_cookiecutter": {k: v for k, v in self.config.variables.items() if k[0] != "_"},
        }
        output_dir = project.parent if project else output_file.parent / "out"
        try:
            with (
                self._template_imports(),
                _quiet_hooks(),
                project_at(project),
                captured_output(output_file, (1, 2) if quiet else (1,)) as output,
            ):
                generated = generate_files(
                    repo_dir=str(self.config.root),
                    context=full,
                    output_dir=str(output_dir),
                    accept_hooks=self.trusted,
                )
        except FailedHookException as exc:
            said = _tail(output_file.read_text(errors="replace"))
            raise TemplateError(
                f"a hook of {self.origin} ({', '.join(self.config.hooks)}) stopped the"
                f" generation: {exc}" + (f"; it said: {said}" if said else ""),
                hint="fix the answers it rejects, or report it to the template's owner",
            ) from exc
        except (CookiecutterException, JinjaTemplateError, OSError) as exc:
            reason = (  # its str() dumps the whole context: say what is undefined, once
                f"{exc.message}: {exc.error.message}".replace(_CONTEXT_NAME, "'cookiecutter'")
                if isinstance(exc, UndefinedVariableInTemplate)
                else f"{type(exc).__name__}: {exc}"
            )
            raise TemplateError(
                f"golden path {self.origin} failed to render: {reason}",
                hint="this is a bug in the template (or its hooks); report it to its owner",
            ) from exc
        said = output.read_text(errors="replace").strip()
        return _read_tree(Path(generated), (said,) if said else ())


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates of one version, kept for the renderer's life.

    cookiecutter builds a new Jinja environment for every render, which compiles every file
    again; with this cache a fleet of renders of one version compiles each file once.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


# How Jinja names the context in "... has no attribute 'x'": say `cookiecutter` instead.
_CONTEXT_NAME = f"'{__name__}._WithBytecodeCache object'"


class _WithBytecodeCache(dict[str, Any]):
    """The ``cookiecutter`` context, which also hands our bytecode cache to the environment.

    cookiecutter reads the Jinja options of the environment it builds for a render from
    ``context["cookiecutter"].get("_jinja2_env_vars")``; this dict answers that one lookup
    with the template's own options plus the cache. It is not a key: templates, hooks and
    ``jsonify`` see exactly the template's variables.
    """

    def __init__(self, values: Mapping[str, Any], cache: BytecodeCache) -> None:
        super().__init__(values)
        self._cache = cache

    def get(self, key: str, default: Any = None) -> Any:
        if key == "_jinja2_env_vars":
            return {**super().get(key, {}), "bytecode_cache": self._cache}
        return super().get(key, default)


@contextlib.contextmanager
def _quiet_hooks() -> Iterator[None]:
    """cookiecutter logs a traceback when a hook fails; the error we raise says it once."""
    import logging

    hooks_logger = logging.getLogger("cookiecutter.hooks")
    previous = hooks_logger.disabled
    hooks_logger.disabled = True
    try:
        yield
    finally:
        hooks_logger.disabled = previous


def _tail(text: str, lines: int = 10) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines()[-lines:] if line.strip())


def _read_tree(project: Path, messages: tuple[str, ...]) -> RenderedTree:
    files: dict[str, RenderedFile] = {}
    for dirpath, dirnames, filenames in os.walk(project):
        dirnames[:] = [d for d in dirnames if d not in TOOL_STATE]
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            rel = path.relative_to(project).as_posix()
            files[rel] = RenderedFile(path.read_bytes(), bool(mode & stat.S_IXUSR))
    return RenderedTree(files, messages)
