"""Pictures of the network: a self-contained interactive HTML page and static SVG / PNG.

What is drawn (colours, widths, labels, legend) is decided once, by
:func:`filmkg.network.style.decorate`; the renderers only read it. Up to
:data:`WEBGL_THRESHOLD` nodes the HTML page inlines vis-network's JavaScript from the
installed ``pyvis`` wheel (read at render time, never copied into the repository) into a
template of our own (``filmkg/network/templates/network.html``); bigger graphs get
``network_webgl.html`` with sigma.js and graphology inlined from
``templates/vendor`` (MIT, versions in its README). Either way: no CDN, no request of
any kind (the Content-Security-Policy forbids them too). Positions are computed in
Python (physics off), the data is embedded as JSON in a ``<script
type="application/json">`` block with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped,
and the page builds every label, tooltip and list with ``textContent``: a name such as
``<img src=x onerror=alert(1)>`` is shown as text.

Static images are drawn by matplotlib alone (:mod:`filmkg.network.static`), so they are
the same whatever else is installed; ``-f dot`` still writes Graphviz source.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("p/1", label="<b>Ann</b>", kind="person", iri="p/1")
>>> page = render_html(g, title="demo")
>>> "<b>Ann</b>" in page, "\\\\u003cb\\\\u003eAnn" in page
(False, True)
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from filmkg import __version__
from filmkg.errors import InternalError, UsageError
from filmkg.io.fileio import atomic_write_bytes
from filmkg.network.projection import (
    PERSON,
    collaboration_graph,
    evidence_quotes,
    export_graph,
    overview_graph,
    resolve_node,
)
from filmkg.network.static import draw_static
from filmkg.network.style import (
    KINDS,
    RELATIONS,
    decorate,
    layout,
)

if TYPE_CHECKING:
    from filmkg.engines.store import Engine, KnowledgeGraph

__all__ = [
    "KINDS",
    "RELATIONS",
    "Picture",
    "ViewOptions",
    "layout",
    "picture",
    "render_dot",
    "render_html",
    "render_image",
    "view_graph",
    "vis_network_js",
    "write_network_artefacts",
]


#: Above this many people a static picture keeps only the best-connected by default.
DEFAULT_MAX_PEOPLE = 150
#: The same for an HTML page (drawn with WebGL past :data:`WEBGL_THRESHOLD` nodes).
DEFAULT_MAX_PEOPLE_HTML = 10_000
#: Pages with more nodes than this are drawn by sigma.js (WebGL) instead of vis-network.
WEBGL_THRESHOLD = 1_000
#: The HTML renderers: ``auto`` picks by size.
RENDERERS = ("auto", "vis-network", "sigma")


@dataclass(frozen=True)
class ViewOptions:
    """What to draw: ``view`` "overview" (people, works, companies) or "people" (the
    collaboration graph); ``person`` keeps that person's neighbourhood; ``min_shared``
    keeps people who share at least that many works with someone; ``top`` keeps the
    ``top`` people with the most collaborators (by default up to ``max_people``);
    ``depth`` is the radius (in collaboration hops) of ``person``'s neighbourhood."""

    view: str = "overview"
    person: str | None = None
    min_shared: int = 0
    top: int | None = None
    depth: int = 1
    max_people: int = DEFAULT_MAX_PEOPLE


