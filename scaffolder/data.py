"""Answers given on the command line (``--data KEY=VALUE``) and in files (``--data-file``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from scaffolder.errors import AnswerError, DataFileError
from scaffolder.limits import load_json, load_yaml, read_config_text
from scaffolder.project import ProjectRecord


def parse_data_flags(pairs: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings to a mapping; values stay strings and are cast per question."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise AnswerError(
                f"--data expects KEY=VALUE, got {pair!r}", hint="for example: --data name=payments"
            )
        out[key] = value
    return out


def load_data_file(path: Path) -> dict[str, Any]:
    """A YAML or JSON mapping of answers; errors name the file and line."""
    try:
        text = read_config_text(path, pipe_ok=True)
    except FileNotFoundError:
        raise DataFileError(
            f"answers file {path} does not exist", hint="check the path given to --data-file"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read answers file {path}: {exc}") from exc
    try:
        if path.suffix == ".json":
            data = load_json(text, str(path)) if text.strip() else {}
        else:
            data = load_yaml(text, str(path))
    except json.JSONDecodeError as exc:
        raise DataFileError(
            f"{path}:{exc.lineno}: malformed JSON: {exc.msg}",
            hint="fix the file; answers files are a JSON object",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataFileError(
            f"{where}: malformed YAML: {problem}",
            hint="fix the file; answers files are a YAML mapping",
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataFileError(
            f"{path}: expected a mapping of question: answer, got a {type(data).__name__}",
            hint="write one `question: answer` per line",
        )
    context = data.get("context")
    if isinstance(context, dict) and isinstance(context.get("cookiecutter"), dict):
        data = context["cookiecutter"]  # cruft's .cruft.json: the answers are its context
    elif isinstance(data.get("cookiecutter"), dict):
        data = data["cookiecutter"]  # a cookiecutter replay file (~/.cookiecutter_replay/)
    # Answers files written by copier, cruft or scaffolder carry metadata keys; not answers.
    return {str(k): v for k, v in data.items() if not str(k).startswith("_")}


def merge_answers(files: Iterable[Path], flags: Iterable[str]) -> dict[str, Any]:
    """Files in order, then flags: the last value for a key wins."""
    merged: dict[str, Any] = {}
    for f in files:
        merged.update(load_data_file(f))
    merged.update(parse_data_flags(flags))
    return merged


def save_answers_file(path: Path, record: ProjectRecord) -> None:
    """Write replayable answers (never secrets) for ``--data-file``."""
    header = (
        f"# Answers for golden path {record.golden_path} {record.version}, saved by scaffolder.\n"
        f"# Replay: scaffolder new {record.golden_path} DEST --version {record.version}"
        f" --data-file {path.name}\n"
    )
    body = yaml.safe_dump(
        dict(record.answers), sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    try:
        path.write_text(header + body, encoding="utf-8")
    except OSError as exc:
        raise DataFileError(
            f"cannot write answers to {path}: {exc.strerror or exc}",
            hint="choose a writable path for --save-answers",
        ) from exc
