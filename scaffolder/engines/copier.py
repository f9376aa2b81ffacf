"""The copier engine: copier's own library renders the template, in-process.

Used for every copier template the native renderer is not verified to render identically
(:mod:`scaffolder.engines.classify`): tasks, Jinja extensions, ``{% yield %}``, external data,
copier-only context. copier renders from the folder scaffolder already has (a catalog version
folder, or the commit :mod:`scaffolder.gitsource` exported from its mirror: no clone per
render) into a scratch folder, which is read back into a :class:`RenderedTree`; so ``new``,
``diff``, ``upgrade``, ``audit`` and the Backstage action work on it unchanged.

copier's trust model maps onto ours: ``_tasks`` and ``_jinja_extensions`` run only for trusted
templates (``--trust`` or the settings file, :mod:`scaffolder.trust`), which is copier's
``unsafe``, and so do ``_migrations`` (:mod:`scaffolder.engines.copier_migrations`).
:meth:`CopierRenderer.message` renders the ``_message_*`` settings with copier's context at
the moment copier shows them (:mod:`scaffolder.template_messages`).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffolder.engines.compile_cache import cache_compiles, fingerprint
from scaffolder.engines.copier_import import load_copier
from scaffolder.errors import AnswerError, TemplateError
from scaffolder.questions import QUESTION_KEYS, TYPES, Answers, Evaluator, Question, parse_question
from scaffolder.render import RenderedTree, RenderMeta, read_folder

# copier's Worker keeps state in module-level context variables and runs tasks in the
# scratch folder: one render at a time per process.
_LOCK = threading.RLock()
# `git describe` of a commit past a tag: <tag>-<distance>-g<hash>
_DESCRIBED = re.compile(r"^(?P<tag>.+)-(?P<distance>\d+)-g(?P<hash>[0-9a-f]+)$")
# Renders are written and read back at once: in memory where the system offers it.
_SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK) else None


@dataclass(frozen=True)
class CopierConfig:
    """A copier template's settings and questions, read by copier's own loader."""

    root: Path
    settings: Mapping[str, Any]
    questions: tuple[Question, ...]
    raw: Mapping[str, Any]  # copier.yml as copier's loader returns it

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)

    @property
    def migrations(self) -> bool:
        """Whether the template has copier ``_migrations`` (scripts run by copier update)."""
        return bool(self.settings.get("migrations"))

    @property
    def skip_if_exists(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.settings.get("skip_if_exists") or ())


def load_config(root: Path) -> CopierConfig:
    load_copier()
    from copier._template import filter_config, load_template_config

    from scaffolder.catalog import find_config

    path = find_config(root)
    if path is None:
        raise TemplateError(f"{root} has no copier.yml", hint="every version folder needs one")
    try:
        raw = load_template_config(path)
        settings, raw_questions = filter_config(raw)
    except Exception as exc:  # copier's own errors about its own file
        raise TemplateError(f"copier cannot read {path}: {exc}", hint="fix the template") from exc
    secret = set(settings.get("secret_questions") or ())
    questions = []
    for name, spec in raw_questions.items():
        kept = {k: v for k, v in spec.items() if k in QUESTION_KEYS}
        if kept.get("type") not in (None, *TYPES):
            kept["type"] = "str"  # templated or copier-only types: copier casts the answer
        if not isinstance(kept.get("when", True), bool | str):
            kept["when"] = bool(kept["when"])
        if not isinstance(kept.get("choices", []), list | dict):
            kept.pop("choices")  # templated choices: copier checks the answer
        if name in secret:
            kept["secret"] = True
        if kept.get("secret") and "default" not in kept:
            kept["default"] = ""
        questions.append(parse_question(name, kept))
    return CopierConfig(root, settings, tuple(questions), raw)


def pep440(commit: str | None) -> Any:
    """copier's PEP 440 version of a template at ``commit`` (a tag or ``git describe``).

    copier asks dunamai in a checkout of that commit: a tag gives the tag's version, a commit
    N past a tag ``<tag>.postN.dev0+<hash>``; anything else has no version (and copier then
    runs no migration).
    """
    from packaging.version import InvalidVersion, Version

    if not commit:
        return None
    described = _DESCRIBED.match(commit)
    try:
        if described is None:
            return Version(commit)
        base = Version(described["tag"]).public
        return Version(f"{base}.post{described['distance']}.dev0+{described['hash']}")
    except InvalidVersion:
        return None


def trust_error(setting: str, origin: str) -> TemplateError:
    from scaffolder.trust import trust_hint

    what = {
        "_tasks": "runs commands after rendering",
        "_jinja_extensions": "loads Jinja extensions (Python code)",
        "_migrations": "runs migration commands on update",
    }[setting]
    return TemplateError(
        f"template {origin} uses {setting}, which {what}; it runs only for trusted templates",
        hint="if you trust it, " + trust_hint(),
    )


class CopierRenderer:
    """Renders one copier golden-path version with copier itself."""

    def __init__(
        self,
        root: Path,
        *,
        trusted: bool,
        origin: str | None = None,
        commit: str | None = None,
        describe: str | None = None,
        cache_size: int = 128,
    ) -> None:
        self.root = root.resolve()
        self.config = load_config(root)
        self.trusted = trusted
        self.origin = origin or f"{root.parent.name} {root.name}"
        self.commit = commit  # the full hash, for a template kept in git
        self.describe = describe  # copier's _commit: `git describe --tags --always`
        if self.config.settings.get("jinja_extensions") and not trusted:
            raise trust_error("_jinja_extensions", self.origin)
        with (
            _LOCK,
            tempfile.TemporaryDirectory(prefix="scaffolder-copier-") as tmp,
            warnings.catch_warnings(),
        ):
            # copier's OldTemplateWarning (a template made for an older major version) is for
            # copier's own users; renders say nothing of it either
            warnings.simplefilter("ignore")
            worker = self.worker(Path(tmp) / "x", {}, RenderMeta(str(self.root), ""))
            try:
                env = worker.jinja_env
            except Exception as exc:  # an extension that is not installed, a bad envops
                raise TemplateError(
                    f"copier cannot load the Jinja environment of {self.origin}: {exc}",
                    hint="install the extensions the template names in _jinja_extensions",
                ) from exc
        _compile_strings_once(env)
        key = fingerprint(env, (self.config.settings.get("envops") or {}).items())
        if key is not None:
            cache_compiles(env, key)
        self._env = env
        self.evaluator = Evaluator(env, origin=f"{self.origin}: ")
        self._cache: OrderedDict[str, RenderedTree] = OrderedDict()
        self._cache_size = cache_size

    def answers_path(self, answers: Answers) -> str:
        raw = str(self.config.settings.get("answers_file") or ".copier-answers.yml")
        if "{{" not in raw and "{%" not in raw:
            return raw
        return self.evaluator.render(raw, answers.context).strip()

    def template(self, meta: RenderMeta) -> Any:
        """The copier ``Template`` copier would clone, pointed at the folder we already have:
        copier records ``_src_path`` and ``_commit`` as it would for the real repository."""
        from copier._template import Template

        template = Template(url=meta.src_path or str(self.root))
        commit = self.describe or meta.version or None
        template.__dict__.update(
            local_abspath=self.root,
            vcs="git" if self.commit else None,
            commit=commit,
            commit_hash=self.commit,
            # copier asks dunamai in its clone; our folder is an export, so from `_commit`
            version=pep440(commit) if self.commit else None,
            git_index_modes={},
            _raw_config=self.config.raw,  # parsed once per version, not once per render
        )
        return template

    def worker(self, dst: Path, data: Mapping[str, Any], meta: RenderMeta) -> Any:
        """A copier ``Worker`` of this version writing to ``dst`` (defaults, no prompts)."""
        from copier._main import Worker
        from copier._settings import SettingsModel

        worker = Worker(
            src_path=str(self.root),
            dst_path=dst,
            data=dict(data),
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=self.trusted,
            settings=SettingsModel(),  # not the user's copier settings: renders are reproducible
        )
        worker.__dict__["template"] = self.template(meta)
        env = getattr(self, "_env", None)
        if env is not None:  # one environment per version: each file is compiled once
            worker.__dict__["jinja_env"] = env
        # The scratch folder is no git repository: copier's per-file `git config` probe
        # (for core.fileMode=false work trees) can only find nothing, at a process a file.
        worker.__dict__["_sync_git_index_executable_bit"] = _no_git_index
        return worker

    def render(self, answers: Answers, meta: RenderMeta) -> RenderedTree:
        data = given(answers)
        key = repr((sorted(data.items(), key=str), meta))
        with _LOCK:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            if self.config.settings.get("tasks") and not self.trusted:
                raise trust_error("_tasks", self.origin)
            tree = self._render(data, meta)
            self._cache[key] = tree
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return tree

    def _render(self, data: Mapping[str, Any], meta: RenderMeta) -> RenderedTree:
        from scaffolder.cookiecutter_run import captured_output

        with tempfile.TemporaryDirectory(prefix="scaffolder-copier-", dir=_SCRATCH) as tmp:
            dst = Path(tmp) / (meta.folder_name or "project")
            worker = self.worker(dst, data, meta)
            try:
                with (
                    warnings.catch_warnings(),
                    captured_output(Path(tmp) / ".task-output", (1,)) as output,
                    worker,
                ):
                    warnings.simplefilter("ignore")
                    worker.run_copy()
            except (AnswerError, TemplateError):
                raise
            except Exception as exc:  # copier's errors: bad answers, template bugs, tasks
                raise _copier_error(exc, self.origin, tmp, self.root) from exc
            said = output.read_text(errors="replace").strip()
            return read_folder(dst, (said,) if said else ())

    def message(self, setting: str, answers: Answers | None, meta: RenderMeta) -> str | None:
        """copier's ``_message_<setting>``, rendered by copier as it shows it: ``before_*``
        ones before it has any answer, ``after_*`` ones with them; None if there is none."""
        from copier._main import _operation

        raw = self.config.settings.get(f"message_{setting}")
        if not raw:
            return None
        data = {} if answers is None else given(answers)
        dst = Path(meta.destination or meta.folder_name or ".")
        with _LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            token = _operation.set("copy" if setting.endswith("copy") else "update")
            try:
                worker = self.worker(dst, data, meta)
                if answers is not None:
                    worker._ask()  # copier's answers: defaults, computed values included
                return str(worker._render_string(str(raw)))
            except (AnswerError, TemplateError):
                raise
            except Exception as exc:
                raise _copier_error(exc, self.origin, None, self.root) from exc
            finally:
                _operation.reset(token)


def given(answers: Answers) -> dict[str, Any]:
    """The answers given (not defaults): copier computes the rest as it always does; and the
    recorded answers no question asks, which copier's update renders with but never records."""
    answered = {k: v for k, v in answers.values.items() if k in answers.provided}
    return {**answers.orphans, **answered}


