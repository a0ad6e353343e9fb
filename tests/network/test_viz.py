"""Rendering: escaping, filters, static images (their drawn attributes, read back from the
SVG, not pixels) without overlapping labels, the same with and without Graphviz, build
artefacts."""

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
    render_dot,
    render_html,
    render_image,
    view_graph,
    write_network_artefacts,
)
from filmkg.network.style import REUNION_COLOR, decorate

SVG = "{http://www.w3.org/2000/svg}"
XSS = "<img src=x onerror=alert(1)>"


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _text_of(element: ET.Element) -> str:
    return " ".join(t.text or "" for t in element.iter(SVG + "text"))


def _groups(svg: bytes) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in ET.fromstring(svg).iter(SVG + "g") if g.get("id")}


def _label_boxes(svg: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Bounding box of every drawn label (its rounded background), by label text."""
    boxes = {}
    for gid, g in _groups(svg).items():
        if not gid.startswith(("label-", "elabel-")):
            continue
        path = next(g.iter(SVG + "path"))
        numbers = _numbers(path.get("d", ""))
        xs, ys = numbers[0::2], numbers[1::2]
        boxes[f"{gid} {_text_of(g)}"] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


def _style(path: ET.Element) -> dict[str, str]:
    items = (part.split(":", 1) for part in path.get("style", "").split(";") if ":" in part)
    return {k.strip(): v.strip() for k, v in items}


def test_here_svg_labels_do_not_overlap(project_kg) -> None:
    graph = view_graph(project_kg)
    svg = render_image(graph, "svg")
    boxes = _label_boxes(svg)
    names = [k.split(" ", 1)[1] for k in boxes if k.startswith("label-")]
    assert len(names) == graph.number_of_nodes()
    assert "Forrest Gump (1994)" in names
    roles = [k.split(" ", 1)[1] for k in boxes if k.startswith("elabel-")]
    assert "director" in roles
    assert "author" in roles
    for (a, (ax1, ay1, ax2, ay2)), (b, (bx1, by1, bx2, by2)) in (
        (p, q) for i, p in enumerate(sorted(boxes.items())) for q in sorted(boxes.items())[i + 1 :]
    ):
        apart = ax2 <= bx1 or bx2 <= ax1 or ay2 <= by1 or by2 <= ay1
        assert apart, f"{a!r} overlaps {b!r}"
    legend = _text_of(_groups(svg)["legend"])
    assert "person (14)" in legend
    assert "credit (edge label: role) (18)" in legend
    assert svg == render_image(graph, "svg")


def test_people_view_shows_the_forrest_gump_reunion(project_kg) -> None:
    graph = view_graph(project_kg, ViewOptions(view="people"))
    svg = render_image(graph, "svg")
    groups = _groups(svg)
    name = {f"n{i}": graph.nodes[node]["label"] for i, node in enumerate(sorted(graph))}
    four = ["Eric Roth", "Robert Zemeckis", "Robin Wright", "Tom Hanks"]
    reunion_ids = sorted(gid for gid in groups if gid.startswith("reunion-"))
    pairs = {frozenset(name[n] for n in gid.split("-")[1:]) for gid in reunion_ids}
    # the four of Forrest Gump (1994) and Here (2024): six edges, all of them drawn wide and red
    assert pairs == {frozenset((a, b)) for i, a in enumerate(four) for b in four[i + 1 :]}
    reunion_styles = [_style(next(groups[g].iter(SVG + "path"))) for g in reunion_ids]
    assert {s["stroke"] for s in reunion_styles} == {REUNION_COLOR}
    others = [_style(p) for p in groups["edges"].iter(SVG + "path")]
    assert len(others) == graph.number_of_edges() - 6
    assert REUNION_COLOR not in {s["stroke"] for s in others}
    thinnest_reunion = min(float(s["stroke-width"]) for s in reunion_styles)
    assert thinnest_reunion >= 4 * max(float(s["stroke-width"]) for s in others)
    # labelled with their years; the legend names the two films and the four people
    years = [_text_of(g) for gid, g in groups.items() if gid.startswith("elabel-")]
    assert years == ["1994 · 2024"] * 6
    legend = " ".join(_text_of(groups["legend"]).split())
    assert (
        "Forrest Gump (1994) + Here (2024): Eric Roth, Robert Zemeckis, Robin Wright, Tom Hanks"
        in legend
    )
    assert "community 1" in legend
    drawn = [_text_of(g) for gid, g in groups.items() if gid.startswith("label-")]
    assert set(four) <= set(drawn)


def test_people_view_decoration(project_kg) -> None:
    drawn = decorate(view_graph(project_kg, ViewOptions(view="people")))
    four = {n for n, d in drawn.nodes(data=True) if d["reunion"]}
    assert sorted(drawn.nodes[n]["label"] for n in four) == [
        "Eric Roth",
        "Robert Zemeckis",
        "Robin Wright",
        "Tom Hanks",
    ]
    assert len({drawn.nodes[n]["community"] for n in four}) == 1  # one community of their own
    others = {drawn.nodes[n]["community"] for n in drawn if n not in four}
    assert drawn.nodes[next(iter(four))]["community"] not in others
    [group] = drawn.graph["reunions"]
    assert group.title == "Forrest Gump (1994) + Here (2024)"
    again = decorate(view_graph(project_kg, ViewOptions(view="people")))
    assert [drawn.nodes[n]["community"] for n in sorted(drawn)] == [
        again.nodes[n]["community"] for n in sorted(again)
    ]


def test_svg_is_the_same_with_and_without_graphviz(project_kg, monkeypatch) -> None:
    graph = view_graph(project_kg, ViewOptions(min_shared=2))
    with_path = render_image(graph, "svg")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert render_image(graph, "svg") == with_path
    assert b"<svg" in with_path
    assert b'id="legend"' in with_path
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


def test_webgl_page_is_self_contained_and_escaped() -> None:
    graph = nx.Graph(name="people")
    graph.add_node("p", label=XSS, kind="person", iri="p", roles=['"></option><script>'])
    graph.add_node("q", label="</script><!--", kind="person", iri="q\u2028", roles=[])
    graph.add_edge("p", "q", label="'quoted' \"works\" </script>", count=1, years=[2000])
    page = render_html(graph, title="<t>", renderer="sigma")
    assert XSS not in page
    assert page.count("</script>") == 4  # graphology, sigma, the data, the page's own code
    data = page.split('id="filmkg-data">')[1].split("</script>")[0]
    assert "<" not in data
    assert ">" not in data
    assert "\u2028" not in page
    assert "&lt;t&gt;" in page
    assert "sourceMappingURL" not in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "default-src 'none'" in page
    assert "new Sigma(" in page
    with pytest.raises(UsageError):
        render_html(graph, renderer="d3")


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


def test_picture_shows_itself_in_jupyter(project_kg) -> None:
    from filmkg.network.drawing import picture

    pic = picture(project_kg, ViewOptions(view="people"), title="<b>people</b>")
    svg = pic._repr_svg_()
    assert svg.lstrip().startswith("<?xml")
    assert "&lt;b&gt;people&lt;/b&gt;" in svg
    assert "<b>people</b>" not in svg
    assert 'id="reunion-' in svg
    assert "vis.Network" in pic.page()
    assert pic.png().startswith(b"\x89PNG")


def test_around_and_depth_keep_the_ego_network(project_kg, tmp_path: Path, capsys) -> None:
    from filmkg.network.drawing import _people_to_keep

    collab = nx.path_graph(["p/a", "p/b", "p/c", "p/d"])
    for node in collab:
        collab.nodes[node].update(label=node[-1].upper(), kind="person")
    for _, _, data in collab.edges(data=True):
        data["count"] = 1
    assert _people_to_keep(collab, ViewOptions(person="A")) == {"p/a", "p/b"}
    assert _people_to_keep(collab, ViewOptions(person="A", depth=2)) == {"p/a", "p/b", "p/c"}
    with pytest.raises(UsageError):
        view_graph(project_kg, ViewOptions(depth=0))
    out = tmp_path / "ego.svg"
    argv = ["viz", "--view", "people", "--around", "Tom Hanks", "--depth", "2", "-o", str(out)]
    assert main(argv) == 0
    assert "(13 nodes, 78 edges)" in capsys.readouterr().err  # all but McGuire (no co-worker)
    assert main(["viz", "--depth", "2", "-o", str(out)]) == 2
    assert "--depth needs --around" in capsys.readouterr().err
