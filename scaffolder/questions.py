"""A golden path's questions: typed, validated, conditional, in copier's ``copier.yml`` format.

The same primitives serve every front end: the non-interactive resolver below (flags, answer
files, the Backstage action), the terminal wizard, JSON-schema export and upgrade's "new
questions" step. Values follow copier's casting rules so an answers file means the same thing
to both tools.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

import yaml

from scaffolder.errors import AnswerError, AnswerIssue, TemplateError, did_you_mean
from scaffolder.limits import LimitError, load_yaml, render_budget

if TYPE_CHECKING:  # jinja2 is imported on first render, after the wizard's first prompt
    from jinja2.sandbox import SandboxedEnvironment


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Marks a question that has no default (the answer is required)."""

TYPES: Final = ("str", "int", "float", "bool", "yaml", "json")
_TRUE: Final = frozenset({"y", "yes", "true", "on", "1"})
_FALSE: Final = frozenset({"n", "no", "false", "off", "0"})
# copier's question keys; qmark and multiline only change how a prompt looks.
QUESTION_KEYS: Final = frozenset(
    {"type", "help", "default", "choices", "multiselect", "validator", "when", "secret"}
    | {"placeholder", "qmark", "multiline"}
)
_EXAMPLES: Final = {"int": "8080", "float": "0.5", "bool": "true", "yaml": "[a, b]", "json": "[1]"}


@dataclass(frozen=True)
class Choice:
    """One option of a choice question; ``value`` may be a Jinja string rendered on use."""

    label: str
    value: Any


@dataclass(frozen=True)
class Question:
    """One entry of ``copier.yml`` (keys without a leading underscore)."""

    name: str
    type: str = "str"
    help: str = ""
    default: Any = MISSING
    choices: tuple[Choice, ...] = ()
    multiselect: bool = False
    validator: str | None = None
    when: bool | str = True
    secret: bool = False
    placeholder: str | None = None

    @property
    def computed(self) -> bool:
        """``when: false``: never asked, never recorded; its default feeds the templates."""
        return self.when is False

    @property
    def required(self) -> bool:
        return self.default is MISSING

    @property
    def title(self) -> str:
        """The one-line prompt text: the first line of the help, or the name."""
        return self.help.strip().splitlines()[0] if self.help.strip() else self.name


def parse_question(name: str, spec: Any) -> Question:
    """Build a :class:`Question` from its ``copier.yml`` entry (a mapping or a bare default)."""
    if not isinstance(spec, Mapping):
        spec = {"default": spec}
    unknown = sorted(set(spec) - QUESTION_KEYS)
    if unknown:
        raise TemplateError(
            f"question {name!r} has unsupported keys: {', '.join(unknown)}",
            hint="supported keys: " + ", ".join(sorted(QUESTION_KEYS)),
        )
    default = spec.get("default", MISSING)
    qtype = spec.get("type") or _infer_type(default)
    if qtype not in TYPES:
        raise TemplateError(
            f"question {name!r} has unknown type {qtype!r}", hint="use one of " + ", ".join(TYPES)
        )
    when = spec.get("when", True)
    if not isinstance(when, bool | str):
        raise TemplateError(f"question {name!r}: 'when' must be a boolean or a Jinja expression")
    if spec.get("secret") and default is MISSING:
        raise TemplateError(
            f"secret question {name!r} needs a default",
            hint="copier requires one too; an empty string is fine",
        )
    return Question(
        name=name,
        type=qtype,
        help=str(spec.get("help") or ""),
        default=default,
        choices=_parse_choices(name, spec.get("choices")),
        multiselect=bool(spec.get("multiselect", False)),
        validator=spec.get("validator"),
        when=when,
        secret=bool(spec.get("secret", False)),
        placeholder=spec.get("placeholder"),
    )


def _infer_type(default: Any) -> str:
    # copier: the default's type, and yaml when there is no default (or it is null).
    if default is MISSING or default is None:
        return "yaml"
    if isinstance(default, str):
        return "str"
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return "yaml"


def _parse_choices(name: str, raw: Any) -> tuple[Choice, ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        return tuple(Choice(str(k), _choice_value(v)) for k, v in raw.items())
    if isinstance(raw, list):
        out = []
        for item in raw:
            if isinstance(item, list) and len(item) == 2:
                out.append(Choice(str(item[0]), _choice_value(item[1])))
            else:
                out.append(Choice(str(item), item))
        return tuple(out)
    raise TemplateError(f"question {name!r}: 'choices' must be a list or a mapping")


def _choice_value(value: Any) -> Any:
    """copier's long form ``{value: X, validator: ...}`` names the value ``X``."""
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]
    return value


# --- evaluation against a context of earlier answers ---------------------------------------


