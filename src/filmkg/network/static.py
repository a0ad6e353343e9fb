"""Static pictures of a decorated network (SVG, PNG) with matplotlib alone.

One renderer that the package's own dependencies provide, so a picture is the same
whatever else is installed (no Graphviz): the SVG is deterministic (``svg.hashsalt``
fixed, no date in the metadata) and keeps its text as ``<text>`` (``svg.fonttype`` none)
so names, role labels and the legend can be searched, selected and tested. Labels are
moved apart until no two overlap.

Element ids in the SVG, for tools and tests: ``label-nI`` (a node's label; nodes are
numbered ``n0``, ``n1`` … in sorted IRI order), ``edges`` (the single collaborations,
one path each), ``reunion-nI-nJ`` (a repeated collaboration), ``elabel-nI-nJ`` (an edge
label), ``nodes`` (the node markers), ``legend``, ``title``.

>>> import networkx as nx
>>> from filmkg.network.style import decorate
>>> g = nx.Graph()
>>> g.add_node("a", label="Ann", kind="person", iri="a")
>>> svg = draw_static(decorate(g), "svg", title="demo")
>>> svg.startswith(b"<?xml") and b">Ann</text>" in svg and b"Date" not in svg
True
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import offset_copy

from filmkg.errors import UsageError
from filmkg.network.style import LegendEntry, layout

__all__ = ["RC", "declutter", "draw_static"]

#: matplotlib settings of every picture: deterministic SVG ids, text kept as text, the
#: DejaVu Sans that matplotlib ships (the same metrics everywhere).
RC: Any = {
    "svg.hashsalt": "filmkg",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "path.simplify": False,
}


def draw_static(graph: nx.Graph, fmt: str, *, title: str) -> bytes:
    """An SVG or PNG picture of a graph decorated by
    :func:`filmkg.network.style.decorate`."""
    if fmt not in ("svg", "png"):
        raise UsageError(f"unknown image format {fmt!r}", hint="use svg or png")
    with matplotlib.rc_context(RC):
        fig = _figure(graph)
        ax = fig.axes[0]
        positions = {k: (float(x), -float(y)) for k, (x, y) in layout(graph).items()}
        ids = {node: f"n{i}" for i, node in enumerate(sorted(graph))}
        _limits(ax, positions)
        boxes = graph.graph.get("name") != "people"
        labels = _node_labels(ax, graph, positions, ids, boxes=boxes)
        canvas = FigureCanvasAgg(fig)
        if boxes:  # the labels are the nodes: move nodes and labels together
            positions = declutter(canvas, ax, labels, positions)
        else:
            declutter(canvas, ax, labels, {})
        _draw_edges(ax, graph, positions, ids)
        _draw_markers(ax, graph, positions, boxes=boxes)
        edge_labels = _edge_labels(ax, graph, positions, ids)
        declutter(canvas, ax, edge_labels, {}, fixed=list(labels.values()))
        _legend(fig, graph.graph.get("legend", []))
        fig.text(0.01, 0.975, title, fontsize=15, va="top", gid="title")
        fig.text(0.01, 0.945, _summary(graph), fontsize=9, color="#555555", va="top")
        buffer = io.BytesIO()
        metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata, dpi=100)
    return buffer.getvalue()


def _figure(graph: nx.Graph) -> Figure:
    n = max(graph.number_of_nodes(), 1)
    height = min(15.0, 7.0 + math.sqrt(n) * 0.7)
    fig = Figure(figsize=(height * 1.5, height))
    ax = fig.add_axes((0.01, 0.01, 0.68, 0.91))
    ax.axis("off")
    return fig


def _summary(graph: nx.Graph) -> str:
    shown = sum(1 for _, d in graph.nodes(data=True) if d.get("show_label"))
    people = graph.graph.get("name") == "people"
    text = (
        f"{graph.number_of_nodes()} {'people' if people else 'nodes'}, "
        f"{graph.number_of_edges()} {'collaborations' if people else 'edges'}"
    )
    if shown < graph.number_of_nodes():
        text += f"; names shown for the {shown} most central"
    if people:
        text += "; colour: community (Louvain), width: shared works"
    return text


def _limits(ax: Any, positions: Mapping[str, tuple[float, float]]) -> None:
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    dx = (max(xs) - min(xs)) or 1.0
    dy = (max(ys) - min(ys)) or 1.0
    ax.set_xlim(min(xs) - 0.08 * dx, max(xs) + 0.08 * dx)
    ax.set_ylim(min(ys) - 0.08 * dy, max(ys) + 0.08 * dy)


def _node_labels(
    ax: Any,
    graph: nx.Graph,
    positions: Mapping[str, tuple[float, float]],
    ids: Mapping[str, str],
    *,
    boxes: bool,
) -> dict[str, Text]:
    texts: dict[str, Text] = {}
    for node in sorted(graph):
        data = graph.nodes[node]
        if not data.get("show_label"):
            continue
        label = str(data.get("label", node))
        if boxes and data.get("year") is not None:
            label = f"{label} ({data['year']})"
        x, y = positions[str(node)]
        if boxes:
            style = {"boxstyle": "round,pad=0.3", "fc": data["color"], "ec": "#333333", "lw": 0.5}
            texts[node] = ax.text(
                x, y, label, ha="center", va="center", fontsize=8.5, color="white",
                bbox=style, zorder=4, gid=f"label-{ids[node]}",
            )  # fmt: skip
        else:
            weight = "bold" if data.get("reunion") else "normal"
            style = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}
            # just above the dot (its radius, in points), not over it
            above = offset_copy(ax.transData, fig=ax.figure, y=float(data.get("size", 6)) / 2 + 2,
                                units="points")  # fmt: skip
            texts[node] = ax.text(
                x, y, label, ha="center", va="bottom", fontsize=9, color="#111111",
                fontweight=weight, bbox=style, zorder=5, gid=f"label-{ids[node]}",
                transform=above,
            )  # fmt: skip
    return texts


def declutter(
    canvas: FigureCanvasAgg,
    ax: Any,
    texts: Mapping[str, Text],
    positions: Mapping[str, tuple[float, float]],
    *,
    fixed: Sequence[Text] = (),
    rounds: int = 200,
) -> dict[str, tuple[float, float]]:
    """Move ``texts`` apart (display pixels) until no two boxes, nor a box and a
    ``fixed`` one, overlap; return ``positions`` with the moved nodes' new places."""
    if not texts:
        return dict(positions)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    keys = list(texts)
    boxes = [_box(texts[k], renderer) for k in keys]
    walls = [_box(t, renderer) for t in fixed]
    x0, y0, x1, y1 = ax.get_window_extent(renderer).extents
    for _ in range(rounds):
        if not _separate(boxes, walls, (x0, y0, x1, y1)):
            break
    inverse = ax.transData.inverted()
    out = dict(positions)
    for key, before, after in zip(
        keys, [_box(texts[k], renderer) for k in keys], boxes, strict=True
    ):
        anchor = ax.transData.transform(texts[key].get_position())
        moved = (anchor[0] + after[0] - before[0], anchor[1] + after[1] - before[1])
        x, y = inverse.transform(moved)
        texts[key].set_position((float(x), float(y)))
        if key in out:
            out[key] = (float(x), float(y))
    return out


