"""What a picture of the network says, whatever draws it: colours, widths, labels, legend.

:func:`decorate` turns a view graph (see :func:`filmkg.network.drawing.view_graph`) into
a drawable one: every node gets ``color``, ``size``, ``show_label`` and (in the people
view) ``community``; every edge ``color``, ``width``, ``reunion`` and ``caption`` (the
text drawn on it: role labels in the overview, the years of a reunion in the people
view); the graph gets a
``legend`` (list of :class:`LegendEntry`) and its ``reunions`` (list of
:class:`ReunionGroup`). The SVG/PNG renderer and both HTML pages read these attributes
only, so a picture has the same colours, labels and legend in every format.

* People view: communities by Louvain modularity (NetworkX, weighted by shared works,
  fixed seed) coloured from a colour-blind-safe palette; edge width grows with the
  number of shared works; repeated collaborations (two or more shared works) are drawn
  in :data:`REUNION_COLOR` and labelled with their years; only the :data:`MAX_LABELS`
  most central people (by shared works, then collaborators) are labelled.
* Overview: nodes coloured by kind, edges by relation, labels for the most connected
  nodes when there are more than :data:`MAX_LABELS`.

>>> import networkx as nx
>>> g = nx.Graph()
>>> for p in "abc":
...     g.add_node(p, label=p.upper(), kind="person", iri=p)
>>> g.add_edge("a", "b", count=2, work_labels=["One", "Two"], years=[1994, 2024],
...            relation="collaboration")
>>> g.add_edge("b", "c", count=1, work_labels=["Two"], years=[2024], relation="collaboration")
>>> d = decorate(g)
>>> d.edges["a", "b"]["reunion"], d.edges["a", "b"]["caption"], d.edges["b", "c"]["reunion"]
(True, '1994 · 2024', False)
>>> d.edges["a", "b"]["width"] > d.edges["b", "c"]["width"]
True
>>> [r.title for r in d.graph["reunions"]]
['One (1994) + Two (2024)']
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from filmkg.network.projection import PERSON, SEED, communities

__all__ = [
    "COMMUNITY_PALETTE",
    "KINDS",
    "MAX_LABELS",
    "RELATIONS",
    "REUNION_COLOR",
    "LegendEntry",
    "ReunionGroup",
    "decorate",
    "edge_width",
    "layout",
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
    "collaboration": ("worked together once", "#b8b8b8", False),
}

#: Community colours, largest community first: Tableau 10, then lighter Tableau 20 tones.
COMMUNITY_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#a0cbe8",
    "#8cd17d",
    "#ffbe7d",
    "#d4a6c8",
)
#: Colour of the people in the smaller communities past the palette.
OTHER_COMMUNITY = "#c7c7c7"
#: Colour of a repeated collaboration (two or more shared works): the reunions.
REUNION_COLOR = "#c0392b"
#: Labels drawn by default: the most central people (or nodes) only.
MAX_LABELS = 30
#: Reunion groups drawn in the reunion colour, labelled and listed in the legend.
MAX_REUNION_GROUPS = 6
#: At most this many reunion edges are drawn in the reunion colour (the first group always).
MAX_REUNION_EDGES = 40
#: A reunion: two shared works in a row at least this many years apart.
REUNION_GAP = 10


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a ``node`` swatch or an ``edge`` line, its colour and text."""

    mark: str
    color: str
    label: str
    dashed: bool = False
    width: float = 1.0


@dataclass(frozen=True)
class ReunionGroup:
    """People who share the same two or more works: ``title`` names the works and years."""

    works: tuple[str, ...]
    years: tuple[int | None, ...]
    members: tuple[str, ...]
    member_labels: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        """The works with their years, e.g. ``Forrest Gump (1994) + Here (2024)``."""
        return " + ".join(
            f"{w} ({y})" if y is not None else w
            for w, y in zip(self.works, self.years, strict=True)
        )


def edge_width(count: int) -> float:
    """Line width (points) of an edge for ``count`` shared works: 0.6, 3, 4.5, 6 … capped.

    >>> [edge_width(n) for n in (1, 2, 3, 10)]
    [0.6, 3.0, 4.5, 8.0]
    """
    return 0.6 if count <= 1 else min(8.0, 1.5 * count)


def decorate(graph: nx.Graph, *, max_labels: int = MAX_LABELS, seed: int = SEED) -> nx.Graph:
    """A copy of ``graph`` with the drawing attributes set (see the module docstring)."""
    out = nx.Graph(graph)
    if out.graph.get("name") == "people" or all(
        d.get("kind") == PERSON for _, d in out.nodes(data=True)
    ):
        _decorate_people(out, max_labels=max_labels, seed=seed)
    else:
        _decorate_overview(out, max_labels=max_labels)
    return out