def _no_git_index(dst_relpath: Path, src_mode: int) -> None:
    """Stands in for copier's git index sync in a scratch folder (nothing to sync)."""


def _compile_strings_once(env: Any) -> None:
    """copier renders every path part, exclusion and the answers-file name with
    ``from_string`` for every file of every render; compiled templates are reusable, so one
    environment compiles each distinct string once.

    copier's ``{% yield %}`` extension resets its state when a source is compiled; a template
    taken from a cache is not compiled again, so the state is reset here instead.
    """
    from copier._jinja_ext import get_yield_context

    compile_string, load = env.from_string, env.get_template
    compiled: dict[str, Any] = {}

    def reset() -> None:
        state = get_yield_context(env)
        state.yield_name = state.yield_iterable = None

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Any:
        reset()
        if globals is not None or template_class is not None or not isinstance(source, str):
            return compile_string(source, globals, template_class)
        found = compiled.get(source)
        if found is None:
            found = compiled[source] = compile_string(source)
        return found

    def get_template(*args: Any, **kwargs: Any) -> Any:
        reset()
        return load(*args, **kwargs)

    env.from_string = from_string
    env.get_template = get_template


def _copier_error(exc: Exception, origin: str, tmp: str | None, root: Path) -> Exception:
    from copier.errors import UnsafeTemplateError

    if isinstance(exc, UnsafeTemplateError):
        return trust_error("_" + str(exc).split("features:", 1)[-1].split(",")[0].strip(), origin)
    message = str(exc).replace(tmp + os.sep, "") if tmp else str(exc)
    if type(exc).__name__ in {"ValidationError", "ValueError", "InvalidTypeError"}:
        return AnswerError(
            f"copier rejected an answer for {origin}: {message}",
            hint="check the --data values against `scaffolder questions`",
        )
    hint = "this is a bug in the template (or its tasks); report it to its owner"
    submodules = _submodules(root) if type(exc).__name__ == "TemplateNotFound" else []
    if submodules:  # copier clones a template's submodules; the export has none of their files
        hint = (
            f"the template takes files from git submodules ({', '.join(submodules)}), which"
            " scaffolder does not fetch: vendor those files into the template, or use copier"
        )
    return TemplateError(
        f"copier failed to render {origin}: {type(exc).__name__}: {message}", hint=hint
    )


def _submodules(root: Path) -> list[str]:
    """The paths of the git submodules ``.gitmodules`` at the template's root names."""
    try:
        text = (root / ".gitmodules").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return re.findall(r"^\s*path\s*=\s*(.+?)\s*$", text, flags=re.MULTILINE)
