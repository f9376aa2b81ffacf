"""``scaffolder upgrade``: move a repo to a newer golden-path version, keeping every local edit.

base = the recorded version rendered with the recorded answers, ours = the repo, theirs = the
target version rendered with the carried-over answers. Migrations run first, then each file is
merged three ways (structure-aware for Kubernetes YAML), and the result is applied as one
transaction that ``--abort`` can roll back exactly.
"""
