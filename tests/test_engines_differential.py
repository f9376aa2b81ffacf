"""Differential tests: generated copier templates rendered by scaffolder and by copier itself.

Each example is a copier template drawn from the features copier documents (question types,
``when``, computed defaults, validators, conditional and templated path parts, ``_exclude``
and ``_skip_if_exists`` with Jinja, suffixes, macros included from the repository root,
multiselect and ``{value: X}`` choices, the answers-file template). scaffolder renders it the
way ``new --template`` does (the classifier picks the engine); the files, answers file
included, must be byte for byte what ``copier copy`` writes. When the classifier picks the
native engine this is the proof that its subset matches copier; when it picks copier it
checks the copier engine's plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.catalog import load_catalog
from scaffolder.engines import choose
from scaffolder.generate import Plan
from scaffolder.questions import resolve_answers
from tests.copier_fixture import ANSWERS_TEMPLATE, copier_copy, git_template

WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta"])


@dataclass(frozen=True)
class Generated:
    files: dict[str, str]
    data: dict[str, Any]


def _questions(draw: st.DrawFn, config: dict[str, Any], data: dict[str, Any]) -> None:
    """A name (str) and a flag (bool), then a drawn mix of copier's question forms."""
    config["name"] = {"type": "str", "default": draw(WORDS)}
    flag_default = draw(st.booleans())
    config["flag"] = {"type": "bool", "default": flag_default}
    if draw(st.booleans()):
        config["slug"] = {"type": "str", "default": "{{ name }}-svc"}  # computed default
    if draw(st.booleans()):
        config["port"] = {
            "type": "int",
            "default": 8080,
            "validator": "{% if port < 1024 %}too low{% endif %}",
        }
    if draw(st.booleans()):
        config["extra"] = {"type": "str", "default": "x", "when": "{{ flag }}"}
    if draw(st.booleans()):  # untyped, no default: copier reads it as yaml
        config["raw"] = {"help": "anything"}
        data["raw"] = draw(st.sampled_from(["42", "[1, 2]", "hello", "true"]))
    if draw(st.booleans()):
        choices: Any = (
            {"Python": {"value": "py"}, "Go": {"value": "go"}, "Rust": {"value": "rs"}}
            if draw(st.booleans())
            else ["py", "go", "rs"]
        )
        multi = draw(st.booleans())
        config["langs"] = {
            "type": "str",
            "choices": choices,
            "multiselect": multi,
            "default": ["rs", "py"] if multi else "go",
        }
        if draw(st.booleans()):
            data["langs"] = ["go", "py"] if multi else "rs"
    if draw(st.booleans()):
        data["name"] = draw(WORDS)
    if draw(st.booleans()):
        data["flag"] = not flag_default


def _files(draw: st.DrawFn, prefix: str, suffix: str, names: list[str]) -> dict[str, str]:
    """Template files: plain, templated, conditional and templated paths, macros, siblings."""
    body = "".join(f"{n}={{{{ {n} }}}}\n" for n in names)
    files = {f"{prefix}all.txt{suffix}": body, f"{prefix}static.txt": "{{ not rendered }}\n"}
    if draw(st.booleans()):
        files[f"{prefix}{{{{ name }}}}/in-dir.txt{suffix}"] = "dir {{ name }}\n"
    if draw(st.booleans()):
        files[f"{prefix}{{% if flag %}}flagged.txt{{% endif %}}{suffix}"] = "flag on\n"
    if draw(st.booleans()):
        files[f"{prefix}{{{{ name }}}}.cfg{suffix}"] = "cfg {{ name }}\n"
    if draw(st.booleans()):
        files[f"{prefix}old.bak"] = "backup\n"
    if draw(st.booleans()):  # a folder left empty when its only file is dropped
        files[f"{prefix}opt/{{% if flag %}}x.txt{{% endif %}}{suffix}"] = "x\n"
    if draw(st.booleans()):  # a part that renders to a space is a folder named " " in copier
        files[f"{prefix}{{% if flag %}} {{% endif %}}/space.txt{suffix}"] = "space\n"
    if draw(st.booleans()):  # macros imported from the repository root, outside _subdirectory
        files["macros/m.jinja"] = "{% macro shout(x) %}{{ x | upper }}!{% endmacro %}"
        files[f"{prefix}macro.txt{suffix}"] = (
            '{% from "macros/m.jinja" import shout %}{{ shout(name) }}\n'
        )
    if draw(st.booleans()):
        files[f"{prefix}plain-and-templated.txt"] = "plain\n"
        files[f"{prefix}plain-and-templated.txt{suffix}"] = "templated {{ name }}\n"
    if draw(st.booleans()):
        files[f"{prefix}{{{{ _copier_conf.answers_file }}}}{suffix}"] = ANSWERS_TEMPLATE[
            "{{ _copier_conf.answers_file }}.jinja"
        ]
    return files


@st.composite
def templates(draw: st.DrawFn) -> Generated:
    suffix = draw(st.sampled_from([".jinja", ".tmpl"]))
    sub = draw(st.sampled_from(["", "tpl"]))
    config: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if suffix != ".jinja":
        config["_templates_suffix"] = suffix
    if sub:
        config["_subdirectory"] = sub
    _questions(draw, config, data)
    if draw(st.booleans()):
        config["_exclude"] = ["*.bak", "{% if not flag %}flagged.txt{% endif %}"]
    if draw(st.booleans()):
        config["_skip_if_exists"] = ["{{ name }}.cfg"]
    names = [k for k in config if not k.startswith("_")]
    files = _files(draw, f"{sub}/" if sub else "", suffix, names)
    return Generated({"copier.yml": yaml.safe_dump(config, sort_keys=False), **files}, data)


def scaffolder_new(template: Path, data: dict[str, Any], folder: str) -> dict[str, bytes]:
    """What `scaffolder new --template` writes (the tree and, when written, the record)."""
    catalog, name, _ = load_catalog().with_template(str(template))
    gp = catalog.get(name)
    version = gp.latest
    from scaffolder.generate import renderer_for

    renderer = renderer_for(version)
    answers = resolve_answers(renderer.config.questions, renderer.evaluator, data)
    the_plan = Plan(gp, version, answers)
    # Every feature the generator draws is one the native engine claims to render as copier.
    assert choose(version).engine == "native", choose(version).reason
    rendered = the_plan.render(folder)
    tree = {**rendered.contents(), **{f"{d}/": b"" for d in rendered.folders}}
    if the_plan.writes_record(folder):
        tree[the_plan.answers_file] = the_plan.record(folder).serialize().encode()
    return tree


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=templates())
def test_generated_templates_render_like_copier(
    generated: Generated, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = tmp_path_factory.mktemp("gen")
    template = git_template(base / "tpl", {"v1.0.0": generated.files})
    theirs = copier_copy(template, base / "out", generated.data)
    ours = scaffolder_new(template, generated.data, "out")
    assert ours == theirs