@dataclass
class Evaluator:
    """Renders a question's Jinja pieces (default, when, choices, validator) in a context."""

    env: SandboxedEnvironment
    origin: str = ""  # "service 1.1.0: ", to say which golden path a template error is in
    _compiled: dict[str, Any] = field(default_factory=dict)

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        from jinja2 import TemplateError as JinjaTemplateError

        template = self._compiled.get(source)
        if template is None:
            try:
                template = self.env.from_string(source)
            except JinjaTemplateError as exc:
                raise TemplateError(
                    f"{self.origin}copier.yml: invalid Jinja {' '.join(source.split())!r}: {exc}",
                    hint="this is a bug in the golden path; report it to its owner",
                ) from exc
            self._compiled[source] = template
        try:
            with render_budget(f"{self.origin}a question's Jinja".lstrip()):  # defaults etc.
                return str(template.render(**context))
        except LimitError:
            raise
        except Exception as exc:  # any error raised by template code is the golden path's
            raise TemplateError(
                f"{self.origin}copier.yml: error evaluating {' '.join(source.split())!r}: "
                f"{type(exc).__name__}: {exc}",
                hint="this is a bug in the golden path; report it to its owner",
            ) from exc

    def _maybe_render(self, value: Any, context: Mapping[str, Any]) -> Any:
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            return self.render(value, context)
        return value

    def applies(self, question: Question, context: Mapping[str, Any]) -> bool:
        """Whether the question is asked, given the answers so far (copier ``when``)."""
        if isinstance(question.when, bool):
            return question.when
        rendered = self.render(question.when, context).strip().lower()
        return rendered not in _FALSE and rendered not in {"", "none", "null"}

    def choices(self, question: Question, context: Mapping[str, Any]) -> list[Choice]:
        return [
            Choice(c.label, cast(question, self._maybe_render(c.value, context), multi=False))
            for c in question.choices
        ]

    def default(self, question: Question, context: Mapping[str, Any]) -> Any:
        """The default cast to the question's type, or :data:`MISSING`."""
        if question.default is MISSING:
            return MISSING
        raw = question.default
        if isinstance(raw, list):
            raw = [self._maybe_render(item, context) for item in raw]
        else:
            raw = self._maybe_render(raw, context)
        return cast(question, raw)

    def problem(self, question: Question, value: Any, context: Mapping[str, Any]) -> str | None:
        """Why ``value`` (already cast) is not a valid answer, or None when it is."""
        if question.choices:
            allowed = [c.value for c in self.choices(question, context)]
            picked = value if question.multiselect else [value]
            for item in picked:
                if item not in allowed:
                    return f"{item!r} is not one of: " + ", ".join(str(a) for a in allowed)
        if question.validator:
            message = self.render(question.validator, {**context, question.name: value}).strip()
            if message:
                return message
        return None

    def example(self, question: Question, context: Mapping[str, Any]) -> str:
        """A valid-looking value to show in error messages."""
        if question.placeholder:
            return str(question.placeholder)
        if question.choices:
            first = self.choices(question, context)[0].value
            return f"[{first}]" if question.multiselect else str(first)
        try:
            default = self.default(question, context)
        except (AnswerError, TemplateError):
            default = MISSING
        if default is not MISSING and default != "":
            return format_value(default)
        return _EXAMPLES.get(question.type, "VALUE")


def data_flag(flag: str, name: str, example: str) -> str:
    """``--data name=example``, quoted for a shell where the value needs it."""
    return f"{flag} {shlex.quote(f'{name}={example}')}"


