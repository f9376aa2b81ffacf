"""`scaffolder questions` for people: one block per question, readable at 80 columns and piped.

Each block names the question and its type, then its help, default, choices and when it is
asked. Jinja defaults and conditions are shown as what they mean (:mod:`scaffolder.explain`);
``raw=True`` shows the Jinja itself.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scaffolder.answer_issues import reads
from scaffolder.errors import AnswerError, TemplateError
from scaffolder.explain import explain_default, explain_when, is_jinja
from scaffolder.output import plural
from scaffolder.questions import MISSING, Evaluator, Question, format_value

INDENT = "    "
LABEL = 10  # "default:  " and the other labels line up in one column


def render_questions(
    title: str,
    questions: Sequence[Question],
    evaluator: Evaluator,
    *,
    width: int = 80,
    raw: bool = False,
) -> str:
    """The questions of one golden-path version as plain text wrapped at ``width``."""
    asked = [q for q in questions if not q.computed]
    layout = _Layout(
        evaluator,
        computed=_computed_context(questions, evaluator),
        kinds={q.name: q.type for q in questions},
        width=width,
        raw=raw,
    )
    required = sum(1 for q in asked if q.required)
    lines = [
        f"{title}: {plural(len(asked), 'question')}, {required} required",
        *textwrap.wrap(
            "Answer with --data NAME=VALUE (repeatable) or --data-file FILE; a question "
            "without a default must be answered.",
            width,
        ),
    ]
    for question in asked:
        lines += ["", *layout.block(question)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Layout:
    evaluator: Evaluator
    computed: Mapping[str, Any]  # values of the questions the golden path computes
    kinds: Mapping[str, str]  # question name -> type, to word conditions on booleans
    width: int
    raw: bool

    def block(self, q: Question) -> list[str]:
        kind = f"list of {q.type}" if q.multiselect else q.type
        traits = [kind, *(["required"] if q.required else []), *(["secret"] * q.secret)]
        out = [f"{q.name} ({', '.join(traits)})"]
        for paragraph in q.help.strip().split("\n\n") if q.help.strip() else []:
            out += self.wrap(" ".join(paragraph.split()), INDENT, INDENT)
        if q.required:
            example = self.evaluator.example(q, self.computed)
            out += self.field("example", f"--data {q.name}={example}")
        else:
            out += self.field("default", self.default(q))
        if q.choices:
            out += self.choices(q)
        if q.when is not True:
            when = str(q.when)
            if not self.raw:
                when = explain_when(self.evaluator.env, when, self.kinds)
            out += self.field("asked", f"when {when}")
        return out

    def wrap(self, text: str, first: str, rest: str) -> list[str]:
        return textwrap.wrap(
            text,
            self.width,
            initial_indent=first,
            subsequent_indent=rest,
            break_on_hyphens=False,
        ) or [first.rstrip()]

    def field(self, label: str, text: str, *, hang: int = 0) -> list[str]:
        """``    label:    text``, continued under the text (``hang`` more for list items)."""
        head = f"{INDENT}{label + ':' if label else '':<{LABEL}}"
        return self.wrap(text, head, " " * (len(head) + hang))

    def choices(self, q: Question) -> list[str]:
        """Plain values on one line; values with their own labels one a line."""
        values = [format_value(c.value) for c in q.choices]
        if all(c.label == v for c, v in zip(q.choices, values, strict=True)):
            return self.field("choices", ", ".join(values))
        lines: list[str] = []
        for i, (choice, value) in enumerate(zip(q.choices, values, strict=True)):
            label = choice.label
            if label.startswith(value + " "):  # "aws (EKS)" already names the value
                label = label[len(value) + 1 :].strip()
                label = label[1:-1] if label.startswith("(") and label.endswith(")") else label
            text = value if label == value else f"{value}: {label}"
            lines += self.field("choices" if i == 0 else "", text, hang=2)
        return lines

    def default(self, q: Question) -> str:
        default = q.default
        if not any(is_jinja(s) for s in (default if isinstance(default, list) else [default])):
            return format_value(default) or "empty"
        if self.raw:
            return str(default)
        meaning = explain_default(self.evaluator.env, str(default), self.kinds)
        # A default that reads no answer, only what the golden path computes (pins...), has
        # one value: show it, with where it comes from.
        if reads(self.evaluator.env, [default]) <= self.computed.keys():
            try:
                value = format_value(self.evaluator.default(q, self.computed))
            except (AnswerError, TemplateError):
                return meaning
            return f"{value or 'empty'} ({meaning})"
        return meaning


def _computed_context(questions: Sequence[Question], evaluator: Evaluator) -> dict[str, Any]:
    """The values of ``when: false`` questions whose defaults need no answer."""
    context: dict[str, Any] = {}
    for q in questions:
        if not q.computed or not reads(evaluator.env, [q.default]) <= context.keys():
            continue  # asked, or computed from answers: no single value
        try:
            value = evaluator.default(q, context)
        except (AnswerError, TemplateError):
            continue
        if value is not MISSING:
            context[q.name] = value
    return context
