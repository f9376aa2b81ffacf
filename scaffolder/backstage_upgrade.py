"""The "Upgrade <golden path>" Backstage Template: a pull request moving a repo to a version.

The form picks a catalog entity made from the golden path (an EntityPicker filtered on the
``scaffolder.dev/golden-path`` annotation every golden path's ``catalog-info.yaml`` carries)
and a version; the steps read the entity (``catalog:fetch``), fetch its repo from the
``backstage.io/source-location`` the catalog recorded (``fetch:plain``), upgrade it in the
workspace (``golden-path:upgrade``, our action: the recorded answers, a three-way merge,
conflicts kept with markers) and open a pull or merge request with the upgrade report as its
description, a draft when there are conflicts. The task's output shows the report (issue 19).
Our action also reads the request's repo (a GitLab project path with its subgroups), branch
and folder from the source location, since a Template expression cannot.
"""

from __future__ import annotations

from typing import Any

from scaffolder.catalog import GoldenPath
from scaffolder.names import escape_text

UPGRADE_ACTION_ID = "golden-path:upgrade"
ANNOTATION = "scaffolder.dev/golden-path"
# The request action of each publish action the export knows (Backstage's GitHub and GitLab
# modules); other publish actions get no Upgrade Template.
REQUEST_ACTIONS = {
    "publish:github": "publish:github:pull-request",
    "publish:gitlab": "publish:gitlab:merge-request",
}
# Forge of each request action: how our action reads the repo from the source location.
FORGES = {
    "publish:github:pull-request": "github",
    "publish:gitlab:merge-request": "gitlab",
}
# The catalog records `url:https://host/owner/repo/tree/branch/` (GitLab:
# `url:https://host/group/sub/repo/-/tree/branch/`); fetch:plain takes the URL.
SOURCE_LOCATION = (
    "steps['entity'].output.entity.metadata.annotations['backstage.io/source-location']"
)
SOURCE_URL = "${{ (" + SOURCE_LOCATION + " | replace('url:', '')) }}"
_UPGRADE = "steps['upgrade'].output"


def upgrade_template_name(gp: GoldenPath) -> str:
    return f"{gp.name}-upgrade"


def upgrade_template_entity(
    gp: GoldenPath,
    *,
    publish_action: str,
    namespace: str,
    owner: str,
    questions_page: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """The Upgrade Template of ``gp``, or None when ``publish_action`` has no request action.

    ``questions_page`` asks what the target version may need beyond the recorded answers;
    ``values`` (question name -> expression) pass its answers to the upgrade step.
    """
    request_action = REQUEST_ACTIONS.get(publish_action)
    if request_action is None:
        return None
    versions = [v.version for v in reversed(gp.versions)]  # newest first, as a picker lists
    title = escape_text(gp.title)
    branch = f"golden-path/{gp.name}-${{{{ {_UPGRADE}.toVersion }}}}"
    subject = f"Upgrade golden path {gp.name} to ${{{{ {_UPGRADE}.toVersion }}}}"
    # The upgrade step reads the request's repo, branch and folder from the source location,
    # in tested code: a GitLab project path has subgroups, which no split in a Template
    # expression can tell from the `/-/tree/<branch>/` after it.
    request_input: dict[str, Any] = {
        "repoUrl": f"${{{{ {_UPGRADE}.repoUrl }}}}",
        "targetBranchName": f"${{{{ {_UPGRADE}.targetBranch }}}}",
        "targetPath": f"${{{{ {_UPGRADE}.targetPath }}}}",
        "branchName": branch,
        "title": subject,
        "description": f"${{{{ {_UPGRADE}.report }}}}",
    }
    if request_action.startswith("publish:github"):
        request_input["draft"] = f"${{{{ {_UPGRADE}.hasConflicts }}}}"
        request_input["update"] = True  # a rerun updates the open request on the branch
        link = "${{ steps['publish'].output.remoteUrl }}"
    else:  # GitLab marks drafts by the title
        request_input["title"] = f"${{{{ 'Draft: ' if {_UPGRADE}.hasConflicts else '' }}}}{subject}"
        link = "${{ steps['publish'].output.mergeRequestUrl }}"
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {
            "name": upgrade_template_name(gp),
            "namespace": namespace,
            "title": f"Upgrade {title}",
            "description": (
                f"Upgrades a repo made from the {gp.name} golden path to a newer version "
                "and opens a pull request with the upgrade report; conflicts stay marked."
            ),
            "tags": sorted({*map(escape_text, gp.tags), "golden-path", "upgrade"}),
            "annotations": {ANNOTATION: gp.name, "scaffolder.dev/golden-path-upgrade": "true"},
        },
        "spec": {
            "owner": owner,
            "type": "golden-path-upgrade",
            "parameters": [
                {
                    "title": f"Upgrade {title}",
                    "required": ["entity", "version"],
                    "properties": {
                        "entity": {
                            "title": "Repository",
                            "description": f"A catalog entity made from {gp.name}",
                            "type": "string",
                            "ui:field": "EntityPicker",
                            "ui:options": {
                                # Components, Resources and Systems carry it; this Template
                                # does too, so Templates are left out by kind.
                                "catalogFilter": [
                                    {
                                        "kind": ["Component", "Resource", "System", "API"],
                                        f"metadata.annotations.{ANNOTATION}": gp.name,
                                    }
                                ],
                                "allowArbitraryValues": False,
                            },
                        },
                        "version": {
                            "title": "Version",
                            "description": "The golden-path version to upgrade to",
                            "type": "string",
                            "enum": versions,
                            "default": versions[0],
                        },
                    },
                },
                *([questions_page] if questions_page else []),
            ],
            "steps": [
                {
                    "id": "entity",
                    "name": "Read the entity",
                    "action": "catalog:fetch",
                    "input": {"entityRef": "${{ parameters.entity }}"},
                },
                {
                    "id": "fetch",
                    "name": "Fetch the repo",
                    "action": "fetch:plain",
                    "input": {"url": SOURCE_URL},
                },
                {
                    "id": "upgrade",
                    "name": f"Upgrade golden path {gp.name}",
                    "action": UPGRADE_ACTION_ID,
                    "input": {
                        "version": "${{ parameters.version }}",
                        "values": values or {},
                        "sourceLocation": "${{ " + SOURCE_LOCATION + " }}",
                        "forge": FORGES[request_action],
                    },
                },
                {
                    "id": "publish",
                    "name": "Open the pull request",
                    "if": f"${{{{ {_UPGRADE}.status !== 'current' }}}}",
                    "action": request_action,
                    "input": request_input,
                },
            ],
            "output": {
                "links": [{"title": "Pull request", "url": link}],
                "text": [{"title": "Upgrade report", "content": f"${{{{ {_UPGRADE}.report }}}}"}],
            },
        },
    }
