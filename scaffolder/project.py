"""What a generated repo records about its origin: copier's answers file or cruft's ``.cruft.json``.

``.copier-answers.yml`` holds copier's own keys (``_commit`` = the golden-path version,
``_src_path``), the answers (never secrets), and two keys of ours copier ignores:
``_scaffolder_golden_path`` and ``_scaffolder_catalog``. Plain copier can still read the
answers; diff and upgrade read all of it.

A cookiecutter golden path records ``.cruft.json`` exactly as cruft writes it (``template``,
``commit``, ``checkout``, ``context.cookiecutter``, ``directory``, ``skip``), plus a
``_scaffolder`` key naming the catalog golden path when there is one. So a repo made by cruft
is read without any change, and cruft keeps working on a repo made by scaffolder.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from scaffolder.errors import ProjectError
from scaffolder.gitsource import is_version_tag
from scaffolder.limits import load_json, load_yaml, read_config_text

ANSWERS_FILE = ".copier-answers.yml"
CRUFT_FILE = ".cruft.json"
ANSWERS_GLOB = ".copier-answers*.yml"  # copier's docs name several: .copier-answers.NAME.yml
AD_HOC = "template"  # the catalog of a golden path read straight from a template's git URL
# Folders that hold tools' state, not the repo's content: every walk over a repo skips them.
NOT_CONTENT = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site",
        ".tox",
        "build",
    }
)
_HEADER = (
    "# Changes here will be overwritten by scaffolder; NEVER EDIT MANUALLY.\n"
    "# Recorded by scaffolder in copier's answers-file format: golden path, version, answers.\n"
)


@dataclass(frozen=True)
class ProjectRecord:
    """The golden path, version, catalog and answers a repo was generated from."""

    golden_path: str
    version: str
    catalog: str
    src_path: str
    answers: Mapping[str, Any]
    file: str = ANSWERS_FILE  # where it is recorded, relative to the repo
    commit: str | None = None  # the template's git commit (a cruft record's "commit")
    directory: str = ""  # the template's folder inside its git repository (cruft)
    cruft: Mapping[str, Any] | None = None  # the whole .cruft.json, for a cruft record
    text: str | None = None  # the record as the template's own answers-file template wrote it

    @property
    def skip(self) -> tuple[str, ...]:
        """Paths cruft's ``skip`` leaves to the repo: never compared, never updated."""
        return tuple(str(p) for p in (self.cruft or {}).get("skip") or [])

    def serialize(self) -> str:
        """The record file's text, in its own tool's format."""
        if self.cruft is not None:
            text = json.dumps(self.cruft, ensure_ascii=False, indent=2, separators=(",", ": "))
            return text + "\n"  # byte for byte what cruft writes
        if self.text is not None:
            return self.text
        data = {
            "_commit": self.version,
            "_src_path": self.src_path,
            "_scaffolder_catalog": self.catalog,
            "_scaffolder_golden_path": self.golden_path,
            **dict(self.answers),
        }
        return _HEADER + yaml.safe_dump(
            data, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100
        )

    def carried_from(
        self, previous: ProjectRecord, tag: str | None, asked: str | None = None
    ) -> ProjectRecord:
        """This record replacing ``previous`` after an upgrade to ``tag``.

        Keys of .cruft.json that are not ours to change (``skip``, other tools' keys) are
        kept, and so is a ``checkout`` that follows a branch; one pinned to a version tag
        moves to the tag upgraded to, so cruft agrees on where the repo is. A ref the user
        named (``upgrade --to REF``) is recorded as ``cruft update --checkout REF`` records
        it (the tag when REF names a release): left at the old tag, cruft's next update
        would take the repo back to it.
        """
        if self.cruft is None or previous.cruft is None:
            return self
        checkout = previous.cruft.get("checkout")
        if asked is not None and asked != "latest":
            checkout = tag or asked
        elif tag is not None and isinstance(checkout, str) and is_version_tag(checkout):
            checkout = tag
        return replace(self, cruft={**previous.cruft, **self.cruft, "checkout": checkout})


def default_record_file(repo: Path) -> str:
    """The repo's record: copier's answers file (a template may name it
    ``.copier-answers.<name>.yml``), else cruft's ``.cruft.json``."""
    if (repo / ANSWERS_FILE).is_file():
        return ANSWERS_FILE
    named = sorted(p.name for p in repo.glob(ANSWERS_GLOB) if p.is_file())
    if len(named) == 1:
        return named[0]
    return CRUFT_FILE if (repo / CRUFT_FILE).is_file() else ANSWERS_FILE


