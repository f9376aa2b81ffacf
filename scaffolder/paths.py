"""Where scaffolder keeps files of its own between runs."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$SCAFFOLDER_CACHE_DIR``, else the user's cache folder (XDG).

    Holds compiled templates and mirrors of git templates with their exported commits; all of
    it can be deleted at any time.
    """
    explicit = os.environ.get("SCAFFOLDER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scaffolder"
