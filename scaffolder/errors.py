"""One error hierarchy; every message says what to do next.

The CLI's error boundary (:mod:`scaffolder.cli`) turns these into one line on stderr and the
exit code of the class. Documented in docs/reference/exit-codes.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, stable across releases."""

    OK = 0
    ERROR = 1  # the user's input or environment is wrong; the message says how to fix it
    FINDINGS = 2  # a check ran and found drift, invalid files or failed rules
    CONFLICTS = 3  # an upgrade stopped with conflicts to resolve
    INTERNAL = 4  # a bug in scaffolder: please report it
    CANCELLED = 130  # Ctrl-C / Ctrl-D; nothing was written


class ScaffolderError(Exception):
    """Base of every error a user can cause; carries a hint that names the next step."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class CatalogError(ScaffolderError):
    """The catalog directory or a golden path in it is malformed."""


class UnknownGoldenPathError(ScaffolderError):
    """No golden path of that name in the catalog."""


class UnknownVersionError(ScaffolderError):
    """The golden path has no such version."""


class TemplateError(ScaffolderError):
    """A template failed to load or render (a bug in the golden path, not in the answers)."""


class AnswerError(ScaffolderError):
    """An answer is invalid, missing or unknown."""

    def __init__(self, message: str, *, question: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.question = question


class DataFileError(ScaffolderError):
    """An answers file cannot be read or parsed."""


class DestinationError(ScaffolderError):
    """The destination cannot be written to."""


class ProjectError(ScaffolderError):
    """A repo's recorded golden path, version or answers cannot be read."""


class ToolMissingError(ScaffolderError):
    """An external program (git, kubectl) is needed and not installed."""


class Cancelled(ScaffolderError):
    """The user cancelled; nothing was written."""

    exit_code = ExitCode.CANCELLED

    def __init__(self, message: str = "cancelled, nothing written") -> None:
        super().__init__(message)


def _likeness(word: str, candidate: str) -> float:
    return difflib.SequenceMatcher(None, word, candidate).ratio()


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidates, or all of them when nothing is close."""
    names = sorted(candidates)
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.5)
    if close:  # only the near-best: `lst` suggests 'list', not also 'fleet' (0.86 vs 0.5)
        best = _likeness(word, close[0])
        close = [c for c in close if _likeness(word, c) >= best - 0.15]
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "choose one of: " + ", ".join(names) if names else "none are available"


@dataclass(frozen=True)
class AnswerIssue:
    """One missing or invalid answer among several (see :class:`AnswersError`)."""

    question: str
    message: str  # "invalid value 'x' for question 'port': must be ..."
    example: str  # "--data port=8080"
    missing: bool


class AnswersError(AnswerError):
    """Every missing and invalid answer of one run, reported together."""

    def __init__(
        self, message: str, issues: Sequence[AnswerIssue], *, hint: str | None = None
    ) -> None:
        super().__init__(message, question=issues[0].question, hint=hint)
        self.issues = tuple(issues)
