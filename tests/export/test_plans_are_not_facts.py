"""Plans are not facts (issue 17): a release scheduled as of its source is never exported
as a publication date, and the current release of *Here* has its place."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmkg.build.project import load_project
from filmkg.cli import main

KG = "https://w3id.org/filmkg/id/"
HERE = ox.NamedNode(KG + "film/here-2024")
GUMP = ox.NamedNode(KG + "film/forrest-gump-1994")
PUBLICATION = (
    "https://w3id.org/filmkg/ontology#publicationDate",
    "http://www.wikidata.org/prop/direct/P577",
    "http://schema.org/datePublished",
)


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> list[ox.Quad]:
    assert main(["export", "-f", "nq", *args]) == 0
    return list(ox.parse(capsys.readouterr().out.encode(), format=ox.RdfFormat.N_QUADS))


def _dates(quads: list[ox.Quad], work: ox.NamedNode) -> set[tuple[str, str]]:
    # the work, or its Wikidata item (the wikidata profile writes entities as their items)
    items = load_project().select(
        f"SELECT ?item WHERE {{ <{work.value}> <http://www.w3.org/2004/02/skos/core#exactMatch> ?item }}"
    )
    subjects = {work.value} | {str(r[0]) for r in items}
    return {
        (q.predicate.value, q.object.value)
        for q in quads
        if q.subject.value in subjects and q.predicate.value in PUBLICATION
    }


@pytest.mark.parametrize("profile", ["full", "wikidata", "schema"])
def test_the_scheduled_release_of_here_is_no_publication_date(
    capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    quads = _export(capsys, "--profile", profile)
    assert _dates(quads, HERE) == set()
    # Forrest Gump's 1994 release took place: its publication date stays, in every profile.
    assert {value for _, value in _dates(quads, GUMP)} == {"1994"}


def test_here_is_still_dated_2024_for_collaborations() -> None:
    kg = load_project()
    rows = kg.select(
        "SELECT ?d WHERE { <https://w3id.org/filmkg/id/film/here-2024>"
        " <https://w3id.org/filmkg/ontology#workDate> ?d }"
    )
    assert [str(r[0]) for r in rows] == ["2024-11-15"]


def test_the_current_release_has_its_place() -> None:
    kg = load_project()
    rows = kg.select(
        """PREFIX filmkg: <https://w3id.org/filmkg/ontology#>
        PREFIX releasestatus: <https://w3id.org/filmkg/vocab/release-status/>
        SELECT ?place WHERE {
          ?r filmkg:work <https://w3id.org/filmkg/id/film/here-2024> ;
             filmkg:releaseStatus releasestatus:scheduled ; filmkg:place ?place }"""
    )
    assert [str(r[0]) for r in rows] == [KG + "place/united-states"]


_RELEASE = """@prefix filmkg: <https://w3id.org/filmkg/ontology#> .
@prefix releasestatus: <https://w3id.org/filmkg/vocab/release-status/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/filmkg/id/film/x> a filmkg:Film .
<https://w3id.org/filmkg/id/release/x> a filmkg:Release ;
    filmkg:work <https://w3id.org/filmkg/id/film/x> ;
    filmkg:releaseDate "{date}"^^xsd:date ; filmkg:releaseStatus releasestatus:{status} ;
    filmkg:statusAsOf "{as_of}"^^xsd:date .
"""


@settings(max_examples=25, deadline=None)
@given(
    date=st.dates(min_value=__import__("datetime").date(1900, 1, 1)),
    as_of=st.dates(min_value=__import__("datetime").date(1900, 1, 1)),
    status=st.sampled_from(["current", "released", "scheduled", "superseded"]),
)
def test_a_publication_date_only_for_a_release_that_took_place(
    tmp_path_factory: pytest.TempPathFactory, date: object, as_of: object, status: str
) -> None:
    path = tmp_path_factory.mktemp("release") / "r.ttl"
    path.write_text(_RELEASE.format(date=date, as_of=as_of, status=status), encoding="utf-8")
    kg = load_project([path], include_data=False)
    rows = kg.select(
        "SELECT ?d WHERE { <https://w3id.org/filmkg/id/film/x>"
        " <https://w3id.org/filmkg/ontology#publicationDate> ?d }"
    )
    took_place = status in ("current", "released") and date <= as_of  # type: ignore[operator]
    assert [str(r[0]) for r in rows] == ([str(date)] if took_place else [])
