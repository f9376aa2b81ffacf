"""The audit's summary is honest and the same everywhere: text, HTML and JSON (issue 18).

Repos the target version cannot be rendered for (it asks a question their record does not
answer) are counted as "needs answers", not as repos without drift.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import build_versioned_demo, generate, run_cli


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Against 2.0.0 (which asks `tier`): two 1.0.0 repos and a 1.1.0 repo need answers, a
    2.0.0 repo is compared, a folder without a record is an error."""
    tmp = tmp_path_factory.mktemp("audit-report")
    catalog = build_versioned_demo(tmp / "catalog")
    root = tmp / "fleet"
    root.mkdir()
    generate(root, catalog, "alpha", "1.0.0")
    generate(root, catalog, "beta", "1.0.0")
    generate(root, catalog, "delta", "1.1.0")
    generate(root, catalog, "gamma", "2.0.0", "-d", "tier=critical", "-d", "region=eu")
    (root / "gamma/README.md").write_text("edited\n")
    (root / "broken").mkdir()
    return catalog, root


class Page(HTMLParser):
    """The tiles (number, label) and the rows of the repos table of the HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.tiles: list[list[str]] = []
        self.rows: list[list[str]] = []
        self.headers: list[str] = []
        self._stack: list[str] = []
        self._in_tile = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "tile" in classes:
            self._in_tile = True
            self.tiles.append([])
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th") or (tag == "div" and self._in_tile and {"n", "l"} & set(classes)):
            self._stack.append(tag)
            if tag == "td":
                self.rows[-1].append("")
            elif tag == "div":
                self.tiles[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            if tag == "div" and self._in_tile and len(self.tiles[-1]) == 2:
                self._in_tile = False

    def handle_data(self, data: str) -> None:
        if not self._stack:
            return
        if self._stack[-1] == "td":
            self.rows[-1][-1] += data.strip()
        elif self._stack[-1] == "th":
            self.headers.append(data.strip())
        else:
            self.tiles[-1][-1] += " ".join(data.split())


def tile(page: Page, label: str) -> int:
    found = [int(n) for n, text in page.tiles if text.startswith(label)]
    assert len(found) == 1, (label, page.tiles)
    return found[0]


def test_figures_agree_across_text_html_and_json(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    catalog, root = fleet
    html = tmp_path / "audit.html"
    args = ["audit", root, "--catalog", catalog, "--jobs", "1"]
    report = json.loads(run_cli(capsys, *args, "-o", "json").out)
    text = run_cli(capsys, *args, "--html", html).out
    summary = report["summary"]
    assert summary["repos"] == 5 and summary["compared"] == 1
    assert summary["needs_answers"] == 3 and summary["errors"] == 1
    assert summary["questions"] == {"tier": 3}
    assert summary["files"]["modified"] == 1, "only the compared repo's files are counted"
    compared = {Path(r["path"]).name: r.get("compared") for r in report["repos"]}
    assert compared == {
        "alpha": False,
        "beta": False,
        "broken": None,
        "delta": False,
        "gamma": True,
    }

    assert text.startswith("Audit of 5 repos\n")
    assert "5 repos: 1 compared with the target, 3 need answers, 1 could not be checked" in text
    assert "2 repos not compared (answers needed)" in text and "1 repo not compared" in text
    assert "│ none" not in text, "a repo that was not compared has no drift figure"

    page = Page()
    page.feed(html.read_text())
    assert tile(page, "repos audited") == 5
    assert tile(page, "repo compared with the target version") == 1
    assert tile(page, "repos need answers for the target version") == 3
    assert tile(page, "repo could not be checked") == 1
    assert tile(page, "local edit") == summary["files"]["modified"]
    assert tile(page, "outdated files") == summary["files"]["outdated"]
    needs = next(text for _, text in page.tiles if text.startswith("repos need answers"))
    assert "asks tier" in needs
    rows = {row[0]: row for row in page.rows if row}
    assert set(rows) == {"alpha", "beta", "broken", "delta", "gamma"}
    assert "not compared: needs answers" in rows["alpha"] and rows["alpha"][-1] == "tier"
    assert rows["gamma"][headers_index(page, "modified")] == "1"


def headers_index(page: Page, name: str) -> int:
    return page.headers.index(name)


def test_one_repo_is_singular(capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path]) -> None:
    catalog, root = fleet
    r = run_cli(capsys, "audit", root / "gamma", "--catalog", catalog)
    assert r.out.startswith("Audit of 1 repo\n")
    assert "1 repo: 1 compared with the target, 0 need answers" in r.out


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium binary installed")
def test_html_report_renders_in_a_browser(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path], tmp_path: Path
) -> None:
    """Headless Chromium lays the page out: its DOM has the tiles and the table, and the
    screenshot is a real, non-blank image."""
    catalog, root = fleet
    html = tmp_path / "audit.html"
    run_cli(capsys, "audit", root, "--catalog", catalog, "--jobs", "1", "--html", html)
    chromium = [str(shutil.which("chromium")), "--headless", "--no-sandbox", "--disable-gpu"]
    dom = subprocess.run(
        [*chromium, "--dump-dom", html.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert len(re.findall(r'<div class="tile">', dom)) == 8
    assert "<table>" in dom and dom.count("<tr>") == 6
    shot = tmp_path / "audit.png"
    subprocess.run(
        [*chromium, f"--screenshot={shot}", "--window-size=1280,900", html.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 900) and len(data) > 20_000, "a blank page compresses to ~1 KB"


def test_markdown_and_diff_text_say_not_compared(
    capsys: pytest.CaptureFixture[str], fleet: tuple[Path, Path]
) -> None:
    catalog, root = fleet
    r = run_cli(capsys, "diff", root / "alpha", "--catalog", catalog, "-o", "markdown")
    assert "1.0.0 not compared (needs answers) with 2.0.0" in r.out
    r = run_cli(capsys, "diff", root / "alpha", "--catalog", catalog)
    assert "not compared with 2.0.0 (it needs answers, below)" in r.out
    assert "answer tier: missing answer for 'tier'" in r.out and "pass --data tier=" in r.out
    r = run_cli(capsys, "diff", root / "alpha", "--catalog", catalog, "-d", "tier=critical")
    assert "compared with 2.0.0\n" in r.out, "answering the question makes it comparable"
