"""Rendering: escaping, filters, static images without overlapping labels, build artefacts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from filmkg.cli import main
from filmkg.errors import UsageError
from filmkg.network.drawing import (
    ViewOptions,
    graphviz_available,
    render_dot,
    render_html,
    render_image,
    view_graph,
    write_network_artefacts,
)

SVG = "{http://www.w3.org/2000/svg}"
XSS = "<img src=x onerror=alert(1)>"


def _boxes(svg: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Bounding box of every node shape in a Graphviz SVG, by node label."""
    root = ET.fromstring(svg)
    boxes = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") != "node":
            continue
        shape = next(g.iter(SVG + "path"), None)
        if shape is None:
            shape = next(g.iter(SVG + "polygon"), None)
        assert shape is not None
        numbers = [
            float(n)
            for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points") or "")
        ]
        xs, ys = numbers[0::2], numbers[1::2]
        label = "".join(t.text or "" for t in g.iter(SVG + "text"))
        boxes[label] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


@pytest.mark.skipif(
    not graphviz_available("neato"), reason="needs Graphviz (apt-get install graphviz)"
)
def test_here_svg_labels_do_not_overlap(project_kg) -> None:
    graph = view_graph(project_kg)
    svg = render_image(graph, "svg")
    boxes = _boxes(svg)
    assert len(boxes) == graph.number_of_nodes()
    assert "Forrest Gump (1994)" in boxes
    for (a, (ax1, ay1, ax2, ay2)), (b, (bx1, by1, bx2, by2)) in (
        (p, q) for i, p in enumerate(sorted(boxes.items())) for q in sorted(boxes.items())[i + 1 :]
    ):
        apart = ax2 <= bx1 or bx2 <= ax1 or ay2 <= by1 or by2 <= ay1
        assert apart, f"{a!r} overlaps {b!r}"
    assert svg == render_image(graph, "svg")


def test_matplotlib_fallback_without_graphviz(project_kg, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not graphviz_available("neato")
    graph = view_graph(project_kg, ViewOptions(min_shared=2))
    svg = render_image(graph, "svg")
    assert b"<svg" in svg
    assert svg == render_image(graph, "svg")
    assert render_image(graph, "png").startswith(b"\x89PNG")


def test_html_is_self_contained_and_escaped() -> None:
    graph = nx.Graph()
    graph.add_node("p", label=XSS, kind="person", iri="p")
    graph.add_node("f", label="</script><!--", kind="film", iri="f")
    graph.add_edge("p", "f", label="\u2028", relation="credit")
    page = render_html(graph, title="<t>")
    assert XSS not in page
    assert page.count("</script>") == 3  # the three script elements, nothing else
    assert "<!--" not in page.split('id="filmkg-data">')[1].split("</script>")[0]
    assert "\u2028" not in page
    assert "&lt;t&gt;" in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "default-src 'none'" in page
    assert "vis-network" in page


def test_dot_escapes_labels() -> None:
    graph = nx.Graph()
    graph.add_node("a", label='Say "hi" \\N', kind="person")
    dot = render_dot(graph, title="t & <b>")
    assert 'label="Say \\"hi\\" \\\\N"' in dot
    assert "t &amp; &lt;b&gt;" in dot


def test_view_filters(project_kg) -> None:
    people = view_graph(project_kg, ViewOptions(view="people"))
    assert (people.number_of_nodes(), people.number_of_edges()) == (14, 78)
    edge = people.edges[
        "https://w3id.org/filmkg/id/person/robert-zemeckis",
        "https://w3id.org/filmkg/id/person/tom-hanks",
    ]
    assert edge["label"] == "Forrest Gump, Here"
    assert edge["evidence"]
    focus = view_graph(
        project_kg, ViewOptions(person="https://w3id.org/filmkg/id/person/richard-mcguire")
    )
    assert sorted(d["label"] for _, d in focus.nodes(data=True)) == [
        "Here",
        "Here",
        "Richard McGuire",
    ]
    top = view_graph(project_kg, ViewOptions(view="people", top=3))
    assert top.number_of_nodes() == 3
    with pytest.raises(UsageError):
        view_graph(project_kg, ViewOptions(view="nope"))


def test_build_artefacts_are_byte_identical(project_kg, tmp_path: Path) -> None:
    first = write_network_artefacts(project_kg, tmp_path / "a")
    second = write_network_artefacts(project_kg, tmp_path / "b")
    assert [p.name for p in first] == ["network.html", "network.svg", "network.graphml"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert nx.read_graphml(first[2]).number_of_nodes() == 14


def test_cli_viz(tmp_path: Path, capsys) -> None:
    out = tmp_path / "n.html"
    assert main(["viz", "--person", "Tom Hanks", "--min-shared", "2", "-o", str(out)]) == 0
    # the four of the reunion, both films, Here's four companies, the novel Here adapts
    assert "(11 nodes, 13 edges)" in capsys.readouterr().err
    assert main(["viz", "-o", str(tmp_path / "n.dot")]) == 0
    assert (tmp_path / "n.dot").read_text().startswith("graph filmkg {")
    assert main(["viz", "-o", str(tmp_path / "n.txt")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["viz", "--person", "Nobody Atall", "-o", str(out)]) == 2
