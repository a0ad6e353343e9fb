"""The sigma.js (WebGL) page at 5,000 nodes in a real browser (Debian chromium through
Playwright, never ``playwright install``): it draws every node, names at most 30 people,
has a legend, pans under the mouse, searches and filters by role and year, requests
nothing, and shows a hostile name as text. Timings are measured and printed (run with
``-s`` to see them), never asserted beyond generous functional bounds;
``benchmarks/viz_page.py`` measures both renderers on the real pipeline."""

from __future__ import annotations

import random
import time
from pathlib import Path

import networkx as nx
import pytest

from browsers import Opened, launch, open_offline, require_browser
from filmkg.network.drawing import render_html

pytestmark = pytest.mark.browser
sync_api = require_browser()
XSS = "<img src=x onerror=alert(1)>"
ROLES = ("director", "cast member", "screenwriter", "producer")


def people_graph(n: int = 5000, groups: int = 20, seed: int = 1) -> nx.Graph:
    """A people view of ``n`` people in ``groups`` planted communities, the shape of
    :func:`filmkg.network.drawing.view_graph`'s: roles and years on the people, shared
    works (labels, years, count) on the edges; person 0 has a hostile name."""
    rng = random.Random(seed)
    size = n // groups
    base = nx.random_partition_graph([size] * groups, 0.03, 0.0004, seed=seed)
    graph = nx.Graph(name="people")
    for i in base:
        label = XSS if i == 0 else f"Person {i:04d} {'AB'[i % 2]}"
        year = 1950 + (i // size) * 3 + rng.randrange(5)
        graph.add_node(
            f"p/{i:04d}",
            label=label,
            kind="person",
            iri=f"https://example.org/p/{i:04d}",
            roles=[ROLES[i % 4]],
            years=[year, year + 1],
        )
    for u, v in sorted(base.edges()):
        count = 2 if rng.random() < 0.02 else 1
        years = [1950 + rng.randrange(40)] + ([2020] if count == 2 else [])
        graph.add_edge(
            f"p/{u:04d}",
            f"p/{v:04d}",
            relation="collaboration",
            label="Film A" + (", Film B" if count == 2 else ""),
            count=count,
            work_labels=["Film A", "Film B"][:count],
            years=years,
        )
    return graph


@pytest.fixture(scope="module")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nx.Graph, float]:
    graph = people_graph()
    start = time.perf_counter()
    page = render_html(graph, title="5,000 people")
    seconds = time.perf_counter() - start
    path = tmp_path_factory.mktemp("webgl") / "big.html"
    path.write_text(page, encoding="utf-8")
    return path, graph, seconds


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p, "--enable-unsafe-swiftshader")  # WebGL on the CPU where there is no GPU
        yield b
        b.close()


def _open(browser, path: Path) -> Opened:
    return open_offline(browser, path, width=1280, timeout_ms=180_000)


def test_big_page_renders_pans_searches_and_filters(browser, big_page) -> None:
    path, graph, render_seconds = big_page
    opened = _open(browser, path)
    page, outside, load_seconds = opened.page, opened.outside, opened.seconds
    assert "new Sigma(" in path.read_text(encoding="utf-8")
    drawn = page.evaluate("window.filmkgView.drawn()")
    assert drawn == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    labels = page.evaluate("window.filmkgView.labels()")
    assert 0 < len(labels) <= 30
    legend = page.inner_text("#legend-kinds")
    assert "community 1" in legend
    assert "worked together" in page.inner_text("#legend-edges")

    frames = [page.evaluate("window.filmkgView.frame()") for _ in range(5)]
    before = page.evaluate("window.filmkgView.camera()")
    box = page.locator("#network").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    start = time.perf_counter()
    page.mouse.move(cx, cy)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(cx - 20 * step, cy - 10 * step)
    page.mouse.up()
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    pan_seconds = time.perf_counter() - start
    after = page.evaluate("window.filmkgView.camera()")
    assert (after["x"], after["y"]) != (before["x"], before["y"]), "the drag did not pan"

    page.fill("#search", "person 0042")
    page.wait_for_function("document.getElementById('matches').children.length === 1")
    assert page.inner_text("#search-status") == "1 match"
    assert "https://example.org/p/0042" in page.inner_text("#detail-body")
    page.fill("#search", "")

    page.select_option("#role", "director")
    page.wait_for_function("document.getElementById('filter-status').textContent !== ''")
    directors = sum(1 for _, d in graph.nodes(data=True) if "director" in d["roles"])
    assert page.inner_text("#filter-status") == f"{directors} of 5000 shown"
    assert page.evaluate("window.filmkgView.drawn()")["nodes"] == directors
    page.select_option("#role", "")
    page.fill("#year-from", "1950")
    page.fill("#year-to", "1953")
    page.wait_for_function("document.getElementById('filter-status').textContent !== ''")
    in_years = sum(
        1 for _, d in graph.nodes(data=True) if any(1950 <= y <= 1953 for y in d["years"])
    )
    assert page.evaluate("window.filmkgView.drawn()")["nodes"] == in_years < 5000
    print(
        f"\n5,000-node sigma page: {path.stat().st_size / 1e6:.1f} MB, written in "
        f"{render_seconds:.1f} s; drawn {load_seconds:.1f} s after opening; full frames "
        f"{', '.join(f'{f:.0f}' for f in frames)} ms; a 10-step drag {pan_seconds:.2f} s"
    )
    assert load_seconds < 180
    assert pan_seconds < 60
    assert outside == []
    assert opened.dialogs == opened.errors == []


def test_big_page_shows_a_hostile_name_as_text(browser, big_page) -> None:
    path, _, _ = big_page
    text = path.read_text(encoding="utf-8")
    assert XSS not in text
    opened = _open(browser, path)
    page, outside = opened.page, opened.outside
    page.fill("#search", "<img")
    page.wait_for_function("document.getElementById('matches').children.length === 1")
    assert page.inner_text("#matches") == XSS
    assert XSS in page.inner_text("#detail-body")
    assert page.evaluate("document.querySelectorAll('main img, aside img').length") == 0
    page.wait_for_timeout(200)
    assert outside == []
    assert opened.dialogs == opened.errors == []


def test_benchmark_script_runs_at_the_smallest_size(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "viz_page.py"
    folders = ["--work", str(tmp_path / "work"), "--results", str(tmp_path / "results")]
    done = subprocess.run(
        [sys.executable, str(script), "--films", "3", "--timeout", "120", *folders],
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "results" / "viz-page-3.json").read_text())
    assert [p["renderer"] for p in result["pages"]] == ["sigma", "vis-network"]
    assert all(p["status"] == "ok" for p in result["pages"]), result["pages"]
    assert "| sigma |" in done.stdout
