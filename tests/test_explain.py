"""Jinja conditions and defaults in words, from the parsed template (scaffolder.explain)."""

from __future__ import annotations

import pytest

from scaffolder.explain import explain_default, explain_when, variables
from scaffolder.jinja import make_environment

ENV = make_environment(None, {})
KINDS = {"gpu": "bool", "kueue": "bool", "team": "str", "gpu_quota": "int"}


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{{ cni == 'cilium' }}", "cni is cilium"),
        ("{{ provider != 'on-prem' }}", "provider is not on-prem"),
        ("{{ gpu }}", "gpu is true"),
        ("{{ not gpu }}", "gpu is false"),
        ("{{ team }}", "team is set"),
        ("{{ gpu_quota > 0 }}", "gpu_quota is more than 0"),
        ("{{ mode in ['mig-single', 'mig-mixed'] }}", "mode is mig-single or mig-mixed"),
        ("{{ mode not in ['a', 'b', 'c'] }}", "mode is not a, b or c"),
        ("{{ 'nvidia' in vendors }}", "vendors includes nvidia"),
        ("{{ kueue and gpu_quota > 0 }}", "kueue is true and gpu_quota is more than 0"),
        (
            "{{ provider == 'on-prem' or (cni == 'cilium' and provider in ['gcp', 'azure']) }}",
            "provider is on-prem or (cni is cilium and provider is gcp or azure)",
        ),
        ("{{ keys | length > 0 }}", "the number of keys is more than 0"),
        (" {{ pins.gpu }} ", "pins.gpu is set"),
        # What words cannot say plainly names what it reads.
        ("{{ keys is iterable and keys is not string }}", "depends on keys"),
        ("{% if a %}{{ b }}{% endif %}", "depends on a, b"),
    ],
)
def test_conditions(source: str, words: str) -> None:
    assert explain_when(ENV, source, KINDS) == words


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{{ name }}", "same as name"),
        ("{{ name }}-ns", "<name>-ns"),
        (
            "https://git.example.com/{{ org.name }}/{{ repo }}.git",
            "https://git.example.com/<org.name>/<repo>.git",
        ),
        (
            "{{ {'aws': 'eu-west-1', 'gcp': 'europe-west1'}.get(provider, '') }}",
            "by provider: aws → eu-west-1, gcp → europe-west1, otherwise empty",
        ),
        ("{{ {'a': 'x'}.get(p, fallback) }}", "by p: a → x, otherwise <fallback>"),
        (
            "{{ 'auto' if provider == 'on-prem' else '' }}",
            "auto if provider is on-prem, else empty",
        ),
        ("{{ 6443 if provider == 'on-prem' else 443 }}", "6443 if provider is on-prem, else 443"),
        ("{{ provider == 'on-prem' }}", "true if provider is on-prem"),
        ("{{ ('kv-' ~ cluster)[:24] | regex_replace('-+$', '') }}", "computed from cluster"),
        ("{{ 'x' | upper }}", "computed by the golden path"),
        ("{{ broken", "computed by the golden path"),
    ],
)
def test_defaults(source: str, words: str) -> None:
    assert explain_default(ENV, source, KINDS) == words


def test_variables_in_order_of_first_use_without_loop_names() -> None:
    source = "{{ b ~ a }}{% for item in items %}{{ item }}{{ b }}{% endfor %}"
    assert variables(ENV, source) == ["b", "a", "items"]
    assert variables(ENV, "{{ unclosed") == []


def test_custom_delimiters_of_the_template_are_honoured() -> None:
    env = make_environment(None, {"variable_start_string": "[[", "variable_end_string": "]]"})
    assert explain_when(env, "[[ cni == 'cilium' ]]", {}) == "cni is cilium"


def test_cookiecutter_answers_are_read_through_their_namespace() -> None:
    source = "{{ cookiecutter.project_name | lower | replace(' ', '-') }}"
    assert variables(ENV, source) == ["project_name"]
    assert explain_default(ENV, source, {}) == "computed from project_name"
    assert explain_default(ENV, "{{ cookiecutter.name }}-svc", {}) == "<name>-svc"
    assert explain_when(ENV, "{{ cookiecutter.use_docker == 'y' }}", {}) == "use_docker is y"
