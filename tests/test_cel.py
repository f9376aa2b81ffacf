"""CEL as the API server evaluates it: the Kubernetes library, and CRD x-kubernetes-validations
rules attached to schema nodes (self, defaults, transition rules, messages, field paths)."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import pytest

from scaffolder.validate import cel, crd_bundle
from scaffolder.validate.crd_cel import violations


def evaluate(expression: str, value: Any = None) -> Any:
    outcome = cel.compile_expression(expression).evaluate({"self": value})
    assert outcome.error is None, outcome.error
    return outcome.value


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("isIP('10.0.0.1') && isIP('fd00::1')", True),
        ("isIP('10.0.0.01') || isIP('fe80::1%eth0') || isIP('example.com')", False),
        ("isCIDR('10.0.0.0/8') && isCIDR('fd00::/64')", True),
        ("isCIDR('10.0.0.0/33') || isCIDR('10.0.0.0') || isCIDR('10.0.0.0/08')", False),
        ("isURL('https://example.com/x?y=1') && isURL('/relative/path')", True),
        ("isURL('example.com') || isURL('')", False),
        ("isQuantity('100m') && isQuantity('1.5Gi') && isQuantity('1e3')", True),
        ("isQuantity('1.5GB') || isQuantity('abc')", False),
        ("[1, 2, 2].isSorted() && !['b', 'a'].isSorted()", True),
        ("[1, 2, 3].sum() == 6 && [3, 1].min() == 1 && [3, 1].max() == 3", True),
        ("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2", True),
        ("'abc 123 45'.find('[0-9]+') == '123'", True),
        ("'abc 123 45'.findAll('[0-9]+') == ['123', '45']", True),
        ("'abc 123 45'.findAll('[0-9]+', 1) == ['123']", True),
        # cel-cpp's standard library and the strings extension Kubernetes enables.
        ("'GET'.lowerAscii() == 'get' && 'a/b'.split('/').size() == 2", True),
        ("'abc'.substring(1, 2) == 'b' && 'abc'.indexOf('c') == 2", True),
        ("duration('1500ms') > duration('1s') && '/v1'.matches('^/[a-z0-9]+$')", True),
        ("[{'n': 'a'}, {'n': 'b'}].exists_one(x, x.n == 'a')", True),
    ],
)
def test_kubernetes_library(expression: str, expected: bool) -> None:
    assert evaluate(expression) is expected


@pytest.mark.parametrize(
    "expression",
    [
        "ip('10.0.0.1').family() == 4",
        "cidr('10.0.0.0/8').prefixLength() == 8",
        "url('https://x').getHost() == 'x'",
        "quantity('1Gi').isGreaterThan(quantity('1Mi'))",
        "format.dns1123Label().validate('x').hasValue()",
        "authorizer.group('').resource('pods').check('get').allowed()",
    ],
)
def test_opaque_type_functions_are_reported_unsupported(expression: str) -> None:
    with pytest.raises(cel.CelError, match="undeclared reference"):
        cel.compile_expression(expression)


def test_evaluation_errors_are_outcomes_not_exceptions() -> None:
    outcome = cel.compile_expression("self.missing == 1").evaluate({"self": {}})
    assert outcome.value is None and outcome.error and "missing" in outcome.error
    assert "empty list" in str(cel.compile_expression("[].min()").evaluate({}).error)


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "x-kubernetes-validations": [
                {"rule": "self.mode == 'Fast' || !has(self.burst)", "message": "burst needs Fast"},
                {"rule": "self.replicas == oldSelf.replicas", "message": "immutable"},
                {
                    "rule": "self.weight <= 1.0",
                    "messageExpression": "'weight ' + string(self.weight) + ' is above 1'",
                    "fieldPath": ".weight",
                },
            ],
            "properties": {
                "mode": {"type": "string", "default": "Fast"},
                "burst": {"type": "integer"},
                "replicas": {"type": "integer"},
                "weight": {"type": "number"},
                "paths": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "x-kubernetes-validations": [
                            {"rule": "self.startsWith('/')", "reason": "FieldValueForbidden"}
                        ],
                    },
                },
                "labels": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "string",
                        "x-kubernetes-validations": [{"rule": "size(self) <= 3"}],
                    },
                },
            },
        },
    },
    "x-kubernetes-validations": [
        {"rule": "!has(self.metadata.labels)", "message": "root sees only name"},
        {"rule": "self.metadata.name.size() < 10", "message": "name too long"},
    ],
}


def found(spec: dict[str, Any], name: str = "demo") -> list[tuple[str, str]]:
    obj = {"metadata": {"name": name, "labels": {"a": "b"}}, "spec": spec}
    return [(v.path, v.message) for v in violations(SCHEMA, obj)]


def test_valid_object_with_default_and_absent_fields() -> None:
    # mode defaults to Fast before the rule runs; absent paths/labels are not visited;
    # the transition rule (oldSelf) is skipped on create; labels are hidden from the root.
    assert found({"burst": 3, "weight": 1}) == []


def test_each_rule_names_its_node_and_message() -> None:
    spec = {
        "mode": "Slow",
        "burst": 3,
        "weight": 2,
        "paths": ["/ok", "bad"],
        "labels": {"k": "long"},
    }
    assert found(spec, name="much-too-long") == [
        ("(root)", "name too long"),
        ("spec", "burst needs Fast"),
        ("spec.weight", "weight 2 is above 1"),
        ("spec.paths.1", "Forbidden: failed rule: self.startsWith('/')"),
        ("spec.labels.k", "failed rule: size(self) <= 3"),
    ]


def test_a_rule_that_cannot_be_evaluated_is_an_error() -> None:
    schema = {"type": "object", "x-kubernetes-validations": [{"rule": "self.spec.x == 1"}]}
    (v,) = violations(schema, {"spec": {}})
    assert not v.unsupported and "failed to evaluate" in v.message


def test_a_rule_we_cannot_compile_is_reported_as_unsupported() -> None:
    schema = {"type": "object", "x-kubernetes-validations": [{"rule": "ip(self.a).family() == 4"}]}
    (v,) = violations(schema, {"a": "10.0.0.1"})
    assert v.unsupported and "undeclared reference to 'ip'" in v.message


def pinned_rules() -> list[str]:
    rules: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            rules.update(r["rule"] for r in node.get("x-kubernetes-validations") or [])
            rules.update(
                r["messageExpression"]
                for r in node.get("x-kubernetes-validations") or []
                if "messageExpression" in r
            )
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    # Every CRD version the built-in golden paths pin, as the package ships them.
    for data in sorted(crd_bundle.BUNDLE_DIR.glob("*.json.gz")):
        for record in json.loads(gzip.decompress(data.read_bytes())):
            walk(record["versions"])
    return sorted(rules)


def test_every_rule_of_the_pinned_crds_compiles() -> None:
    rules = pinned_rules()
    assert len(rules) > 150
    failures = {}
    for rule in rules:
        try:
            cel.compile_expression(rule)
        except cel.CelError as exc:
            failures[rule] = str(exc)
    # Only the calls whose result differs from the API server's are refused (reported as
    # unsupported, not evaluated): MetalLB's duration(...).getMilliseconds().
    assert failures and all(".getMilliseconds(" in rule for rule in failures), failures
    # The functions those rules call, so a new pin that needs more shows up here.
    called = {m for r in rules for m in re.findall(r"([A-Za-z_]\w*)\(", r)}
    assert called <= {
        "has",
        "size",
        "all",
        "exists",
        "exists_one",
        "filter",
        "map",
        "duration",
        "matches",
        "contains",
        "startsWith",
        "endsWith",
        "upperAscii",
        "lowerAscii",
        "split",
        "substring",
        "isIP",
        "find",  # Kubernetes' regex library (Karpenter's NodePool rules)
        "getSeconds",  # total seconds of a duration, in cel-go and cel-cpp alike (MetalLB)
        "getMilliseconds",  # refused at compile time, above (MetalLB)
        "string",
        "int",
    }, called


def test_duration_calls_that_differ_from_the_api_server_are_not_evaluated() -> None:
    # getSeconds is the total in both engines; getMilliseconds is not (cel-go: 1000 here).
    seconds = cel.compile_expression("duration(self).getSeconds() == 90")
    assert seconds.evaluate({"self": "1m30s"}).value is True
    with pytest.raises(cel.CelError, match="getMilliseconds"):
        cel.compile_expression("duration(self).getMilliseconds() >= 300")
