"""Merging audit JSON reports: shard reports of one fleet back into the report of one run.

The merged JSON is built from the shards' entries as they were written (never re-derived),
ordered by path the way a single run over a folder of repos orders them, so the union of the
shards of ``audit --shard K/N`` is byte for byte the JSON of one ``audit`` over the fleet.
Other formats (HTML, SARIF, markdown, JUnit, the summary) need report objects: they are
rebuilt from the JSON by :func:`report_from_json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from scaffolder.drift import FileDrift, FileStatus, RepoDrift
from scaffolder.errors import AnswerError
from scaffolder.origin import AnswerProblem
from scaffolder.reports import contract
from scaffolder.reports.fleet import summarize
from scaffolder.reports.json_report import SCHEMA_VERSION
from scaffolder.reports.model import RepoReport
from scaffolder.standards.model import Level, Rule, RuleResult, StandardsReport, Violation


def read_report(path: Path) -> dict[str, Any]:
    """An audit JSON report from ``path``; a one-line error for anything else."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnswerError(
            f"cannot read {path} as an audit report: {exc}",
            hint="pass the files `scaffolder audit --format json` wrote",
        ) from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("repos"), list)
        or doc.get("schema_version") != SCHEMA_VERSION
    ):
        raise AnswerError(
            f"{path} is not an audit JSON report of schema version {SCHEMA_VERSION}",
            hint="pass the files `scaffolder audit --format json` wrote",
        )
    return doc


def _parts(entry: Mapping[str, Any]) -> tuple[str, ...]:
    # Path order, as `audit DIR` lists a folder's repos (sorted Path objects compare by parts).
    return PurePosixPath(str(entry.get("path", ""))).parts


def merge_documents(docs: Sequence[tuple[Path, Mapping[str, Any]]]) -> dict[str, Any]:
    """One report holding every repo of ``docs`` (file, report), checked for completeness.

    Shard reports must all be there (``1/N`` ... ``N/N``, each once); reports made by
    different scaffolder versions, or two reports holding the same repo, are refused, since
    the result would not be what one run reports.
    """
    if not docs:
        raise AnswerError("no reports to merge", hint="pass the JSON reports of every shard")
    tools = {json.dumps(doc.get("tool"), sort_keys=True) for _, doc in docs}
    if len(tools) > 1:
        raise AnswerError(
            "the reports were written by different scaffolder versions: " + ", ".join(tools),
            hint="run every shard with the same pinned scaffolder",
        )
    _check_shards(docs)
    owner: dict[str, Path] = {}
    entries: list[Mapping[str, Any]] = []
    for path, doc in docs:
        seen_here = set()
        for entry in doc["repos"]:
            key = str(entry.get("path"))
            if key in owner and key not in seen_here:
                raise AnswerError(
                    f"repo {key} is in both {owner[key]} and {path}",
                    hint="merge the reports of one sharded run (each repo in one shard)",
                )
            owner[key] = path
            seen_here.add(key)
            entries.append(entry)
    # A stable sort keeps the records of one repo (a baseline's tenants) in their order.
    entries.sort(key=_parts)
    first = docs[0][1]
    return {"schema_version": first["schema_version"], "tool": first["tool"], "repos": entries}


def merged_report(
    docs: Sequence[tuple[Path, Mapping[str, Any]]], rules: Mapping[str, Rule]
) -> tuple[dict[str, Any], list[RepoReport]]:
    """The merged JSON report (with the fleet summary of the whole union) and its objects."""
    merged = merge_documents(docs)
    objects = [report_from_json(entry, rules) for entry in merged["repos"]]
    report = {
        "schema_version": merged["schema_version"],
        "tool": merged["tool"],
        "summary": summarize(objects).to_json(),
        "repos": merged["repos"],
    }
    return report, objects


