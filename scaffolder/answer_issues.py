"""Every missing and invalid answer of a run in one error, each with its ``--data`` example.

Used by :func:`scaffolder.questions.resolve_answers` once something is wrong (it imports
Jinja's parser, which the wizard's first prompt must not wait for).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scaffolder.errors import AnswerIssue, AnswersError
from scaffolder.explain import is_jinja, variables

if TYPE_CHECKING:
    from jinja2 import Environment

    from scaffolder.questions import Question


def reads(env: Environment, sources: Sequence[Any]) -> set[str]:
    """The answers the Jinja among ``sources`` (strings, lists of strings) reads."""
    names: set[str] = set()
    for source in sources:
        for item in source if isinstance(source, list) else [source]:
            if is_jinja(item):
                names.update(variables(env, item))
    return names


def label(question: Question) -> str:
    """``'name' (Service name)``: the help's first clause, kept short."""
    title = re.split(r"; |\. ", question.title, maxsplit=1)[0].rstrip(".")
    if title == question.name:
        return repr(question.name)
    if len(title) > 60:
        title = title[:59].rsplit(" ", 1)[0] + "…"
    return f"{question.name!r} ({title})"


def answers_error(
    questions: Sequence[Question], issues: Sequence[AnswerIssue], maybe: Sequence[str]
) -> AnswersError:
    """One error for all ``issues``: the missing answers grouped, then each invalid one; the
    hint is every ``--data`` example in question order, then the questions that may follow."""
    missing = [i for i in issues if i.missing]
    parts = [i.message for i in issues if not i.missing]
    if len(missing) > 1:
        labels = {q.name: label(q) for q in questions}
        parts.insert(0, "missing answers for " + ", ".join(labels[i.question] for i in missing))
    elif missing:
        parts.insert(0, missing[0].message)
    examples = " ".join(i.example for i in issues if i.example)  # unknown keys have none
    hint = (
        f"pass {examples}, or put the answers in --data-file"
        if missing
        else f"for example: {examples}"
        if examples
        else ""
    )
    if maybe:
        names = ", ".join(repr(name) for name in maybe)
        hint += f"; depending on those answers {names} may be asked too"
    return AnswersError("; ".join(parts), issues, hint=hint.lstrip("; ") or None)
