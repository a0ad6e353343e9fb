"""Pictures of the network: a self-contained interactive HTML page and static SVG / PNG.

The HTML page inlines vis-network's JavaScript from the installed ``pyvis`` wheel (read at
render time, never copied into the repository) into a template of our own
(``filmkg/network/templates/network.html``): no CDN, no request of any kind (its
Content-Security-Policy forbids them too). Positions are computed in Python (physics off),
the data is embedded as JSON in a ``<script type="application/json">`` block with ``<``,
``>``, ``&``, U+2028 and U+2029 escaped, and the page builds every label, tooltip and list
with ``textContent``: a name such as ``<img src=x onerror=alert(1)>`` is shown as text.

Static images use Graphviz (``neato`` with overlap removal, ``sfdp`` for large graphs)
when its binaries are installed, and matplotlib otherwise.

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
import math
import re
import shutil
import subprocess
from collections import Counter
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
    SEED,
    collaboration_graph,
    evidence_quotes,
    export_graph,
    overview_graph,
    resolve_node,
)

if TYPE_CHECKING:
    from filmkg.engines.store import Engine, KnowledgeGraph

__all__ = [
    "KINDS",
    "RELATIONS",
    "ViewOptions",
    "graphviz_available",
    "layout",
    "render_dot",
    "render_html",
    "render_image",
    "view_graph",
    "vis_network_js",
    "write_network_artefacts",
]


@dataclass(frozen=True)
class _Kind:
    label: str
    color: str
    shape: str


#: Node kinds: legend label, colour (colour-blind-safe Tableau 10), vis-network shape.
KINDS: dict[str, _Kind] = {
    "person": _Kind("person", "#4e79a7", "dot"),
    "film": _Kind("film", "#e15759", "box"),
    "graphic novel": _Kind("graphic novel", "#f28e2b", "box"),
    "work": _Kind("other work", "#b07aa1", "box"),
    "organisation": _Kind("organisation", "#59a14f", "diamond"),
}

#: Edge relations: legend label, colour, dashed.
RELATIONS: dict[str, tuple[str, str, bool]] = {
    "credit": ("credit (edge label: role)", "#7f7f7f", False),
    "company": ("company (edge label: capacity)", "#59a14f", True),
    "adaptation": ("based on", "#f28e2b", True),
    "collaboration": ("worked together (edge label: works)", "#4e79a7", False),
}

#: Above this many nodes the HTML view keeps only the best-connected people by default.
DEFAULT_MAX_PEOPLE = 150


@dataclass(frozen=True)
class ViewOptions:
    """What to draw: ``view`` "overview" (people, works, companies) or "people" (the
    collaboration graph); ``person`` keeps that person's neighbourhood; ``min_shared``
    keeps people who share at least that many works with someone; ``top`` keeps the
    ``top`` people with the most collaborators."""

    view: str = "overview"
    person: str | None = None
    min_shared: int = 0
    top: int | None = None


# -- the graph to draw ---------------------------------------------------------------------


def view_graph(
    kg: KnowledgeGraph, options: ViewOptions = ViewOptions(), *, engine: Engine = "oxigraph"
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
        people = set(nx.ego_graph(collab, center, radius=1))
    if options.min_shared > 0:
        people = {
            p
            for p in people
            if any(d["count"] >= options.min_shared for _, _, d in collab.edges(p, data=True))
        }
        if options.person is not None:
            people.add(resolve_node(collab, options.person))
    top = options.top
    if top is None and len(people) > DEFAULT_MAX_PEOPLE:
        top = DEFAULT_MAX_PEOPLE
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
    graph = nx.Graph(name="people")
    for node, data in collab.nodes(data=True):
        graph.add_node(node, label=data["label"], kind=data["kind"], iri=data["iri"])
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
        graph.add_edge(
            u,
            v,
            relation="collaboration",
            label=", ".join(data["work_labels"]),
            details=details,
            evidence=_quotes_for(credits, quotes),
            count=data["count"],
        )
    return graph


# -- layout --------------------------------------------------------------------------------


def layout(graph: nx.Graph, *, size: float = 1000.0) -> dict[str, tuple[int, int]]:
    """Node positions in pixels, deterministic (fixed seed, sorted input, rounded).

    NetworkX's spring layout up to 500 nodes; beyond that Graphviz ``sfdp`` when it is
    installed (NetworkX would need scipy), else a circle.

    >>> pos = layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos) == ["a", "b", "c"] and pos == layout(nx.path_graph(["a", "b", "c"]))
    True
    """
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph))
    ordered.add_edges_from(sorted(tuple(sorted((str(u), str(v)))) for u, v in graph.edges()))
    n = ordered.number_of_nodes()
    if n == 0:
        return {}
    raw: Mapping[str, Any]
    if n < 500:
        k = 2.0 / math.sqrt(n) if n > 1 else None
        raw = nx.spring_layout(ordered, seed=SEED, k=k, iterations=200)
    elif graphviz_available("sfdp"):
        raw = _graphviz_positions(ordered, "sfdp")
    else:
        raw = nx.circular_layout(ordered)
    scale = size * (0.15 + 0.12 * math.sqrt(n))
    return {
        str(node): (round(float(x) * scale), round(float(y) * scale))
        for node, (x, y) in raw.items()
    }


def _graphviz_positions(graph: nx.Graph, engine: str) -> dict[str, tuple[float, float]]:
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph))}
    lines = ["graph g {", "  graph [overlap=false, start=42];"]
    lines += [f"  {ids[n]};" for n in sorted(graph)]
    lines += [f"  {ids[u]} -- {ids[v]};" for u, v in sorted(graph.edges())]
    lines.append("}")
    out = _run_graphviz(engine, "plain", "\n".join(lines).encode())
    back = {v: k for k, v in ids.items()}
    pos: dict[str, tuple[float, float]] = {}
    width = height = 1.0
    for line in out.decode().splitlines():
        parts = line.split()
        if parts and parts[0] == "graph":
            width, height = float(parts[2]) or 1.0, float(parts[3]) or 1.0
        elif parts and parts[0] == "node":
            pos[back[parts[1]]] = (float(parts[2]) / width - 0.5, 0.5 - float(parts[3]) / height)
    return pos


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
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph))}
    degree = dict(graph.degree())
    nodes = []
    for node in sorted(graph):
        data = graph.nodes[node]
        x, y = positions[str(node)]
        entry: dict[str, Any] = {
            "id": ids[node],
            "label": str(data.get("label", node)),
            "kind": str(data.get("kind", "work")),
            "iri": str(data.get("iri", node)),
            "x": x,
            "y": y,
            "size": 10 + min(20, 2 * degree[node]),
        }
        if data.get("year") is not None:
            entry["year"] = int(data["year"])
        nodes.append(entry)
    edges = []
    for i, (u, v) in enumerate(sorted(tuple(sorted((a, b))) for a, b in graph.edges())):
        data = graph.edges[u, v]
        edges.append(
            {
                "id": f"e{i}",
                "from": ids[u],
                "to": ids[v],
                "label": str(data.get("label", "")),
                "relation": str(data.get("relation", "credit")),
                "details": [str(d) for d in data.get("details", [])],
                "evidence": [str(q) for q in data.get("evidence", [])],
                "width": 1 + min(5, int(data.get("count", 1))),
            }
        )
    kind_counts = Counter(n["kind"] for n in nodes)
    relation_counts = Counter(e["relation"] for e in edges)
    kinds = [
        {
            "kind": kind,
            "label": KINDS.get(kind, KINDS["work"]).label,
            "color": KINDS.get(kind, KINDS["work"]).color,
            "shape": KINDS.get(kind, KINDS["work"]).shape,
            "count": count,
        }
        for kind, count in sorted(kind_counts.items(), key=lambda kv: _kind_order(str(kv[0])))
    ]
    relations = [
        {
            "relation": rel,
            "label": _relation(rel)[0],
            "color": _relation(rel)[1],
            "dashes": _relation(rel)[2],
            "count": count,
        }
        for rel, count in sorted((str(r), c) for r, c in relation_counts.items())
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "kinds": kinds,
        "relations": relations,
        "edgeLabels": len(edges) <= 300,
        "summary": f"{len(nodes)} nodes, {len(edges)} edges. Hover for evidence; "
        "drag to pan, scroll to zoom.",
    }


def _kind_order(kind: str) -> tuple[int, str]:
    order = list(KINDS)
    return (order.index(kind) if kind in order else len(order), kind)


def render_html(graph: nx.Graph, *, title: str = "filmkg collaboration network") -> str:
    """One self-contained HTML page drawing ``graph`` with vis-network (offline).

    Nodes need ``label``, ``kind`` and ``iri``; edges may have ``label``, ``relation``,
    ``details``, ``evidence`` and ``count``.
    """
    template = (resources.files("filmkg.network") / "templates" / "network.html").read_text("utf-8")
    values = {
        "TITLE": html.escape(title),
        "VERSION": html.escape(__version__),
        "VIS_JS": _script_text(vis_network_js()),
        "DATA": _script_json(_html_data(graph, layout(graph))),
    }
    # one pass, so text inserted for one placeholder is never scanned for another
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m.group(1)], template)


# -- static images -------------------------------------------------------------------------


def graphviz_available(engine: str = "neato") -> bool:
    """True when the Graphviz binary ``engine`` is on PATH."""
    return shutil.which(engine) is not None


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
    kinds = sorted({str(d.get("kind", "work")) for _, d in graph.nodes(data=True)}, key=_kind_order)
    relations = sorted({str(d.get("relation", "credit")) for _, _, d in graph.edges(data=True)})
    cells = [
        f'<td bgcolor="{KINDS.get(k, KINDS["work"]).color}"> </td>'
        f'<td align="left">{_html_label_text(KINDS.get(k, KINDS["work"]).label)}</td>'
        for k in kinds
    ]
    cells += [
        f'<td><font color="{_relation(r)[1]}">{"- - -" if _relation(r)[2] else "———"}</font></td>'
        f'<td align="left">{_html_label_text(_relation(r)[0])}</td>'
        for r in relations
    ]
    return (
        '<<table border="0" cellspacing="4" cellpadding="2">'
        f'<tr><td colspan="{2 * max(len(cells), 1)}"><font point-size="16">'
        f"{_html_label_text(title)}</font></td></tr>"
        f"<tr>{''.join(cells)}</tr></table>>"
    )


def _relation(relation: str) -> tuple[str, str, bool]:
    return RELATIONS.get(relation, (relation, "#999999", False))


def render_dot(graph: nx.Graph, *, title: str = "filmkg collaboration network") -> str:
    """The Graphviz DOT text of a picture of ``graph``: nodes coloured by kind, edges
    labelled by role (when there are at most 60), a legend; for ``neato`` with overlap
    removal (``overlap=prism``) and edge labels placed as external labels (``xlabel``)
    that Graphviz keeps clear of the nodes."""
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
        label = str(data.get("label", node))
        if data.get("year") is not None:
            label = f"{label} ({data['year']})"
        shape = {"dot": "box", "box": "box", "diamond": "hexagon"}[kind.shape]
        lines.append(
            f"  {ids[node]} [label={_dot_string(label)}, fillcolor={_dot_string(kind.color)}, "
            f"shape={shape}, tooltip={_dot_string(str(data.get('iri', node)))}];"
        )
    edge_labels = graph.number_of_edges() <= 60
    for u, v in sorted(tuple(sorted((a, b))) for a, b in graph.edges()):
        data = graph.edges[u, v]
        _, colour, dashed = _relation(str(data.get("relation", "credit")))
        attrs = [f"color={_dot_string(colour)}"]
        if dashed:
            attrs.append("style=dashed")
        if edge_labels and data.get("label"):
            attrs.append(f"xlabel={_dot_string(str(data['label']))}")
        lines.append(f"  {ids[u]} -- {ids[v]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _run_graphviz(engine: str, fmt: str, dot: bytes) -> bytes:
    try:
        done = subprocess.run(
            [engine, f"-T{fmt}"], input=dot, capture_output=True, check=False, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InternalError(f"graphviz {engine} failed: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InternalError(f"graphviz {engine} failed: {message[-1] if message else 'no output'}")
    return done.stdout


def render_image(
    graph: nx.Graph, fmt: str = "svg", *, title: str = "filmkg collaboration network"
) -> bytes:
    """An SVG or PNG picture of ``graph``: Graphviz when installed, else matplotlib.

    >>> g = nx.Graph()
    >>> g.add_node("a", label="Ann", kind="person")
    >>> render_image(g, "svg").lstrip().startswith(b"<?xml")
    True
    """
    if fmt not in ("svg", "png"):
        raise UsageError(f"unknown image format {fmt!r}", hint="use svg or png")
    engine = "sfdp" if graph.number_of_nodes() >= 300 else "neato"
    if graphviz_available(engine):
        return _run_graphviz(engine, fmt, render_dot(graph, title=title).encode("utf-8"))
    return _matplotlib_image(graph, fmt, title=title)


def _matplotlib_image(graph: nx.Graph, fmt: str, *, title: str) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "filmkg"
    positions = layout(graph)
    n = max(graph.number_of_nodes(), 1)
    side = min(40.0, 6 + math.sqrt(n) * 1.5)
    fig, ax = plt.subplots(figsize=(side, side * 0.75))
    ax.set_title(title)
    ax.axis("off")
    for u, v in sorted(tuple(sorted((a, b))) for a, b in graph.edges()):
        _, colour, dashed = _relation(str(graph.edges[u, v].get("relation", "credit")))
        (x1, y1), (x2, y2) = positions[str(u)], positions[str(v)]
        ax.plot([x1, x2], [-y1, -y2], color=colour, linestyle="--" if dashed else "-", lw=0.8)
    for node in sorted(graph):
        data = graph.nodes[node]
        kind = KINDS.get(str(data.get("kind", "work")), KINDS["work"])
        x, y = positions[str(node)]
        ax.text(
            x,
            -y,
            str(data.get("label", node)),
            ha="center",
            va="center",
            fontsize=8,
            color="white",
            bbox={"boxstyle": "round,pad=0.3", "fc": kind.color, "ec": "#333333", "lw": 0.5},
        )
    ax.autoscale()
    ax.margins(0.08)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buffer, format=fmt, metadata=metadata, dpi=100)
    plt.close(fig)
    return buffer.getvalue()


# -- build artefacts -----------------------------------------------------------------------


def write_network_artefacts(
    kg: KnowledgeGraph, out_dir: Path, *, engine: Engine = "oxigraph"
) -> list[Path]:
    """Write ``network.html``, ``network.svg`` and ``network.graphml`` into ``out_dir``,
    each atomically and byte-identical across runs; return their paths.

    The HTML and SVG show the overview (people, works, companies); the GraphML holds the
    person–person collaboration graph with scalar attributes (for Gephi / Cytoscape).
    """
    view = view_graph(kg, engine=engine)
    outputs = {
        "network.html": render_html(view).encode("utf-8"),
        "network.svg": render_image(view, "svg"),
        "network.graphml": export_graph(
            collaboration_graph(kg, engine=engine, lean=False), "graphml"
        ),
    }
    paths = []
    for name, data in outputs.items():
        path = Path(out_dir) / name
        atomic_write_bytes(path, data)
        paths.append(path)
    return paths
