"""Which templates may run code on this machine: cookiecutter hooks, copier tasks and migrations,
and Jinja extensions.

The same model as copier's ``trust`` setting: nothing from a template runs unless the user
trusts it, for one run (``--trust``) or for good, in the settings file::

    # ~/.config/scaffolder/settings.yml  ($SCAFFOLDER_SETTINGS overrides the path)
    trust:
      - https://github.com/acme/          # ends in "/": every repository under it
      - /srv/templates/cookiecutter-svc   # otherwise: exactly this template or catalog

The built-in catalog is trusted (it ships with scaffolder and has no hooks).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import yaml

from scaffolder.errors import ScaffolderError

SETTINGS_ENV = "SCAFFOLDER_SETTINGS"
TRUST_HINT = "pass --trust, or add it under `trust:` in {path} (see docs/reference/security.md)"


def settings_path() -> Path:
    explicit = os.environ.get(SETTINGS_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "scaffolder" / "settings.yml"


@functools.cache
def load_settings(path: Path) -> dict[str, Any]:
    """The settings file as a mapping (empty when there is none)."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ScaffolderError(
            f"{path} is not valid YAML: {exc}", hint="fix it, or move it away"
        ) from exc
    if not isinstance(data, dict):
        raise ScaffolderError(f"{path} must hold a mapping", hint="see docs/reference/security.md")
    return data


@functools.cache
def _trusted_prefixes(path: Path) -> tuple[str, ...]:
    entries = load_settings(path).get("trust")
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ScaffolderError(f"{path}: `trust` must be a list of URLs or paths")
    return tuple(_expand(str(e)) for e in entries)


def _expand(entry: str) -> str:
    if entry.startswith("~"):
        expanded = str(Path(entry).expanduser())
        return expanded + "/" if entry.endswith("/") else expanded
    return entry


def covers(entry: str, location: str) -> bool:
    """Whether a settings entry names ``location``: exactly, or as a prefix ending in ``/``."""
    entry = _expand(entry)
    return location == entry.rstrip("/") or (entry.endswith("/") and location.startswith(entry))


def is_trusted(location: str) -> bool:
    """Whether the settings file trusts this template or catalog location."""
    return any(covers(prefix, location) for prefix in _trusted_prefixes(settings_path()))


def trust_hint() -> str:
    return TRUST_HINT.format(path=settings_path())