def format_value(value: Any) -> str:
    """How a value is written on a command line: ``--data key=<this>``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


# --- casting -------------------------------------------------------------------------------


def cast(question: Question, raw: Any, *, multi: bool | None = None) -> Any:
    """Convert a raw answer (a flag's string or a typed file value) to the question's type."""
    if question.multiselect if multi is None else multi:
        items = _as_list(question, raw)
        return [cast(question, item, multi=False) for item in items]
    try:
        return _CASTS[question.type](raw)
    except (ValueError, TypeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise AnswerError(
            f"invalid value {raw!r} for question {question.name!r}: {exc}",
            question=question.name,
        ) from exc


def _as_list(question: Question, raw: Any) -> list[Any]:
    if isinstance(raw, list | tuple):
        return list(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                loaded = load_yaml(text, f"the answer to {question.name}")
            except yaml.YAMLError as exc:
                raise AnswerError(
                    f"invalid list {raw!r} for question {question.name!r}",
                    question=question.name,
                    hint="write it as [a, b]",
                ) from exc
            if isinstance(loaded, list):
                return loaded
        return [part.strip() for part in text.split(",") if part.strip()]
    raise AnswerError(
        f"question {question.name!r} takes a list, got {raw!r}",
        question=question.name,
        hint="write it as [a, b] or a,b",
    )


def _to_str(raw: Any) -> str:
    if isinstance(raw, list | dict):
        raise ValueError("expected text, got a " + type(raw).__name__)
    return "" if raw is None else str(raw)


def _to_int(raw: Any) -> int:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise ValueError("expected a whole number")
    if isinstance(raw, int | float):
        return int(raw)
    text = _to_str(raw).strip()
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ValueError("expected a whole number, for example 8080")
    return int(text)


def _to_float(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError("expected a number")
    try:
        return float(raw if isinstance(raw, int | float) else _to_str(raw).strip())
    except ValueError:
        raise ValueError("expected a number, for example 0.5") from None


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _to_str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("expected yes/no (true, false, yes, no, on, off, 1, 0)")


def _to_yaml(raw: Any) -> Any:
    return load_yaml(raw, "a YAML answer") if isinstance(raw, str) else raw


def _to_json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


_CASTS: Final[dict[str, Callable[[Any], Any]]] = {
    "str": _to_str,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "yaml": _to_yaml,
    "json": _to_json,
}


# --- resolving a full set of answers ---------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """The outcome of answering a golden path's questions."""

    values: Mapping[str, Any]
    """Every question that applied, in question order (secrets included)."""
    computed: Mapping[str, Any]
    """``when: false`` values and defaults of questions that did not apply."""
    secrets: frozenset[str] = frozenset()
    provided: frozenset[str] = frozenset()
    """Answers given (flags, files, prompts, a record) rather than taken from defaults."""
    orphans: Mapping[str, Any] = field(default_factory=dict)
    """Recorded answers no question of this version asks: ``copier update`` still renders
    with them (its "last answers") and records none of them, and so does an upgrade."""

    @property
    def recorded(self) -> dict[str, Any]:
        """What goes in the answers file: applicable, non-secret answers."""
        return {k: v for k, v in self.values.items() if k not in self.secrets}

    @property
    def context(self) -> dict[str, Any]:
        """What templates see."""
        return {**self.orphans, **self.computed, **self.values}

    def cache_key(self) -> str:
        return json.dumps([self.values, self.computed, self.orphans], sort_keys=True, default=str)


Ask = Callable[[Question, Evaluator, Mapping[str, Any]], Any]
"""A front end's prompt: returns a valid, cast value (the wizard), given the context."""


def resolve_answers(
    questions: Sequence[Question],
    evaluator: Evaluator,
    provided: Mapping[str, Any],
    *,
    ask: Ask | None = None,
    flag_hint: str = "--data",
) -> Answers:
    """Answer every question, in order: provided values, then the prompt, then defaults.

    Without ``ask`` nothing prompts: every unknown key, missing and invalid answer is collected
    and raised together as one :class:`~scaffolder.errors.AnswersError`, each answer with a
    ``--data`` example.
    A question whose condition, default or validator reads an answer that is missing or
    invalid cannot be judged yet and is left out (a required one is named as "may be asked").
    With ``ask`` (the wizard) the first invalid provided value is raised at once.
    """
    bad_keys = key_problems(questions, provided)
    if bad_keys and ask is not None:
        raise bad_keys[0]
    known = {k: v for k, v in provided.items() if k not in {e.question for e in bad_keys}}
    run = _Resolution(questions, evaluator, known, ask, flag_hint)
    for question in questions:
        run.answer(question)
    if bad_keys and not run.issues and len(bad_keys) == 1:
        raise bad_keys[0]
    if bad_keys or run.issues:
        from scaffolder.answer_issues import answers_error

        issues = [
            AnswerIssue(e.question or "?", f"{e.message}: {e.hint}", "", False) for e in bad_keys
        ]
        raise answers_error(questions, [*issues, *run.issues], run.maybe)
    secrets = frozenset(q.name for q in questions if q.secret)
    given = frozenset(k for k in run.values if k in known) | run.asked
    return Answers(values=run.values, computed=run.computed, secrets=secrets, provided=given)


@dataclass
class _Resolution:
    """The state of one :func:`resolve_answers` run."""

    questions: Sequence[Question]
    evaluator: Evaluator
    provided: Mapping[str, Any]
    ask: Ask | None
    flag_hint: str
    values: dict[str, Any] = field(default_factory=dict)
    computed: dict[str, Any] = field(default_factory=dict)
    issues: list[AnswerIssue] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)  # answers that cannot be known yet
    maybe: list[str] = field(default_factory=list)  # required, asked depending on unknowns
    asked: set[str] = field(default_factory=set)  # answered at the prompt

    def blocked(self, *sources: Any) -> bool:
        """Whether Jinja among ``sources`` reads an answer that is missing or invalid."""
        if not self.unknown:
            return False
        from scaffolder.answer_issues import reads

        return bool(self.unknown & reads(self.evaluator.env, sources))

    def answer(self, question: Question) -> None:
        name, context = question.name, {**self.computed, **self.values}
        if not question.computed and self.blocked(question.when):
            self.unknown.add(name)
            if question.required and name not in self.provided:
                self.maybe.append(name)
        elif question.computed or not self.evaluator.applies(question, context):
            if self.blocked(question.default):
                self.unknown.add(name)
                self.computed[name] = None
            else:
                default = self.evaluator.default(question, context)
                self.computed[name] = None if default is MISSING else default
        elif name in self.provided:
            checks = (question.validator, *(c.value for c in question.choices))
            if self.blocked(*checks):  # its type can be checked, its validator not yet
                self._check(question, context, lambda: cast(question, self.provided[name]))
            else:
                self._validate(question, context, self.provided[name], is_default=False)
        elif self.ask is not None:
            self.values[name] = self.ask(question, self.evaluator, context)
            self.asked.add(name)
        elif self.blocked(question.default):
            self.values[name] = None
            self.unknown.add(name)
        else:
            default = self.evaluator.default(question, context)
            if default is MISSING:
                self.values[name] = None
                from scaffolder.answer_issues import label

                self._fail(question, f"missing answer for {label(question)}", context, True)
            else:
                self._validate(question, context, default, is_default=True)

    def _validate(
        self, question: Question, context: Mapping[str, Any], raw: Any, *, is_default: bool
    ) -> None:
        self._check(
            question,
            context,
            lambda: validated(
                question,
                self.evaluator,
                raw,
                context,
                flag_hint=self.flag_hint,
                is_default=is_default,
            ),
        )

    def _check(
        self, question: Question, context: Mapping[str, Any], value: Callable[[], Any]
    ) -> None:
        try:
            self.values[question.name] = value()
        except AnswerError as exc:
            self.values[question.name] = None
            self._fail(question, exc.message, context, False)

    def _fail(
        self, question: Question, message: str, context: Mapping[str, Any], missing: bool
    ) -> None:
        if self.blocked(question.default):  # a default computed from unknowns is no example
            question = replace(question, default=MISSING)
        example = self.evaluator.example(question, context)
        flag = data_flag(self.flag_hint, question.name, example)
        self.issues.append(AnswerIssue(question.name, message, flag, missing))
        self.unknown.add(question.name)
        if self.ask is not None:  # the wizard stops at the first bad --data value
            from scaffolder.answer_issues import answers_error

            raise answers_error(self.questions, self.issues, self.maybe)


