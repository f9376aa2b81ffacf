"""Fleets on git remotes for the fleet tests: local bare repositories reached by file:// URLs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import generate


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def remote_fleet(tmp: Path, catalog: Path, names: tuple[str, ...], version: str) -> list[str]:
    """One bare repository per name, holding a repo generated at ``version`` plus a second
    commit (so shallow clones are visibly shallow); their file:// URLs, in order."""
    work, remotes = tmp / "work", tmp / "remotes"
    work.mkdir(exist_ok=True)
    remotes.mkdir(exist_ok=True)
    urls = []
    for name in names:
        repo = generate(work, catalog, name, version)
        (repo / "OWNERS.md").write_text(f"{name} is owned by a team\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "team file")
        bare = remotes / f"{name}.git"
        git(tmp, "clone", "-q", "--bare", str(repo), str(bare))
        # As GitHub and GitLab do: partial clones (--filter) are served.
        git(bare, "config", "uploadpack.allowFilter", "true")
        urls.append(bare.as_uri())
    return urls