def _central(graph: nx.Graph, nodes: Iterable[str], limit: int) -> set[str]:
    """The ``limit`` most central of ``nodes``: most shared works, then collaborators."""
    return set(sorted(nodes, key=_rank(graph))[:limit])


def _central_by_community(graph: nx.Graph, groups: Sequence[Sequence[str]], limit: int) -> set[str]:
    """The ``limit`` people to name: the most central of each community in turn (largest
    community first), so that the names spread over the picture."""
    ranked = [sorted(_central(graph, g, limit), key=_rank(graph)) for g in groups]
    out: set[str] = set()
    for depth in range(limit):
        for people in ranked:
            if len(out) >= limit:
                return out
            if depth < len(people):
                out.add(people[depth])
    return out


def _rank(graph: nx.Graph) -> Any:
    def key(n: str) -> tuple[int, int, str, str]:
        label = str(graph.nodes[n].get("label", n))
        return (-graph.degree(n, weight="count"), -graph.degree(n), label, str(n))

    return key


def _decorate_people(graph: nx.Graph, *, max_labels: int, seed: int) -> None:
    for _, _, data in graph.edges(data=True):
        data["weight"] = int(data.get("count", 1))
    groups = communities(graph, seed=seed)
    colour_of: dict[str, str] = {}
    for i, group in enumerate(groups):
        colour = COMMUNITY_PALETTE[i] if i < len(COMMUNITY_PALETTE) else OTHER_COMMUNITY
        for node in group:
            colour_of[node] = colour
            graph.nodes[node]["community"] = i
    reunions = _reunion_groups(graph)
    shown = _highlighted(reunions)
    highlighted = {pair for r in shown for pair in r.pairs}
    in_reunion = {m for r in shown for m in r.members}
    labelled = _central_by_community(graph, groups, max_labels)
    if len(in_reunion) <= 12:
        labelled |= in_reunion
    for node, data in graph.nodes(data=True):
        data["color"] = colour_of.get(node, OTHER_COMMUNITY)
        data["size"] = 4 + min(12, 1.5 * math.sqrt(graph.degree(node, weight="count")))
        data["show_label"] = node in labelled
        data["reunion"] = node in in_reunion
    for u, v, data in graph.edges(data=True):
        count = int(data.get("count", 1))
        data["reunion"] = _key(u, v) in highlighted
        same = colour_of[u] == colour_of[v]
        data["width"] = (
            edge_width(count) if same or data["reunion"] else min(1.2, edge_width(count))
        )
        plain = _tint(colour_of[u], 0.55 if count == 1 else 0.2) if same else "#d9d9d9"
        data["color"] = REUNION_COLOR if data["reunion"] else plain
        years = [y for y in data.get("years", []) if y is not None]
        data["caption"] = " · ".join(str(y) for y in years) if data["reunion"] else ""
    graph.graph["communities"] = groups
    graph.graph["reunions"] = reunions
    graph.graph["legend"] = _people_legend(graph, groups, reunions, shown)


def _key(u: str, v: str) -> tuple[str, str]:
    return (u, v) if u <= v else (v, u)


def _highlighted(reunions: Sequence[ReunionGroup]) -> list[ReunionGroup]:
    """The reunion groups drawn in :data:`REUNION_COLOR`: the first ones (most members,
    longest gap) up to :data:`MAX_REUNION_EDGES` edges and :data:`MAX_REUNION_GROUPS`."""
    out: list[ReunionGroup] = []
    edges = 0
    for group in reunions[:MAX_REUNION_GROUPS]:
        if out and edges + len(group.pairs) > MAX_REUNION_EDGES:
            break
        out.append(group)
        edges += len(group.pairs)
    return out


def _tint(colour: str, amount: float = 0.55) -> str:
    """``colour`` mixed with white (edges inside a community, lighter than its nodes).

    >>> _tint("#000000", 0.5)
    '#808080'
    """
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def _reunion_groups(graph: nx.Graph) -> list[ReunionGroup]:
    """Reunions: pairs with two or more shared works of which two in a row are at least
    :data:`REUNION_GAP` years apart, grouped by the works they share; the groups with
    most members first, then the longest gap."""
    pairs: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
    years: dict[tuple[str, ...], tuple[int | None, ...]] = {}
    for u, v, data in graph.edges(data=True):
        known = sorted(y for y in data.get("years", []) if y is not None)
        if int(data.get("count", 1)) < 2 or _gap(known) < REUNION_GAP:
            continue
        works = tuple(str(w) for w in data.get("work_labels", []))
        pairs[works].append(_key(u, v))
        years[works] = tuple(data.get("years", [None] * len(works)))
    out = []
    for works, edges in pairs.items():
        people = {p for pair in edges for p in pair}
        ordered = sorted(people, key=lambda p: (str(graph.nodes[p].get("label", p)), p))
        out.append(
            ReunionGroup(
                works=works,
                years=years[works],
                members=tuple(ordered),
                member_labels=tuple(str(graph.nodes[p].get("label", p)) for p in ordered),
                pairs=tuple(sorted(edges)),
            )
        )
    return sorted(out, key=lambda r: (-len(r.members), -_gap(sorted(_known(r.years))), r.works))


