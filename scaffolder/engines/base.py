"""What every engine offers: questions, an evaluator, the record's path and a render.

The native renderer (:mod:`scaffolder.render`), the copier engine (copier's own library) and
the cookiecutter engine all satisfy :class:`TemplateRenderer`, so the wizard, ``new``,
``diff``, ``upgrade``, ``audit`` and the Backstage export never ask which one they have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from scaffolder.questions import Answers, Evaluator, Question
from scaffolder.render import RenderedTree, RenderMeta

NATIVE: Final = "native"
COPIER: Final = "copier"
COOKIECUTTER: Final = "cookiecutter"
ENGINES: Final = (NATIVE, COPIER, COOKIECUTTER)


class TemplateConfigLike(Protocol):
    @property
    def questions(self) -> tuple[Question, ...]: ...

    def question(self, name: str) -> Question | None: ...


class TemplateRenderer(Protocol):
    """One golden-path version, ready to answer questions about it and to render it."""

    @property
    def config(self) -> TemplateConfigLike: ...

    @property
    def evaluator(self) -> Evaluator: ...

    def answers_path(self, answers: Answers) -> str: ...

    def render(self, answers: Answers, meta: RenderMeta) -> RenderedTree: ...


@dataclass(frozen=True)
class EngineChoice:
    """Which engine renders a version, and why (shown by ``list`` and ``questions``)."""

    engine: str
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        if self.reasons:
            return "; ".join(self.reasons)
        if self.engine == NATIVE:
            return "every setting, question and Jinja feature is in the native engine's subset"
        return "cookiecutter template" if self.engine == COOKIECUTTER else "chosen"
