"""Pictures of time: a film's release history and a person's career, as SVG, PNG and HTML.

* :func:`release_timeline` — every release of a film on a date axis: the current (or
  scheduled) one filled, the plans it superseded hollow and grey with the day they were
  dropped (a dotted line: "plan changed"), each with the numbered sources that said so
  (the quotes, their source and its publication date).
* :func:`career_timeline` — a person's credits by year, one row per role.

Both return an object that renders itself in Jupyter (``_repr_svg_``, ``_repr_html_``)
and writes files (:meth:`Timeline.svg`, :meth:`Timeline.png`, :meth:`Timeline.html`).
The SVG is drawn by matplotlib like every static picture here (deterministic, text kept
as text); the HTML page has the SVG inline and a table with every quote, all escaped.

>>> from filmkg.build.project import load_project
>>> here = release_timeline(load_project(), "Here")
>>> [(e.when, e.kind, e.status) for e in here.events]  # doctest: +NORMALIZE_WHITESPACE
[('2024-11-15', 'wide release', 'scheduled'), ('2024-11-15', 'exclusive run', 'superseded'),
 ('2024-11-22', 'limited release', 'superseded'), ('2024-11-27', 'wide release', 'superseded')]
>>> b"plan changed 2024-06-22" in here.svg()
True
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from filmkg.network.projection import credit_rows
from filmkg.network.static import RC, declutter
from filmkg.sparql import catalogue as queries

if TYPE_CHECKING:
    from filmkg.engines.store import Engine, KnowledgeGraph

__all__ = [
    "CareerEntry",
    "ReleaseEvent",
    "Source",
    "Timeline",
    "career_timeline",
    "release_timeline",
]

CURRENT = "#2e7d32"
SUPERSEDED = "#9e9e9e"
#: Row colours of a career timeline (one per role, in order of first appearance).
ROLE_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759", "#76b7b2", "#9c755f")


@dataclass(frozen=True)
class Source:
    """A quote that states a fact, and where it is from."""

    quote: str
    source: str
    source_label: str
    published: str | None


@dataclass(frozen=True)
class ReleaseEvent:
    """One release of a film (planned, current or superseded), with its sources."""

    release: str
    when: str
    kind: str
    places: tuple[str, ...]
    status: str
    status_as_of: str | None = None
    planned_since: str | None = None
    superseded_by: str | None = None
    superseded_on: str | None = None
    sources: tuple[Source, ...] = ()

    @property
    def superseded(self) -> bool:
        """True for a plan that a later one replaced."""
        return self.superseded_by is not None or self.status == "superseded"

    @property
    def title(self) -> str:
        """Kind and places, e.g. ``exclusive run: Los Angeles, New York``."""
        return self.kind + (": " + ", ".join(self.places) if self.places else "")


@dataclass(frozen=True)
class CareerEntry:
    """A person's roles on one work."""

    year: int | None
    work: str
    work_label: str
    roles: tuple[str, ...]


@dataclass
class Timeline:
    """A drawable timeline: ``kind`` "releases" or "career"."""

    kind: str
    subject: str
    label: str
    events: list[ReleaseEvent] = field(default_factory=list)
    entries: list[CareerEntry] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The picture's title."""
        if self.kind == "releases":
            return f"Release history of {self.label}"
        return f"Career of {self.label} by year and role"

    def svg(self) -> bytes:
        """The timeline as SVG (deterministic)."""
        return self._draw("svg")

    def png(self) -> bytes:
        """The timeline as PNG."""
        return self._draw("png")

    def _draw(self, fmt: str) -> bytes:
        with matplotlib.rc_context(RC):
            fig = _draw_releases(self) if self.kind == "releases" else _draw_career(self)
            buffer = io.BytesIO()
            metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(buffer, format=fmt, metadata=metadata, dpi=100)
        return buffer.getvalue()

    def html_fragment(self) -> str:
        """The SVG inline and the table of facts and sources (for notebooks and pages)."""
        svg = self.svg().decode("utf-8")
        svg = svg[svg.index("<svg") :]  # the XML declaration and DOCTYPE cannot go inline
        table = _release_table(self) if self.kind == "releases" else _career_table(self)
        return f'<div class="filmkg-timeline">{svg}{table}</div>'

    def html(self) -> str:
        """One self-contained HTML page (no script, no request)."""
        return _PAGE.format(title=html.escape(self.title), body=self.html_fragment())

    def _repr_svg_(self) -> str:
        return self.svg().decode("utf-8")

    def _repr_html_(self) -> str:
        return self.html_fragment()


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font: 14px/1.4 "DejaVu Sans", system-ui, sans-serif; margin: 1em 2em; color: #222; }}
svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; margin-top: 1em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3em .6em; text-align: left;
  vertical-align: top; }}