def _known(years: Sequence[int | None]) -> list[int]:
    return [y for y in years if y is not None]


def _gap(years: Sequence[int]) -> int:
    """The longest gap between two consecutive (sorted) years."""
    return max((b - a for a, b in itertools.pairwise(years)), default=0)


def _span(years: Sequence[int | None]) -> int:
    known = [y for y in years if y is not None]
    return max(known) - min(known) if known else 0


def _names(labels: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" +{len(labels) - limit}" if len(labels) > limit else "")


def _people_legend(
    graph: nx.Graph,
    groups: Sequence[Sequence[str]],
    reunions: Sequence[ReunionGroup],
    shown: Sequence[ReunionGroup],
) -> list[LegendEntry]:
    entries = []
    for i, group in enumerate(groups[: len(COMMUNITY_PALETTE)]):
        top = sorted(_central(graph, group, 2), key=lambda n: graph.nodes[n]["label"])
        names = ", ".join(str(graph.nodes[n]["label"]) for n in top)
        text = f"community {i + 1} ({len(group)}): {names}"
        entries.append(LegendEntry("node", COMMUNITY_PALETTE[i], text))
    rest = groups[len(COMMUNITY_PALETTE) :]
    if rest:
        count = sum(len(g) for g in rest)
        entries.append(LegendEntry("node", OTHER_COMMUNITY, f"{len(rest)} smaller ({count})"))
    entries.append(LegendEntry("edge", "#b8b8b8", "worked together (width: shared works)"))
    if shown:
        text = f"reunion: together again after {REUNION_GAP}+ years"
        entries.append(LegendEntry("edge", REUNION_COLOR, text, width=3.0))
    for reunion in shown:
        text = f"{reunion.title}: {_names(reunion.member_labels)}"
        entries.append(LegendEntry("reunion", REUNION_COLOR, text))
    if len(reunions) > len(shown):
        text = f"… {len(reunions) - len(shown)} more (filmkg network reunions)"
        entries.append(LegendEntry("reunion", REUNION_COLOR, text))
    return entries


def _decorate_overview(graph: nx.Graph, *, max_labels: int) -> None:
    labelled = (
        set(graph) if graph.number_of_nodes() <= max_labels else _central(graph, graph, max_labels)
    )
    for node, data in graph.nodes(data=True):
        kind = KINDS.get(str(data.get("kind", "work")), KINDS["work"])
        data["color"] = kind.color
        data["size"] = 10 + min(20, 2 * graph.degree(node))
        data["show_label"] = node in labelled
    for _, _, data in graph.edges(data=True):
        _, colour, dashed = relation_style(str(data.get("relation", "credit")))
        data["color"] = colour
        data["dashed"] = dashed
        data["width"] = edge_width(int(data.get("count", 1)))
        data["reunion"] = False
        data["caption"] = str(data.get("label", ""))
    graph.graph["legend"] = _overview_legend(graph)
    graph.graph["reunions"] = []


def relation_style(relation: str) -> tuple[str, str, bool]:
    """Legend label, colour and dashed-ness of an edge relation."""
    return RELATIONS.get(relation, (relation, "#999999", False))


def kind_order(kind: str) -> tuple[int, str]:
    """Sort key of node kinds: the order of :data:`KINDS`, unknown kinds last."""
    order = list(KINDS)
    return (order.index(kind) if kind in order else len(order), kind)


def _overview_legend(graph: nx.Graph) -> list[LegendEntry]:
    kinds: dict[str, int] = defaultdict(int)
    for _, data in graph.nodes(data=True):
        kinds[str(data.get("kind", "work"))] += 1
    relations: dict[str, int] = defaultdict(int)
    for _, _, data in graph.edges(data=True):
        relations[str(data.get("relation", "credit"))] += 1
    entries = [
        LegendEntry(
            "node", KINDS.get(k, KINDS["work"]).color, f"{KINDS.get(k, KINDS['work']).label} ({n})"
        )
        for k, n in sorted(kinds.items(), key=lambda kv: kind_order(kv[0]))
    ]
    for rel, n in sorted(relations.items()):
        label, colour, dashed = relation_style(rel)
        entries.append(LegendEntry("edge", colour, f"{label} ({n})", dashed=dashed))
    return entries