@dataclass
class Picture:
    """A network view ready to show: in Jupyter it draws itself (``_repr_svg_``);
    :meth:`svg`, :meth:`png` and :meth:`page` give the files ``filmkg viz`` writes.

    >>> from filmkg.build.project import load_project
    >>> pic = picture(load_project(), ViewOptions(view="people"))
    >>> pic.nodes, pic.edges, 'id="reunion-' in pic._repr_svg_()
    (14, 78, True)
    """

    graph: nx.Graph
    title: str = "filmkg collaboration network"

    @property
    def nodes(self) -> int:
        """Number of nodes drawn."""
        return int(self.graph.number_of_nodes())

    @property
    def edges(self) -> int:
        """Number of edges drawn."""
        return int(self.graph.number_of_edges())

    def svg(self) -> bytes:
        """The static picture as SVG (deterministic)."""
        return render_image(self.graph, "svg", title=self.title)

    def png(self) -> bytes:
        """The static picture as PNG."""
        return render_image(self.graph, "png", title=self.title)

    def page(self, renderer: str = "auto") -> str:
        """The interactive, self-contained HTML page."""
        return render_html(self.graph, title=self.title, renderer=renderer)

    def _repr_svg_(self) -> str:
        return self.svg().decode("utf-8")


def picture(
    kg: KnowledgeGraph,
    options: ViewOptions = ViewOptions(),
    *,
    title: str = "filmkg collaboration network",
    engine: Engine = "oxigraph",
) -> Picture:
    """The view ``options`` of ``kg`` as a :class:`Picture` (shows itself in Jupyter)."""
    return Picture(view_graph(kg, options, engine=engine), title)


# -- the graph to draw ---------------------------------------------------------------------


def view_graph(
    kg: KnowledgeGraph,
    options: ViewOptions = ViewOptions(),
    *,
    engine: Engine = "oxigraph",
    collab: nx.Graph | None = None,
) -> nx.Graph:
    """The graph a picture shows, filtered by ``options``; every edge carries ``label``,
    ``relation``, ``details`` and ``evidence`` (quotes).

    >>> from filmkg.build.project import load_project
    >>> kg = load_project()
    >>> view_graph(kg).number_of_nodes()
    21
    >>> g = view_graph(kg, ViewOptions(min_shared=2))
    >>> sorted(d["label"] for _, d in g.nodes(data=True) if d["kind"] == "person")
    ['Eric Roth', 'Robert Zemeckis', 'Robin Wright', 'Tom Hanks']
    """
    if options.view not in ("overview", "people"):
        raise UsageError(f"unknown view {options.view!r}", hint="use overview or people")
    if options.min_shared < 0:
        raise UsageError(f"--min-shared must be 0 or more, not {options.min_shared}")
    if options.top is not None and options.top < 1:
        raise UsageError(f"--top must be 1 or more, not {options.top}")
    if options.depth < 1:
        raise UsageError(f"--depth must be 1 or more, not {options.depth}")
    if collab is None:  # given: the rich collaboration graph of kg, already computed
        collab = collaboration_graph(kg, engine=engine, lean=False)
    quotes = evidence_quotes(kg, engine=engine)
    keep = _people_to_keep(collab, options)
    if options.view == "people":
        graph = _people_view(collab, quotes)
        return nx.Graph(graph.subgraph(keep))
    graph = _overview_view(overview_graph(kg, engine=engine), quotes)
    if keep == set(collab):
        return graph
    # keep the chosen people, their works, and the companies / source works of those works
    works = {w for p in keep if p in graph for w in graph[p]}
    extra = {
        n
        for w in works
        for n in graph[w]
        if graph.nodes[n].get("kind") != PERSON and n not in works
    }
    return nx.Graph(graph.subgraph(keep | works | extra))


def _people_to_keep(collab: nx.Graph, options: ViewOptions) -> set[str]:
    people = set(collab)
    if options.person is not None:
        center = resolve_node(collab, options.person)
        people = set(nx.ego_graph(collab, center, radius=options.depth))
    if options.min_shared > 0:
        people = {
            p
            for p in people
            if any(d["count"] >= options.min_shared for _, _, d in collab.edges(p, data=True))
        }
        if options.person is not None:
            people.add(resolve_node(collab, options.person))
    top = options.top
    if top is None and len(people) > options.max_people:
        top = options.max_people
    if top is not None and len(people) > top:
        ranked = sorted(people, key=lambda p: (-collab.degree(p), str(p)))
        people = set(ranked[:top])
    return people