def read_record(repo: Path, answers_file: str | None = None) -> ProjectRecord:
    """Read a repo's record; the error says how to adopt a repo that has none."""
    answers_file = answers_file or default_record_file(repo)
    path = repo / answers_file
    if not path.is_file():
        raise ProjectError(
            f"{repo} has no {answers_file}: it was not generated by scaffolder, copier or cruft",
            hint="compare it with --golden-path NAME, or record one with `scaffolder adopt`",
        )
    if path.name == CRUFT_FILE:
        return _read_cruft(path, answers_file)
    try:
        data = load_yaml(read_config_text(path), str(path)) or {}
    except yaml.YAMLError as exc:
        raise ProjectError(
            f"{path} is not valid YAML: {exc}", hint="restore it from git history"
        ) from exc
    if not isinstance(data, dict) or "_commit" not in data:
        raise ProjectError(
            f"{path} does not record a version (_commit)",
            hint="restore it from git history, or re-adopt the repo",
        )
    src = str(data.get("_src_path", ""))
    if "_scaffolder_catalog" not in data and not _catalog_src(src):
        return _read_copier(data, src, repo, answers_file)
    golden_path = data.get("_scaffolder_golden_path") or src.rsplit("/", 1)[-1]
    if not golden_path:
        raise ProjectError(
            f"{path} does not name its golden path",
            hint="add _scaffolder_golden_path, or pass --golden-path",
        )
    return ProjectRecord(
        golden_path=str(golden_path),
        version=str(data["_commit"]).removeprefix("v"),
        catalog=str(data.get("_scaffolder_catalog", "builtin")),
        src_path=src,
        answers={k: v for k, v in data.items() if not str(k).startswith("_")},
        file=answers_file,
    )


def _catalog_src(src: str) -> bool:
    """Whether ``_src_path`` names a catalog golden path (``builtin:templates/service``)."""
    location, _, rest = src.rpartition(":")
    kind, _, name = rest.partition("/")
    if kind not in ("templates", "baselines") or not name or "/" in name:
        return False
    return location == "builtin" or Path(location).is_dir()


def _read_copier(data: Mapping[str, Any], src: str, repo: Path, answers_file: str) -> ProjectRecord:
    """A record ``copier copy`` wrote: ``_src_path`` (git URL or local path, kept as written)
    and ``_commit`` (a tag or ``git describe``); the template is found by its source."""
    if not src:
        raise ProjectError(
            f"{repo / answers_file} does not record its template (_src_path)",
            hint="pass --template URL (the template's git URL or path)",
        )
    commit = str(data["_commit"])
    return ProjectRecord(
        golden_path="",
        version=commit.removeprefix("v"),
        catalog=AD_HOC,
        src_path=src,
        answers={k: v for k, v in data.items() if not str(k).startswith("_")},
        file=answers_file,
        commit=commit,
    )


def _read_cruft(path: Path, answers_file: str) -> ProjectRecord:
    try:
        data = load_json(read_config_text(path), str(path))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProjectError(
            f"{path} is not valid JSON: {exc}", hint="restore it from git history"
        ) from exc
    wrapper = data.get("context") if isinstance(data, dict) else None
    context = wrapper.get("cookiecutter") if isinstance(wrapper, dict) else None
    if not isinstance(context, dict) or not data.get("template") or not data.get("commit"):
        raise ProjectError(
            f"{path} lacks cruft's template, commit or context.cookiecutter",
            hint="restore it from git history, or re-create it with `cruft link`",
        )
    ours = data.get("_scaffolder") if isinstance(data.get("_scaffolder"), dict) else {}
    return ProjectRecord(
        golden_path=str(ours.get("golden_path", "")),
        version=str(data["commit"]),
        catalog=str(ours.get("catalog", AD_HOC)),
        src_path=str(data["template"]),
        answers={k: v for k, v in context.items() if not str(k).startswith("_")},
        file=answers_file,
        commit=str(data["commit"]),
        directory=str(data.get("directory") or ""),
        cruft=data,
    )


_NOT_SEARCHED = frozenset({".git", "node_modules"})


def find_records(repo: Path, max_depth: int = 3) -> list[str]:
    """Every record in a repo (a baseline with tenants has several), root first: answers
    files in folders at most ``max_depth`` below the root, never in ``.git`` or
    ``node_modules`` (neither is entered, nor are links to folders)."""
    found = [CRUFT_FILE] if (repo / CRUFT_FILE).is_file() else []
    pending: list[tuple[str, str]] = [(str(repo), "")]
    while pending:
        folder, rel = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:  # an unreadable folder holds no record we can read
            continue
        deeper = rel.count("/") < max_depth  # its sub-folders are at most max_depth down
        for entry in entries:
            if fnmatch.fnmatchcase(entry.name, ANSWERS_GLOB):
                found.append(rel + entry.name)
            if deeper and entry.name not in _NOT_SEARCHED:
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, f"{rel}{entry.name}/"))
    return sorted(found, key=lambda p: (p.count("/"), p))
