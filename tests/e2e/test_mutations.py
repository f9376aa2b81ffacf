"""The mutation suite: how much of what a real API server refuses does `validate` catch?

Every golden-path variant of the e2e matrix (service answer sets, AI presets) is generated,
must validate without a finding from the API-server layers (no false positives), and then
each mutation of tests/e2e/mutations.py that applies to it is made, validated and undone.
A mutation is caught when `validate` reports an error on the mutated object. The share
caught must be at least 95 % for each catalogue: the one written with the checks
(mutations.py), the independent sample of the upstream validation and the sample held out
until the checks were fixed for it (mutations_upstream.py, docs/guides/validate.md);
the shares and the uncaught ones are printed (pytest -s, or -rA).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffolder.catalog import load_catalog
from scaffolder.generate import generate, plan
from scaffolder.validate.runner import validate_repo
from tests.e2e.mutations import CATALOGUE, Mutation
from tests.e2e.mutations_upstream import HELD_OUT, UPSTREAM
from tests.e2e.test_ai_golden_paths import PRESETS
from tests.e2e.test_service import ANSWER_SETS

pytestmark = pytest.mark.e2e

VARIANTS: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    **{f"service-{k}": ("service", v, a) for k, (v, a) in ANSWER_SETS.items()},
    **{k: (gp, None, a) for k, (gp, a) in PRESETS.items()},
}
TARGET = 0.95
CATALOGUES: dict[str, tuple[Mutation, ...]] = {
    "catalogue written with the checks": CATALOGUE,
    "independent upstream sample": UPSTREAM,
    "held-out upstream sample": HELD_OUT,
}
NEW_LAYERS = ("cel", "builtin", "admission")


def _base_files(repo: Path) -> list[Path]:
    base = repo / "deploy" / "base"
    return sorted(p for p in base.glob("*.yaml") if p.name != "kustomization.yaml")


def _apply(repo: Path, mutation: Mutation) -> tuple[dict[Path, str], str] | None:
    """Mutate the first object of the mutation's kinds: ({file: old text}, kind) or None.

    Overlay patches of that kind are dropped too, so an overlay that sets the same field
    (prod's minReplicas, say) cannot undo the mutation: the built object carries it.
    """
    for kind in mutation.kinds:
        for path in _base_files(repo):
            text = path.read_text(encoding="utf-8")
            docs = list(yaml.safe_load_all(text))
            target = next((d for d in docs if isinstance(d, dict) and d.get("kind") == kind), None)
            if target is None or not mutation.apply(target):
                continue
            originals = {path: text}
            path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
            for overlay in sorted((repo / "deploy" / "overlays").glob("*/kustomization.yaml")):
                overlay_text = overlay.read_text(encoding="utf-8")
                kustomization = yaml.safe_load(overlay_text)
                patches = kustomization.get("patches") or []
                kept = [p for p in patches if (p.get("target") or {}).get("kind") != kind]
                if kept != patches:
                    originals[overlay] = overlay_text
                    kustomization["patches"] = kept
                    overlay.write_text(yaml.safe_dump(kustomization, sort_keys=False), "utf-8")
            return originals, kind
    return None


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_mutations_are_caught(variant: str, tmp_path: Path) -> None:
    golden_path, version, answers = VARIANTS[variant]
    repo = tmp_path / "repo"
    generate(plan(load_catalog(), golden_path, version=version, data=answers), repo, git=False)
    clean = validate_repo(repo)
    false_positives = [
        f"{f.location()}: {f.message}" for f in clean.findings if f.check in NEW_LAYERS
    ]
    assert clean.ok and not false_positives, false_positives or clean.errors
    # Mutations go into the base; one overlay builds it (the others differ only in patches,
    # and those of the mutated kind are dropped anyway): a third of the kustomize builds.
    for overlay in sorted((repo / "deploy" / "overlays").iterdir())[1:]:
        shutil.rmtree(overlay)

    shares = {name: _measure(repo, catalogue) for name, catalogue in CATALOGUES.items()}
    for name, (caught, uncaught) in shares.items():
        total, share = len(caught) + len(uncaught), _share(caught, uncaught)
        print(f"\n{variant}, {name}: {len(caught)}/{total} mutations caught ({share:.0%})")
        for line in uncaught:
            print(f"  uncaught: {line}")
    assert all(caught or uncaught for caught, uncaught in shares.values())
    missed = {name: u for name, (c, u) in shares.items() if _share(c, u) < TARGET}
    assert not missed, missed


def _share(caught: list[str], uncaught: list[str]) -> float:
    total = len(caught) + len(uncaught)
    return len(caught) / total if total else 1.0


def _measure(repo: Path, catalogue: tuple[Mutation, ...]) -> tuple[list[str], list[str]]:
    """Apply each mutation of ``catalogue`` that fits the repo: (caught, uncaught)."""
    caught: list[str] = []
    uncaught: list[str] = []
    for mutation in catalogue:
        applied = _apply(repo, mutation)
        if applied is None:
            continue
        originals, kind = applied
        try:
            report = validate_repo(repo)
        finally:
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")
        hits = [f for f in report.errors if (f.object or "").startswith(f"{kind}/")]
        (caught if hits else uncaught).append(f"{mutation.name} ({mutation.rule})")
    return caught, uncaught
