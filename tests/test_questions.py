"""Questions: casting, validation, conditions, computed defaults and the non-interactive rules."""

from __future__ import annotations

from typing import Any

import pytest

from scaffolder.errors import AnswerError, TemplateError
from scaffolder.jinja import make_environment
from scaffolder.questions import (
    MISSING,
    Evaluator,
    Question,
    cast,
    parse_question,
    resolve_answers,
)


def evaluator() -> Evaluator:
    return Evaluator(make_environment(None, {}))


QUESTIONS = (
    parse_question(
        "name",
        {
            "type": "str",
            "help": "Service name",
            "validator": "{% if not name %}must not be empty{% endif %}",
        },
    ),
    parse_question("namespace", {"type": "str", "default": "{{ name }}-ns"}),
    parse_question(
        "port",
        {
            "type": "int",
            "default": 8080,
            "validator": "{% if port < 1024 %}must be at least 1024{% endif %}",
        },
    ),
    parse_question(
        "envs", {"type": "str", "multiselect": True, "choices": ["dev", "prod"], "default": ["dev"]}
    ),
    parse_question("gpu", {"type": "bool", "default": False}),
    parse_question("gpu_count", {"type": "int", "default": 1, "when": "{{ gpu }}"}),
    parse_question("pins", {"type": "yaml", "when": False, "default": {"k8s": "1.35"}}),
    parse_question("token", {"type": "str", "secret": True, "default": ""}),
)


def resolve(**provided: Any) -> Any:
    return resolve_answers(QUESTIONS, evaluator(), provided)


@pytest.mark.parametrize(
    ("qtype", "raw", "expected"),
    [
        ("int", "8080", 8080),
        ("int", 8080, 8080),
        ("int", " -3 ", -3),
        ("float", "0.5", 0.5),
        ("bool", "yes", True),
        ("bool", "off", False),
        ("bool", True, True),
        ("yaml", "[a, b]", ["a", "b"]),
        ("json", '{"a": 1}', {"a": 1}),
        ("str", 42, "42"),
    ],
)
def test_cast_follows_copier_rules(qtype: str, raw: Any, expected: Any) -> None:
    assert cast(Question("q", type=qtype), raw) == expected


@pytest.mark.parametrize(
    ("qtype", "raw"),
    [("int", "8o8o"), ("int", True), ("int", 1.5), ("bool", "maybe"), ("float", "x"), ("str", [1])],
)
def test_cast_rejects_wrong_types_naming_the_question(qtype: str, raw: Any) -> None:
    with pytest.raises(AnswerError, match="question 'q'"):
        cast(Question("q", type=qtype), raw)


def test_multiselect_accepts_lists_yaml_and_commas() -> None:
    q = Question("envs", multiselect=True)
    assert cast(q, ["dev"]) == ["dev"]
    assert cast(q, "[dev, prod]") == ["dev", "prod"]
    assert cast(q, "dev,prod") == ["dev", "prod"]


def test_defaults_are_computed_from_earlier_answers() -> None:
    answers = resolve(name="pay")
    assert answers.values["namespace"] == "pay-ns"
    assert answers.values["port"] == 8080
    assert answers.values["envs"] == ["dev"]


def test_when_false_questions_are_not_asked_and_not_recorded() -> None:
    answers = resolve(name="pay")
    assert "gpu_count" not in answers.values
    assert answers.computed["gpu_count"] == 1
    assert answers.context["pins"] == {"k8s": "1.35"}
    assert "pins" not in answers.recorded
    with_gpu = resolve(name="pay", gpu="true", gpu_count="2")
    assert with_gpu.values["gpu_count"] == 2


def test_secrets_feed_templates_but_are_never_recorded() -> None:
    answers = resolve(name="pay", token="s3cr3t")
    assert answers.context["token"] == "s3cr3t"
    assert "token" not in answers.recorded


def test_missing_required_answer_names_the_flag() -> None:
    with pytest.raises(AnswerError) as err:
        resolve()
    assert err.value.question == "name"
    assert "--data name=" in str(err.value)


def test_invalid_answer_says_which_question_why_and_an_example() -> None:
    with pytest.raises(AnswerError) as err:
        resolve(name="pay", port="80")
    text = str(err.value)
    assert "'port'" in text and "at least 1024" in text and "--data port=8080" in text


def test_choice_outside_the_list_is_rejected() -> None:
    with pytest.raises(AnswerError, match="'qa' is not one of: dev, prod"):
        resolve(name="pay", envs="qa")


def test_unknown_key_suggests_the_closest_question() -> None:
    with pytest.raises(AnswerError, match="did you mean 'name'"):
        resolve(nme="pay")


def test_computed_values_cannot_be_overridden() -> None:
    with pytest.raises(AnswerError, match="computed by the golden path"):
        resolve(name="pay", pins="{}")


def test_ask_is_used_for_unanswered_questions_only() -> None:
    asked: list[str] = []

    def ask(question: Question, _ev: Evaluator, context: Any) -> Any:
        asked.append(question.name)
        return {"name": "asked", "gpu": True}.get(question.name, MISSING)

    ev = evaluator()

    def ask_or_default(question: Question, e: Evaluator, context: Any) -> Any:
        value = ask(question, e, context)
        return e.default(question, context) if value is MISSING else value

    answers = resolve_answers(QUESTIONS, ev, {"port": "9000"}, ask=ask_or_default)
    assert asked == ["name", "namespace", "envs", "gpu", "gpu_count", "token"]
    assert answers.values["name"] == "asked"
    assert answers.values["namespace"] == "asked-ns"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "text"}, "unknown type"),
        ({"typo": 1}, "unsupported keys: typo"),
        ({"secret": True}, "needs a default"),
        ({"when": 3}, "'when' must be"),
    ],
)
def test_malformed_questions_are_template_errors(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_question("q", spec)


def test_bare_values_are_defaults_with_an_inferred_type() -> None:
    assert parse_question("n", 3) == Question("n", type="int", default=3)
    assert parse_question("flag", False).type == "bool"


def test_a_missing_answer_is_reported_before_defaults_computed_from_it() -> None:
    questions = (
        parse_question("name", {"type": "str"}),
        parse_question(
            "namespace",
            {
                "default": "{{ name }}",
                "validator": "{% if namespace == 'None' %}bad default{% endif %}",
            },
        ),
    )
    with pytest.raises(AnswerError, match="missing answer for 'name'"):
        resolve_answers(questions, evaluator(), {})
