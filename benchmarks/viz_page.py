"""vis-network against sigma.js (WebGL) on the same big people view, in Debian's chromium.

    python benchmarks/viz_page.py --films 1200        # ≈ 5,000 people, 70k collaborations

Makes a synthetic graph (``filmkg synth --films N --seed S``), loads it with the project
graph, builds the people view (``view_graph``, up to 10,000 people), writes it with each
renderer (``render_html(renderer=…)``) and opens each page in headless chromium through
Playwright (``executable_path`` = Debian's chromium; never ``playwright install``):
seconds until the page has drawn, five full frames (a synchronous redraw each), and a
10-step mouse drag (pan) until two animation frames later. Writes
``benchmarks/results/viz-page-<films>.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from filmkg.build.project import load_project  # noqa: E402
from filmkg.cli import main as filmkg  # noqa: E402
from filmkg.network.drawing import DEFAULT_MAX_PEOPLE_HTML, ViewOptions, render_html, view_graph  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--enable-unsafe-swiftshader", "--no-first-run"]

#: A full synchronous redraw, per renderer (the pages expose their drawing objects).
FRAME = {
    "sigma": "window.filmkgView.frame()",
    "vis-network": "(function(){var t=performance.now(); window.filmkgView.network.redraw();"
    " return performance.now()-t;})()",
}


def measure_page(path: Path, renderer: str, timeout_s: float) -> dict[str, Any]:
    """Open ``path`` in chromium: time to first drawing, full frames, a 10-step drag."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {"renderer": renderer, "page_mb": round(path.stat().st_size / 1e6, 1)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        start = time.perf_counter()
        page.goto(path.as_uri(), timeout=timeout_s * 1000)
        try:
            page.wait_for_selector("body[data-drawn=true]", timeout=timeout_s * 1000)
        except Exception as exc:  # a page that does not draw in time is a result too
            out["status"] = f"not drawn within {timeout_s:.0f} s ({type(exc).__name__})"
            browser.close()
            return out
        out["drawn_s"] = round(time.perf_counter() - start, 2)
        frames = [float(page.evaluate(FRAME[renderer])) for _ in range(5)]
        out["frame_ms_median"] = round(statistics.median(frames), 1)
        out["frame_ms"] = [round(f, 1) for f in frames]
        box = page.locator("#network").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        start = time.perf_counter()
        page.mouse.move(cx, cy)
        page.mouse.down()
        for i in range(1, 11):
            page.mouse.move(cx - 20 * i, cy - 10 * i)
        page.mouse.up()
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        out["drag_10_steps_s"] = round(time.perf_counter() - start, 2)
        out["status"] = "ok"
        browser.close()
    return out


def run(films: int, seed: int, work: Path, timeout_s: float) -> dict[str, Any]:
    """Build the people view of ``films`` synthetic films and measure both pages."""
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"synth-{films}.nq"
    if filmkg(["synth", "--films", str(films), "--seed", str(seed), "-o", str(data)]) != 0:
        raise SystemExit("synth failed")
    start = time.perf_counter()
    graph = view_graph(
        load_project([data]), ViewOptions(view="people", max_people=DEFAULT_MAX_PEOPLE_HTML)
    )
    result: dict[str, Any] = {
        "films": films,
        "seed": seed,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "view_s": round(time.perf_counter() - start, 1),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version()},
        "pages": [],
    }
    for renderer in ("sigma", "vis-network"):
        start = time.perf_counter()
        page = render_html(graph, renderer=renderer)
        written = round(time.perf_counter() - start, 1)
        path = work / f"people-{films}-{renderer}.html"
        path.write_text(page, encoding="utf-8")
        row = measure_page(path, renderer, timeout_s)
        row["write_s"] = written
        result["pages"].append(row)
        print(json.dumps(row), file=sys.stderr)
    return result


def table(result: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    lines = [
        f"{result['nodes']:,} nodes, {result['edges']:,} edges "
        f"(synth --films {result['films']} --seed {result['seed']} + the article)",
        "",
        "| renderer | page MB | write s | drawn s | full frame ms (median) | 10-step drag s |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["pages"]:
        lines.append(
            f"| {row['renderer']} | {row['page_mb']} | {row.get('write_s', '')} | "
            f"{row.get('drawn_s', row['status'])} | {row.get('frame_ms_median', '')} | "
            f"{row.get('drag_10_steps_s', '')} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per page")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    result = run(args.films, args.seed, args.work, args.timeout)
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"viz-page-{args.films}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