def _check_shards(docs: Sequence[tuple[Path, Mapping[str, Any]]]) -> None:
    shards = [(path, doc.get("shard")) for path, doc in docs]
    plain = [str(path) for path, shard in shards if shard is None]
    if len(plain) == len(shards):
        return  # reports of separate runs (different folders): a plain union
    if plain:
        raise AnswerError(
            f"{', '.join(plain)} {'is' if len(plain) == 1 else 'are'} not shard reports, "
            "the others are",
            hint="merge the reports of one `audit --shard K/N` run",
        )
    counts = {int(s["count"]) for _, s in shards if isinstance(s, Mapping)}
    if len(counts) != 1:
        raise AnswerError(
            f"the reports split the fleet differently ({', '.join(map(str, sorted(counts)))} "
            "shards)",
            hint="merge the reports of one `audit --shard K/N` run",
        )
    count = counts.pop()
    indexes = [int(s["index"]) for _, s in shards if isinstance(s, Mapping)]
    twice = sorted({i for i in indexes if indexes.count(i) > 1})
    if twice:
        raise AnswerError(
            "shard " + ", ".join(f"{i}/{count}" for i in twice) + " given more than once",
            hint="pass each shard's report once",
        )
    missing = sorted(set(range(1, count + 1)) - set(indexes))
    if missing:
        raise AnswerError(
            "shard " + ", ".join(f"{i}/{count}" for i in missing) + " missing",
            hint=f"pass the reports of all {count} shards (a failed job must be rerun)",
        )


def report_from_json(entry: Mapping[str, Any], rules: Mapping[str, Rule]) -> RepoReport:
    """The report object an audit JSON entry was written from (file contents excepted).

    ``rules`` supplies each rule's rationale and fix, which the JSON does not carry; a rule
    it does not know keeps its id, title and level.
    """
    report = RepoReport(path=Path(str(entry["path"])), error=entry.get("error"))
    if "golden_path" in entry:
        report.drift = RepoDrift(
            repo=report.path,
            golden_path=entry["golden_path"],
            version=entry["version"],
            target_version=entry["target_version"],
            files=[
                FileDrift(
                    f["path"],
                    FileStatus(f["status"]),
                    None,
                    None,
                    None,
                    bool(f.get("locally_modified", False)),
                )
                for f in entry.get("files", [])
            ],
            answer_problems=[
                AnswerProblem(p["question"], p["message"], p.get("hint"))
                for p in entry.get("answer_problems", [])
            ],
            dropped_answers=list(entry.get("dropped_answers", [])),
            recorded=bool(entry.get("recorded", True)),
            version_time=int(entry.get("version_time", 0)),
            compared=bool(entry.get("compared", True)),  # False: it needs answers
        )
    if "rules" in entry:
        report.standards = StandardsReport(
            results=[_result(r, rules) for r in entry["rules"]],
            exemption_problems=[
                Violation(v["message"], v.get("path", ".")) for v in entry["exemption_problems"]
            ],
        )
    if "contract" in entry:  # audit --platform
        report.contract = contract.from_json(entry["contract"])
    return report


def _result(data: Mapping[str, Any], rules: Mapping[str, Rule]) -> RuleResult:
    from scaffolder.standards.model import _reported_rule

    rule = rules.get(data["id"]) or _reported_rule(
        data["id"], data["title"], Level.parse(data["level"]), "", "", "", ""
    )
    return RuleResult(
        rule,
        tuple(Violation(v["message"], v["path"], v.get("line")) for v in data["violations"]),
        tuple(
            (Violation(v["message"], v["path"]), v["reason"]) for v in data.get("suppressed", [])
        ),
    )


def known_rules(catalog_roots: Iterable[Path] = ()) -> dict[str, Rule]:
    """Every rule by id: the built-in packs and the catalogs' packs."""
    from scaffolder.standards.packs import load_packs
    from scaffolder.standards.runner import BUILTIN

    out = {rule.id: rule for pack in BUILTIN.values() for rule in pack}
    out.update((rule.id, rule) for rule in load_packs(list(catalog_roots)))
    return out
