"""Catalog discovery: kinds, version ordering, organisation catalogs and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffolder.catalog import ENV_VAR, builtin_catalog_path, load_catalog
from scaffolder.errors import CatalogError, UnknownGoldenPathError, UnknownVersionError
from tests.helpers import build_demo_catalog, build_file_tree


def test_builtin_catalog_ships_the_service_golden_path() -> None:
    catalog = load_catalog()
    service = catalog.get("service")
    assert service.kind == "service"
    assert "1.0.0" in service.version_names
    assert (builtin_catalog_path() / "templates" / "service").is_dir()


def test_versions_sort_semantically(tmp_path: Path) -> None:
    build_demo_catalog(tmp_path, versions=("1.9.0", "1.10.0", "1.2.0"))
    demo = load_catalog([str(tmp_path)]).get("demo")
    assert demo.version_names == ["1.2.0", "1.9.0", "1.10.0"]
    assert demo.latest.version == "1.10.0"
    assert demo.version("v1.9.0").version == "1.9.0"
    with pytest.raises(UnknownVersionError, match=r"available: 1\.2\.0, 1\.9\.0, 1\.10\.0"):
        demo.version("3.0.0")


def test_organisation_catalog_comes_first_and_shadows_builtin(tmp_path: Path) -> None:
    build_demo_catalog(tmp_path)
    build_file_tree(
        tmp_path / "baselines/service",
        {"golden-path.yml": "title: Ours\n", "1.0.0/copier.yml": "a: 1\n"},
    )
    catalog = load_catalog([str(tmp_path)])
    assert catalog.get("service").title == "Ours"
    assert catalog.get("service").kind == "baseline"
    assert catalog.get("demo").catalog == str(tmp_path)


def test_catalog_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_demo_catalog(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert load_catalog().get("demo").name == "demo"


def test_unknown_golden_path_suggests_close_names() -> None:
    with pytest.raises(UnknownGoldenPathError, match="did you mean 'service'"):
        load_catalog().get("servce")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "holds no golden paths"),
        ({"templates/x/golden-path.yml": "t: 1\n"}, "has no versions"),
        (
            {"templates/x/golden-path.yml": "name: y\n", "templates/x/1.0.0/copier.yml": "a: 1"},
            "must match its folder",
        ),
        (
            {"templates/x/golden-path.yml": "t: 1\n", "templates/x/latest/copier.yml": "a: 1"},
            "named X.Y.Z",
        ),
        ({"templates/x/golden-path.yml": "[unclosed\n"}, "not valid YAML"),
    ],
)
def test_malformed_catalogs_say_what_is_wrong(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    build_file_tree(tmp_path, files)
    with pytest.raises(CatalogError, match=message):
        load_catalog([str(tmp_path)])


def test_missing_catalog_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="is not a directory"):
        load_catalog([str(tmp_path / "nope")])
