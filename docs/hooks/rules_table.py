"""mkdocs hook: renders the built-in rule packs into docs/reference/rules.md at build time,
so the reference always matches the code."""

from __future__ import annotations

from typing import Any

MARKER = "<!-- rules -->"


def _table(family: str) -> str:
    from scaffolder.standards.runner import BUILTIN

    lines = ["| id | level | rule | why | fix |", "|---|---|---|---|---|"]
    for rule in BUILTIN[family]:
        lines.append(f"| <a id=\"{rule.id.lower()}\"></a>`{rule.id}` | {rule.level} | "
                     f"{rule.title} | {rule.rationale} | {rule.fix} |")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, "### Services\n\n" + _table("service") +
                            "\n\n### Cluster baselines\n\n" + _table("baseline"))
