"""Builds a fleet of generated service repos for the audit and upgrade benchmarks."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from scaffolder.catalog import load_catalog
from scaffolder.generate import plan
from scaffolder.writer import write_tree

ENVIRONMENTS = (["dev", "stage", "prod"], ["prod"], ["dev", "prod"])


def make_fleet(
    root: Path,
    count: int,
    *,
    version: str = "1.0.0",
    seed: int = 7,
    edit_share: float = 0.3,
    varied: bool = False,
    all_environments: bool = False,
) -> list[Path]:
    """``count`` repos of `service` with varied answers; a share gets local edits.

    ``varied`` makes a fleet that looks lived-in: every fifth repo on 1.1.0, some without a
    runbook (a gold rule) or CODEOWNERS (a bronze one).
    """
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    catalog = load_catalog()
    repos = []
    for i in range(count):
        envs = ENVIRONMENTS[0] if all_environments else ENVIRONMENTS[i % 3]
        data = {
            "name": f"svc-{i:04d}",
            "environments": envs,
            "owner": rng.choice(["payments-team", "search-team", "platform-team"]),
            "port": 8080 + (i % 5),
        }
        chosen = "1.1.0" if varied and i % 5 == 0 else version
        the_plan = plan(catalog, "service", version=chosen, data=data)
        repo = root / data["name"]
        repo.mkdir()
        write_tree(
            repo, the_plan.render(repo.name), {".copier-answers.yml": the_plan.record().serialize()}
        )
        if varied and i % 7 == 0:
            (repo / "docs/runbook.md").unlink()
        if varied and i % 11 == 0:
            (repo / "CODEOWNERS").unlink()
        if rng.random() < edit_share:
            with (repo / "README.md").open("a", encoding="utf-8") as f:
                f.write("\nLocal notes.\n")
        repos.append(repo)
    return repos
