"""The built-in CRD bundle: the schemas of every CRD version the built-in golden paths pin.

``scaffolder validate`` works offline out of the box because the package carries, for each
pinned ``<project>-<version>``, ``scaffolder/_crds/<project>-<version>.json.gz``: every CRD's
name, group, kind and scope, its version names, and the ``openAPIV3Schema`` of the versions it
serves (whole, ``x-kubernetes-validations`` included). ``manifest.json`` beside them records,
per folder, the source tag, the upstream release artifacts, the sha256 of every upstream file
the bundle was built from and of the data file itself, and which pins are not bundled.

``scripts/build_crd_bundle.py SOURCE_DIR...`` (``make crd-bundle``) rebuilds it from folders
of upstream CRDs (``<project>-<version>/*.yaml``, as ``scaffolder crds fetch`` writes them); the
first source folder holding a pin wins. The output is deterministic, so ``--check`` can prove
the committed bundle is what its sources give.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUNDLE_DIR = Path(__file__).resolve().parent.parent / "_crds"
MANIFEST_NAME = "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class BundledFolder:
    """One ``<project>-<version>`` of the bundle, as its manifest describes it."""

    name: str
    project: str
    tag: str
    data: str  # file name of the gzipped JSON beside the manifest
    sha256: str
    crds: tuple[str, ...]
    sources: Mapping[str, str]  # upstream file -> sha256
    release: tuple[str, ...]  # upstream release artifacts the files come from


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(bundle_dir: Path = BUNDLE_DIR) -> dict[str, Any]:
    path = bundle_dir / MANIFEST_NAME
    if not path.is_file():
        return {"format": FORMAT, "folders": {}, "not_bundled": {}}
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


@functools.cache
def bundled_folders(bundle_dir: Path = BUNDLE_DIR) -> dict[str, BundledFolder]:
    """The folders the bundle holds, by name."""
    folders = read_manifest(bundle_dir)["folders"]
    return {
        name: BundledFolder(
            name,
            entry["project"],
            entry["tag"],
            entry["data"],
            entry["sha256"],
            tuple(entry["crds"]),
            dict(entry["sources"]),
            tuple(entry["release"]),
        )
        for name, entry in folders.items()
    }


def load_bundled(folder: str, bundle_dir: Path = BUNDLE_DIR) -> list[dict[str, Any]]:
    """The compact CRD records (see :func:`scaffolder.validate.crds.compact_crd`) of a folder."""
    entry = bundled_folders(bundle_dir)[folder]
    records: list[dict[str, Any]] = json.loads(
        gzip.decompress((bundle_dir / entry.data).read_bytes())
    )
    return records


# Building ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    bundled: dict[str, Path]  # folder -> the source folder it was built from
    not_bundled: dict[str, list[str]]  # folder -> golden-path versions that pin it
    size: int  # bytes of data files


def build(
    sources: Sequence[Path], pins: Mapping[tuple[str, str], list[str]], out_dir: Path
) -> BuildResult:
    """Write the bundle of ``pins`` (``{(project, version): pinned by}``) into ``out_dir``,
    taking each folder from the first of ``sources`` that holds it."""
    from scaffolder.crds_fetch import SOURCES
    from scaffolder.validate.crds import compact_crd, crd_documents

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": FORMAT, "folders": {}, "not_bundled": {}}
    bundled: dict[str, Path] = {}
    size = 0
    for (project, tag), pinned_by in sorted(pins.items()):
        name = f"{project}-{tag}"
        source = next((s / name for s in sources if (s / name).is_dir()), None)
        if source is None:
            manifest["not_bundled"][name] = sorted(pinned_by)
            continue
        records: list[dict[str, Any]] = []
        digests: dict[str, str] = {}
        for path in sorted(source.rglob("*.y*ml")):
            rel = path.relative_to(source).as_posix()
            digests[rel] = sha256(path.read_bytes())
            records.extend(compact_crd(doc, rel) for doc in crd_documents(path))
        records.sort(key=lambda r: str(r["name"]))
        data = gzip.compress(
            json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode(),
            compresslevel=9,
            mtime=0,
        )
        (out_dir / f"{name}.json.gz").write_bytes(data)
        size += len(data)
        base, paths = SOURCES.get(project, ("", ()))
        manifest["folders"][name] = {
            "project": project,
            "tag": tag,
            "release": [base + p.format(version=tag) for p in paths],
            "sources": digests,
            "data": f"{name}.json.gz",
            "sha256": sha256(data),
            "crds": [r["name"] for r in records],
            "pinned_by": sorted(pinned_by),
        }
        bundled[name] = source
    keep = {e["data"] for e in manifest["folders"].values()}
    for stale in out_dir.glob("*.json.gz"):
        if stale.name not in keep:
            stale.unlink()
    (out_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    bundled_folders.cache_clear()
    return BuildResult(bundled, manifest["not_bundled"], size)


def differences(left: Path, right: Path) -> list[str]:
    """Generated files that differ between two bundle folders."""
    names = {
        p.name
        for folder in (left, right)
        for p in folder.iterdir()
        if p.name == MANIFEST_NAME or p.name.endswith(".json.gz")
    }
    return sorted(
        n
        for n in names
        if not (left / n).is_file()
        or not (right / n).is_file()
        or (left / n).read_bytes() != (right / n).read_bytes()
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/build_crd_bundle.py``: rebuild (or ``--check``) the built-in bundle."""
    from scaffolder.catalog import BUILTIN
    from scaffolder.validate.pins import catalog_crd_pins

    parser = argparse.ArgumentParser(
        prog="build_crd_bundle.py",
        description="Bundle the CRD schemas every built-in golden path pins into "
        "scaffolder/_crds, from folders of <project>-<version>/ upstream CRDs.",
    )
    parser.add_argument("sources", nargs="+", type=Path, help="source folders, first wins")
    parser.add_argument(
        "--check", action="store_true", help="only check the committed bundle is up to date"
    )
    args = parser.parse_args(argv)
    missing = [str(s) for s in args.sources if not s.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    # The built-in catalog only: organisation catalogs pin what their users fetch.
    pins = catalog_crd_pins((BUILTIN,))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "_crds" if args.check else BUNDLE_DIR
        result = build(args.sources, pins, out)
        if args.check:
            stale = differences(out, BUNDLE_DIR)
            if stale:
                print(
                    f"the bundle is out of date ({', '.join(stale)}): "
                    f"run scripts/build_crd_bundle.py {' '.join(map(str, args.sources))}",
                    file=sys.stderr,
                )
                return 1
    for name, source in result.bundled.items():
        print(f"{name}: from {source}", file=sys.stderr)
    for name, pinned_by in result.not_bundled.items():
        print(
            f"warning: {name} (pinned by {', '.join(pinned_by)}) is in no source folder; "
            "validate needs `scaffolder crds fetch` for it",
            file=sys.stderr,
        )
    verb = "is up to date" if args.check else "written"
    print(
        f"{len(result.bundled)} folders, {result.size / 1024:.0f} KiB compressed: "
        f"{BUNDLE_DIR} {verb}",
        file=sys.stderr,
    )
    return 0
