"""copier's ``_migrations``, run by ``scaffolder upgrade`` the way ``copier update`` runs them.

copier's own code picks and runs them, so the semantics are copier's (docs: "Migrations"):

- the migrations of the *target* version whose ``version`` lies in (recorded, target], and
  those without a version, in file order; the version of each side is PEP 440, read from its
  ``_commit`` (a tag, or ``git describe``) as copier reads it from the template's checkout;
- ``before`` runs before the update touches the repo, ``after`` once it is merged (``when``
  picks the stage, ``{{ _stage == "after" }}`` by default); copier renders the old version
  with the recorded answers first and reads the answers file again after the ``before``
  migrations, which may rename answers;
- commands are rendered with ``_stage``, ``_version_from``, ``_version_to``,
  ``_version_pep440_*``, ``_version_current`` and ``_copier_operation`` ("update"), and get
  them as environment variables (``STAGE``, ``VERSION_FROM``...); they run in the repo (or
  its ``working_directory``).

They are commands from the template, so they run only for trusted templates (copier's
``unsafe``): :func:`pending` tells the upgrade whether there are any, before anything runs.
Their output goes to stderr: stdout stays the upgrade's result (``--format json``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from scaffolder.engines.copier import CopierRenderer, pep440, trust_error
from scaffolder.errors import TemplateError
from scaffolder.render import RenderMeta

STAGES = ("before", "after")


def tasks(renderer: CopierRenderer, stage: str, from_commit: str) -> Sequence[Any]:
    """copier's migration tasks of ``stage`` from ``from_commit`` to the renderer's version
    (before their ``when`` is evaluated, as copier's own trust check counts them)."""
    if renderer.commit is None:  # a catalog folder: copier runs migrations of git templates
        return ()
    template = renderer.template(RenderMeta(str(renderer.root), ""))
    with warnings.catch_warnings():  # copier's notes on old templates and legacy migrations
        warnings.simplefilter("ignore")
        return list(template.migration_tasks(stage, _old_template(from_commit)))


def pending(renderer: Any, from_commit: str) -> list[str]:
    """The commands of the migrations an upgrade from ``from_commit`` would run ("stage:
    command"); empty when the target is not a copier-engine version or has none."""
    if not isinstance(renderer, CopierRenderer) or not renderer.config.migrations:
        return []
    return [
        f"{stage}: {task.cmd if isinstance(task.cmd, str) else ' '.join(map(str, task.cmd))}"
        for stage in STAGES
        for task in tasks(renderer, stage, from_commit)
    ]


def check_trusted(renderer: CopierRenderer, from_commit: str) -> None:
    """Refuse, naming the setting and the flag, when migrations would run untrusted."""
    if not renderer.trusted and pending(renderer, from_commit):
        raise trust_error("_migrations", renderer.origin)


def run_stage(
    renderer: CopierRenderer,
    stage: str,
    repo: Path,
    *,
    from_commit: str,
    meta: RenderMeta,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Run the migrations of ``stage`` in ``repo``, as ``copier update`` runs them.

    ``data`` (the answers the update renders with) is given to the ``after`` stage only:
    copier renders ``before`` commands before it has read any answers.
    """
    from copier._main import _operation
    from copier._types import Phase
    from copier._user_data import AnswersMap
    from copier.errors import TaskError

    found = tasks(renderer, stage, from_commit)
    if not found:
        return
    check_trusted(renderer, from_commit)
    worker = renderer.worker(repo.resolve(), data or {}, meta)
    worker.quiet = False  # copier's " > Running task 1 of 2: ..." lines, on stderr
    token = _operation.set("update")
    try:
        with worker, Phase.use(Phase.MIGRATE), _stdout_to_stderr(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if data is None:
                worker.answers = AnswersMap()
            else:
                worker._ask()  # the answers as copier's update has them after the merge
            worker._execute_tasks(found)
    except TaskError as exc:
        raise TemplateError(
            f"a {stage} migration of {renderer.origin} failed: {exc}",
            hint="the repo may be partly migrated: see `git status`, fix the cause, and run"
            " the upgrade again (or `git checkout . && git clean -fd` to start over)",
        ) from exc
    finally:
        _operation.reset(token)


def _old_template(commit: str) -> Any:
    """The recorded version as copier's update sees it: its ``_commit`` and version."""
    from copier._template import Template

    old = Template(url="")
    old.__dict__.update(commit=commit, vcs="git", version=pep440(commit))
    return old


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """The migrations' processes write to stderr: stdout is the upgrade's result."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
