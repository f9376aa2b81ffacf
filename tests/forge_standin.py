"""A recording stand-in for ``gh`` and ``glab``: the one boundary the fleet tests replace.

It accepts exactly the flags the real commands define (read from their sources: cli/cli
``pkg/cmd/pr/{list,create,edit}``, gitlab-org/cli ``internal/commands/mr/{list,create,update}``)
and parses them the way cobra does; an unknown flag, a missing value or a bad choice fails
as the real CLI fails. It behaves like the forge where that matters to idempotence: a second
request for a branch that already has an open one is refused, and a request for a branch
that is not on the remote (checked with ``git ls-remote`` against the real remote) too.
Every call is appended to ``$FORGE_LOG`` (JSON lines); the forge's state is ``$FORGE_STATE``.

Run as ``python forge_standin.py gh|glab ARGS...`` (tests put wrappers named gh and glab on
PATH).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# flag -> (short form or None, takes a value); cobra also accepts --flag=value and -fVALUE.
Spec = dict[str, tuple[str | None, bool]]
REPO: Spec = {"--repo": ("-R", True), "--help": ("-h", False)}

GH: dict[str, tuple[Spec, int]] = {
    "pr list": (
        {
            "--app": (None, True),
            "--assignee": ("-a", True),
            "--author": ("-A", True),
            "--base": ("-B", True),
            "--draft": ("-d", False),
            "--head": ("-H", True),
            "--jq": ("-q", True),
            "--json": (None, True),
            "--label": ("-l", True),
            "--limit": ("-L", True),
            "--search": ("-S", True),
            "--state": ("-s", True),
            "--template": ("-t", True),
            "--web": ("-w", False),
            **REPO,
        },
        0,
    ),
    "pr create": (
        {
            "--assignee": ("-a", True),
            "--base": ("-B", True),
            "--body": ("-b", True),
            "--body-file": ("-F", True),
            "--draft": ("-d", False),
            "--dry-run": (None, False),
            "--editor": ("-e", False),
            "--fill": ("-f", False),
            "--fill-first": (None, False),
            "--fill-verbose": (None, False),
            "--head": ("-H", True),
            "--label": ("-l", True),
            "--milestone": ("-m", True),
            "--no-maintainer-edit": (None, False),
            "--project": ("-p", True),
            "--recover": (None, True),
            "--reviewer": ("-r", True),
            "--template": ("-T", True),
            "--title": ("-t", True),
            "--web": ("-w", False),
            **REPO,
        },
        0,
    ),
    "pr edit": (
        {
            "--add-assignee": (None, True),
            "--add-label": (None, True),
            "--add-project": (None, True),
            "--add-reviewer": (None, True),
            "--base": ("-B", True),
            "--body": ("-b", True),
            "--body-file": ("-F", True),
            "--milestone": ("-m", True),
            "--remove-assignee": (None, True),
            "--remove-label": (None, True),
            "--remove-milestone": (None, False),
            "--remove-project": (None, True),
            "--remove-reviewer": (None, True),
            "--title": ("-t", True),
            **REPO,
        },
        1,
    ),
}
GH_JSON_FIELDS = {"number", "url", "headRefName", "baseRefName", "title", "body", "state"}
GH_STATES = {"open", "closed", "merged", "all"}

GLAB: dict[str, tuple[Spec, int]] = {
    "mr list": (
        {
            "--all": ("-A", False),
            "--assignee": ("-a", True),
            "--author": (None, True),
            "--closed": ("-c", False),
            "--created-after": (None, True),
            "--created-before": (None, True),
            "--draft": ("-d", False),
            "--group": ("-g", True),
            "--label": ("-l", True),
            "--merged": ("-M", False),
            "--milestone": ("-m", True),
            "--not-draft": (None, False),
            "--not-label": (None, True),
            "--order": ("-o", True),
            "--output": ("-F", True),
            "--page": ("-p", True),
            "--per-page": ("-P", True),
            "--reviewer": ("-r", True),
            "--search": (None, True),
            "--sort": ("-S", True),
            "--source-branch": ("-s", True),
            "--target-branch": ("-t", True),
            **REPO,
        },
        0,
    ),
    "mr create": (
        {
            "--allow-collaboration": (None, False),
            "--assignee": ("-a", True),
            "--auto-merge": (None, False),
            "--copy-issue-labels": (None, False),
            "--create-source-branch": (None, False),
            "--description": ("-d", True),
            "--draft": (None, False),
            "--fill": ("-f", False),
            "--fill-commit-body": (None, False),
            "--head": ("-H", True),
            "--label": ("-l", True),
            "--milestone": ("-m", True),
            "--no-editor": (None, False),
            "--push": (None, False),
            "--recover": (None, False),
            "--related-issue": ("-i", True),
            "--remove-source-branch": (None, False),
            "--reviewer": (None, True),
            "--signoff": (None, False),
            "--source-branch": ("-s", True),
            "--squash-before-merge": (None, False),
            "--target-branch": ("-b", True),
            "--target-project": (None, True),
            "--template": (None, True),
            "--title": ("-t", True),
            "--web": ("-w", False),
            "--wip": (None, False),
            "--yes": ("-y", False),
            **REPO,
        },
        0,
    ),
    "mr update": (
        {
            "--assignee": ("-a", True),
            "--description": ("-d", True),
            "--draft": (None, False),
            "--fill": ("-f", False),
            "--fill-commit-body": (None, False),
            "--label": ("-l", True),
            "--lock-discussion": (None, False),
            "--milestone": ("-m", True),
            "--ready": ("-r", False),
            "--remove-source-branch": (None, False),
            "--reviewer": (None, True),
            "--squash-before-merge": (None, False),
            "--target-branch": (None, True),
            "--title": ("-t", True),
            "--unassign": (None, False),
            "--unlabel": ("-u", True),
            "--unlock-discussion": (None, False),
            "--wip": (None, False),
            "--yes": ("-y", False),
            **REPO,
        },
        1,
    ),
}


class Refused(Exception):
    """What the real CLI would print before exiting 1."""


def parse(
    spec: Spec, max_positional: int, args: list[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """cobra/pflag parsing: long and short flags, ``=`` or separate values, repeats."""
    shorts = {short: long for long, (short, _) in spec.items() if short}
    values: dict[str, list[str]] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positional += args[i:]
            break
        if arg.startswith("--"):
            name, eq, inline = arg.partition("=")
            if name not in spec:
                raise Refused(f"unknown flag: {name}")
        elif arg.startswith("-") and len(arg) > 1:
            name = shorts.get(arg[:2], "")
            if not name:
                raise Refused(f"unknown shorthand flag: {arg[1]!r} in {arg}")
            inline, eq = arg[2:], "=" if len(arg) > 2 else ""
            inline = inline[1:] if inline.startswith("=") else inline
        else:
            positional.append(arg)
            continue
        _, takes_value = spec[name]
        if takes_value:
            if not eq:
                if i >= len(args):
                    raise Refused(f"flag needs an argument: {arg}")
                inline = args[i]
                i += 1
            values.setdefault(name, []).append(inline)
        else:
            values.setdefault(name, []).append("true" if not eq else inline)
    if len(positional) > max_positional:
        raise Refused(f"accepts at most {max_positional} arg(s), received {len(positional)}")
    return values, positional


def one(values: dict[str, list[str]], name: str) -> str | None:
    return values[name][-1] if name in values else None


def many(values: dict[str, list[str]], name: str) -> list[str]:
    return [part for value in values.get(name, []) for part in value.split(",") if part]


@contextlib.contextmanager
def forge_state() -> Iterator[dict[str, Any]]:
    path = Path(os.environ["FORGE_STATE"])
    with path.with_name(path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(path.read_text()) if path.exists() else {"requests": []}
        yield state
        path.write_text(json.dumps(state, indent=2))


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def project() -> str:
    url = git("config", "--get", "remote.origin.url")
    if not url:
        raise Refused(
            "none of the git remotes configured for this repository point to a known host"
        )
    return url


def require_pushed(branch: str) -> None:
    if not git("ls-remote", "--heads", "origin", f"refs/heads/{branch}"):
        raise Refused(f"head branch {branch!r} does not exist on the remote")


def open_for(state: dict[str, Any], forge: str, repo: str, branch: str) -> dict[str, Any] | None:
    return next(
        (
            r
            for r in state["requests"]
            if r["forge"] == forge and r["repo"] == repo and r["head"] == branch and r["open"]
        ),
        None,
    )


def new_request(state: dict[str, Any], forge: str, repo: str, **fields: Any) -> dict[str, Any]:
    number = 1 + sum(1 for r in state["requests"] if r["repo"] == repo)
    name = Path(repo).name.removesuffix(".git")
    url = (
        f"https://github.test/acme/{name}/pull/{number}"
        if forge == "gh"
        else f"https://gitlab.test/acme/{name}/-/merge_requests/{number}"
    )
    request = {"forge": forge, "repo": repo, "number": number, "url": url, "open": True, **fields}
    state["requests"].append(request)
    return request


def by_number(state: dict[str, Any], forge: str, repo: str, selector: str) -> dict[str, Any]:
    for r in state["requests"]:
        if r["forge"] == forge and r["repo"] == repo and str(r["number"]) == selector:
            return r
    raise Refused(f"no pull requests found for {selector!r}")


def gh(command: str, values: dict[str, list[str]], positional: list[str]) -> str:
    repo = project()
    with forge_state() as state:
        if command == "pr list":
            wanted = (one(values, "--state") or "open").lower()
            if wanted not in GH_STATES:
                raise Refused(f'invalid argument {wanted!r} for "-s, --state" flag')
            fields = many(values, "--json")
            if not fields or set(fields) - GH_JSON_FIELDS:
                raise Refused(f"Unknown JSON field: {sorted(set(fields) - GH_JSON_FIELDS)}")
            head = one(values, "--head")
            rows = [
                r
                for r in state["requests"]
                if r["forge"] == "gh"
                and r["repo"] == repo
                and (head is None or r["head"] == head)
                and (wanted == "all" or r["open"])
            ]
            return json.dumps([{f: _gh_field(r, f) for f in fields} for r in rows])
        if command == "pr create":
            title, body_file = one(values, "--title"), one(values, "--body-file")
            body = Path(body_file).read_text() if body_file else one(values, "--body")
            if title is None or body is None:
                raise Refused(
                    "must provide `--title` and `--body` (or `--fill` or `fill-first` or "
                    "`--fillverbose`) when not running interactively"
                )
            head = one(values, "--head") or git("rev-parse", "--abbrev-ref", "HEAD")
            base = one(values, "--base") or "main"
            existing = open_for(state, "gh", repo, head)
            if existing:
                raise Refused(
                    f'a pull request for branch "{head}" into branch "{base}" already exists:\n'
                    + existing["url"]
                )
            require_pushed(head)
            r = new_request(
                state,
                "gh",
                repo,
                head=head,
                base=base,
                title=title,
                body=body,
                labels=many(values, "--label"),
                reviewers=many(values, "--reviewer"),
                draft="--draft" in values,
            )
            return r["url"] + "\n"
        # pr edit
        if not positional:
            raise Refused("could not determine the current branch")
        r = by_number(state, "gh", repo, positional[0])
        body_file = one(values, "--body-file")
        if body_file:
            r["body"] = Path(body_file).read_text()
        r["title"] = one(values, "--title") or r["title"]
        r["labels"] = sorted({*r["labels"], *many(values, "--add-label")})
        r["edits"] = r.get("edits", 0) + 1
        return r["url"] + "\n"


def _gh_field(r: dict[str, Any], field: str) -> Any:
    return {
        "headRefName": r["head"],
        "baseRefName": r["base"],
        "state": "OPEN" if r["open"] else "CLOSED",
    }.get(field, r.get(field))


def glab(command: str, values: dict[str, list[str]], positional: list[str]) -> str:
    repo = project()
    with forge_state() as state:
        if command == "mr list":
            output = one(values, "--output") or "text"
            if output not in ("text", "json"):
                raise Refused(f'invalid argument {output!r} for "-F, --output" flag')
            source = one(values, "--source-branch")
            rows = [
                r
                for r in state["requests"]
                if r["forge"] == "glab"
                and r["repo"] == repo
                and (source is None or r["head"] == source)
                and r["open"]
            ]
            if output == "json":
                return json.dumps(
                    [
                        {
                            "iid": r["number"],
                            "web_url": r["url"],
                            "source_branch": r["head"],
                            "target_branch": r["base"],
                            "title": r["title"],
                        }
                        for r in rows
                    ]
                )
            return "\n".join(f"!{r['number']}\t{r['title']}" for r in rows)
        if command == "mr create":
            title, description = one(values, "--title"), one(values, "--description")
            if title is None or description is None:
                raise Refused(
                    "must provide `--title` and `--description` (`--description-file`) or "
                    "`--fill` when not running interactively"
                )
            if "--yes" not in values:
                raise Refused("--yes required for non-interactive mode")
            head = one(values, "--source-branch") or git("rev-parse", "--abbrev-ref", "HEAD")
            existing = open_for(state, "glab", repo, head)
            if existing:
                raise Refused(
                    "Another open merge request already exists for this source branch: "
                    f"!{existing['number']}"
                )
            require_pushed(head)
            r = new_request(
                state,
                "glab",
                repo,
                head=head,
                base=one(values, "--target-branch") or "main",
                title=title,
                body=description,
                labels=many(values, "--label"),
                reviewers=many(values, "--reviewer"),
                draft="--draft" in values,
            )
            return (
                f"\nCreating merge request for {head} into {r['base']}\n\n"
                f"!{r['number']} {title}\n {r['url']}\n"
            )
        # mr update
        if not positional:
            raise Refused("no merge request for the current branch")
        r = by_number(state, "glab", repo, positional[0])
        r["title"] = one(values, "--title") or r["title"]
        r["body"] = one(values, "--description") or r["body"]
        r["labels"] = sorted({*r["labels"], *many(values, "--label")})
        r["edits"] = r.get("edits", 0) + 1
        return f"- Updating merge request !{r['number']}\n{r['url']}\n"


def main(argv: list[str]) -> int:
    tool, rest = argv[0], argv[1:]
    with Path(os.environ["FORGE_LOG"]).open("a") as log:
        log.write(json.dumps({"tool": tool, "args": rest, "cwd": str(Path.cwd())}) + "\n")
    commands = GH if tool == "gh" else GLAB
    command = " ".join(rest[:2])
    try:
        if command not in commands:
            raise Refused(f"unknown command {command!r} for {tool!r}")
        spec, max_positional = commands[command]
        values, positional = parse(spec, max_positional, rest[2:])
        handler = gh if tool == "gh" else glab
        sys.stdout.write(handler(command, values, positional))
    except Refused as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
