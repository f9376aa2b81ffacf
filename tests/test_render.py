"""The render core: copier's semantics, determinism, caching, and equality with copier itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffolder.catalog import load_catalog
from scaffolder.errors import TemplateError
from scaffolder.generate import plan
from scaffolder.render import Renderer, RenderMeta
from scaffolder.template import load_template_config
from tests.helpers import build_file_tree


def render_demo(catalog: Path, **data: str) -> dict[str, bytes]:
    the_plan = plan(load_catalog([str(catalog)]), "demo", data={"name": "pay", **data})
    return {path: f.content for path, f in the_plan.render().items()}


def test_paths_and_contents_are_rendered_like_copier(demo_catalog: Path) -> None:
    files = render_demo(demo_catalog)
    assert sorted(files) == [
        ".github/workflows/ci.yml",
        "CODEOWNERS",
        "README.md",
        "catalog-info.yaml",
        "deploy/pay.yaml",
        "docs/rollback.md",
        "docs/runbook.md",
        "envs.txt",
        "secret.txt",
        "static.txt",
    ]
    assert files["README.md"] == b"# pay\n\nkubernetes 1.35.0\n"
    assert files["deploy/pay.yaml"] == b"namespace: pay-ns\nport: 8080\n"
    assert files["static.txt"] == b"{{ not rendered }}\n", "files without .jinja are verbatim"
    assert files["envs.txt"] == b"dev\nprod\n"


def test_a_path_part_that_renders_empty_drops_the_file(demo_catalog: Path) -> None:
    assert "gpu.yaml" not in render_demo(demo_catalog)
    assert render_demo(demo_catalog, gpu="yes", gpu_count="2")["gpu.yaml"] == b"gpus: 2\n"


def test_render_is_deterministic_and_cached(demo_catalog: Path) -> None:
    the_plan = plan(load_catalog([str(demo_catalog)]), "demo", data={"name": "pay"})
    first = the_plan.render()
    assert the_plan.render() is first, "same answers render once"
    again = plan(load_catalog([str(demo_catalog)]), "demo", data={"name": "pay"})
    assert again.render().digest() == first.digest()
    other = plan(load_catalog([str(demo_catalog)]), "demo", data={"name": "other"})
    assert other.render().digest() != first.digest()


def test_executable_bit_is_kept(tmp_path: Path) -> None:
    root = build_file_tree(
        tmp_path, {"copier.yml": "_subdirectory: t\n", "t/run.sh": "#!/bin/sh\n"}
    )
    (root / "t/run.sh").chmod(0o755)
    tree = Renderer.for_root(root).render(_no_answers(), RenderMeta("x", "1.0.0"))
    assert tree["run.sh"].executable


def test_exclude_and_answers_file_template_are_skipped(tmp_path: Path) -> None:
    root = build_file_tree(
        tmp_path,
        {
            "copier.yml": "_exclude: ['*.bak', 'skip/']\n",
            "keep.txt": "k",
            "old.bak": "b",
            "skip/x.txt": "x",
            "__pycache__/a.pyc": "c",
            "{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers }}",
        },
    )
    tree = Renderer.for_root(root).render(_no_answers(), RenderMeta("x", "1.0.0"))
    # As in copier, an explicit _exclude replaces the defaults (copier.yml included).
    assert sorted(tree) == ["__pycache__/a.pyc", "copier.yml", "keep.txt"]


def test_template_errors_name_the_file_and_line(tmp_path: Path) -> None:
    root = build_file_tree(
        tmp_path, {"copier.yml": "x: 1\n", "bad.txt.jinja": "ok\n{{ missing.attr }}\n"}
    )
    with pytest.raises(TemplateError, match=r"bad\.txt\.jinja:2"):
        Renderer.for_root(root).render(_no_answers(), RenderMeta("x", "1.0.0"))


@pytest.mark.parametrize("setting", ["_tasks: [echo hi]", "_jinja_extensions: [x]"])
def test_unsupported_settings_are_refused_not_ignored(tmp_path: Path, setting: str) -> None:
    build_file_tree(tmp_path, {"copier.yml": setting + "\n"})
    with pytest.raises(TemplateError, match="not supported"):
        load_template_config(tmp_path)


def test_include_must_stay_inside_the_template(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path, {"outside.yml": "a: 1\n", "t/copier.yml": "!include ../outside.yml\n"}
    )
    with pytest.raises(TemplateError, match="leaves the template folder"):
        load_template_config(tmp_path / "t")


def _no_answers():  # type: ignore[no-untyped-def]
    from scaffolder.questions import Answers

    return Answers(values={}, computed={})


def test_output_equals_copier_copy(demo_catalog: Path, tmp_path: Path) -> None:
    """The reference: copier itself renders the same version with the same answers."""
    copier = pytest.importorskip("copier")
    data = {"name": "pay", "gpu": True, "gpu_count": 3, "environments": ["prod"]}
    ours = render_demo(demo_catalog, gpu="true", gpu_count="3", environments="[prod]")
    out = tmp_path / "copier-out"
    copier.run_copy(
        str(demo_catalog / "templates/demo/1.0.0"),
        out,
        data=data,
        defaults=True,
        quiet=True,
        vcs_ref=None,
    )
    theirs = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert ours == theirs


BUILTIN_SAMPLES = {
    ("service", "1.0.0"): {"name": "payments", "environments": ["prod"]},
    ("service", "1.1.0"): {"name": "payments", "canary": True, "secret_keys": ["DB_URL"]},
    ("service", "2.0.0"): {"name": "payments", "tier": "critical"},
    ("inference-service", "1.0.0"): {"name": "chat", "gpu_mode": "mig", "mig_profile": "1g.10gb"},
    ("training-job", "1.0.0"): {"name": "train", "workload": "jobset", "workers": 2},
    ("service", "2.1.0"): {"name": "payments", "tier": "standard", "canary": True},
    ("inference-service", "1.1.0"): {"name": "chat", "gpu_mode": "time-sliced"},
    ("training-job", "1.1.0"): {"name": "train", "workload": "jobset", "workers": 2},
}


@pytest.mark.parametrize(("golden_path", "version"), sorted(BUILTIN_SAMPLES))
def test_builtin_golden_paths_render_like_copier(
    golden_path: str, version: str, tmp_path: Path
) -> None:
    copier = pytest.importorskip("copier")
    data = BUILTIN_SAMPLES[(golden_path, version)]
    the_plan = plan(load_catalog(), golden_path, version=version, data=data)
    ours = the_plan.render().contents()
    copier.run_copy(
        str(the_plan.version.root), tmp_path, data=data, defaults=True, quiet=True, vcs_ref=None
    )
    theirs = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    assert ours == theirs
