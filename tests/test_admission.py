"""ValidatingAdmissionPolicies evaluated offline against a repo's objects."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from scaffolder.validate.admission import check_admission, resource_of
from scaffolder.validate.rules import Obj

POLICY = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replica-limit}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
      - apiGroups: [apps]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [deployments]
  matchConditions:
    - name: not-exempt
      expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)"
  variables:
    - name: replicas
      expression: "has(object.spec.replicas) ? object.spec.replicas : 1"
  validations:
    - expression: "variables.replicas <= int(params.data.maxReplicas)"
      messageExpression: >-
        'replicas ' + string(variables.replicas) + ' above ' + params.data.maxReplicas
      reason: Forbidden
    - expression: "object.metadata.name.startsWith(request.namespace)"
      message: name must start with the namespace
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: policy}
data: {maxReplicas: "5"}
"""
BINDING = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replica-limit-tenants}
spec:
  policyName: replica-limit
  validationActions: [Deny]
  paramRef: {name: limits, namespace: policy, parameterNotFoundAction: Deny}
  matchResources:
    namespaceSelector:
      matchLabels: {scaffolder.dev/tenant: "true"}
"""


def deployment(name: str = "shop-web", replicas: int = 3, **labels: str) -> Obj:
    doc: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop", "labels": labels},
        "spec": {"replicas": replicas},
    }
    return Obj("deploy/deployment.yaml", doc)


TENANT = Obj(
    "ns.yaml",
    {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "shop", "labels": {"scaffolder.dev/tenant": "true"}},
    },
)


def policies(binding: str = BINDING, policy: str = POLICY) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(policy + "\n---\n" + binding) if d]


def messages(found: list[Any]) -> list[tuple[str, str]]:
    return [(f.severity, f.message) for f in found]


def test_allowed_object_has_no_findings() -> None:
    assert check_admission(policies(), [TENANT, deployment()]) == []


def test_denied_object_names_file_object_policy_and_message() -> None:
    (finding,) = check_admission(policies(), [TENANT, deployment(replicas=9)])
    assert finding.check == "admission" and finding.severity == "error"
    assert finding.file == "deploy/deployment.yaml" and finding.object == "Deployment/shop-web"
    assert finding.message == (
        "ValidatingAdmissionPolicy 'replica-limit' denied request: Forbidden: replicas 9 above 5"
    )


def test_message_and_request_variables() -> None:
    found = check_admission(policies(), [TENANT, deployment(name="web")])
    assert messages(found) == [
        (
            "error",
            "ValidatingAdmissionPolicy 'replica-limit' denied request:"
            " name must start with the namespace",
        )
    ]


@pytest.mark.parametrize(("action", "severity"), [("Warn", "warning"), ("Audit", "info")])
def test_validation_actions(action: str, severity: str) -> None:
    binding = BINDING.replace("[Deny]", f"[{action}]")
    found = check_admission(policies(binding), [TENANT, deployment(replicas=9)])
    assert [f.severity for f in found] == [severity]


def test_match_constraints_namespace_selector_and_match_conditions() -> None:
    service = Obj("s.yaml", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}})
    other_ns = Obj(
        "ns.yaml", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    )
    assert check_admission(policies(), [TENANT, service]) == []  # not a deployment
    assert check_admission(policies(), [other_ns, deployment(replicas=9)]) == []  # not a tenant
    assert check_admission(policies(), [deployment(replicas=9)]) == []  # namespace unknown
    exempt = deployment(replicas=9, exempt="yes")
    assert check_admission(policies(), [TENANT, exempt]) == []  # matchCondition false


def test_binding_without_namespace_selector_uses_the_namespace_name_label() -> None:
    binding = BINDING.replace(
        '{scaffolder.dev/tenant: "true"}', "{kubernetes.io/metadata.name: shop}"
    )
    assert len(check_admission(policies(binding), [deployment(replicas=9)])) == 1


def test_missing_params() -> None:
    binding = BINDING.replace("name: limits", "name: nope")
    (finding,) = check_admission(policies(binding), [TENANT, deployment()])
    assert "no params found" in finding.message
    allow = binding.replace("parameterNotFoundAction: Deny", "parameterNotFoundAction: Allow")
    assert check_admission(policies(allow), [TENANT, deployment()]) == []


def test_expression_errors_follow_the_failure_policy() -> None:
    broken = POLICY.replace(
        "variables.replicas <= int(params.data.maxReplicas)", "object.spec.nope > 1"
    )
    (finding,) = check_admission(policies(policy=broken), [TENANT, deployment()])
    assert "object.spec.nope > 1" in finding.message and "nope" in finding.message
    ignored = broken.replace("failurePolicy: Fail", "failurePolicy: Ignore")
    assert check_admission(policies(policy=ignored), [TENANT, deployment()]) == []


def test_authorizer_is_not_available_offline() -> None:
    policy = POLICY.replace(
        "object.metadata.name.startsWith(request.namespace)",
        "authorizer.group('apps').resource('deployments').check('create').allowed()",
    )
    (finding,) = check_admission(policies(policy=policy), [TENANT, deployment()])
    assert "not evaluated" in finding.message and "authorizer" in finding.message


def test_binding_to_an_unknown_policy_does_nothing() -> None:
    binding = BINDING.replace("policyName: replica-limit", "policyName: other")
    assert check_admission(policies(binding), [TENANT, deployment(replicas=9)]) == []


def test_resource_names() -> None:
    assert [resource_of(k) for k in ("Deployment", "NetworkPolicy", "Ingress", "Gateway")] == [
        "deployments",
        "networkpolicies",
        "ingresses",
        "gateways",
    ]
