"""Which engine renders a copier template: native only where it is verified to match copier.

The native renderer is several times faster than copier, but a tool that claims copier's
format must never give different bytes without saying so (issue 15). So a version goes to the
native engine only when every setting, every question form and every Jinja feature it uses
lies in the subset the differential tests (``tests/test_engines_differential.py``) check
against copier; anything else, including anything we cannot parse, goes to copier's own
engine. Each version is classified once: the result is kept by the hash of the template's
content, in memory and in the cache folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from scaffolder.engines.base import COPIER, NATIVE, EngineChoice
from scaffolder.paths import cache_dir
from scaffolder.questions import QUESTION_KEYS
from scaffolder.template import SUPPORTED_SETTINGS

# Bump when the rules below change: cached verdicts of older rules are then ignored.
RULES_VERSION = 2

# Settings and question keys the native engine implements exactly as copier does.
NATIVE_SETTINGS = SUPPORTED_SETTINGS
NATIVE_QUESTION_KEYS = QUESTION_KEYS
NATIVE_ENVOPS = frozenset(
    {"keep_trailing_newline", "trim_blocks", "lstrip_blocks", "undefined", "autoescape"}
)
NATIVE_TYPES = frozenset({"str", "int", "float", "bool", "yaml", "json"})
# Context the native engine gives templates with copier's values; anything else is copier's.
NATIVE_CONF_KEYS = frozenset({"answers_file", "sep", "os"})
COPIER_ONLY_NAMES = frozenset(
    {"_copier_python", "_copier_phase", "_copier_operation", "_external_data"}
)

_MEMORY: dict[str, EngineChoice] = {}


def content_hash(root: Path) -> str:
    """A hash of every file's path, mode and bytes below ``root``."""
    h = hashlib.sha256(f"rules {RULES_VERSION}\0".encode())
    for path in _files(root):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            h.update(f"L {rel} {path.readlink()}\0".encode())
            continue
        h.update(f"F {rel} {path.stat().st_mode & 0o111}\0".encode())
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            yield Path(dirpath) / name
        for name in dirnames:
            if (Path(dirpath) / name).is_symlink():
                yield Path(dirpath) / name


def classify(root: Path, commit: str | None = None) -> EngineChoice:
    """The engine for the copier template at ``root`` (cached by content hash).

    ``commit``: the git commit (and folder) ``root`` was exported from, which names its
    content already: a fleet run does not read every file again to hash it.
    """
    if commit:
        key = hashlib.sha256(f"rules {RULES_VERSION}\0{commit}".encode()).hexdigest()
    else:
        preflight(root)  # before hashing: hashing reads every file
        key = content_hash(root)
    cached = _MEMORY.get(key)
    if cached is not None:
        return cached
    store = cache_dir() / "engines" / f"{key}.json"
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
        choice = EngineChoice(str(data["engine"]), tuple(data["reasons"]))
    except (OSError, ValueError, KeyError, TypeError):
        if commit:
            preflight(root)
        reasons = tuple(dict.fromkeys(_reasons(root)))
        choice = EngineChoice(COPIER if reasons else NATIVE, reasons)
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            tmp = store.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"engine": choice.engine, "reasons": choice.reasons}))
            tmp.replace(store)
        except OSError:
            pass  # a read-only cache only costs classifying again
    _MEMORY[key] = choice
    return choice


def preflight(root: Path) -> None:
    """What every engine's input must pass before any engine, ours or copier's, reads it
    (docs/reference/security.md): ``copier.yml`` within the YAML limits, and a template of
    regular files whose symlinks stay inside it (no FIFO, device, loop or host file)."""
    from scaffolder.catalog import find_config
    from scaffolder.template import load_documents
    from scaffolder.templatefiles import template_walk

    path = find_config(root)
    if path is not None:
        load_documents(path)
    walk = template_walk(root, root, origin=f"{root.parent.name} {root.name}")
    for dirpath, _dirnames, filenames in walk:
        for name in filenames:
            walk.regular_file(Path(dirpath) / name)


def _reasons(root: Path) -> Iterator[str]:
    """Why the native engine cannot take this template (nothing: it can)."""
    from scaffolder.engines.copier_import import load_copier

    load_copier()
    from copier._template import filter_config, load_template_config

    from scaffolder.catalog import find_config

    path = find_config(root)
    if path is None:
        yield "no copier.yml"
        return
    try:
        settings, questions = filter_config(load_template_config(path))
    except Exception as exc:  # whatever copier cannot read, copier reports
        yield f"copier.yml: {type(exc).__name__}"
        return
    for name in sorted(set(settings) - NATIVE_SETTINGS):
        yield f"setting _{name}"
    suffix = settings.get("templates_suffix", ".jinja")
    if not isinstance(suffix, str) or not suffix.startswith(".") or len(suffix) < 2:
        yield f"_templates_suffix {suffix!r}"
    envops = settings.get("envops") or {}
    if not isinstance(envops, Mapping) or envops.get("undefined") not in (
        None,
        "jinja2.Undefined",
        "jinja2.StrictUndefined",
    ):
        yield "_envops.undefined"
    elif set(envops) - NATIVE_ENVOPS:  # other delimiters: the native engine looks for {{ {%
        yield "_envops " + ", ".join(sorted(set(envops) - NATIVE_ENVOPS))
    subdirectory = settings.get("subdirectory", "")
    if not isinstance(subdirectory, str) or _is_jinja(subdirectory):
        yield "templated _subdirectory"
    for name, spec in questions.items():
        yield from _question_reasons(name, spec)
    yield from _jinja_reasons(root, settings, questions, str(suffix))


