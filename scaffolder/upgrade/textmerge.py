"""Line-based three-way merge of one file, through ``git merge-file`` (diff3 markers)."""

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


def merge_text(
    base: bytes, ours: bytes, theirs: bytes, *, ours_label: str, base_label: str, theirs_label: str
) -> MergeResult:
    """Merge the change base→theirs into ours; conflicts get markers naming both sides."""
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
