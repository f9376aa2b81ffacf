"""Whether writing some files can change an immutable field, decided without building.

The exact answer (:mod:`scaffolder.validate.updates`) builds every kustomize overlay before and
after the change: a ``kubectl kustomize`` process per overlay and side, which is most of an
upgrade's time across a fleet. Most golden-path changes are plainly safe: new files listed as
new resources, mutable fields edited. :func:`why_build` proves that from the files alone, or
names the first thing it cannot prove safe, and the caller builds. It errs one way only: a
reason to build where none was needed costs time; None where a build would have found a
change would lose a finding, so every rule below is conservative.

A change is proved safe when

- kustomizations change only their ``resources``, and a resource they add is a new file of
  the change (an existing file or folder newly included could bring objects that clash or
  change);
- no changed file is read by a kustomization as anything but a resource (patches, generator
  inputs, Helm values, plugin configs all change objects in ways only a build shows);
- the objects in changed files keep their immutable fields (:data:`IMMUTABLE`), matched by
  kind and name across all changed files (an object moved to another file is the same
  object); an object added by the change is new to the whole repo;
- the repo has no symbolic links (a file read under two names);
- and nothing makes an object's output depend on another's content or name: no kustomization
  has ``replacements``, ``vars``, plugins, Helm charts or custom field specs; none renames
  (``namePrefix``/``nameSuffix``) when objects come or go, since references to them inside
  pod templates (immutable in a Job) follow the new names; no changed ConfigMap or Secret
  shares a generator's name (a merge into it changes its hash suffix); no changed object
  carries kustomize's own annotations (``needs-hash`` renames it, ``local-config`` drops it);
  and no patch targets a kind the change touches (a JSON patch can copy a mutable field into
  an immutable one, or stop applying and fail the build).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from scaffolder import yamlio
from scaffolder.limits import LimitError
from scaffolder.project import NOT_CONTENT
from scaffolder.validate.builtin.immutable import IMMUTABLE, value_at
from scaffolder.validate.contract import NOT_OBJECTS
from scaffolder.validate.kustomize import KUSTOMIZATION_NAMES

# Kustomization fields that make an object's output depend on other objects' content, or run
# code: only a build shows what they do.
CONTENT_DEPENDENT = (
    "replacements",
    "vars",
    "transformers",
    "generators",
    "validators",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
    "configurations",
    "openapi",
    "crds",
)
RENAMING = ("namePrefix", "nameSuffix")
GENERATORS = ("configMapGenerator", "secretGenerator")
PATCHES = ("patches", "patchesJson6902", "patchesStrategicMerge")
# Annotations kustomize acts on (needs-hash, behavior, local-config, ...).
KUSTOMIZE_ANNOTATIONS = (
    "kustomize.config.k8s.io/",
    "config.kubernetes.io/",
    "internal.config.kubernetes.io/",
    "config.k8s.io/",
)
ANY_KIND = "*"
YAML = (".yaml", ".yml")

Key = tuple[str, str]  # kind, name: coarser than the API server's identity, so safer


class _Build(Exception):
    """A reason to build (the message says which)."""


@dataclass
class _Kustomizations:
    """What every kustomization of the repo (before and after the change) refers to."""

    resources: set[str] = field(default_factory=set)
    listed_after: set[str] = field(default_factory=set)  # resource files after the change
    inputs: set[str] = field(default_factory=set)  # every other string, as a path
    renames: bool = False
    generated: set[str] = field(default_factory=set)  # ConfigMap/Secret generator names
    dependent: str | None = None  # "K uses replacements", when one does
    # Patches: JSON patch operations (kind, paths); kinds merged into (strategic merge);
    # kinds patched in ways only a build shows (copy, move, test, unreadable patches).
    operations: list[tuple[str, list[str]]] = field(default_factory=list)
    merged: set[str] = field(default_factory=set)
    whole: set[str] = field(default_factory=set)

    def patches(self, kind: str) -> bool:
        """Whether any patch may apply to objects of ``kind``."""
        kinds = self.merged | self.whole | {k for k, _ in self.operations}
        return kind in kinds or ANY_KIND in kinds


def why_build(root: Path, writes: Mapping[str, bytes | None]) -> str | None:
    """None when no write can change an immutable field of an object the repo applies, so the
    overlays need not be built; otherwise why they must be."""
    try:
        _prove(root, {PurePosixPath(p).as_posix(): c for p, c in writes.items()})
    except _Build as reason:
        return str(reason)
    return None


def _prove(root: Path, writes: dict[str, bytes | None]) -> None:
    files, links = _walk(root)
    if links:  # two paths for one file: what a kustomization reads is unclear
        raise _Build(f"{links[0]} is a symbolic link")
    kfiles = sorted({f for f in files if _is_kfile(f)} | {w for w in writes if _is_kfile(w)})
    found = _Kustomizations()
    sides: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]] = {}
    for rel in kfiles:
        before = _before(root, rel)
        old = None if before is None else _parse_kustomization(rel, before)
        if rel not in writes:
            new = old  # unchanged: read once
        else:
            after = writes[rel]
            new = None if after is None else _parse_kustomization(rel, after)
        sides[rel] = (old, new)
        for data in (old,) if new is old else (old, new):
            if data is not None:
                _read_kustomization(root, writes, rel, data, found)
        if new is not None:
            found.listed_after |= {t for e in _entries(rel, new) if (t := _join(rel, e))}
    changed_docs = False
    for rel, content in writes.items():
        if _is_kfile(rel):
            _check_kustomization_change(root, writes, rel, *sides[rel])
            changed_docs = True
        elif _referenced(rel, found.inputs):
            raise _Build(f"{rel} is read by a kustomization (a patch or generator input)")
        elif content is None and rel in found.listed_after:
            raise _Build(f"{rel} is deleted, and a kustomization still lists it")
        elif rel.endswith(YAML):
            changed_docs = True
        elif _referenced(rel, found.resources):
            raise _Build(f"{rel} is a kustomize resource that is not YAML")
    if not changed_docs:
        return
    if found.dependent:
        raise _Build(found.dependent)
    _check_objects(root, files, writes, found)


def _check_kustomization_change(
    root: Path,
    writes: Mapping[str, bytes | None],
    rel: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> None:
    if old is None or new is None:
        raise _Build(f"kustomization {rel} is {'added' if old is None else 'removed'}")
    other = sorted(k for k in set(old) | set(new) if k != "resources" and old.get(k) != new.get(k))
    if other:
        raise _Build(f"kustomization {rel} changes {', '.join(other)}")
    was, now = _entries(rel, old), _entries(rel, new)
    for entry in sorted(now - was):
        target = _join(rel, entry)
        if "://" in entry or entry.startswith("git@") or target is None:
            raise _Build(f"kustomization {rel} adds the remote or outside resource {entry}")
        if writes.get(target) is None or (root / target).exists():
            raise _Build(f"kustomization {rel} adds {entry}, which is not a new file")


def _check_objects(
    root: Path, files: list[str], writes: Mapping[str, bytes | None], found: _Kustomizations
) -> None:
    before: dict[Key, dict[str, Any]] = {}
    after: dict[Key, dict[str, Any]] = {}
    for rel, content in writes.items():
        if _is_kfile(rel) or not rel.endswith(YAML):
            continue
        resource = _referenced(rel, found.resources)
        _collect(rel, _before(root, rel), resource, before)
        _collect(rel, content, resource, after)
    touched = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    for key in sorted(before.keys() & after.keys()):
        kind, name = key
        fields = IMMUTABLE.get(kind, ())
        if (
            kind in ("ConfigMap", "Secret")
            and True not in (before[key].get("immutable"), after[key].get("immutable"))
            and not found.patches(kind)  # a patch may add immutable: true
        ):
            fields = ()  # the data of a ConfigMap or Secret is immutable only when it says so
        for path in (*fields, "immutable"):
            if value_at(before[key], path) != value_at(after[key], path):
                raise _Build(f"{kind}/{name} changes {path}")
    comes_or_goes = sorted(before.keys() ^ after.keys())
    if comes_or_goes and found.renames:
        kind, name = comes_or_goes[0]
        raise _Build(f"{kind}/{name} comes or goes, and a kustomization renames objects")
    for key in sorted(touched):
        _check_patches(key, before.get(key), after.get(key), found)
    added = after.keys() - before.keys()
    if added:
        elsewhere = _unchanged_keys(root, files, writes)
        for kind, name in sorted(added & elsewhere):
            raise _Build(f"{kind}/{name} is added, and another file of the repo has it")


def _check_patches(
    key: Key, old: dict[str, Any] | None, new: dict[str, Any] | None, found: _Kustomizations
) -> None:
    """Whether the patches of the repo do to a changed object what they did before."""
    kind, name = key
    if kind in ("ConfigMap", "Secret") and name in found.generated:
        raise _Build(f"{kind}/{name} has the name of a kustomize generator's")
    if not found.patches(kind):
        return
    if old is None or new is None:  # a patch may lose its target, or fail on a new one
        raise _Build(f"{kind}/{name} comes or goes, and a kustomization patches {kind} objects")
    if kind in found.whole or ANY_KIND in found.whole:
        raise _Build(f"{kind}/{name} changes, and a kustomization patches {kind} objects")
    for target, paths in found.operations:
        for path in paths:
            if target in (kind, ANY_KIND) and _pointer_state(old, path) != _pointer_state(
                new, path
            ):
                raise _Build(f"a JSON patch of {kind}/{name} at {path} may no longer apply")


def _collect(
    rel: str, content: bytes | None, resource: bool, into: dict[Key, dict[str, Any]]
) -> None:
    """The objects of one side of a changed file, into ``into``, keyed by kind and name."""
    if content is None:
        return
    try:
        docs = [d for d in _load_all(rel, content) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError):
        if resource:
            raise _Build(f"{rel} is a kustomize resource that does not parse") from None
        return  # not an object source: validate reports the file
    for doc in docs:
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            if resource:
                raise _Build(f"{rel} is a kustomize resource with a document that is no object")
            continue
        if str(doc["apiVersion"]).startswith(NOT_OBJECTS):
            continue
        kind, meta = str(doc["kind"]), doc.get("metadata")
        if kind.endswith("List"):
            raise _Build(f"{rel} has a {kind}")
        if not isinstance(meta, dict) or not meta.get("name"):
            if resource:  # kustomize needs names
                raise _Build(f"{rel} is a kustomize resource with a {kind} without a name")
            continue  # generateName: created anew every time, never updated
        annotations = meta.get("annotations")
        if isinstance(annotations, dict) and any(
            str(a).startswith(KUSTOMIZE_ANNOTATIONS) for a in annotations
        ):
            raise _Build(f"{kind}/{meta['name']} in {rel} has an annotation kustomize acts on")
        key = (kind, str(meta["name"]))
        if key in into:
            raise _Build(f"{kind}/{key[1]} is in more than one document of the change")
        into[key] = doc


def _unchanged_keys(root: Path, files: list[str], writes: Mapping[str, bytes | None]) -> set[Key]:
    keys: set[Key] = set()
    for rel in files:
        if rel in writes or not rel.endswith(YAML):
            continue
        try:
            docs = list(yamlio.load_all((root / rel).read_bytes()))
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            continue
        for doc in docs:
            if isinstance(doc, dict) and isinstance(doc.get("metadata"), dict):
                keys.add((str(doc.get("kind")), str(doc["metadata"].get("name"))))
    return keys


def _read_kustomization(
    root: Path,
    writes: Mapping[str, bytes | None],
    rel: str,
    data: dict[str, Any],
    found: _Kustomizations,
) -> None:
    used = sorted(k for k in CONTENT_DEPENDENT if data.get(k))
    if used and found.dependent is None:
        found.dependent = f"kustomization {rel} uses {', '.join(used)}"
    found.renames |= any(data.get(k) for k in RENAMING)
    for key in GENERATORS:
        for gen in data.get(key) or []:
            if isinstance(gen, dict):
                found.generated.add(str(gen.get("name")))
    for entry in _entries(rel, data) | _entries(rel, data, "bases"):
        target = _join(rel, entry)
        if target and not _is_dir(root, writes, target):  # a folder: its kustomization lists
            found.resources.add(target)
    for key, value in data.items():
        if key in ("resources", "bases"):
            continue
        for text in _strings(value):
            for part in (text, text.partition("=")[2]):
                if part and (target := _join(rel, part)):
                    found.inputs.add(target)
    for key in PATCHES:
        for patch in data.get(key) or []:
            _read_patch(root, writes, rel, patch, found)


def _read_patch(
    root: Path, writes: Mapping[str, bytes | None], rel: str, patch: Any, found: _Kustomizations
) -> None:
    """What one patch entry may change: JSON patch operations by the kind they target, or
    kinds patched as a whole (strategic merge, or a patch that cannot be read)."""
    target = patch.get("target") if isinstance(patch, dict) else None
    kind = str(target.get("kind") or ANY_KIND) if isinstance(target, dict) else None
    text: Any = patch.get("patch") if isinstance(patch, dict) else patch
    path = patch.get("path") if isinstance(patch, dict) else None
    if isinstance(text, str) and "\n" not in text and not isinstance(patch, dict):
        path = text  # patchesStrategicMerge: a file name, or an inline patch
    if isinstance(path, str) and (joined := _join(rel, path)):
        text = _after(root, writes, joined)
    try:
        docs = _load_all(rel, text) if isinstance(text, (str, bytes)) else []
    except (yaml.YAMLError, UnicodeDecodeError):
        docs = []
    if len(docs) == 1 and isinstance(docs[0], list):  # JSON 6902 operations
        ops = docs[0]
        if kind is None or not all(
            isinstance(op, dict) and op.get("op") in ("add", "replace", "remove") for op in ops
        ):
            # copy and move carry another field's value, test depends on one: build.
            found.whole.add(kind or ANY_KIND)
        else:
            found.operations.append((kind, [str(op.get("path", "")) for op in ops]))
        return
    kinds = {str(d["kind"]) for d in docs if isinstance(d, dict) and d.get("kind")}
    if kind is not None:
        found.merged.add(kind)
    elif docs and len(kinds) == len(docs):
        found.merged |= kinds
    else:
        found.whole.add(ANY_KIND)


def _pointer_state(doc: Any, pointer: str) -> tuple[tuple[str, object], ...]:
    """What decides whether a JSON patch operation at ``pointer`` applies to ``doc``: the
    presence of each step of the path, and the length of each list on it."""
    state: list[tuple[str, object]] = []
    value = doc
    for raw in pointer.split("/")[1:]:
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            state.append(("key", step in value))
            if step not in value:
                break
            value = value[step]
        elif isinstance(value, list):
            state.append(("list", len(value)))
            if not step.isdigit() or int(step) >= len(value):
                break
            value = value[int(step)]
        else:
            state.append(("scalar", type(value).__name__))
            break
    return tuple(state)


def _load_all(rel: str, text: str | bytes) -> list[Any]:
    """The documents of ``text``, parsed with the alias-expansion limit: they are walked
    whole, and a billion laughs or a nesting past Python's stack is left to the build."""
    try:
        return list(yamlio.load_all_limited(text))
    except LimitError:
        raise _Build(f"{rel} expands to more YAML nodes than the limit (aliases)") from None
    except RecursionError:
        raise _Build(f"{rel} nests too deep to check") from None


