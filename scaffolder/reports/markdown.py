"""Markdown for a pull-request comment: level, drift summary, failed rules, details folded."""

from __future__ import annotations

from collections.abc import Sequence

from scaffolder.drift import FileStatus
from scaffolder.reports import contract
from scaffolder.reports.model import RepoReport

BADGE = {"gold": "🥇 gold", "silver": "🥈 silver", "bronze": "🥉 bronze", "none": "⚠️ none"}


def render(reports: Sequence[RepoReport]) -> str:
    lines: list[str] = []
    for report in reports:
        lines.append(f"### Golden path check: `{report.path.name}`")
        if report.error:
            lines += ["", f"**Error:** {report.error}", ""]
            continue
        drift = report.drift
        if drift:
            lines += [
                "",
                f"**{drift.golden_path}** {drift.version} "
                + ("compared with " if drift.compared else "not compared (needs answers) with ")
                + f"{drift.target_version} · standards level **{BADGE[report.level]}**",
                "",
            ]
            summary = {k: v for k, v in drift.summary().items() if v}
            lines += [
                "| " + " | ".join(summary) + " |",
                "|" + "---|" * len(summary),
                "| " + " | ".join(str(v) for v in summary.values()) + " |",
                "",
            ]
            for problem in drift.answer_problems:
                lines.append(f"- ⚠️ answer `{problem.question}`: {problem}")
            drifted = [f for f in drift.files if f.status != FileStatus.UNCHANGED]
            if drifted:
                lines += [
                    "<details><summary>Files that differ from the golden path</summary>",
                    "",
                    "| file | status |",
                    "|---|---|",
                ]
                lines += [f"| `{f.path}` | {f.status.value} |" for f in drifted]
                lines += ["", "</details>", ""]
            if drift.not_compared:
                lines += [
                    "_Not drift: `incomplete` files are named by hooks of an untrusted"
                    " template, which did not run (trust it to compare them); `generated`"
                    " files are made per repo._",
                    "",
                ]
        if report.standards:
            failed = [r for r in report.standards.results if not r.passed]
            if failed:
                lines += [
                    "**Failed rules**",
                    "",
                    "| rule | level | where | fix |",
                    "|---|---|---|---|",
                ]
                for r in failed:
                    where = "<br>".join(f"`{v.path}` {v.message}" for v in r.violations[:5])
                    lines.append(
                        f"| {r.rule.id} {r.rule.title} | {r.rule.level} | {where} | {r.rule.fix} |"
                    )
                lines.append("")
            else:
                lines += ["All rules pass. ✅", ""]
        lines += _contract(report)
    return "\n".join(lines).rstrip() + "\n"


def _contract(report: RepoReport) -> list[str]:
    """The platform contract's section (audit --platform)."""
    if report.contract is None:
        return []
    unmet = contract.unmet(report)
    if not unmet:
        return ["The platform provides everything this repo needs. ✅", ""]
    lines = ["**Platform contract: unmet needs**", "", "| check | where | what | platform |"]
    lines.append("|---|---|---|---|")
    for f in unmet:
        cells = (f.check, f"`{f.location()}`", f.message, f"`{f.peer}`" if f.peer else "")
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return [*lines, ""]