# -- layout --------------------------------------------------------------------------------


def layout(graph: nx.Graph, *, size: float = 1000.0) -> dict[str, tuple[int, int]]:
    """Node positions in pixels, deterministic (fixed seed, sorted input, rounded), from
    NetworkX alone (no Graphviz): the same picture whatever is installed.

    Up to 500 nodes a spring layout, with edges inside a community (node attribute
    ``community``) pulling harder so that communities form groups; larger graphs are laid
    out community by community (communities placed by a spring layout of the community
    graph, each one laid out on its own).

    >>> pos = layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos) == ["a", "b", "c"] and pos == layout(nx.path_graph(["a", "b", "c"]))
    True
    """
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph))
    for u, v in sorted(tuple(sorted((str(a), str(b)))) for a, b in graph.edges()):
        ordered.add_edge(u, v, pull=_pull(graph, u, v))
    # what the positions depend on: a build draws the same graph twice (HTML and SVG)
    key = (
        size,
        tuple(ordered),
        tuple((u, v, d["pull"]) for u, v, d in ordered.edges(data=True)),
        tuple(str(graph.nodes[v].get("community", 0)) if v in graph else "" for v in ordered),
    )
    if key not in _LAYOUTS:
        _LAYOUTS.clear()  # one remembered: the picture just laid out
        _LAYOUTS[key] = _positions(graph, ordered, size)
    return dict(_LAYOUTS[key])


#: The last layout computed, by what it depends on (see :func:`layout`).
_LAYOUTS: dict[tuple[Any, ...], dict[str, tuple[int, int]]] = {}


def _positions(graph: nx.Graph, ordered: nx.Graph, size: float) -> dict[str, tuple[int, int]]:
    n = ordered.number_of_nodes()
    if n == 0:
        return {}
    alone = sorted(nx.isolates(ordered))
    linked = nx.Graph(ordered.subgraph([v for v in ordered if ordered.degree(v)]))
    if linked.number_of_nodes() == 0:
        raw = _sunflower(alone)
    elif n < 500:
        raw = _with_isolates(_normalised(_spring(linked)), alone)
    else:
        raw = _with_isolates(_grouped(linked, _groups(graph.subgraph(linked))), alone)
    scale = size * (0.15 + 0.12 * math.sqrt(n))
    return {
        str(node): (round(float(x) * scale), round(float(y) * scale))
        for node, (x, y) in sorted(raw.items())
    }