def _box(text: Text, renderer: Any) -> list[float]:
    """The text's box in display pixels, with room for its rounded background."""
    x0, y0, x1, y1 = (float(v) for v in text.get_window_extent(renderer).extents)
    pad = 4.0 if text.get_bbox_patch() is not None else 1.0
    return [x0 - pad, y0 - pad, x1 + pad, y1 + pad]


def _separate(
    boxes: list[list[float]], walls: Sequence[Sequence[float]], bounds: Sequence[float]
) -> bool:
    """One round of pairwise pushes along the axis of least overlap; True if any moved."""
    moved = False
    gap = 2.0
    n = len(boxes)
    for i in range(n):
        a = boxes[i]
        for j in range(i + 1, n + len(walls)):
            movable = j < n
            b = boxes[j] if movable else walls[j - n]
            dx = min(a[2], b[2]) - max(a[0], b[0]) + gap
            dy = min(a[3], b[3]) - max(a[1], b[1]) + gap
            if dx <= 0 or dy <= 0:
                continue
            share = 0.5 if movable else 1.0
            if dx < dy:
                sign = -1.0 if (a[0] + a[2]) <= (b[0] + b[2]) else 1.0
                step = (sign * dx * share, 0.0)
            else:
                sign = -1.0 if (a[1] + a[3]) <= (b[1] + b[3]) else 1.0
                step = (0.0, sign * dy * share)
            _shift(a, *step)
            if movable:
                _shift(boxes[j], -step[0], -step[1])
            moved = True
    for box in boxes:
        _clamp(box, bounds)
    return moved


def _shift(box: list[float], dx: float, dy: float) -> None:
    box[0] += dx
    box[2] += dx
    box[1] += dy
    box[3] += dy


def _clamp(box: list[float], bounds: Sequence[float]) -> None:
    x0, y0, x1, y1 = bounds
    _shift(box, max(0.0, x0 - box[0]) - max(0.0, box[2] - x1), 0.0)
    _shift(box, 0.0, max(0.0, y0 - box[1]) - max(0.0, box[3] - y1))


