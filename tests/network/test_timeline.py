"""Timelines: Here's release history (plans superseded and the current one, dates, the
sources that said so) and a career by year and role, read back from the SVG and HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from filmkg.cli import main
from filmkg.network.timeline import (
    CURRENT,
    SUPERSEDED,
    ReleaseEvent,
    Source,
    Timeline,
    career_timeline,
    release_timeline,
)

SVG = "{http://www.w3.org/2000/svg}"
XSS = "<img src=x onerror=alert(1)>"


def _groups(svg: bytes) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in ET.fromstring(svg).iter(SVG + "g") if g.get("id")}


def _text(element: ET.Element) -> str:
    return " ".join(t.text or "" for t in element.iter(SVG + "text"))


def _marker_style(group: ET.Element) -> dict[str, str]:
    use = next(group.iter(SVG + "use"))
    items = (p.split(":", 1) for p in use.get("style", "").split(";") if ":" in p)
    return {k.strip(): v.strip() for k, v in items}


def test_here_release_history(project_kg) -> None:
    timeline = release_timeline(project_kg, "Here")
    assert timeline.label == "Here"
    assert [(e.when, e.title, e.status, e.superseded_on) for e in timeline.events] == [
        ("2024-11-15", "wide release: United States", "scheduled", None),
        ("2024-11-15", "exclusive run: Los Angeles, New York", "superseded", "2024-06-22"),
        ("2024-11-22", "limited release", "superseded", "2024-06-22"),
        ("2024-11-27", "wide release", "superseded", "2024-06-22"),
    ]
    current = timeline.events[0]
    assert current.planned_since == "2024-06-22"
    assert all(e.sources for e in timeline.events)
    assert {s.source_label for e in timeline.events for s in e.sources} == {
        "Collider article on Here (2024-06-22)"
    }
    assert any("originally being scheduled" in s.quote for s in current.sources)

    svg = timeline.svg()
    assert svg == timeline.svg()
    groups = _groups(svg)
    styles = [_marker_style(groups[f"release-{i}"]) for i in range(4)]
    assert [(s["fill"], s["stroke"]) for s in styles] == [
        (CURRENT, CURRENT),
        ("#ffffff", SUPERSEDED),
        ("#ffffff", SUPERSEDED),
        ("#ffffff", SUPERSEDED),
    ]
    labels = [_text(groups[f"release-label-{i}"]) for i in range(4)]
    assert "2024-11-15  wide release: United States — scheduled since 2024-06-22" in labels[0]
    assert all("superseded on 2024-06-22" in labels[i] for i in (1, 2, 3))
    everything = _text(ET.fromstring(svg))
    assert "plan changed 2024-06-22" in everything
    assert "[1] Collider article on Here (2024-06-22), published 2024-06-22" in everything


def test_release_history_html_is_a_table_of_sources(project_kg) -> None:
    page = release_timeline(project_kg, "Here").html()
    assert page.startswith("<!doctype html>")
    assert "default-src 'none'" in page
    assert "<script" not in page
    assert page.count("<tr") == 5  # a header and four releases
    assert page.count('class="superseded"') == 3
    assert "originally being scheduled for an exclusive L.A. and N.Y. run" in page
    assert "<svg" in page


def test_timeline_html_escapes_names_and_quotes() -> None:
    event = ReleaseEvent(
        release="r/1",
        when="2024-01-02",
        kind=XSS,
        places=("</table>",),
        status="current",
        sources=(Source('"quoted" </blockquote><script>', "s/1", XSS, None),),
    )
    timeline = Timeline("releases", "f/1", XSS, events=[event])
    for text in (timeline.html(), timeline._repr_html_()):
        assert XSS not in text
        assert "<script>" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert XSS.encode() not in timeline.svg()


def test_career_by_year_and_role(project_kg) -> None:
    timeline = career_timeline(project_kg, "Robert Zemeckis")
    assert [(e.year, e.work_label, e.roles) for e in timeline.entries] == [
        (1994, "Forrest Gump", ("director",)),
        (2024, "Here", ("director", "producer", "screenwriter")),
    ]
    groups = _groups(timeline.svg())
    assert {g for g in groups if g.startswith("credit-")} == {
        "credit-1994-0",
        "credit-2024-0",
        "credit-2024-1",
        "credit-2024-2",
    }
    ticks = _text(ET.fromstring(timeline.svg()))
    for role in ("director", "producer", "screenwriter", "Forrest Gump (1994)"):
        assert role in ticks
    assert "<td>Here</td><td>director, producer, screenwriter</td>" in timeline._repr_html_()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--view", "releases", "--film", "Here", "-o", "{tmp}/r.html"], 0, "4 releases of Here"),
        (["--view", "releases", "--film", "Here", "-o", "{tmp}/r.svg"], 0, "4 releases of Here"),
        (["--view", "career", "--around", "Tom Hanks", "-o", "{tmp}/c.png"], 0, "2 works of"),
        (["--view", "releases", "--film", "Her", "-o", "{tmp}/r.svg"], 2, "did you mean 'Here'"),
        (["--view", "releases", "-o", "{tmp}/r.svg"], 2, "needs --film"),
        (["--view", "career", "-o", "{tmp}/r.svg"], 2, "needs --around"),
        (["--view", "career", "--around", "Tom Hanks", "-o", "{tmp}/r.dot"], 2, "no dot form"),
    ],
)
def test_cli_timelines(tmp_path: Path, capsys, args: list[str], code: int, message: str) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["viz", *argv]) == code
    assert message in capsys.readouterr().err
    written = list(tmp_path.iterdir())
    assert len(written) == (1 if code == 0 else 0)