def _quotes_for(assertions: Iterable[str], quotes: Mapping[str, list[str]]) -> list[str]:
    return sorted({q for a in assertions for q in quotes.get(a, [])})


def _overview_view(graph: nx.Graph, quotes: Mapping[str, list[str]]) -> nx.Graph:
    for _, _, data in graph.edges(data=True):
        data["evidence"] = _quotes_for(data.get("assertions", []), quotes)
        if data["relation"] == "company":
            data["details"] = list(data["capacities"])
        else:
            data["details"] = [data["label"]]
    return graph


def _people_view(collab: nx.Graph, quotes: Mapping[str, list[str]]) -> nx.Graph:
    """Person–person edges with what the pictures show: the works (labels, years), the
    roles in words, the evidence; each person's roles and years (for the page's filters)."""
    graph = nx.Graph(name="people")
    roles_of: dict[str, set[str]] = {n: set() for n in collab}
    years_of: dict[str, set[int]] = {n: set() for n in collab}
    for u, v, data in collab.edges(data=True):
        details = []
        credits: list[str] = []
        for work, label, year in zip(
            data["works"], data["work_labels"], data["years"], strict=True
        ):
            roles = data["roles"][work]
            when = f" ({year})" if year is not None else ""
            details.append(
                f"{label}{when}: {collab.nodes[u]['label']} as {', '.join(roles[u])}; "
                f"{collab.nodes[v]['label']} as {', '.join(roles[v])}"
            )
            credits += [c for person in (u, v) for c in data["credits"][work][person]]
            for person in (u, v):
                roles_of[person].update(roles[person])
                if year is not None:
                    years_of[person].add(int(year))
        graph.add_edge(
            u,
            v,
            relation="collaboration",
            label=", ".join(data["work_labels"]),
            details=details,
            evidence=_quotes_for(credits, quotes),
            count=data["count"],
            work_labels=list(data["work_labels"]),
            years=list(data["years"]),
        )
    for node, data in collab.nodes(data=True):
        graph.add_node(
            node,
            label=data["label"],
            kind=data["kind"],
            iri=data["iri"],
            roles=sorted(roles_of[node]),
            years=sorted(years_of[node]),
        )
    return graph


# -- HTML ----------------------------------------------------------------------------------


def vis_network_js() -> str:
    """vis-network's standalone JavaScript, read from the installed pyvis wheel."""
    try:
        import pyvis  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pyvis is a dependency
        raise InternalError(
            "pyvis is not installed", hint="pip install pyvis (it carries vis-network)"
        ) from None
    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib"
    bundles = sorted(lib.glob("vis-*/vis-network.min.js"), key=_version_key)
    if not bundles:  # pragma: no cover - a broken pyvis install
        raise InternalError(f"no vis-network bundle under {lib}", hint="reinstall pyvis")
    return bundles[-1].read_text(encoding="utf-8")


