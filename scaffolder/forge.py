"""Pull and merge requests through the forges' own command lines: ``gh`` and ``glab``.

scaffolder never talks to a forge's API itself: ``gh`` and ``glab`` already hold the user's
(or the CI job's) credentials, hosts and proxies. Each adapter finds the open request of a
branch, creates one, or updates it, so a rerun updates the request it opened before instead of
opening another. Both run in the repo's folder, where they read the remote to know the project.
The flags used are the ones both CLIs have long had (gh 2.x; glab 1.x, where ``mr update``
has no ``--description-file``, hence the body as an argument, capped below the forges' limit).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from scaffolder.errors import ScaffolderError, ToolMissingError

# GitHub caps a body at 65,536 characters; GitLab's is larger. One limit keeps both safe.
BODY_LIMIT = 60_000
FORGES = ("github", "gitlab")


class ForgeError(ScaffolderError):
    """gh or glab refused or failed."""


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str


@dataclass(frozen=True)
class Request:
    """What a pull or merge request should say."""

    branch: str
    base: str
    title: str
    body: str
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    draft: bool = False


class Forge(Protocol):
    name: str

    def find(self, repo: Path, branch: str) -> PullRequest | None: ...

    def create(self, repo: Path, request: Request) -> PullRequest: ...

    def update(self, repo: Path, pr: PullRequest, request: Request) -> PullRequest: ...


def capped(body: str) -> str:
    if len(body) <= BODY_LIMIT:
        return body
    return body[:BODY_LIMIT] + "\n\n… (cut: the full report is in the job's output)\n"


def _run(tool: str, args: Sequence[str], repo: Path) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise ToolMissingError(
            f"{tool} is not installed",
            hint=f"install it and log in (`{tool} auth login`, or set its token variable in CI)",
        )
    result = subprocess.run(
        [exe, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GH_PROMPT_DISABLED": "1", "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise ForgeError(
            f"{tool} {args[0]} {args[1]} failed: {lines[-1] if lines else 'no output'}"
        )
    return result.stdout


def _number(url: str) -> int:
    match = re.search(r"/(?:pull|merge_requests)/(\d+)\b", url)
    if match is None:
        raise ForgeError(f"cannot read a request number from {url!r}")
    return int(match[1])


def _last_url(output: str) -> str:
    urls = re.findall(r"https?://\S+", output)
    if not urls:
        raise ForgeError(f"no URL in the output: {output.strip()[:200]!r}")
    return str(urls[-1])


class GitHub:
    """``gh pr list/create/edit``."""

    name = "github"

    def find(self, repo: Path, branch: str) -> PullRequest | None:
        out = _run(
            "gh",
            ["pr", "list", "--head", branch, "--state", "open", "--json", "number,url"],
            repo,
        )
        found = json.loads(out or "[]")
        return PullRequest(int(found[0]["number"]), found[0]["url"]) if found else None

    def create(self, repo: Path, request: Request) -> PullRequest:
        with _body_file(request.body) as body_file:
            args = ["pr", "create", "--head", request.branch, "--base", request.base]
            args += ["--title", request.title, "--body-file", body_file]
            args += [a for label in request.labels for a in ("--label", label)]
            args += [a for login in request.reviewers for a in ("--reviewer", login)]
            args += ["--draft"] if request.draft else []
            url = _last_url(_run("gh", args, repo))
        return PullRequest(_number(url), url)

    def update(self, repo: Path, pr: PullRequest, request: Request) -> PullRequest:
        with _body_file(request.body) as body_file:
            args = ["pr", "edit", str(pr.number), "--title", request.title]
            args += ["--body-file", body_file]
            args += [a for label in request.labels for a in ("--add-label", label)]
            _run("gh", args, repo)
        return pr


class GitLab:
    """``glab mr list/create/update``."""

    name = "gitlab"

    def find(self, repo: Path, branch: str) -> PullRequest | None:
        out = _run("glab", ["mr", "list", "--source-branch", branch, "--output", "json"], repo)
        found = json.loads(out or "[]")
        return PullRequest(int(found[0]["iid"]), found[0]["web_url"]) if found else None

    def create(self, repo: Path, request: Request) -> PullRequest:
        args = ["mr", "create", "--source-branch", request.branch]
        args += ["--target-branch", request.base, "--title", request.title]
        args += ["--description", capped(request.body), "--yes", "--remove-source-branch"]
        args += ["--label", ",".join(request.labels)] if request.labels else []
        args += ["--reviewer", ",".join(request.reviewers)] if request.reviewers else []
        args += ["--draft"] if request.draft else []
        url = _last_url(_run("glab", args, repo))
        return PullRequest(_number(url), url)

    def update(self, repo: Path, pr: PullRequest, request: Request) -> PullRequest:
        args = ["mr", "update", str(pr.number), "--title", request.title]
        args += ["--description", capped(request.body), "--yes"]
        args += ["--label", ",".join(request.labels)] if request.labels else []
        _run("glab", args, repo)
        return pr


def forge_for(name: str) -> Forge:
    return GitHub() if name == "github" else GitLab()


@contextlib.contextmanager
def _body_file(body: str) -> Iterator[str]:
    """The body in a temporary file for ``--body-file`` (no argument length limit)."""
    handle, path = tempfile.mkstemp(prefix="scaffolder-pr-", suffix=".md")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(capped(body))
        yield path
    finally:
        Path(path).unlink(missing_ok=True)
