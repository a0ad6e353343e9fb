"""The HTML network page in a real browser (Debian chromium via Playwright, never
``playwright install``): drawn counts match the graph, no request of any kind leaves the
page, the screenshot is not blank, search works, and a hostile name stays text."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pytest

from browsers import launch, open_offline, require_browser
from filmkg.network.drawing import render_html, view_graph

pytestmark = pytest.mark.browser
sync_api = require_browser()
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p, "--disable-gpu")
        yield b
        b.close()


def _open(browser, path: Path):
    opened = open_offline(browser, path, width=1200, timeout_ms=15000)
    return opened.page, opened.outside, opened.dialogs, opened.errors


def test_here_network_draws_every_node_and_edge(browser, project_kg, tmp_path: Path) -> None:
    graph = view_graph(project_kg)
    path = tmp_path / "network.html"
    path.write_text(render_html(graph), encoding="utf-8")
    page, outside, dialogs, errors = _open(browser, path)
    drawn = page.evaluate("window.filmkgView.drawn()")
    assert drawn == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    assert page.evaluate("window.filmkgView.nodes.length") == 21
    assert len(page.evaluate("window.filmkgView.labels()")) == 21  # small: every name shown
    legend = page.inner_text("#legend-kinds")
    assert "person (14)" in legend
    assert "organisation (4)" in legend

    from PIL import Image, ImageStat

    shot = Image.open(io.BytesIO(page.locator("#network").screenshot())).convert("L")
    assert max(ImageStat.Stat(shot).var) > 100, "the drawing is blank"

    page.fill("#search", "hanks")
    page.wait_for_function("document.getElementById('matches').children.length === 1")
    assert page.inner_text("#matches") == "Tom Hanks"
    assert page.inner_text("#search-status") == "1 match"
    assert "https://w3id.org/filmkg/id/person/tom-hanks" in page.inner_text("#detail-body")
    assert page.evaluate("window.filmkgView.network.getSelectedNodes().length") == 1
    page.fill("#search", "here")
    page.wait_for_function("document.getElementById('matches').children.length === 2")
    assert outside == []
    assert dialogs == []
    assert errors == []


def test_hostile_names_are_shown_as_text(browser, tmp_path: Path) -> None:
    graph = nx.Graph()
    graph.add_node("p/x", label=XSS, kind="person", iri="https://e.org/<script>")
    graph.add_node("f/y", label="</script><script>alert(2)</script>", kind="film", iri="f/y")
    graph.add_edge(
        "p/x", "f/y", label="a\u2028b <!-- c", relation="credit", evidence=['"quoted" </script>']
    )
    path = tmp_path / "xss.html"
    path.write_text(render_html(graph, title="<b>title</b>"), encoding="utf-8")
    page, outside, dialogs, errors = _open(browser, path)
    assert page.evaluate("window.filmkgView.drawn()") == {"nodes": 2, "edges": 1}
    page.fill("#search", "<img")
    page.wait_for_function("document.getElementById('matches').children.length === 1")
    assert page.inner_text("#matches") == XSS
    assert XSS in page.inner_text("#detail-body")
    assert page.inner_text("#title") == "<b>title</b>"
    assert page.evaluate("document.querySelectorAll('img, b, main script').length") == 0
    page.wait_for_timeout(200)
    assert dialogs == []
    assert outside == []
    assert errors == []
