"""ValidatingAdmissionPolicies evaluated offline: would the cluster's admission refuse a repo?

Given a platform's ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects (and
the parameter objects they reference), :func:`check_admission` evaluates them against a repo's
objects the way the API server admits a create (k8s.io/apiserver/pkg/admission/plugin/policy/
validating: matching.go, dispatcher.go, validator.go):

- a binding applies its policy (``spec.policyName``); both ``matchConstraints`` and the
  binding's ``matchResources`` must match: resourceRules (apiGroups, apiVersions, resources,
  operations, resourceNames), excludeResourceRules, namespaceSelector (labels of the
  repo's Namespace object, none when the repo does not define it) and objectSelector;
- ``paramKind`` + the binding's ``paramRef`` (name, namespace or selector,
  parameterNotFoundAction) pick ``params``, one evaluation per parameter object;
- ``matchConditions`` must all be true; ``variables`` are evaluated in order;
- a failed ``validations`` expression gives its ``message`` (or ``messageExpression``);
  an expression that errors is a failure unless ``failurePolicy: Ignore``;
- ``validationActions``: Deny is an error, Warn a warning, Audit an info finding.

Offline there is no authorizer, no oldObject (every object is a create) and no user: the
``request`` carries kind, resource, name, namespace and operation only; an expression that
needs ``authorizer`` is reported as not evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scaffolder.validate.builtin.names import selector_matches
from scaffolder.validate.cel import ADMISSION_VARIABLES, CelError, Outcome, compile_expression
from scaffolder.validate.findings import Finding
from scaffolder.validate.rules import Obj

POLICY_KIND = "ValidatingAdmissionPolicy"
BINDING_KIND = "ValidatingAdmissionPolicyBinding"
ACTION_SEVERITY = {"Deny": "error", "Warn": "warning", "Audit": "info"}
CHECK = "admission"

# Kinds whose plural is not kind.lower() + "s" (resource names in resourceRules).
_PLURALS = {
    "Endpoints": "endpoints",
    "Ingress": "ingresses",
    "NetworkPolicy": "networkpolicies",
    "PriorityClass": "priorityclasses",
    "StorageClass": "storageclasses",
    "IngressClass": "ingressclasses",
    "RuntimeClass": "runtimeclasses",
    "GatewayClass": "gatewayclasses",
    "ResourceFlavor": "resourceflavors",
    "PodSecurityPolicy": "podsecuritypolicies",
    "ValidatingAdmissionPolicy": "validatingadmissionpolicies",
}
# Cluster-scoped built-in kinds (no namespace, namespaceSelector does not apply).
_CLUSTER_SCOPED = {
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "StorageClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "GatewayClass",
    "ClusterQueue",
    "ResourceFlavor",
    "ClusterSecretStore",
    "ClusterPolicy",
}


def resource_of(kind: str) -> str:
    """The plural resource name of a kind (``Deployment`` -> ``deployments``)."""
    if kind in _PLURALS:
        return _PLURALS[kind]
    lower = kind.lower()
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + "s"


def _split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(frozen=True)
class _Request:
    obj: Obj
    group: str
    version: str
    resource: str
    namespace: str
    namespace_labels: Mapping[str, Any]

    def as_cel(self) -> dict[str, Any]:
        meta = self.obj.meta
        return {
            "kind": {"group": self.group, "version": self.version, "kind": self.obj.kind},
            "resource": {"group": self.group, "version": self.version, "resource": self.resource},
            "name": str(meta.get("name", "")),
            "namespace": self.namespace,
            "operation": "CREATE",
            "userInfo": {},
            "dryRun": False,
        }


def check_admission(
    policy_objects: Iterable[Mapping[str, Any]], objects: Sequence[Obj]
) -> list[Finding]:
    """Findings for every object of ``objects`` that a bound policy would refuse or warn on.

    ``policy_objects`` holds the policies, their bindings and their parameter objects (any
    other object is ignored unless a binding's paramRef names it).
    """
    docs = [d for d in policy_objects if isinstance(d, Mapping)]
    policies = {
        str((d.get("metadata") or {}).get("name")): d for d in docs if d.get("kind") == POLICY_KIND
    }
    namespaces = {o.name: (o.meta.get("labels") or {}) for o in objects if o.kind == "Namespace"}
    findings: list[Finding] = []
    for binding in (d for d in docs if d.get("kind") == BINDING_KIND):
        spec = binding.get("spec") or {}
        policy = policies.get(str(spec.get("policyName")))
        if policy is None:
            continue  # the API server ignores a binding to a policy that does not exist
        for obj in objects:
            request = _request(obj, namespaces)
            if request is None:
                continue
            policy_spec = policy.get("spec") or {}
            if not _matches(policy_spec.get("matchConstraints"), request, required=True):
                continue
            if not _matches(spec.get("matchResources"), request, required=False):
                continue
            findings.extend(_evaluate(policy, binding, request, docs))
    return findings


def _request(obj: Obj, namespaces: Mapping[str, Mapping[str, Any]]) -> _Request | None:
    api_version = str(obj.doc.get("apiVersion", ""))
    if not api_version or obj.kind in (POLICY_KIND, BINDING_KIND):
        return None
    group, version = _split_api_version(api_version)
    namespace = "" if obj.kind in _CLUSTER_SCOPED else str(obj.meta.get("namespace", ""))
    labels = obj.meta.get("labels") if obj.kind == "Namespace" else namespaces.get(namespace)
    if namespace:  # the label the API server puts on every namespace
        labels = {**(labels or {}), "kubernetes.io/metadata.name": namespace}
    return _Request(obj, group, version, resource_of(obj.kind), namespace, labels or {})


def _matches(match: Any, request: _Request, required: bool) -> bool:
    """MatchResources: rules (all if unset, unless required), exclusions and selectors."""
    if not isinstance(match, Mapping):
        return not required
    rules = match.get("resourceRules")
    if rules is not None and not any(_rule_matches(r, request) for r in rules):
        return False
    if rules is None and required:
        return False
    if any(_rule_matches(r, request) for r in match.get("excludeResourceRules") or []):
        return False
    ns_selector = match.get("namespaceSelector")
    if (
        ns_selector
        and request.obj.kind not in _CLUSTER_SCOPED
        and not selector_matches(ns_selector, request.namespace_labels)
    ):
        return False
    obj_selector = match.get("objectSelector")
    return not (obj_selector and not selector_matches(obj_selector, request.obj.meta.get("labels")))


def _rule_matches(rule: Mapping[str, Any], request: _Request) -> bool:
    def has(values: Any, value: str) -> bool:
        return isinstance(values, list) and ("*" in values or value in values)

    resources = rule.get("resources") or []
    # "*" and "*/*" match every resource, "deployments/*" only subresources (never a create
    # of the object itself).
    resource_ok = any(r in ("*", "*/*", request.resource) for r in resources)
    names = rule.get("resourceNames")
    return (
        has(rule.get("apiGroups"), request.group)
        and has(rule.get("apiVersions"), request.version)
        and resource_ok
        and has(rule.get("operations") or ["*"], "CREATE")
        and (not names or request.obj.name in names)
    )


def _params(
    policy: Mapping[str, Any],
    binding: Mapping[str, Any],
    docs: Sequence[Mapping[str, Any]],
    namespace: str,
) -> tuple[list[Any], str | None]:
    """The parameter objects of a binding ([None] without paramKind), or a problem."""
    kind = (policy.get("spec") or {}).get("paramKind")
    if not kind:
        return [None], None
    ref = (binding.get("spec") or {}).get("paramRef") or {}
    candidates = [
        d
        for d in docs
        if d.get("kind") == kind.get("kind") and d.get("apiVersion") == kind.get("apiVersion")
    ]
    want_ns = ref.get("namespace", namespace)
    if "name" in ref:
        found = [d for d in candidates if (d.get("metadata") or {}).get("name") == ref["name"]]
    else:
        found = [
            d
            for d in candidates
            if selector_matches(ref.get("selector") or {}, (d.get("metadata") or {}).get("labels"))
        ]
    found = [d for d in found if (d.get("metadata") or {}).get("namespace", want_ns) == want_ns]
    if found:
        return found, None
    if ref.get("parameterNotFoundAction") == "Allow":
        return [], None
    return [], "no params found for policy binding with Deny parameterNotFoundAction"


def _evaluate(
    policy: Mapping[str, Any],
    binding: Mapping[str, Any],
    request: _Request,
    docs: Sequence[Mapping[str, Any]],
) -> Iterator[Finding]:
    spec = policy.get("spec") or {}
    name = str((policy.get("metadata") or {}).get("name"))
    actions = (binding.get("spec") or {}).get("validationActions") or ["Deny"]
    severity = next(
        (ACTION_SEVERITY[a] for a in ("Deny", "Warn", "Audit") if a in actions), "error"
    )
    ignore_errors = spec.get("failurePolicy") == "Ignore"
    params_list, missing = _params(policy, binding, docs, request.namespace)
    if missing:
        yield _finding(request, name, missing, severity)
        return
    for params in params_list:
        data: dict[str, Any] = {
            "object": request.obj.doc,
            "oldObject": None,
            "request": request.as_cel(),
            "params": params,
            "namespaceObject": {
                "metadata": {"name": request.namespace, "labels": dict(request.namespace_labels)}
            }
            if request.namespace
            else None,
            "variables": {},
        }
        problem = _variables(spec.get("variables") or [], data)
        conditions = _conditions(spec.get("matchConditions") or [], data)
        if conditions is False:
            continue
        if isinstance(conditions, str) or problem:
            if not ignore_errors:
                yield _finding(
                    request,
                    name,
                    str(conditions if isinstance(conditions, str) else problem),
                    severity,
                )
            continue
        for validation in spec.get("validations") or []:
            message = _validate(validation, data, ignore_errors)
            if message:
                yield _finding(request, name, message, severity)


def _run(expression: str, data: Mapping[str, Any]) -> Outcome:
    try:
        program = compile_expression(expression, ADMISSION_VARIABLES)
    except CelError as exc:
        return Outcome(error=f"not evaluated ({exc})")
    return program.evaluate(data)


def _variables(variables: list[Any], data: dict[str, Any]) -> str | None:
    for variable in variables:
        outcome = _run(str(variable.get("expression", "")), data)
        if outcome.error is not None:
            return f"variable {variable.get('name')!r}: {outcome.error}"
        data["variables"] = {**data["variables"], str(variable.get("name")): outcome.value}
    return None


def _conditions(conditions: list[Any], data: Mapping[str, Any]) -> bool | str:
    """True when every matchCondition holds, False when one does not, or an error."""
    for condition in conditions:
        outcome = _run(str(condition.get("expression", "")), data)
        if outcome.error is not None:
            return f"matchCondition {condition.get('name')!r}: {outcome.error}"
        if outcome.value is not True:
            return False
    return True


def _validate(
    validation: Mapping[str, Any], data: Mapping[str, Any], ignore_errors: bool
) -> str | None:
    expression = str(validation.get("expression", ""))
    outcome = _run(expression, data)
    if outcome.error is not None:
        return None if ignore_errors else f"expression {expression!r}: {outcome.error}"
    if outcome.value is True:
        return None
    text = None
    if validation.get("messageExpression"):
        custom = _run(str(validation["messageExpression"]), data)
        if isinstance(custom.value, str) and custom.value.strip() and "\n" not in custom.value:
            text = custom.value
    text = text or validation.get("message") or f"failed expression: {expression}"
    reason = validation.get("reason")
    return f"{reason}: {text}" if reason and reason != "Invalid" else str(text)


def _finding(request: _Request, policy: str, message: str, severity: str) -> Finding:
    return Finding(
        CHECK,
        request.obj.file,
        f"ValidatingAdmissionPolicy '{policy}' denied request: {message}"
        if severity == "error"
        else f"ValidatingAdmissionPolicy '{policy}': {message}",
        request.obj.label,
        None,
        severity,
    )
