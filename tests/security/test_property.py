"""Property: whatever the answers and path parts, no render writes outside DEST."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.catalog import load_catalog
from scaffolder.errors import ScaffolderError
from scaffolder.generate import generate, plan
from tests.security.hostile import cookiecutter_catalog, copier_catalog, fingerprint

FRAGMENTS = ["..", ".", "/", "a", "b", "", "\0", "\\", " ", ".git", "~", "%2e", "-", "//", "C:"]
answers = st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join)

COPIER_FILES = {
    "{{ a }}/{{ b }}.txt.jinja": "{{ a }}{{ b }}",
    "{{ a }}{{ b }}": "x",
    "d/{{ b }}/{{ a }}/f": "y",
    "{% if a %}{{ a }}{% endif %}.md": "z",
}
CONTEXT = {"project_slug": "p", "a": "a", "b": "b"}
COOKIECUTTER_FILES = {
    "{{ cookiecutter.a }}/{{ cookiecutter.b }}.txt": "x",
    "{{cookiecutter.b}}": "y",
}


def _check(catalog: Path, data: dict[str, str], slug_from: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        parent = Path(tmp) / "parent" / "p"
        parent.mkdir(parents=True)
        (Path(tmp) / "parent" / "keep.txt").write_text("keep")
        before_catalog = fingerprint(catalog)
        try:
            the_plan = plan(load_catalog([str(catalog)]), "evil", data=data)
            generate(the_plan, parent / "dest", git=False)
        except ScaffolderError:
            pass
        outside = [
            str(Path(d, n))
            for d, dirs, files in os.walk(Path(tmp))
            for n in dirs + files
            if not Path(d, n).is_relative_to(parent / "dest")
        ]
        assert sorted(outside) == sorted(
            str(Path(tmp, p)) for p in ("parent", "parent/p", "parent/keep.txt")
        ) or sorted(outside) == sorted(
            str(Path(tmp, p)) for p in ("parent", "parent/p", "parent/keep.txt", "parent/p/dest")
        ), outside
        assert fingerprint(catalog) == before_catalog


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("catalogs")
    return {
        "copier": copier_catalog(
            root / "copier", COPIER_FILES, "a:\n  type: str\nb:\n  type: str\n"
        ),
        "cookiecutter": cookiecutter_catalog(root / "cc", COOKIECUTTER_FILES, CONTEXT),
    }


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=answers, b=answers)
def test_copier_never_writes_outside_dest(catalogs: dict[str, Path], a: str, b: str) -> None:
    _check(catalogs["copier"], {"a": a, "b": b})


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=answers, b=answers, slug=answers)
def test_cookiecutter_never_writes_outside_dest(
    catalogs: dict[str, Path], a: str, b: str, slug: str
) -> None:
    _check(catalogs["cookiecutter"], {"a": a, "b": b, "project_slug": slug})
