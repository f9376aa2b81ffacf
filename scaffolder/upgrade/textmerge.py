"""Line-based three-way merge of one file, through ``git merge-file`` (diff3 markers).

Binary files (git's test: a NUL byte in the first 8,000 bytes) are not merged line by line:
changed on both sides, they are a conflict that keeps ours (issue 16).
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scaffolder.git import git_executable


@dataclass(frozen=True)
class MergeResult:
    content: bytes
    conflicts: int  # number of conflict hunks; 0 = clean
    binary: bool = False  # a binary conflict: ``content`` is ours, unchanged


# git merge-file's own test for a binary file (xdiff's buffer_is_binary).
BINARY_PROBE = 8000


def is_binary(data: bytes) -> bool:
    """Whether git would refuse to merge ``data`` line by line."""
    return b"\0" in data[:BINARY_PROBE]


def merge_text(
    base: bytes, ours: bytes, theirs: bytes, *, ours_label: str, base_label: str, theirs_label: str
) -> MergeResult:
    """Merge the change base→theirs into ours; conflicts get markers naming both sides.

    A binary side makes the result a conflict holding ours (no markers can be written).
    """
    if any(is_binary(data) for data in (base, ours, theirs)):
        return MergeResult(ours, 1, binary=True)
    with tempfile.TemporaryDirectory(prefix="scaffolder-merge-") as tmp:
        paths = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        result = subprocess.run(
            [
                git_executable(),
                "merge-file",
                "--stdout",
                "--diff3",
                "-L",
                ours_label,
                "-L",
                base_label,
                "-L",
                theirs_label,
                *paths,
            ],
            capture_output=True,
            check=False,
        )
    if result.returncode < 0 or result.returncode > 127:
        raise RuntimeError(f"git merge-file failed: {result.stderr.decode(errors='replace')}")
    return MergeResult(result.stdout, result.returncode)


def has_markers(content: bytes) -> bool:
    """Whether a file still holds conflict markers written by an upgrade."""
    lines = content.split(b"\n")
    return any(line.startswith(b"<<<<<<< ") for line in lines) and any(
        line.startswith(b">>>>>>> ") for line in lines
    )
