"""``scaffolder validate``: prove a repo's files are real.

YAML parses; every kustomize overlay builds; every built object validates, strict, against the
pinned Kubernetes version; every custom resource validates against the pinned CRD's schema;
GitHub workflows against the workflow schema; catalog-info.yaml as a Backstage entity; plus
semantic rules a schema cannot express (:mod:`scaffolder.validate.rules`, also used by the
baseline rule pack). Entry point: :func:`scaffolder.validate.runner.validate_repo`.
"""
