"""Standards: rules as code with an id, a level, a rationale and a fix, run on a repo's files.

Built-in packs cover services and cluster baselines; organisations add declarative packs in
their catalog's ``rules/`` folder. Exemptions live in the repo. See docs/reference/rules.md.
"""

from scaffolder.standards.model import Level, RuleResult, StandardsReport
from scaffolder.standards.runner import run_standards

__all__ = ["Level", "RuleResult", "StandardsReport", "run_standards"]
