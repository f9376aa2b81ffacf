"""Loading one golden-path version's ``copier.yml``: settings and questions.

We read the same file copier reads, with the same quirks (several YAML documents merged,
``!include`` of files inside the template), and refuse settings we do not implement rather
than ignore them silently.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from scaffolder.catalog import find_config
from scaffolder.errors import TemplateError
from scaffolder.limits import LimitedSafeLoader, read_config_text, too_deep
from scaffolder.names import check_question_name
from scaffolder.questions import Question, parse_question

DEFAULT_EXCLUDE = (
    "copier.yaml",
    "copier.yml",
    "~*",
    "*.py[co]",
    "__pycache__",
    ".git",
    ".DS_Store",
    ".svn",
)
SUPPORTED_SETTINGS = frozenset(
    {
        "subdirectory",
        "templates_suffix",
        "answers_file",
        "exclude",
        "envops",
        "min_copier_version",
        "message_before_copy",
        "message_after_copy",
        "message_before_update",
        "message_after_update",
        "skip_if_exists",
        "secret_questions",
    }
)
_LIST_SETTINGS = ("exclude", "skip_if_exists", "secret_questions")


@dataclass(frozen=True)
class TemplateConfig:
    """The parsed ``copier.yml`` of one golden-path version."""

    root: Path
    subdirectory: str
    templates_suffix: str
    answers_file: str
    exclude: tuple[str, ...]
    envops: Mapping[str, Any]
    questions: tuple[Question, ...]
    message_after_copy: str
    message_before_copy: str = ""
    message_before_update: str = ""
    message_after_update: str = ""
    skip_if_exists: tuple[str, ...] = ()  # applied by upgrade: such files stay the repo's

    @property
    def template_dir(self) -> Path:
        return self.root / self.subdirectory if self.subdirectory else self.root

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


@functools.cache
def load_template_config(root: Path) -> TemplateConfig:
    """Parse ``root/copier.yml``; cached, since every render of a version needs it."""
    path = find_config(root)
    if path is None:
        raise TemplateError(f"{root} has no copier.yml", hint="every version folder needs one")
    documents = load_documents(path)
    settings: dict[str, Any] = {}
    questions: dict[str, Any] = {}
    for doc in documents:
        if not isinstance(doc, Mapping):
            raise TemplateError(f"{path}: every YAML document must be a mapping")
        for key, value in doc.items():
            if isinstance(key, str) and key.startswith("_"):
                name = key[1:]
                if name not in SUPPORTED_SETTINGS:
                    raise TemplateError(
                        f"{path}: setting {key!r} is not supported by scaffolder",
                        hint="supported: " + ", ".join("_" + s for s in sorted(SUPPORTED_SETTINGS)),
                    )
                if name in _LIST_SETTINGS:
                    settings.setdefault(name, []).extend(value or [])
                else:
                    settings[name] = value
            else:
                questions[check_question_name(path, key)] = value
    secret_names = set(settings.get("secret_questions", []))
    parsed = []
    for name, spec in questions.items():
        secret = name in secret_names and isinstance(spec, Mapping)
        parsed.append(parse_question(name, {**spec, "secret": True} if secret else spec))
    subdirectory = str(settings.get("subdirectory", "")).strip("/")
    exclude = settings.get("exclude")
    return TemplateConfig(
        root=root,
        subdirectory=subdirectory,
        templates_suffix=str(settings.get("templates_suffix", ".jinja")),
        answers_file=str(settings.get("answers_file", ".copier-answers.yml")),
        exclude=tuple(exclude)
        if exclude is not None
        else (DEFAULT_EXCLUDE if not subdirectory else ()),
        envops=dict(settings.get("envops") or {}),
        questions=tuple(parsed),
        message_after_copy=str(settings.get("message_after_copy", "")),
        message_before_copy=str(settings.get("message_before_copy", "")),
        message_before_update=str(settings.get("message_before_update", "")),
        message_after_update=str(settings.get("message_after_update", "")),
        skip_if_exists=tuple(str(p) for p in settings.get("skip_if_exists", [])),
    )


def load_documents(path: Path) -> list[Any]:
    """The YAML documents of ``copier.yml`` (``!include`` inside the folder), within the limits."""
    root = path.parent.resolve()

    class Loader(LimitedSafeLoader):
        """A private subclass so the ``!include`` constructor does not leak."""

        source = str(path)

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
        pattern = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        if PurePosixPath(pattern).is_absolute():
            raise TemplateError(f"{path}: !include needs a relative path, got {pattern!r}")
        included: list[Any] = []
        for match in sorted(root.glob(pattern)):
            if not match.resolve().is_relative_to(root):
                raise TemplateError(f"{path}: !include {pattern!r} leaves the template folder")
            included.extend(_flatten(yaml.load_all(read_config_text(match), Loader=Loader)))
        return included

    Loader.add_constructor("!include", include)
    try:
        return _flatten(yaml.load_all(read_config_text(path), Loader=Loader))
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path} is not valid YAML: {exc}") from exc
    except RecursionError:
        raise too_deep(str(path)) from None


def _flatten(documents: Any) -> list[Any]:
    out: list[Any] = []
    for doc in documents:
        if doc is None:
            continue
        if isinstance(doc, list):
            out.extend(_flatten(doc))
        else:
            out.append(doc)
    return out