def _segment(positions: Mapping[str, tuple[float, float]], u: str, v: str) -> list[Any]:
    return [positions[str(u)], positions[str(v)]]


def _draw_edges(
    ax: Any, graph: nx.Graph, positions: Mapping[str, tuple[float, float]], ids: Mapping[str, str]
) -> None:
    plain: list[tuple[str, str]] = []
    reunions: list[tuple[str, str]] = []
    for u, v in sorted(tuple(sorted((a, b))) for a, b in graph.edges()):
        (reunions if graph.edges[u, v].get("reunion") else plain).append((u, v))
    if plain:
        data = [graph.edges[u, v] for u, v in plain]
        lines = LineCollection(
            [_segment(positions, u, v) for u, v in plain],
            colors=[d.get("color", "#999999") for d in data],
            linewidths=[float(d.get("width", 0.8)) for d in data],
            linestyles=["--" if d.get("dashed") else "-" for d in data],
            alpha=0.7 if len(plain) > 300 else 0.9,
            zorder=1,
            gid="edges",
        )
        ax.add_collection(lines)
    for u, v in reunions:
        data = graph.edges[u, v]
        (x1, y1), (x2, y2) = positions[str(u)], positions[str(v)]
        ax.plot(
            [x1, x2], [y1, y2], color=data["color"], lw=float(data["width"]),
            solid_capstyle="round", zorder=2, gid=f"reunion-{ids[u]}-{ids[v]}",
        )  # fmt: skip


def _draw_markers(
    ax: Any, graph: nx.Graph, positions: Mapping[str, tuple[float, float]], *, boxes: bool
) -> None:
    nodes = [n for n in sorted(graph) if not (boxes and graph.nodes[n].get("show_label"))]
    if not nodes:
        return
    scale = 0.4 if boxes else 1.0  # overview sizes are the HTML page's, in pixels
    ax.scatter(
        [positions[str(n)][0] for n in nodes],
        [positions[str(n)][1] for n in nodes],
        s=[(float(graph.nodes[n].get("size", 6)) * scale) ** 2 for n in nodes],
        c=[graph.nodes[n].get("color", "#4e79a7") for n in nodes],
        edgecolors=["#111111" if graph.nodes[n].get("reunion") else "white" for n in nodes],
        linewidths=[1.6 if graph.nodes[n].get("reunion") else 0.5 for n in nodes],
        zorder=3,
        gid="nodes",
    )


def _edge_labels(
    ax: Any, graph: nx.Graph, positions: Mapping[str, tuple[float, float]], ids: Mapping[str, str]
) -> dict[str, Text]:
    """Role labels (overview, up to 60 edges) and reunion years (people view)."""
    people = graph.graph.get("name") == "people"
    if not people and graph.number_of_edges() > 60:
        return {}
    out: dict[str, Text] = {}
    for u, v in sorted(tuple(sorted((a, b))) for a, b in graph.edges()):
        data = graph.edges[u, v]
        text = str(data.get("caption") or "")
        if not text or (people and not data.get("reunion")):
            continue
        (x1, y1), (x2, y2) = positions[str(u)], positions[str(v)]
        colour = "#8e2a20" if data.get("reunion") else "#444444"
        style = {"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85}
        out[f"{u}|{v}"] = ax.text(
            (x1 + x2) / 2, (y1 + y2) / 2, text, ha="center", va="center", fontsize=7,
            color=colour, bbox=style, zorder=4, gid=f"elabel-{ids[u]}-{ids[v]}",
        )  # fmt: skip
    return out


def _legend(fig: Figure, entries: Sequence[LegendEntry]) -> None:
    if not entries:
        return
    handles = []
    for entry in entries:
        if entry.mark == "node":
            handles.append(
                Line2D([], [], marker="o", linestyle="", markersize=9, color=entry.color)
            )
        else:
            style: Any = "--" if entry.dashed else "-"
            width = 3.0 if entry.mark == "reunion" else max(entry.width, 1.0)
            handles.append(Line2D([], [], color=entry.color, lw=width, linestyle=style))
    legend = fig.legend(
        handles,
        [_wrap(e.label) for e in entries],
        loc="upper left",
        bbox_to_anchor=(0.70, 0.93),
        frameon=False,
        fontsize=9,
        title="Legend",
        title_fontsize=11,
        alignment="left",
    )
    legend.set_gid("legend")


def _wrap(text: str, width: int = 52) -> str:
    """A legend line wrapped onto at most three lines."""
    lines = textwrap.wrap(text, width) or [""]
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")
