"""Which records a repo holds: answers files at most three folders deep, root first, never in
``.git`` or ``node_modules``, never through a link to a folder (audit checks each one)."""

from __future__ import annotations

from pathlib import Path

from scaffolder.project import find_records
from tests.helpers import build_file_tree


def test_records_found_where_audit_looks(tmp_path: Path) -> None:
    repo = build_file_tree(
        tmp_path / "repo",
        {
            ".copier-answers.yml": "x",
            ".cruft.json": "{}",
            "tenants/a/.copier-answers.yml": "x",
            "tenants/b/.copier-answers.tenant.yml": "x",
            "one/two/three/.copier-answers.yml": "x",  # three folders deep: found
            "one/two/three/four/.copier-answers.yml": "x",  # four: too deep
            ".git/.copier-answers.yml": "x",
            ".git/objects/ab/.copier-answers.yml": "x",
            "node_modules/pkg/.copier-answers.yml": "x",
            "docs/.copier-answers.yml.bak": "x",
            "docs/.Copier-answers.yml": "x",  # the match is case-sensitive, as copier's
            "elsewhere/.copier-answers.yml": "x",
        },
    )
    (repo / "linked").symlink_to(repo / "elsewhere", target_is_directory=True)
    assert find_records(repo) == [
        ".copier-answers.yml",
        ".cruft.json",
        "elsewhere/.copier-answers.yml",
        "tenants/a/.copier-answers.yml",
        "tenants/b/.copier-answers.tenant.yml",
        "one/two/three/.copier-answers.yml",
    ]
