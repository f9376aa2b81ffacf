"""``scaffolder validate``: prove a repo's files are real.

YAML parses; every kustomize overlay builds; every built object validates, strict, against the
pinned Kubernetes version; every custom resource validates against the pinned CRD's schema;
GitHub workflows against the workflow schema; catalog-info.yaml as a Backstage entity; plus
semantic rules a schema cannot express. Each check appends :class:`Finding` values to one
:class:`Report`.
"""

from scaffolder.validate.findings import Finding, Report
from scaffolder.validate.runner import ValidateOptions, validate_repo

__all__ = ["Finding", "Report", "ValidateOptions", "validate_repo"]
