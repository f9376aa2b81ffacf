"""Exemptions: a repo's deliberate, time-boxed exceptions to rules.

``.scaffolder/exemptions.yml`` in the repo::

    exemptions:
      - rule: SVC005
        path: deploy/**          # optional glob; default: every path
        reason: batch worker, scaled by its queue
        expires: 2027-03-31
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import yaml

from scaffolder.limits import load_yaml
from scaffolder.repofiles import read_repo_text
from scaffolder.standards.model import Violation

EXEMPTIONS_FILE = ".scaffolder/exemptions.yml"


@dataclass(frozen=True)
class Exemption:
    rule: str
    path: str
    reason: str
    expires: dt.date

    def covers(self, rule_id: str, violation: Violation) -> bool:
        return rule_id == self.rule and (
            self.path in ("*", "**") or fnmatch.fnmatch(violation.path, self.path)
        )


def load_exemptions(repo: Path, today: dt.date) -> tuple[list[Exemption], list[Violation]]:
    """Valid, unexpired exemptions, and a violation for each expired or malformed one."""
    path = repo / EXEMPTIONS_FILE
    if not path.is_file():
        return [], []
    try:
        data = load_yaml(read_repo_text(repo, EXEMPTIONS_FILE) or "", str(path)) or {}
    except yaml.YAMLError as exc:
        return [], [Violation(f"exemptions file is not valid YAML: {exc}", EXEMPTIONS_FILE)]
    valid, problems = [], []
    for i, entry in enumerate(data.get("exemptions") or [], 1):
        rule, reason, expires = entry.get("rule"), entry.get("reason"), entry.get("expires")
        if not rule or not reason or not isinstance(expires, dt.date):
            problems.append(
                Violation(
                    f"exemption #{i} needs rule, reason and expires (a YYYY-MM-DD date)",
                    EXEMPTIONS_FILE,
                )
            )
            continue
        if expires < today:
            problems.append(
                Violation(
                    f"exemption of {rule} expired on {expires} "
                    f"({reason}); fix the rule or renew it",
                    EXEMPTIONS_FILE,
                )
            )
            continue
        valid.append(Exemption(str(rule), str(entry.get("path", "*")), str(reason), expires))
    return valid, problems
