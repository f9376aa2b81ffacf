"""Answers a golden path that adds files to an existing repo reads from that repo's record.

A version folder may hold ``inherit.yml``::

    from: cluster-baseline          # the golden path the repo must be made from
    answers: {cohort: kueue_cohort} # question of this golden path: answer in the repo's record

so that, for example, a tenant added to a cluster-baseline repo queues for the GPU
resources and preemption the cluster was made with instead of asking again (issue 17).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffolder import yamlio
from scaffolder.catalog import GoldenPathVersion
from scaffolder.errors import CatalogError, ProjectError

INHERIT_FILE = "inherit.yml"


def inherited_answers(version: GoldenPathVersion, repo: Path) -> dict[str, Any]:
    """The answers ``version`` takes from the record of the repo at ``repo``.

    Empty when the version declares none, or the repo has no record or was made from
    another golden path than the one the version names.
    """
    from scaffolder.project import read_record

    path = version.root / INHERIT_FILE
    if not path.is_file():
        return {}
    try:
        spec = yamlio.load(path.read_text(encoding="utf-8")) or {}
    except Exception as exc:
        raise CatalogError(f"{path} is not valid YAML: {exc}") from exc
    mapping = spec.get("answers") if isinstance(spec, dict) else None
    if not isinstance(mapping, dict):
        raise CatalogError(f"{path}: 'answers' must map questions to the repo's answers")
    try:
        record = read_record(repo)
    except ProjectError:
        return {}
    if spec.get("from") and record.golden_path != spec["from"]:
        return {}
    return _pick(record.answers, mapping)


def _pick(answers: Mapping[str, Any], mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {str(q): answers[str(a)] for q, a in mapping.items() if str(a) in answers}