def _version_key(path: Path) -> tuple[int, ...]:
    version = path.parent.name.removeprefix("vis-")
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def _script_json(value: Any) -> str:
    """JSON safe inside ``<script>``: no ``</script>``, ``<!--``, U+2028/9 can break out.

    >>> _script_json({"a": "</script><!--\\u2028"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028"}'
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _script_text(js: str) -> str:
    """JavaScript source safe to inline in ``<script>``."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _html_data(graph: nx.Graph, positions: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """The page's JSON: nodes and edges with their drawing attributes (``graph`` is
    decorated), the legend, and what the filters need (roles, years)."""
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph))}
    nodes = [_html_node(graph, node, ids[node], positions[str(node)]) for node in sorted(graph)]
    edges = []
    for i, (u, v) in enumerate(sorted(tuple(sorted((a, b))) for a, b in graph.edges())):
        data = graph.edges[u, v]
        edges.append(
            {
                "id": f"e{i}",
                "from": ids[u],
                "to": ids[v],
                "label": str(data.get("label", "")),
                "caption": str(data.get("caption", "")),
                "relation": str(data.get("relation", "credit")),
                "details": [str(d) for d in data.get("details", [])],
                "evidence": [str(q) for q in data.get("evidence", [])],
                "width": float(data.get("width", 1.0)),
                "color": str(data.get("color", "#999999")),
                "dashes": bool(data.get("dashed", False)),
                "reunion": bool(data.get("reunion", False)),
                "years": sorted({int(y) for y in data.get("years", []) if y is not None}),
            }
        )
    legend = [
        {"mark": e.mark, "color": e.color, "label": e.label, "dashes": e.dashed}
        for e in graph.graph.get("legend", [])
    ]
    shown = sum(1 for n in nodes if n["labelled"])
    names = "" if shown == len(nodes) else f" Names shown for the {shown} most central."
    return {
        "nodes": nodes,
        "edges": edges,
        "legend": legend,
        "roles": sorted({r for n in nodes for r in n["roles"]}),
        "edgeLabels": len(edges) <= 300,
        "summary": f"{len(nodes)} nodes, {len(edges)} edges.{names} Hover for evidence; "
        "drag to pan, scroll to zoom.",
    }


def _webgl_data(graph: nx.Graph, positions: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """The sigma page's JSON, compact for thousands of nodes: the nodes as on the
    vis-network page; each edge one array ``[from, to, width, colour, reunion, works,
    years]`` (node indexes; no per-edge evidence, which the smaller pages show)."""
    order = sorted(graph)
    index = {node: i for i, node in enumerate(order)}
    nodes = [_html_node(graph, n, f"n{i}", positions[str(n)]) for i, n in enumerate(order)]
    edges = []
    for u, v in sorted(tuple(sorted((a, b))) for a, b in graph.edges()):
        data = graph.edges[u, v]
        edges.append(
            [
                index[u],
                index[v],
                round(float(data.get("width", 1.0)), 2),
                str(data.get("color", "#999999")),
                1 if data.get("reunion") else 0,
                str(data.get("label", "")),
                sorted({int(y) for y in data.get("years", []) if y is not None}),
            ]
        )
    legend = [
        {"mark": e.mark, "color": e.color, "label": e.label, "dashes": e.dashed}
        for e in graph.graph.get("legend", [])
    ]
    shown = sum(1 for n in nodes if n["labelled"])
    return {
        "nodes": nodes,
        "edges": edges,
        "legend": legend,
        "roles": sorted({r for n in nodes for r in n["roles"]}),
        "summary": f"{len(nodes)} nodes, {len(edges)} edges. Names shown for the {shown} "
        "most central; zoom in for more. Drag to pan, scroll to zoom, click for details.",
    }


def _html_node(graph: nx.Graph, node: str, ident: str, xy: tuple[int, int]) -> dict[str, Any]:
    data = graph.nodes[node]
    kind = str(data.get("kind", "work"))
    entry: dict[str, Any] = {
        "id": ident,
        "label": str(data.get("label", node)),
        "kind": kind,
        "iri": str(data.get("iri", node)),
        "x": xy[0],
        "y": xy[1],
        "size": round(float(data.get("size", 10)), 2),
        "color": str(data.get("color", "#bbbbbb")),
        "shape": KINDS.get(kind, KINDS["work"]).shape,
        "labelled": bool(data.get("show_label", True)),
        "reunion": bool(data.get("reunion", False)),
        "roles": [str(r) for r in data.get("roles", [])],
        "years": [int(y) for y in data.get("years", [])],
    }
    if data.get("community") is not None:
        entry["community"] = int(data["community"]) + 1
    if data.get("year") is not None:
        entry["year"] = int(data["year"])
    return entry


def render_html(
    graph: nx.Graph, *, title: str = "filmkg collaboration network", renderer: str = "auto"
) -> str:
    """One self-contained HTML page drawing ``graph`` (offline, nothing fetched).

    ``renderer`` "vis-network" (edge labels, evidence tooltips) or "sigma" (WebGL, smooth
    at thousands of nodes; search, filters by role and years); "auto" picks sigma past
    :data:`WEBGL_THRESHOLD` nodes. Nodes need ``label``, ``kind`` and ``iri``; edges may
    have ``label``, ``relation``, ``details``, ``evidence`` and ``count``.

    >>> g = nx.Graph()
    >>> g.add_node("p", label="Ann", kind="person", iri="p")
    >>> "new Sigma(" in render_html(g, renderer="sigma"), "vis.Network" in render_html(g)
    (True, True)
    """
    if renderer not in RENDERERS:
        raise UsageError(f"unknown renderer {renderer!r}", hint="use " + ", ".join(RENDERERS))
    if renderer == "auto":
        renderer = "sigma" if graph.number_of_nodes() > WEBGL_THRESHOLD else "vis-network"
    drawn = decorate(graph)
    values = {
        "TITLE": html.escape(title),
        "VERSION": html.escape(__version__),
    }
    positions = layout(drawn)
    if renderer == "sigma":
        values["DATA"] = _script_json(_webgl_data(drawn, positions))
        name = "network_webgl.html"
        values["GRAPHOLOGY_JS"] = _script_text(_vendor_js("graphology.umd.min.js"))
        values["SIGMA_JS"] = _script_text(_vendor_js("sigma.min.js"))
    else:
        name = "network.html"
        values["DATA"] = _script_json(_html_data(drawn, positions))
        values["VIS_JS"] = _script_text(vis_network_js())
    # one pass, so text inserted for one placeholder is never scanned for another
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m.group(1)], page_template(name))


def page_template(name: str) -> str:
    """The page template ``templates/<name>`` with its partials in place: a line
    ``{{> part}}`` stands for the file ``templates/_part.html`` (the parts both pages
    share: the head, the side panel, the data script).

    >>> "{{>" in page_template("network.html"), page_template("network.html")[:15]
    (False, '<!doctype html>')
    """
    folder = resources.files("filmkg.network") / "templates"
    return re.sub(
        r"^\{\{> ([a-z_]+)\}\}\n",
        lambda m: (folder / f"_{m.group(1)}.html").read_text("utf-8"),
        (folder / name).read_text("utf-8"),
        flags=re.MULTILINE,
    )


def _vendor_js(name: str) -> str:
    """A vendored minified build (``templates/vendor``, see its README), without its
    source-map comment (no map is shipped; the page requests nothing)."""
    text = (resources.files("filmkg.network") / "templates" / "vendor" / name).read_text("utf-8")
    return re.sub(r"^//# sourceMappingURL=\S*\s*$", "", text, flags=re.MULTILINE)


# -- static images -------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    r"""A DOT double-quoted string; backslashes doubled so escapes like \N stay literal.

    >>> _dot_string('say "hi" \\N')
    '"say \\"hi\\" \\\\N"'
    """
    cleaned = " ".join(text.split())
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _html_label_text(text: str) -> str:
    """Text for a Graphviz HTML-like label: escaped, one line."""
    return html.escape(" ".join(text.split()), quote=True)


def _dot_legend(graph: nx.Graph, title: str) -> str:
    cells = []
    for entry in graph.graph.get("legend", []):
        mark = (
            f'<td bgcolor="{entry.color}"> </td>'
            if entry.mark == "node"
            else f'<td><font color="{entry.color}">{"- - -" if entry.dashed else "———"}</font></td>'
        )
        cells.append(f'<tr>{mark}<td align="left">{_html_label_text(entry.label)}</td></tr>')
    return (
        '<<table border="0" cellspacing="2" cellpadding="2">'
        f'<tr><td colspan="2"><font point-size="16">{_html_label_text(title)}</font></td></tr>'
        f"{''.join(cells)}</table>>"
    )


def render_dot(graph: nx.Graph, *, title: str = "filmkg collaboration network") -> str:
    """The Graphviz DOT text of a picture of ``graph``, for people who lay out with
    Graphviz themselves (``neato -Tsvg``): the colours, widths, labels (at most 60 on
    edges) and legend of the other formats; overlap removal (``overlap=prism``), edge
    labels as external labels (``xlabel``) kept clear of the nodes."""
    graph = decorate(graph)
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph))}
    large = graph.number_of_nodes() >= 300
    graph_attrs = [
        f"label={_dot_legend(graph, title)}",
        "labelloc=b",
        'fontname="DejaVu Sans"',
        "overlap=prism",
        f"overlap_scaling={1 if large else -4}",
        'sep="+12"',
        'esep="+6"',
        f"splines={'false' if large else 'true'}",
        "forcelabels=true",
        "outputorder=edgesfirst",
        "start=42",
        "pad=0.3",
        'bgcolor="white"',
    ]
    lines = [
        "graph filmkg {",
        f"  graph [{', '.join(graph_attrs)}];",
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11, '
        'fontcolor="white", color="#333333", penwidth=0.6, margin="0.10,0.05"];',
        '  edge [fontname="DejaVu Sans", fontsize=8, fontcolor="#444444", len=3.2];',
    ]
    for node in sorted(graph):
        data = graph.nodes[node]
        kind = KINDS.get(str(data.get("kind", "work")), KINDS["work"])
        label = str(data.get("label", node)) if data.get("show_label", True) else ""
        if label and data.get("year") is not None:
            label = f"{label} ({data['year']})"
        shape = {"dot": "box", "box": "box", "diamond": "hexagon"}[kind.shape]
        lines.append(
            f"  {ids[node]} [label={_dot_string(label)}, fillcolor={_dot_string(data['color'])}, "
            f"shape={shape}, tooltip={_dot_string(str(data.get('iri', node)))}];"
        )
    edge_labels = graph.number_of_edges() <= 60
    for u, v in sorted(tuple(sorted((a, b))) for a, b in graph.edges()):
        data = graph.edges[u, v]
        attrs = [f"color={_dot_string(data['color'])}", f"penwidth={data['width']:g}"]
        if data.get("dashed"):
            attrs.append("style=dashed")
        if (edge_labels or data.get("reunion")) and data.get("caption"):
            attrs.append(f"xlabel={_dot_string(str(data['caption']))}")
        lines.append(f"  {ids[u]} -- {ids[v]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_image(
    graph: nx.Graph, fmt: str = "svg", *, title: str = "filmkg collaboration network"
) -> bytes:
    """An SVG or PNG picture of ``graph``, drawn by matplotlib alone (the same picture
    whatever else is installed), with a legend and labels.

    >>> g = nx.Graph()
    >>> g.add_node("a", label="Ann", kind="person")
    >>> render_image(g, "svg").lstrip().startswith(b"<?xml")
    True
    """
    return draw_static(decorate(graph), fmt, title=title)


# -- build artefacts -----------------------------------------------------------------------


def write_network_artefacts(
    kg: KnowledgeGraph, out_dir: Path, *, engine: Engine = "oxigraph"
) -> list[Path]:
    """Write ``network.html``, ``network.svg`` and ``network.graphml`` into ``out_dir``,
    each atomically and byte-identical across runs; return their paths.

    The HTML and SVG show the overview (people, works, companies); the GraphML holds the
    person–person collaboration graph with scalar attributes (for Gephi / Cytoscape).
    """
    collab = collaboration_graph(kg, engine=engine, lean=False)
    view = view_graph(kg, engine=engine, collab=collab)
    outputs = {
        "network.html": render_html(view).encode("utf-8"),
        "network.svg": render_image(view, "svg"),
        "network.graphml": export_graph(collab, "graphml"),
    }
    paths = []
    for name, data in outputs.items():
        path = Path(out_dir) / name
        atomic_write_bytes(path, data)
        paths.append(path)
    return paths
