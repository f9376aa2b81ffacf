"""Templates kept in a git repository: versions are its tags, and any commit can be rendered.

This is how cookiecutter templates usually live, and what a cruft-made repo records (the
template's URL and a commit). ``scaffolder new --template URL[@REF]`` and a catalog entry with
``source:`` read templates this way, and so do diff and upgrade of a repo that records one.

The repository is mirrored once into the cache (``git clone --mirror``) and fetched again at
most once per process; each commit is exported (``git archive``) into a folder of its own that
never changes afterwards, so rendering an old version is a directory read, not a checkout.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from packaging.version import InvalidVersion, Version

from scaffolder import notices
from scaffolder.errors import CatalogError, TemplateError, UnknownVersionError
from scaffolder.git import GitError, git_executable, run_git
from scaffolder.paths import cache_dir


@dataclass
class _Read:
    """What this process read from a mirror since it last fetched it (refs move on a fetch)."""

    tags: list[tuple[Version, str, str]] | None = None
    commits: dict[str, str] = field(default_factory=dict)  # ref -> the commit it named
    times: dict[str, int] = field(default_factory=dict)  # commit -> its commit time


_FETCHED: dict[str, _Read] = {}  # mirrors fetched by this process, by URL
# cookiecutter's built-in abbreviations, so `--template gh:org/repo` works as it does there.
ABBREVIATIONS = {
    "gh": "https://github.com/{}.git",
    "gl": "https://gitlab.com/{}.git",
    "bb": "https://bitbucket.org/{}",
}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class TemplateSpec:
    """``URL_OR_PATH[@REF]`` as given to ``--template``."""

    url: str
    ref: str | None = None


def parse_spec(spec: str, checkout: str | None = None) -> TemplateSpec:
    """Split ``URL@REF``; an ``@`` in ``git@host:`` (the user part of an SSH URL) is not a ref."""
    url, ref = spec, None
    at = spec.rfind("@")
    if at > 0:
        before, after = spec[:at], spec[at + 1 :]
        if after and ("/" in before or ":" in before or Path(before).exists()):
            url, ref = before, after
    if checkout:
        ref = checkout
    return TemplateSpec(url, ref)


def is_version_tag(ref: str) -> bool:
    """Whether a ref reads as a version (``1.2.0``, ``v1.2.0``), as version tags do."""
    try:
        Version(ref.removeprefix("v"))
    except InvalidVersion:
        return False
    return True


def normalize_url(url: str) -> tuple[str, str]:
    """(repository URL, folder of the template inside it), as cruft records them.

    A local path becomes absolute (cruft does the same, so the record works from anywhere);
    a path inside a repository's work tree names that repository and the sub-folder, a bare
    repository's path the repository;
    ``gh:``, ``gl:`` and ``bb:`` expand as cookiecutter expands them.
    """
    prefix, _, rest = url.partition(":")
    if prefix in ABBREVIATIONS and rest and not rest.startswith("/"):
        return ABBREVIATIONS[prefix].format(rest), ""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file") and not _looks_like_scp(url):
        path = Path(parsed.path if parsed.scheme == "file" else url).expanduser().absolute()
        if not path.exists():
            raise CatalogError(
                f"template {url!r} does not exist",
                hint="pass a git URL or the path of a git repository holding the template",
            )
        try:
            top = Path(run_git(path, ["rev-parse", "--show-toplevel"]).strip())
        except GitError:
            if _is_bare(path):  # /srv/git/svc.git: no work tree, the repository itself
                return str(path.resolve()), ""
            raise CatalogError(
                f"template {url!r} is not in a git repository",
                hint="scaffolder renders templates from git commits, so diff and upgrade can"
                " render the version a repo was made from: run `git init && git add -A &&"
                " git commit -m template` there, or put it in a catalog version folder",
            ) from None
        directory = path.resolve().relative_to(top.resolve()).as_posix()
        return str(top), "" if directory == "." else directory
    return url, ""


def _is_bare(path: Path) -> bool:
    try:
        return run_git(path, ["rev-parse", "--is-bare-repository"]).strip() == "true"
    except GitError:
        return False


def _looks_like_scp(url: str) -> bool:
    head = url.split("/", 1)[0]
    return ":" in head and "@" in head


@dataclass(frozen=True)
class GitTemplate:
    """A template in a git repository (optionally in a sub-folder of it)."""

    url: str
    directory: str = ""

    @property
    def name(self) -> str:
        """A golden-path name for it: the template folder, or the repository's name."""
        if self.directory:
            return self.directory.rstrip("/").rsplit("/", 1)[-1]
        tail = self.url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        return tail.removesuffix(".git") or "template"

    @property
    def _cache(self) -> Path:
        key = hashlib.sha256(self.url.encode()).hexdigest()[:16]
        return cache_dir() / "templates" / key

    @property
    def _mirror(self) -> Path:
        return self._cache / "mirror.git"

    def sync(self) -> Path:
        """The local mirror, cloned on first use and fetched once per process."""
        mirror = self._mirror
        with _LOCK:
            if self.url in _FETCHED and mirror.is_dir():
                return mirror
            if mirror.is_dir():
                try:
                    run_git(mirror, ["fetch", "--quiet", "--prune", "--tags", "--force"])
                except GitError as exc:  # offline: the mirror still has every commit fetched
                    if not self._has_refs():
                        raise self._unreachable(exc) from exc
                    notices.add(
                        f"could not fetch {self.url} ({exc}); used the copy cached in {mirror},"
                        " which lacks any tag or commit made since it was last fetched"
                    )
            else:
                self._clone()
            _FETCHED[self.url] = _Read()
        return mirror

    def _clone(self) -> None:
        import tempfile

        self._cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="mirror-", dir=self._cache))
        result = subprocess.run(
            [git_executable(), "clone", "--mirror", "--quiet", self.url, str(staging / "m")],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise self._unreachable(GitError(result.stderr.strip() or "git clone failed"))
        try:
            (staging / "m").rename(self._mirror)
        except OSError:  # another process (a fleet worker) cloned it first
            if not self._mirror.is_dir():
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _has_refs(self) -> bool:
        try:
            return bool(run_git(self._mirror, ["for-each-ref", "--count=1"]).strip())
        except GitError:
            return False

    def _unreachable(self, exc: Exception) -> CatalogError:
        return CatalogError(
            f"cannot read template repository {self.url}: {exc}",
            hint="check the URL and your access to it (the same `git clone` must work)",
        )

    def tags(self) -> list[tuple[Version, str, str]]:
        """(version, tag, commit) for every tag that is a version (``1.2.0``, ``v1.2.0``).

        Read once per fetch: an audit asks for every repo made from the template.
        """
        mirror = self.sync()
        read = _FETCHED[self.url]
        if read.tags is None:
            read.tags = _version_tags(mirror)
        return read.tags

    def resolve(self, ref: str) -> str:
        """The commit a tag, branch or (abbreviated) commit names (once per fetch)."""
        mirror = self.sync()
        commits = _FETCHED[self.url].commits
        if ref in commits:
            return commits[ref]
        try:
            commit = run_git(mirror, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
        except GitError:
            raise UnknownVersionError(
                f"template {self.url} has no tag, branch or commit {ref!r}",
                hint="available tags: "
                + (", ".join(tag for _, tag, _ in self.tags()) or "none (pass a branch or commit)"),
            ) from None
        commits[ref] = commit[:40]
        return commits[ref]

    def head(self) -> str:
        return self.resolve("HEAD")

    def commit_time(self, commit: str) -> int:
        """When ``commit`` was made (seconds since the epoch): orders untagged versions."""
        mirror = self.sync()
        times = _FETCHED[self.url].times
        if commit not in times:
            times[commit] = int(run_git(mirror, ["show", "-s", "--format=%ct", commit]).strip())
        return times[commit]

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether commit ``older`` is in the history of ``newer``."""
        try:
            run_git(self.sync(), ["merge-base", "--is-ancestor", older, newer])
        except GitError:
            return False
        return True

    def folder(self, commit: str) -> Path:
        """Where ``commit``'s template files are (exported on first use)."""
        tree = self._cache / "trees" / commit
        if not tree.is_dir():
            self._export(commit, tree)
        return tree / self.directory if self.directory else tree

    def _export(self, commit: str, tree: Path) -> None:
        """The commit's files as a checkout has them (not `git archive`, which applies
        ``export-subst`` and ``export-ignore``: copier clones, so templates see the raw files)."""
        import tempfile

        tree.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{commit[:12]}-", dir=tree.parent))
        try:
            index = {"GIT_INDEX_FILE": str(staging / "index")}
            run_git(self.sync(), ["read-tree", commit], env=index)
            out = staging / "tree"
            out.mkdir()
            checkout = ["--work-tree", str(out), "checkout-index", "--all"]
            run_git(self.sync(), checkout, env=index)
            _refuse_links_out(out, f"template {self.url} at {commit[:12]}")
            try:
                out.rename(tree)
            except OSError:  # another process exported it first
                if not tree.is_dir():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _version_tags(mirror: Path) -> list[tuple[Version, str, str]]:
    out = run_git(
        mirror,
        ["for-each-ref", "--format=%(refname:short) %(objectname) %(*objectname)", "refs/tags"],
    )
    found = []
    for line in out.splitlines():
        tag, obj, *peeled = line.split()
        if is_version_tag(tag):  # annotated tags name the tag object; the commit is peeled
            found.append((Version(tag.removeprefix("v")), tag, peeled[0] if peeled else obj))
    return sorted(found)


def _refuse_links_out(tree: Path, origin: str) -> None:
    """A template's symlinks may only lead to its own files (never a host file)."""
    real = os.path.realpath(tree)
    for dirpath, dirnames, filenames in os.walk(tree):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            if not path.is_symlink():
                continue
            resolved = os.path.realpath(path)
            if resolved != real and not resolved.startswith(real + os.sep):
                raise TemplateError(
                    f"{origin}: {path.relative_to(tree)} links to {path.readlink()}, which"
                    " leads outside the template",
                    hint="a template may only link to its own files",
                )