def _with_isolates(
    pos: dict[str, tuple[float, float]], alone: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """People with no collaborator in rows under the drawing (not flung to its edges)."""
    per_row = max(8, math.ceil(math.sqrt(len(alone)) * 2))
    for i, node in enumerate(alone):
        row, col = divmod(i, per_row)
        pos[node] = (-1.0 + 2.0 * (col + 0.5) / per_row, 1.15 + 0.12 * row)
    return pos


def _pull(graph: nx.Graph, u: str, v: str) -> float:
    cu, cv = graph.nodes[u].get("community"), graph.nodes[v].get("community")
    if cu is None or cv is None:
        return 1.0
    return 1.0 if cu == cv else 0.08


#: Communities laid out as their own group; the smaller ones share one group.
MAX_LAYOUT_GROUPS = 40


def _groups(graph: nx.Graph) -> list[list[str]]:
    by: dict[int, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        by[min(int(data.get("community", 0)), MAX_LAYOUT_GROUPS - 1)].append(str(node))
    return [sorted(by[k]) for k in sorted(by)]


def _spring(graph: nx.Graph, iterations: int = 150) -> Mapping[str, Any]:
    n = graph.number_of_nodes()
    if n == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    k = 2.0 / math.sqrt(n)
    pos: Mapping[str, Any] = nx.spring_layout(
        _tied(graph), seed=SEED, k=k, iterations=iterations, weight="pull"
    )
    return pos


def _tied(graph: nx.Graph) -> nx.Graph:
    """``graph`` with each smaller connected component tied to the largest by one weak
    edge, so that a spring layout keeps them near instead of flinging them to the edges."""
    parts = sorted(
        (sorted(c, key=str) for c in nx.connected_components(graph)),
        key=lambda c: (-len(c), str(c[0])),
    )
    if len(parts) <= 1:
        return graph
    tied = nx.Graph(graph)
    for part in parts[1:]:
        tied.add_edge(part[0], parts[0][0], pull=0.05)
    return tied


def _sunflower(nodes: Sequence[Any]) -> dict[Any, tuple[float, float]]:
    """Nodes on a Vogel spiral in a unit disc, the first in the middle (O(n), no overlap)."""
    golden = math.pi * (3 - math.sqrt(5))
    n = max(len(nodes), 1)
    out = {}
    for i, node in enumerate(nodes):
        r = math.sqrt((i + 0.5) / n)
        out[node] = (r * math.cos(i * golden), r * math.sin(i * golden))
    return out


def _grouped(
    graph: nx.Graph, groups: Sequence[Sequence[str]], depth: int = 0
) -> dict[str, tuple[float, float]]:
    """Communities as discs (radius ∝ √size) placed by a spring layout of the community
    graph and pushed apart; inside each, a spring layout, or for a big community the same
    again with its own sub-communities."""
    index = {node: i for i, group in enumerate(groups) for node in group}
    meta = nx.Graph()
    meta.add_nodes_from(range(len(groups)))
    for u, v in graph.edges():
        a, b = index[u], index[v]
        if a != b:
            w = meta.get_edge_data(a, b, {"pull": 0})["pull"]
            meta.add_edge(a, b, pull=w + 1)
    heaviest = max((d["pull"] for _, _, d in meta.edges(data=True)), default=1)
    for _, _, data in meta.edges(data=True):
        data["pull"] = 0.1 + 0.9 * data["pull"] / heaviest  # ties of components pull 0.05
    main = max(nx.connected_components(meta), key=lambda c: (len(c), -min(c)))
    placed = _spring(nx.Graph(meta.subgraph(main)), 100)
    # groups not linked to the main ones start in the middle and are pushed out to its rim
    centres = {
        k: (float(placed[k][0]), float(placed[k][1])) if k in placed else (1e-3 * k, 1e-3)
        for k in meta
    }
    total = sum(len(g) for g in groups)
    radii = [math.sqrt(len(g) / total) for g in groups]
    centres = _push_apart(centres, radii)
    out: dict[str, tuple[float, float]] = {}
    for i, group in enumerate(groups):
        local = _local(nx.Graph(graph.subgraph(group)), depth)
        cx, cy = centres[i]
        for node, (x, y) in local.items():
            out[node] = (cx + radii[i] * x, cy + radii[i] * y)
    return _normalised(out)


def _local(sub: nx.Graph, depth: int) -> dict[str, tuple[float, float]]:
    """Positions of one community in the unit disc."""
    if sub.number_of_nodes() <= 400:
        return _normalised(_spring(sub, 60 if sub.number_of_nodes() <= 150 else 40))
    if depth < 2:
        parts = communities(sub, seed=SEED)
        if len(parts) > 1:
            merged = [
                *parts[: MAX_LAYOUT_GROUPS - 1],
                sorted(n for p in parts[MAX_LAYOUT_GROUPS - 1 :] for n in p),
            ]
            return _grouped(sub, [p for p in merged if p], depth + 1)
    return _sunflower(sorted(sub, key=lambda n: (-sub.degree(n), n)))


def _normalised(pos: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Positions centred and scaled into the unit disc."""
    if not pos:
        return {}
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    r = max(math.hypot(float(x) - cx, float(y) - cy) for x, y in pos.values()) or 1.0
    return {k: ((float(x) - cx) / r, (float(y) - cy) / r) for k, (x, y) in pos.items()}


def _push_apart(
    centres: Mapping[int, tuple[float, float]], radii: Sequence[float], rounds: int = 200
) -> dict[int, tuple[float, float]]:
    """Move discs apart until none overlaps (a few rounds of pairwise pushes)."""
    pos = {k: [float(x), float(y)] for k, (x, y) in centres.items()}
    keys = sorted(pos)
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                dx, dy = pos[b][0] - pos[a][0], pos[b][1] - pos[a][1]
                dist = math.hypot(dx, dy) or 1e-9
                need = (radii[a] + radii[b]) * 1.08
                if dist < need:
                    push = (need - dist) / 2
                    ux, uy = (dx / dist, dy / dist) if dist > 1e-9 else (1.0, 0.0)
                    pos[a] = [pos[a][0] - ux * push, pos[a][1] - uy * push]
                    pos[b] = [pos[b][0] + ux * push, pos[b][1] + uy * push]
                    moved = True
        if not moved:
            break
    return {k: (v[0], v[1]) for k, v in pos.items()}
