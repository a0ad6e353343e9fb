"""The wikidata profile in Wikidata's statement form (issue 17): queries written the way the
query service's examples are written give the right rows on the export loaded into Oxigraph,
and the profile's own shapes check the P31 typing and the reference form."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from filmkg.cli import main
from filmkg.resources import ontology_dir

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# name → (query, rows): the article's facts, checked by hand against graph/sources/.
GOLDEN: dict[str, tuple[str, list[list[str | None]]]] = {
    "cast of Here": (
        'SELECT ?actorLabel WHERE { ?film rdfs:label "Here" ; wdt:P31 wd:Q11424 ; p:P161 ?st .'
        " ?st ps:P161 ?actor . ?actor rdfs:label ?actorLabel } ORDER BY ?actorLabel",
        [["Kelly Reilly"], ["Michelle Dockery"], ["Paul Bettany"], ["Robin Wright"], ["Tom Hanks"]],
    ),
    "films by Robert Zemeckis with their publication date and place": (
        "SELECT ?filmLabel ?date ?place WHERE { ?film wdt:P31 wd:Q11424 ; wdt:P57 wd:Q187364 ;"
        " rdfs:label ?filmLabel . OPTIONAL { ?film p:P577 ?st . ?st ps:P577 ?date ."
        " OPTIONAL { ?st pq:P291 ?place } } } ORDER BY ?filmLabel",
        # Here's wide release is scheduled as of the article: no publication date
        [["Forrest Gump", "1994", None], ["Here", None, None]],
    ),
    "distributors of Here by territory": (
        'SELECT ?distLabel ?territoryLabel WHERE { ?film rdfs:label "Here" ; p:P750 ?st .'
        " ?st ps:P750 ?dist ; pq:P3005 ?territory . ?dist rdfs:label ?distLabel ."
        " ?territory rdfs:label ?territoryLabel } ORDER BY ?distLabel",
        [["Sony Pictures", "United States"], ["TriStar Pictures", "United States"]],
    ),
    "what Here is based on, with its author": (
        'SELECT ?workLabel ?authorLabel WHERE { ?film rdfs:label "Here" ; wdt:P31 wd:Q11424 ;'
        " wdt:P144 ?work . ?work wdt:P31 wd:Q725377 ; rdfs:label ?workLabel ; wdt:P50 ?author ."
        " ?author rdfs:label ?authorLabel }",
        [["Here", "Richard McGuire"]],
    ),
    "awards received": (
        "SELECT ?personLabel ?awardLabel WHERE { ?person p:P166 ?st . ?st ps:P166 ?award ."
        " ?person rdfs:label ?personLabel . ?award rdfs:label ?awardLabel }",
        [["Eric Roth", "Academy Award"]],
    ),
    "Tom Hanks on Here, with the quotes that say so": (
        'SELECT ?quote WHERE { ?film rdfs:label "Here" ; p:P161 ?st . ?st ps:P161 wd:Q2263 ;'
        " prov:wasDerivedFrom ?ref . ?ref pr:P1683 ?quote } ORDER BY ?quote",
        [
            [
                "Furthermore, Hanks and Wright, who star in this impressive tale of love, loss,"
                " laughter and life, are joined by Paul Bettany, Kelly Reilly and Michelle Dockery."
            ],
            [
                "Robert Zemeckis' Here, which reunites the filmmaker with Oscar-winning screenwriter"
                " Eric Roth as well as actors Tom Hanks and Robin Wright, has adjusted its release"
                " scheduled for this November."
            ],
            [
                "This was revealed in January 2023, and at the time, Zemeckis pointed out the"
                " necessity of the lead stars' transformation for the success of the film."
            ],
        ],
    ),
    "screenwriters, with the date of the source that states it": (
        "SELECT DISTINCT ?filmLabel ?writerLabel ?stated WHERE { ?film p:P58 ?st ;"
        " rdfs:label ?filmLabel . ?st ps:P58 ?writer . ?writer rdfs:label ?writerLabel ."
        " ?st prov:wasDerivedFrom/pr:P577 ?stated } ORDER BY ?filmLabel ?writerLabel",
        [
            ["Forrest Gump", "Eric Roth", "2024-06-22"],
            ["Here", "Eric Roth", "2024-06-22"],
            ["Here", "Robert Zemeckis", "2024-06-22"],
        ],
    ),
    "humans credited on both Forrest Gump and Here": (
        "SELECT DISTINCT ?personLabel WHERE { wd:Q134773 ?p1 ?s1 . ?s1 a wikibase:Statement ;"
        ' ?ps1 ?person . ?film rdfs:label "Here" ; ?p2 ?s2 . ?s2 a wikibase:Statement ;'
        " ?ps2 ?person . ?person wdt:P31 wd:Q5 ; rdfs:label ?personLabel } ORDER BY ?personLabel",
        [["Eric Roth"], ["Robert Zemeckis"], ["Robin Wright"], ["Tom Hanks"]],
    ),
    "parent organisations, normal rank": (
        "SELECT ?orgLabel ?parentLabel WHERE { ?org p:P749 ?st . ?st ps:P749 ?parent ;"
        " wikibase:rank wikibase:NormalRank . ?org rdfs:label ?orgLabel ."
        " ?parent rdfs:label ?parentLabel }",
        [["TriStar Pictures", "Sony Pictures"]],
    ),
    "publication dates: only releases that took place": (
        "SELECT ?filmLabel ?date WHERE { ?film p:P577 ?st ; rdfs:label ?filmLabel ."
        " ?st ps:P577 ?date } ORDER BY ?filmLabel",
        [["Forrest Gump", "1994"]],
    ),
}

SHAPES = ontology_dir() / "profiles" / "wikidata-shapes.ttl"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wikidata") / "wikidata.nt"
    assert main(["--quiet", "export", "--profile", "wikidata", "-f", "nt", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def store(export: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(export), format=ox.RdfFormat.N_TRIPLES)
    return store


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_query_service_style_queries(store: ox.Store, name: str) -> None:
    query, rows = GOLDEN[name]
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    got = [[t.value if t is not None else None for t in row] for row in result]
    assert got == rows


def test_the_export_conforms_to_the_profile_shapes(export: Path) -> None:
    assert main(["--quiet", "validate", "--strict", "--shapes", str(SHAPES), str(export)]) == 0


def _without(export: Path, tmp_path: Path, drop: str) -> Path:
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if drop not in line]
    assert len(kept) < len(lines)
    out = tmp_path / "broken.nt"
    out.write_text("".join(kept), encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        # Tom Hanks's cast statement on Here loses its references
        (
            "<https://w3id.org/filmkg/id/credit/here-2024/tom-hanks/cast-member>"
            " <http://www.w3.org/ns/prov#wasDerivedFrom>",
            "a statement needs a reference",
        ),
        # Forrest Gump loses its class
        (
            "<http://www.wikidata.org/entity/Q134773> <http://www.wikidata.org/prop/direct/P31>",
            "an item with statements needs its class",
        ),
        # the article's references lose their quotes
        ("<http://www.wikidata.org/prop/reference/P1683>", "a reference needs the verbatim quote"),
    ],
)
def test_the_profile_shapes_catch_a_broken_statement_form(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], drop: str, message: str
) -> None:
    broken = _without(export, tmp_path, drop)
    assert main(["--quiet", "validate", "--shapes", str(SHAPES), str(broken)]) == 1
    assert message in capsys.readouterr().out