def validated(
    question: Question,
    evaluator: Evaluator,
    raw: Any,
    context: Mapping[str, Any],
    *,
    flag_hint: str = "--data",
    is_default: bool = False,
) -> Any:
    """Cast and validate one answer; the error names the question, the reason and an example."""

    def hint() -> str:  # only on errors: computing an example renders the default again
        return "for example: " + data_flag(
            flag_hint, question.name, evaluator.example(question, context)
        )

    try:
        value = cast(question, raw)
    except AnswerError as exc:
        raise AnswerError(exc.message, question=question.name, hint=hint()) from exc
    problem = evaluator.problem(question, value, context)
    if problem:
        origin = "default" if is_default else "value"
        raise AnswerError(
            f"invalid {origin} {format_value(value)!r} for question {question.name!r}: {problem}",
            question=question.name,
            hint=hint(),
        )
    if question.multiselect and question.choices and isinstance(value, list):
        order = [c.value for c in evaluator.choices(question, context)]
        value = sorted(value, key=order.index)  # copier keeps the choices' order
    return value


def check_known_keys(questions: Sequence[Question], provided: Mapping[str, Any]) -> None:
    """Reject answers for questions the golden path does not have, or computes itself."""
    problems = key_problems(questions, provided)
    if problems:
        raise problems[0]


def key_problems(questions: Sequence[Question], provided: Mapping[str, Any]) -> list[AnswerError]:
    """Answers for questions the golden path does not have, or computes itself."""
    askable = {q.name for q in questions if not q.computed}
    computed = {q.name for q in questions if q.computed}
    problems = []
    for key in provided:
        if key in computed:
            problems.append(
                AnswerError(
                    f"{key!r} is computed by the golden path and cannot be set",
                    question=key,
                    hint="remove it from --data / --data-file",
                )
            )
        elif key not in askable:
            problems.append(
                AnswerError(
                    f"unknown question {key!r}",
                    question=key,
                    hint=did_you_mean(key, askable) + " (`scaffolder questions NAME` lists them)",
                )
            )
    return problems
