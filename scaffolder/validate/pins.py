"""What a repo's golden path pins: the Kubernetes version and CRD versions to validate against.

Read from the version of the golden path the repo records (its ``pins`` computed value:
``pins.kubernetes`` and ``pins.crds`` as ``{project: version}``), so a repo is validated
against what its golden path targeted, not against whatever is newest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder.errors import ScaffolderError


@dataclass(frozen=True)
class RepoPins:
    kubernetes: str | None = None
    crds: Mapping[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def repo_pins(root: Path, catalogs: tuple[str, ...] = ()) -> RepoPins:
    """Pins of the golden-path version recorded in ``root``; empty for other repos."""
    from scaffolder.project import ANSWERS_FILE, read_record

    if not (root / ANSWERS_FILE).is_file():
        return RepoPins()
    try:
        record = read_record(root)
        pins = pins_for(record.golden_path, record.version, record.answers, catalogs)
    except ScaffolderError as exc:
        return RepoPins(notes=[f"cannot read the golden path's pins: {exc}"])
    return pins


def computed_value(
    golden_path: str,
    version: str,
    answers: Mapping[str, Any],
    name: str,
    catalogs: tuple[str, ...] = (),
) -> Any:
    """The computed value ``name`` (``pins``, ``contract``...) of a golden-path version,
    resolved with a repo's recorded answers."""
    from scaffolder.catalog import load_catalog
    from scaffolder.generate import renderer_for
    from scaffolder.questions import resolve_answers

    chosen = load_catalog(catalogs).get(golden_path).version(version)
    renderer = renderer_for(chosen)
    known = {q.name for q in renderer.config.questions if not q.computed}
    resolved = resolve_answers(
        renderer.config.questions,
        renderer.evaluator,
        {k: v for k, v in answers.items() if k in known},
    )
    return resolved.context.get(name)


def pins_for(
    golden_path: str, version: str, answers: Mapping[str, Any], catalogs: tuple[str, ...] = ()
) -> RepoPins:
    pins = computed_value(golden_path, version, answers, "pins", catalogs) or {}
    if not isinstance(pins, dict):
        return RepoPins()
    kubernetes = pins.get("kubernetes")
    crd_pins = pins.get("crds")
    return RepoPins(
        kubernetes=str(kubernetes) if kubernetes else None,
        crds={str(k): str(v) for k, v in crd_pins.items()} if isinstance(crd_pins, dict) else None,
    )


def catalog_crd_pins(catalogs: tuple[str, ...] = ()) -> dict[tuple[str, str], list[str]]:
    """Every ``(project, version)`` of a CRD any version of any golden path pins, with the
    golden-path versions that pin it ("service 1.1.0").

    Pins are rendered without answers: a golden path whose pins depend on its answers lists
    every CRD any combination can need (see baselines/cluster-baseline/1.0.0/pins.yml).
    """
    from scaffolder.catalog import load_catalog
    from scaffolder.generate import renderer_for

    out: dict[tuple[str, str], list[str]] = {}
    for gp in load_catalog(catalogs):
        for version in gp.versions:
            renderer = renderer_for(version)
            question = renderer.config.question("pins")
            if question is None:
                continue
            pins = renderer.evaluator.default(question, {})
            crd_pins = pins.get("crds") if isinstance(pins, dict) else None
            for project, tag in (crd_pins or {}).items():
                out.setdefault((str(project), str(tag)), []).append(f"{gp.name} {version.version}")
    return dict(sorted(out.items()))