def _parse_kustomization(rel: str, content: bytes) -> dict[str, Any]:
    try:
        docs = _load_all(rel, content)
    except (yaml.YAMLError, UnicodeDecodeError):
        raise _Build(f"kustomization {rel} does not parse") from None
    if len(docs) > 1:
        raise _Build(f"kustomization {rel} holds more than one document")
    data = docs[0] if docs else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _Build(f"kustomization {rel} is not a mapping")
    return data


def _entries(rel: str, data: Mapping[str, Any], key: str = "resources") -> set[str]:
    entries = data.get(key) or []
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise _Build(f"kustomization {rel} has {key} that are not a list of paths")
    if len(set(entries)) != len(entries):
        raise _Build(f"kustomization {rel} lists a resource twice")
    return set(entries)


def _is_dir(root: Path, writes: Mapping[str, bytes | None], rel: str) -> bool:
    return (root / rel).is_dir() or any(w.startswith(f"{rel}/") for w in writes)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _join(kfile: str, entry: str) -> str | None:
    """``entry`` of the kustomization ``kfile`` as a repo path; None outside the repo."""
    if "\n" in entry or entry.startswith("/"):
        return None
    joined = os.path.normpath(PurePosixPath(kfile).parent / entry)
    if joined == ".." or joined.startswith("../"):
        return None
    return PurePosixPath(joined).as_posix()


def _referenced(rel: str, paths: set[str]) -> bool:
    """Whether ``rel`` is one of ``paths`` or inside one of them."""
    return rel in paths or any(str(p) in paths for p in PurePosixPath(rel).parents)


def _is_kfile(rel: str) -> bool:
    return PurePosixPath(rel).name in KUSTOMIZATION_NAMES


def _before(root: Path, rel: str) -> bytes | None:
    path = root / rel
    return path.read_bytes() if path.is_file() else None


def _after(root: Path, writes: Mapping[str, bytes | None], rel: str) -> bytes | None:
    return writes[rel] if rel in writes else _before(root, rel)


def _walk(root: Path) -> tuple[list[str], list[str]]:
    """The repo's files and its symbolic links (to files or folders), as repo paths."""
    files: list[str] = []
    links: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in NOT_CONTENT)
        here = Path(dirpath)
        for name in (*dirnames, *sorted(filenames)):
            path = here / name
            if path.is_symlink():
                links.append(path.relative_to(root).as_posix())
            elif name in filenames:
                files.append(path.relative_to(root).as_posix())
    return files, links