def _question_reasons(name: str, spec: Mapping[str, Any]) -> Iterator[str]:
    extra = sorted(set(spec) - NATIVE_QUESTION_KEYS)
    if extra:
        yield f"question {name!r} uses {', '.join(extra)}"
    qtype = spec.get("type")
    if qtype is not None and (not isinstance(qtype, str) or qtype not in NATIVE_TYPES):
        yield f"question {name!r} has type {qtype!r}"
    when = spec.get("when", True)
    if not isinstance(when, bool | str):
        yield f"question {name!r} has a non-text 'when'"
    choices = spec.get("choices")
    values = choices.values() if isinstance(choices, Mapping) else choices or []
    if isinstance(choices, str) or not isinstance(values, list | type({}.values())):
        yield f"question {name!r} has templated choices"
        return
    for value in values:
        if isinstance(value, Mapping) and set(value) - {"value"}:
            yield f"question {name!r} has choices with {', '.join(sorted(set(value) - {'value'}))}"
        if isinstance(value, list) and len(value) == 2 and isinstance(value[1], Mapping):
            yield f"question {name!r} has choices written as pairs of mappings"


def _is_jinja(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _jinja_reasons(
    root: Path, settings: Mapping[str, Any], questions: Mapping[str, Any], suffix: str
) -> Iterator[str]:
    """Compile every Jinja source the template holds in the native environment."""
    from jinja2 import TemplateSyntaxError, nodes

    from scaffolder.jinja import make_environment

    env = make_environment(root, dict(settings.get("envops") or {}))
    template_dir = root / str(settings.get("subdirectory") or "").strip("/")
    sources: list[tuple[str, str]] = []  # (where, source)
    messages = tuple(k for k in settings if k.startswith("message_"))
    for key in ("exclude", "skip_if_exists", "answers_file", *messages):
        sources += [(f"_{key}", s) for s in _strings(settings.get(key))]
    for name, spec in questions.items():
        sources += [(f"question {name!r}", s) for s in _strings(spec)]
    if template_dir.is_dir():
        for path in _files(template_dir):
            rel = path.relative_to(template_dir).as_posix()
            if path.is_symlink():
                yield f"symlink {rel}"
                continue
            sources += [(f"path {rel}", part) for part in rel.split("/") if _is_jinja(part)]
            if path.name.endswith(suffix):
                try:
                    sources.append((rel, path.read_text(encoding="utf-8")))
                except UnicodeDecodeError:
                    yield f"{rel} is not UTF-8 text"
    for where, source in sources:
        if not _is_jinja(source):
            continue
        try:
            tree = env.parse(source)
            env.compile(tree)  # unknown filters and tests fail here
        except TemplateSyntaxError as exc:
            yield f"{where}: Jinja the native engine lacks ({exc.message})"
            continue
        except Exception as exc:  # an assertion about filters, tests, or the like
            yield f"{where}: {type(exc).__name__}"
            continue
        yield from _node_reasons(where, tree, root, nodes)


def _node_reasons(where: str, tree: Any, root: Path, nodes: Any) -> Iterator[str]:
    # Both loaders are rooted at the template's root (render.py), so any include resolves to
    # the same file; one naming a missing file is left to copier's error.
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        target = node.template
        named = isinstance(target, nodes.Const) and isinstance(target.value, str)
        if named and not (root / target.value).is_file():
            yield f"{where}: {type(node).__name__.lower()} of missing {target.value!r}"
    for name in tree.find_all(nodes.Name):
        if name.name in COPIER_ONLY_NAMES:
            yield f"{where}: uses {name.name}"
    for attr in tree.find_all((nodes.Getattr, nodes.Getitem)):
        base = attr.node
        if isinstance(base, nodes.Name) and base.name == "_copier_conf":
            key = attr.attr if isinstance(attr, nodes.Getattr) else None
            if isinstance(attr, nodes.Getitem) and isinstance(attr.arg, nodes.Const):
                key = attr.arg.value
            if key not in NATIVE_CONF_KEYS:
                yield f"{where}: uses _copier_conf.{key}"
