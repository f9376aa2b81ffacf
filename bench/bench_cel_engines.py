"""The CEL engines on PyPI, side by side on the rules of the pinned CRDs (the comparison in
docs/guides/validate.md): how many rules each compiles (cel-expr-python also type-checks, so
an unknown function fails here and not at evaluation), how many of a set of Kubernetes-style
expressions each evaluates right, and the time of one evaluation of a typical rule.

Only cel-expr-python is a dependency; install the others in a scratch venv to compare:
`pip install cel-python common-expression-language cel-expr-python pyyaml`, then
`SCAFFOLDER_CRD_DIR=... python bench/bench_cel_engines.py`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

# (expression, self, expected): the kinds of expressions the pinned CRDs and Kubernetes'
# CEL libraries use.
CASES: list[tuple[str, Any, Any]] = [
    ("self.startsWith('/')", "/v1", True),
    ("self.matches('^/[a-z]+$')", "/abc", True),
    ("has(self.value) ? self.value.startsWith('/') : true", {"type": "PathPrefix"}, True),
    ("!has(self.a) || size(self.a) <= 2", {"a": [1, 2, 3]}, False),
    ("self.all(x, x.port > 0 && x.port < 65536)", [{"port": 80}, {"port": 70000}], False),
    ("self.exists_one(x, x.name == 'a')", [{"name": "a"}, {"name": "b"}], True),
    ("self.filter(x, x.kind == 'A').size() == 1", [{"kind": "A"}, {"kind": "B"}], True),
    ("self.upperAscii() == 'GET'", "get", True),
    ("self.split('/').size() == 2", "a/b", True),
    ("self.substring(0, 2) == 'ab'", "abc", True),
    ("duration(self) >= duration('1s')", "1500ms", True),
    ("self.all(k, k.startsWith('x-'))", {"x-a": 1, "x-b": 2}, True),
    ("self.size() <= 16 && self.endsWith('.com')", "example.com", True),
    ("self.contains('*') == false", "a.b", True),
    ("self.map(x, x * 2)[1] == 4", [1, 2], True),
    ("self.lowerAscii().indexOf('b') == 1", "AB", True),
    ("self.exists(x, x == 'b')", ["a", "b"], True),
    ("['a','b'].join('-') == 'a-b'", 0, True),
    ("self.replace('a','b') == 'bb'", "ab", True),
    ("self.trim() == 'a'", " a ", True),
]
TYPICAL = "self.all(x, has(x.path) ? x.path.value.startsWith('/') : true)"
TYPICAL_SELF = [{"path": {"type": "PathPrefix", "value": "/"}}] * 3


def pinned_rules(crd_dir: Path) -> list[str]:
    rules: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            rules.update(r["rule"] for r in node.get("x-kubernetes-validations") or [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(crd_dir.rglob("*.y*ml")):
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=loader):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                walk(doc["spec"].get("versions"))
    return sorted(rules)


Engine = tuple[Callable[[str], Any], Callable[[Any, Any], Any]]  # compile, evaluate


def engines() -> dict[str, Engine | None]:
    found: dict[str, Engine | None] = {}
    try:
        from scaffolder.validate import cel

        def ours(program: Any, value: Any) -> Any:
            outcome = program.evaluate({"self": value})
            if outcome.error:
                raise ValueError(outcome.error)
            return outcome.value

        found["cel-expr-python (cel-cpp, ours)"] = (cel.compile_expression, ours)
    except ImportError:
        found["cel-expr-python (cel-cpp, ours)"] = None
    try:
        import celpy

        env = celpy.Environment()
        found["cel-python (celpy)"] = (
            lambda e: env.program(env.compile(e)),
            lambda p, v: p.evaluate({"self": celpy.json_to_cel(v)}),
        )
    except ImportError:
        found["cel-python (celpy)"] = None
    try:
        import cel as rust_cel

        found["common-expression-language (Rust)"] = (
            rust_cel.compile,
            lambda p, v: p.execute({"self": v}),
        )
    except ImportError:
        found["common-expression-language (Rust)"] = None
    return found


def main() -> None:
    crd_dir = Path(os.environ.get("SCAFFOLDER_CRD_DIR", "../../shared/crds"))
    rules = pinned_rules(crd_dir)
    print(f"{len(rules)} distinct rules in {crd_dir}")
    print("| engine | rules compiled | expressions right | one evaluation |")
    print("|---|---|---|---|")
    for name, engine in engines().items():
        if engine is None:
            print(f"| {name} | not installed | | |")
            continue
        compile_, evaluate = engine
        compiled = 0
        for rule in rules:
            try:
                compile_(rule)
                compiled += 1
            except Exception:  # every engine raises its own error types
                pass
        right = 0
        for expression, value, expected in CASES:
            try:
                right += evaluate(compile_(expression), value) == expected
            except Exception:  # a wrong or unsupported evaluation
                continue
        program = compile_(TYPICAL)
        start = time.perf_counter()
        for _ in range(2000):
            evaluate(program, TYPICAL_SELF)
        micro = (time.perf_counter() - start) / 2000 * 1e6
        print(f"| {name} | {compiled}/{len(rules)} | {right}/{len(CASES)} | {micro:.1f} µs |")


if __name__ == "__main__":
    main()
