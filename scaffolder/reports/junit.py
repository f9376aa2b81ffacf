"""JUnit XML: a test suite per repo, a test case per rule and one for the template drift."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from scaffolder.reports import contract
from scaffolder.reports.model import RepoReport


def render(reports: Sequence[RepoReport]) -> str:
    root = ET.Element("testsuites", name="scaffolder")
    total = failures = 0
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=str(report.path))
        cases = failed = 0
        if report.error:
            case = ET.SubElement(suite, "testcase", classname="scaffolder", name="check repo")
            ET.SubElement(case, "error", message=report.error)
            cases, failed = 1, 1
        if report.drift:
            cases += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname="drift",
                name=f"matches {report.drift.golden_path} {report.drift.target_version}",
            )
            problems = [f"{f.status.value}: {f.path}" for f in report.drift.drifted]
            problems += [str(p) for p in report.drift.answer_problems]
            if problems:
                failed += 1
                ET.SubElement(
                    case, "failure", message=f"{len(problems)} differences", type="drift"
                ).text = "\n".join(problems)
            skipped = [f"{f.status.value}: {f.path}" for f in report.drift.not_compared]
            if skipped:  # not failures: hooks not run, or generated per repo
                cases += 1
                case = ET.SubElement(
                    suite, "testcase", classname="drift", name="files not compared"
                )
                ET.SubElement(
                    case, "skipped", message=f"{len(skipped)} files not compared"
                ).text = "\n".join(skipped)
        if report.standards:
            for r in report.standards.results:
                cases += 1
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"rules.{r.rule.level}",
                    name=f"{r.rule.id} {r.rule.title}",
                )
                if r.violations:
                    failed += 1
                    ET.SubElement(
                        case, "failure", message=r.violations[0].message, type=str(r.rule.level)
                    ).text = (
                        "\n".join(
                            f"{v.path}{':' + str(v.line) if v.line else ''}: {v.message}"
                            for v in r.violations
                        )
                        + f"\nFix: {r.rule.fix}"
                    )
                elif r.suppressed:
                    ET.SubElement(case, "system-out").text = "exempted: " + "; ".join(
                        reason for _, reason in r.suppressed
                    )
        if report.contract is not None:  # audit --platform
            cases += 1
            case = ET.SubElement(
                suite, "testcase", classname="contract", name="platform provides what it needs"
            )
            unmet = contract.unmet(report)
            if unmet:
                failed += 1
                ET.SubElement(
                    case, "failure", message=f"{len(unmet)} unmet needs", type="contract"
                ).text = "\n".join(contract.text(f) for f in unmet)
        suite.set("tests", str(cases))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        suite.set("skipped", str(len(suite.findall("testcase/skipped"))))
        total, failures = total + cases, failures + failed
    root.set("tests", str(total))
    root.set("failures", str(failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