blockquote {{ margin: .2em 0; padding-left: .6em; border-left: 3px solid #ccc; color: #444; }}
.superseded {{ color: #777; }}
td:first-child {{ white-space: nowrap; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


# -- data ----------------------------------------------------------------------------------


def _iso(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def release_timeline(kg: KnowledgeGraph, film: str, *, engine: Engine = "oxigraph") -> Timeline:
    """The release history of ``film`` (a title or an IRI) with the sources of each
    release (the named queries ``release_history`` and ``evidence``)."""
    iri = str(queries.resolve_entity(kg, "film", film, engine=engine))
    rows = queries.run(kg, "release_history", {"film": iri}, engine=engine).as_dicts()
    sources: dict[str, list[Source]] = defaultdict(list)
    for row in queries.run(kg, "evidence", {"subject": iri}, engine=engine).as_dicts():
        if str(row["fact_kind"]) == "release":
            sources[str(row["fact"])].append(
                Source(
                    str(row["quote"]),
                    str(row["source"]),
                    str(row.get("source_label") or row["source"]),
                    _iso(row.get("published")),
                )
            )
    places: dict[str, list[str]] = defaultdict(list)
    first: dict[str, dict[str, Any]] = {}
    for row in rows:
        release = str(row["release"])
        first.setdefault(release, row)
        if row.get("place_label") is not None:
            places[release].append(str(row["place_label"]))
    events = [
        _event(release, row, places[release], sources[release]) for release, row in first.items()
    ]
    events.sort(key=lambda e: (e.when, e.superseded, e.kind, e.release))
    return Timeline("releases", iri, _label(kg, iri, film, engine), events=events)


def _event(
    release: str, row: dict[str, Any], places: list[str], sources: list[Source]
) -> ReleaseEvent:
    return ReleaseEvent(
        release=release,
        when=_iso(row.get("date")) or "",
        kind=str(row.get("kind_label") or row.get("kind") or "release"),
        places=tuple(sorted(set(places))),
        status=str(row.get("status", "")),
        status_as_of=_iso(row.get("status_as_of")),
        planned_since=_iso(row.get("planned_since")),
        superseded_by=None if row.get("superseded_by") is None else str(row["superseded_by"]),
        superseded_on=_iso(row.get("superseded_on")),
        sources=tuple(sorted(set(sources), key=lambda s: (s.source, s.quote))),
    )


def _label(kg: KnowledgeGraph, iri: str, fallback: str, engine: Engine) -> str:
    return queries.entity_label(kg, "film", iri, engine=engine) or fallback


def career_timeline(kg: KnowledgeGraph, person: str, *, engine: Engine = "oxigraph") -> Timeline:
    """Every credit of ``person`` (a name or an IRI) by year and role."""
    iri = str(queries.resolve_entity(kg, "person", person, engine=engine))
    rows = credit_rows(kg, engine=engine, person=iri)
    roles: dict[tuple[str, int | None, str], set[str]] = defaultdict(set)
    label = person
    for row in rows:
        roles[(row.work, row.year, row.work_label)].add(row.role_label)
        label = row.person_label
    entries = [
        CareerEntry(year, work, work_label, tuple(sorted(r)))
        for (work, year, work_label), r in roles.items()
    ]
    entries.sort(key=lambda e: (e.year is None, e.year or 0, e.work_label, e.work))
    return Timeline("career", iri, label, entries=entries)


# -- drawing -------------------------------------------------------------------------------


def _date(text: str) -> dt.date:
    """A release date, or the middle of its year when only the year is known."""
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 7, 1)
    return dt.date.fromisoformat(text[:10])


def _x(day: dt.date) -> float:
    """A date on matplotlib's date axis."""
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _source_numbers(events: Sequence[ReleaseEvent]) -> dict[Source, int]:
    numbers: dict[Source, int] = {}
    for event in events:
        for source in event.sources:
            numbers.setdefault(source, len(numbers) + 1)
    return numbers


def _draw_releases(timeline: Timeline) -> Figure:
    events = timeline.events
    numbers = _source_numbers(events)
    rows = max(len(events), 1)
    # in inches: title 1.0, rows 0.6 each, the date axis 0.6, a source line 0.28 each
    height = 1.0 + 0.6 * rows + 0.6 + 0.28 * len(numbers) + 0.2
    fig = Figure(figsize=(12, height))
    bottom = 0.6 + 0.28 * len(numbers) + 0.2
    ax = fig.add_axes((0.03, bottom / height, 0.94, 0.6 * rows / height))
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    dates = [_date(e.when) for e in events if e.when]
    changes = sorted({e.superseded_on for e in events if e.superseded_on})
    marks = dates + [_date(c) for c in changes]
    if marks:
        span = max((max(marks) - min(marks)).days, 30)
        ax.set_xlim(_x(min(marks)) - span * 0.1, _x(max(marks)) + span * 0.1)
    ax.set_ylim(-0.7, rows - 0.3)
    ax.invert_yaxis()
    ax.xaxis_date()
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    for change in changes:
        ax.axvline(
            _x(_date(change)), color="#c0392b", linestyle=":", lw=1.4, gid=f"change-{change}"
        )
        ax.text(
            _x(_date(change)),
            -0.65,
            f" plan changed {change}",
            color="#c0392b",
            fontsize=9,
            va="top",
        )
    start = float(ax.get_xlim()[0])
    for i, event in enumerate(events):
        _release_row(ax, i, event, numbers, start)
    fig.text(0.03, 1 - 0.15 / height, timeline.title, fontsize=15, va="top", gid="title")
    legend = (
        "green, filled: the current (or scheduled) release, its line from the day it was "
        "planned · grey, hollow: a superseded plan, its line ending on the day it was dropped"
    )
    fig.text(0.03, 1 - 0.55 / height, legend, fontsize=9, color="#555555", va="top")
    for n, (source, number) in enumerate(numbers.items()):
        published = f", published {source.published}" if source.published else ""
        text = f"[{number}] {source.source_label}{published}: \u201c{source.quote}\u201d"
        fig.text(
            0.03,
            (0.2 + 0.28 * (len(numbers) - n)) / height,
            _clip(text, 150),
            fontsize=8,
            va="top",
            gid=f"source-{number}",
        )
    return fig


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _release_row(
    ax: Any, i: int, event: ReleaseEvent, numbers: dict[Source, int], start: float
) -> None:
    """One release: its life as a plan (a line: a superseded plan ends on the day it was
    dropped, the current one starts on the day it was announced), the release date (a
    dot), and its text with the numbers of its sources."""
    if not event.when:
        return
    when = _x(_date(event.when))
    colour = SUPERSEDED if event.superseded else CURRENT
    if event.superseded and event.superseded_on:
        ax.plot([start, _x(_date(event.superseded_on))], [i, i], color=colour, lw=2.5,
                solid_capstyle="butt", gid=f"plan-{i}")  # fmt: skip
        ax.plot([_x(_date(event.superseded_on)), when], [i, i], color=colour, lw=1, linestyle=":")
    elif event.planned_since:
        ax.plot(
            [_x(_date(event.planned_since)), when], [i, i], color=colour, lw=2.5, gid=f"plan-{i}"
        )
    face = "white" if event.superseded else CURRENT
    ax.plot([when], [i], marker="o", markersize=11, markerfacecolor=face, markeredgecolor=colour,
            markeredgewidth=2, linestyle="", gid=f"release-{i}")  # fmt: skip
    refs = "".join(f"[{numbers[s]}]" for s in event.sources)
    state = event.status
    if event.superseded and event.superseded_on:
        state = f"superseded on {event.superseded_on}"
    elif event.planned_since:
        state = f"{event.status} since {event.planned_since}"
    text = f"{event.when}  {event.title} — {state} {refs}"
    ink = "#555555" if event.superseded else "#111111"
    lo, hi = ax.get_xlim()
    right = (when - lo) / ((hi - lo) or 1.0) > 0.5
    shown = f"{text}   " if right else f"   {text}"
    ax.text(when, i - 0.14, shown, ha="right" if right else "left", va="bottom", fontsize=10,
            color=ink, gid=f"release-label-{i}")  # fmt: skip


def _draw_career(timeline: Timeline) -> Figure:
    entries = [e for e in timeline.entries if e.year is not None]
    roles: list[str] = []
    for entry in entries:
        roles += [r for r in entry.roles if r not in roles]
    fig = Figure(figsize=(12, 2.0 + 0.7 * max(len(roles), 1)))
    ax = fig.add_axes((0.16, 0.18, 0.8, 0.62))
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_yticks(range(len(roles)), roles)
    ax.set_ylim(-0.7, max(len(roles), 1) - 0.3)
    ax.invert_yaxis()
    years = [int(e.year) for e in entries if e.year is not None]
    if years:
        pad = max(2, (max(years) - min(years)) // 12)
        ax.set_xlim(min(years) - pad, max(years) + pad * 2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    texts: dict[str, Text] = {}
    for entry in entries:
        year = int(entry.year or 0)
        for role in entry.roles:
            row = roles.index(role)
            colour = ROLE_COLORS[row % len(ROLE_COLORS)]
            ax.plot([year], [row], marker="o", markersize=9, color=colour, linestyle="",
                    gid=f"credit-{year}-{row}")  # fmt: skip
            texts[f"{entry.work}|{role}"] = ax.text(
                year, row - 0.18, f"{entry.work_label} ({entry.year})", ha="center",
                va="bottom", fontsize=8.5, gid=f"work-{entry.year}-{row}",
            )  # fmt: skip
    declutter(FigureCanvasAgg(fig), ax, texts, {})
    fig.text(0.02, 0.96, timeline.title, fontsize=15, va="top", gid="title")
    summary = f"{len(entries)} works, {len(roles)} roles" + (
        f", {min(years)}–{max(years)}" if years else ""
    )
    fig.text(0.02, 0.9, summary, fontsize=9, color="#555555", va="top")
    return fig


# -- HTML tables ---------------------------------------------------------------------------


def _release_table(timeline: Timeline) -> str:
    numbers = _source_numbers(timeline.events)
    rows = []
    for event in timeline.events:
        cls = ' class="superseded"' if event.superseded else ""
        status = html.escape(event.status)
        if event.superseded_on:
            status = f"superseded on {html.escape(event.superseded_on)}"
        if event.planned_since:
            status += f" (planned since {html.escape(event.planned_since)})"
        refs = "".join(
            f"<blockquote>[{numbers[s]}] \u201c{html.escape(s.quote)}\u201d — "
            f"{html.escape(s.source_label)}</blockquote>"
            for s in event.sources
        )
        rows.append(
            f"<tr{cls}><td>{html.escape(event.when)}</td><td>{html.escape(event.title)}</td>"
            f"<td>{status}</td><td>{refs}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Date</th><th>Release</th><th>Status</th><th>Sources</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _career_table(timeline: Timeline) -> str:
    rows = [
        f"<tr><td>{'' if e.year is None else e.year}</td><td>{html.escape(e.work_label)}</td>"
        f"<td>{html.escape(', '.join(e.roles))}</td></tr>"
        for e in timeline.entries
    ]
    return (
        "<table><thead><tr><th>Year</th><th>Work</th><th>Roles</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
