"""CEL as the Kubernetes API server evaluates it: one environment with the Kubernetes libraries.

The engine is cel-expr-python, the Python binding of Google's cel-cpp (the comparison with
cel-python and common-expression-language is in docs/guides/validate.md). cel-cpp brings the
standard macros (has, all, exists, exists_one, map, filter), RE2 regular expressions,
durations and timestamps, and the strings extension Kubernetes enables (split, substring,
upperAscii, ...). The Kubernetes-only functions are declared here and implemented in
:mod:`scaffolder.validate.cel_k8s_lib`; an expression that calls anything else does not
compile, and callers report it as unsupported instead of guessing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_strings

from scaffolder.validate import cel_k8s_lib

# Variables of the two places Kubernetes evaluates CEL: CRD validation rules (self, oldSelf)
# and ValidatingAdmissionPolicies (object, oldObject, request, params, namespaceObject,
# variables, authorizer is not offered offline).
CRD_VARIABLES = ("self", "oldSelf")
ADMISSION_VARIABLES = ("object", "oldObject", "request", "params", "namespaceObject", "variables")


class CelError(Exception):
    """An expression that does not compile (syntax, or a function we do not offer)."""


@dataclass(frozen=True)
class Outcome:
    """The result of one evaluation: a value, or the evaluation error Kubernetes would report."""

    value: Any = None
    error: str | None = None


class Program:
    """One compiled expression, reusable for every object."""

    def __init__(self, expression: str, compiled: Any) -> None:
        self.expression = expression
        self._compiled = compiled

    def evaluate(self, data: Mapping[str, Any]) -> Outcome:
        result = self._compiled.eval(data=dict(data))
        value = result.value()
        if result.type() == cel.Type.ERROR:
            return Outcome(error=str(value))
        return Outcome(value=_plain(result))


def _plain(result: Any) -> Any:
    try:
        return result.plain_value()
    except (TypeError, ValueError):  # a type value or an opaque: its text is enough for messages
        return str(result.value())


def _declarations() -> Any:
    def overload(name: str, spec: cel_k8s_lib.Spec) -> Any:
        params = [_TYPES[p] for p in spec.params]
        return cel.Overload(
            f"k8s_{name}_{'_'.join(spec.params)}",
            _TYPES[spec.returns],
            params,
            is_member=spec.member,
            impl=spec.impl,
        )

    functions = [
        cel.FunctionDecl(name, [overload(name, s) for s in specs])
        for name, specs in cel_k8s_lib.FUNCTIONS.items()
    ]
    return cel.CelExtension("kubernetes", functions)


_TYPES = {
    "bool": cel.Type.BOOL,
    "int": cel.Type.INT,
    "double": cel.Type.DOUBLE,
    "string": cel.Type.STRING,
    "dyn": cel.Type.DYN,
    "list": cel.Type.List(cel.Type.DYN),
    "list_string": cel.Type.List(cel.Type.STRING),
}


@functools.cache
def _environment(variables: tuple[str, ...]) -> Any:
    return cel.NewEnv(
        variables=dict.fromkeys(variables, cel.Type.DYN),
        extensions=[ext_strings.ExtStrings(), _declarations()],
    )


# Calls cel-cpp answers differently from the API server's cel-go: `getMilliseconds()` of a
# duration is the total in cel-go (duration('1s').getMilliseconds() == 1000) but the
# sub-second component in cel-cpp (0). Rules that call them are not evaluated (MetalLB's
# BGPPeer and BFDProfile rules use it) rather than judged wrongly.
DIVERGENT_CALLS = (".getMilliseconds(",)


@functools.cache
def compile_expression(expression: str, variables: tuple[str, ...] = CRD_VARIABLES) -> Program:
    """Compile once per (expression, variables); raises :class:`CelError`."""
    divergent = [call for call in DIVERGENT_CALLS if call in expression]
    if divergent:
        raise CelError(
            f"{divergent[0].strip('.(')}() on a duration differs between cel-go (the API"
            " server) and the engine here"
        )
    try:
        return Program(expression, _environment(variables).compile(expression))
    except RuntimeError as exc:
        raise CelError(_first_line(str(exc))) from None


def _first_line(message: str) -> str:
    text = message.removeprefix("INVALID_ARGUMENT: ").removeprefix("ERROR: ")
    return text.splitlines()[0] if text else message
