"""Question-to-widget mapping of the wizard, in-process with questionary replaced by a recorder."""

from __future__ import annotations

from typing import Any

import pytest

from scaffolder import wizard
from scaffolder.jinja import make_environment
from scaffolder.questions import Evaluator, parse_question


class Recorder:
    """Stands in for a questionary prompt factory; returns ``reply`` from unsafe_ask."""

    def __init__(self, calls: list[tuple[str, str, dict[str, Any]]], kind: str, reply: Any):
        self.calls, self.kind, self.reply = calls, kind, reply

    def __call__(self, message: str, **kwargs: Any) -> Recorder:
        self.calls.append((self.kind, message, kwargs))
        return self

    def unsafe_ask(self) -> Any:
        return self.reply


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict[str, Any]]]:
    recorded: list[tuple[str, str, dict[str, Any]]] = []
    replies = {
        "text": "9000",
        "confirm": True,
        "select": "prod",
        "checkbox": ["dev"],
        "password": "",
    }
    for kind, reply in replies.items():
        monkeypatch.setattr(wizard.questionary, kind, Recorder(recorded, kind, reply))
    return recorded


EV = Evaluator(make_environment(None, {}))


@pytest.mark.parametrize(
    ("spec", "widget", "result"),
    [
        ({"type": "int", "default": 8080}, "text", 9000),
        ({"type": "bool", "default": True}, "confirm", True),
        ({"type": "str", "choices": ["dev", "prod"], "default": "dev"}, "select", "prod"),
        (
            {"type": "str", "choices": ["dev", "prod"], "multiselect": True, "default": ["dev"]},
            "checkbox",
            ["dev"],
        ),
        ({"type": "str", "secret": True, "default": "fallback"}, "password", "fallback"),
    ],
)
def test_each_type_gets_its_widget(
    calls: list[Any], spec: dict[str, Any], widget: str, result: Any
) -> None:
    question = parse_question("q", {"help": "The question\nMore help.", **spec})
    assert wizard.ask(question, EV, {}) == result
    kind, message, kwargs = calls[-1]
    assert kind == widget
    assert message == "q: The question"
    assert kwargs.get("instruction", "").startswith("(More help.)")


def test_text_default_is_prefilled_from_earlier_answers(calls: list[Any]) -> None:
    question = parse_question("namespace", {"default": "{{ name }}-ns"})
    wizard.ask(question, EV, {"name": "pay"})
    assert calls[-1][2]["default"] == "pay-ns"


def test_checkbox_preselects_defaults(calls: list[Any]) -> None:
    question = parse_question(
        "envs", {"choices": ["dev", "stage"], "multiselect": True, "default": ["stage"]}
    )
    wizard.ask(question, EV, {})
    checked = {c.value: c.checked for c in calls[-1][2]["choices"]}
    assert checked == {"dev": False, "stage": True}


def test_prompt_validation_reports_why(calls: list[Any]) -> None:
    question = parse_question(
        "port",
        {
            "type": "int",
            "default": 8080,
            "validator": "{% if port < 1024 %}must be at least 1024{% endif %}",
        },
    )
    wizard.ask(question, EV, {})
    validate = calls[-1][2]["validate"]
    assert validate("8080") is True
    assert validate("80") == "must be at least 1024"
    assert "whole number" in validate("eighty")
