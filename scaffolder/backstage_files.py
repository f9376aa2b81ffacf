"""Writing exported Backstage files without losing anyone's work.

An export goes into a directory that a platform team keeps in git and registers in Backstage,
so a second export must not undo what the first one, or a person, did:

- Each Template file starts with a header carrying the digest of what the export wrote. A
  file whose body still has that digest is ours, unchanged, and is replaced (a newer golden
  path version); one that was edited, or that the export did not write, is a conflict.
- ``catalog-info.yaml`` is merged: the Location keeps every target it lists and gains the
  new ones, and other documents in the file stay as they are. The new targets go into the
  text itself, after the last listed one, so comments and layout stay too.

Conflicts are all found before anything is written; ``force`` overwrites them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scaffolder.errors import DestinationError
from scaffolder.writer import replace_file_atomically

LOCATION_NAME = "scaffolder-golden-paths"
_HEADER = re.compile(r"^# Written by scaffolder backstage export \(sha256:([0-9a-f]{64})\)")


def with_header(body: str) -> str:
    """``body`` behind the header that lets a later export recognise it as unchanged."""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return (
        f"# Written by scaffolder backstage export (sha256:{digest})\n"
        "# A re-export replaces this file only while it is unchanged: change the golden path\n"
        "# instead, or re-export with --force to discard edits.\n" + body
    )


def unchanged_since_export(text: str) -> bool:
    """The file is exactly as an export wrote it (its body matches its header's digest)."""
    match = _HEADER.match(text)
    if not match:
        return False
    body = text.split("\n", 3)[3] if text.count("\n") >= 3 else ""
    return hashlib.sha256(body.encode("utf-8")).hexdigest() == match.group(1)


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    text: str


def location_text(existing: str | None, targets: Sequence[str]) -> str | None:
    """The merged ``catalog-info.yaml``, or None when ``existing`` cannot be merged into.

    The Location named :data:`LOCATION_NAME` (else the first Location) keeps its targets and
    gains the missing ones; a file without a Location gets ours appended as a new document.
    """
    ours: dict[str, Any] = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": LOCATION_NAME, "description": "Golden paths exported by scaffolder"},
        "spec": {"targets": list(targets)},
    }
    if existing is None:
        return _dump([ours])
    try:
        docs = [d for d in yaml.safe_load_all(existing) if d is not None]
    except yaml.YAMLError:
        return None
    if not all(isinstance(d, Mapping) for d in docs):
        return None
    locations = [d for d in docs if d.get("kind") == "Location"]
    named = [d for d in locations if (d.get("metadata") or {}).get("name") == LOCATION_NAME]
    location = (named or locations or [None])[0]
    if location is None:
        return (
            existing
            + ("" if existing.endswith("\n") or not existing else "\n")
            + ("---\n" + _dump([ours]))
        )
    spec = location.get("spec")
    if not isinstance(spec, Mapping):
        return None
    listed = spec.get("targets") or ([spec["target"]] if spec.get("target") else [])
    if not isinstance(listed, list):
        return None
    missing = [t for t in targets if t not in listed]
    if not missing:
        return existing
    index = docs.index(location)
    inserted = _insert_targets(existing, index, missing)
    if inserted is not None and _targets(inserted, index) == [*listed, *missing]:
        return inserted  # else the layout was one the text edit misread: dump the data
    merged_spec = {k: v for k, v in spec.items() if k != "target"}
    merged_spec["targets"] = [*listed, *missing]
    merged = {**location, "spec": merged_spec}
    return _dump([merged if d is location else d for d in docs])


def _insert_targets(existing: str, index: int, missing: Sequence[str]) -> str | None:
    """``existing`` with ``missing`` added to the ``spec.targets`` list of its ``index``-th
    document, as text; None when that list is not there to add to (a single ``target``)."""
    nodes = [n for n in yaml.compose_all(existing) if n is not None]
    targets = _child(_child(nodes[index], "spec"), "targets")
    if not isinstance(targets, yaml.SequenceNode):
        return None
    items = [_scalar(t) for t in missing]
    if targets.flow_style or not targets.value:
        if not existing[targets.start_mark.index : targets.end_mark.index].startswith("["):
            return None
        at = existing.rindex("]", 0, targets.end_mark.index)
        before = ", " if targets.value else ""
        return f"{existing[:at]}{before}{', '.join(items)}{existing[at:]}"
    first, last = targets.value[0], targets.value[-1]
    dash = existing.rindex("-", 0, first.start_mark.index)
    indent = dash - (existing.rfind("\n", 0, dash) + 1)
    end = existing.find("\n", last.end_mark.index)
    at = len(existing) if end == -1 else end + 1
    head = existing[:at] if end != -1 else existing + "\n"
    return head + "".join(f"{' ' * indent}- {item}\n" for item in items) + existing[at:]


def _targets(text: str, index: int) -> Any:
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        return docs[index]["spec"]["targets"]
    except (yaml.YAMLError, LookupError, TypeError):
        return None


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar on one line (quoted when it has to be)."""
    return yaml.safe_dump(text, default_flow_style=True, width=10_000).split("\n", 1)[0]


def _dump(docs: Sequence[Mapping[str, Any]]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False, width=100, allow_unicode=True)


def write_export(
    templates: Mapping[Path, str], location: Path, targets: Sequence[str], *, force: bool
) -> list[Path]:
    """Write the Template files (``path -> body``) and merge ``location``; the paths written.

    Raises DestinationError naming every conflict, before writing anything, unless ``force``.
    """
    planned = [PlannedFile(path, with_header(body)) for path, body in templates.items()]
    conflicts = []
    for plan in planned:
        current = _read(plan.path)
        if current is not None and current != plan.text and not unchanged_since_export(current):
            conflicts.append(f"{plan.path} (edited since the export wrote it, or not its file)")
    merged = location_text(_read(location), targets)
    if merged is None:
        conflicts.append(f"{location} (not a Location to add the templates to)")
        merged = location_text(None, targets)
        assert merged is not None
    if conflicts and not force:
        raise DestinationError(
            f"refusing to overwrite {'; '.join(conflicts)}; nothing written",
            hint="move your changes into the golden path, or re-export with --force to"
            " replace the files",
        )
    planned.append(PlannedFile(location, merged))
    written = []
    for plan in planned:
        if _read(plan.path) != plan.text:
            replace_file_atomically(plan.path, plan.text)
            written.append(plan.path)
    return written


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DestinationError(f"cannot read {path}: {exc}") from exc
