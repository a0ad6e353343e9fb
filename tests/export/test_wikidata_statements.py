"""The wikidata profile in Wikidata's statement form (issue 17): queries written the way the
query service's examples are written give the right rows on the export loaded into Oxigraph,
and the profile's own shapes check the P31 typing and the reference form."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.export.formats import write_export
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
        " rdfs:label ?filmLabel . OPTIONAL { ?film p:P577 ?st . ?st ps:P577 ?date ;"
        " wikibase:rank ?rank . FILTER (?rank != wikibase:DeprecatedRank)"
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
        " ?st ps:P577 ?date ; wikibase:rank ?rank . FILTER (?rank != wikibase:DeprecatedRank) }"
        " ORDER BY ?filmLabel",
        [["Forrest Gump", "1994"]],
    ),
    "publication dates, truthy (best rank only)": (
        "SELECT ?filmLabel ?date WHERE { ?film wdt:P31 wd:Q11424 ; rdfs:label ?filmLabel ."
        " OPTIONAL { ?film wdt:P577 ?date } } ORDER BY ?filmLabel",
        [["Forrest Gump", "1994"], ["Here", None]],
    ),
    "the superseded release plans of Here: deprecated, with places and end time": (
        'SELECT ?date ?placeLabel ?end WHERE { ?film rdfs:label "Here" ; p:P577 ?st .'
        " ?st ps:P577 ?date ; wikibase:rank wikibase:DeprecatedRank ; pq:P582 ?end ."
        " OPTIONAL { ?st pq:P291 ?place . ?place rdfs:label ?placeLabel } }"
        " ORDER BY ?date ?placeLabel",
        # the exclusive L.A./N.Y. run of 2024-11-15, limited 2024-11-22, wide 2024-11-27:
        # replaced by the article's date; the current wide release is a plan, no statement
        [
            ["2024-11-15", "Los Angeles", "2024-06-22"],
            ["2024-11-15", "New York", "2024-06-22"],
            ["2024-11-22", None, "2024-06-22"],
            ["2024-11-27", None, "2024-06-22"],
        ],
    ),
    "every source cited is an item with its class": (
        "SELECT DISTINCT ?class WHERE { ?st prov:wasDerivedFrom/pr:P248 ?source ."
        " ?source wdt:P31 ?class }",
        [["http://www.wikidata.org/entity/Q5707594"]],
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


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        # Tom Hanks, a value of cast statements, loses his class (instance of human)
        (
            (
                "drop",
                "<http://www.wikidata.org/entity/Q2263> <http://www.wikidata.org/prop/direct/P31>",
            ),
            "an item with statements needs its class",
        ),
        # the United States, a place of publication and of validity, loses its class
        (
            (
                "drop",
                "<https://w3id.org/filmkg/id/place/united-states>"
                " <http://www.wikidata.org/prop/direct/P31>",
            ),
            "an item with statements needs its class",
        ),
        # every reference loses the source it was stated in (and has no URL)
        (
            ("drop", "<http://www.wikidata.org/prop/reference/P248>"),
            "a reference needs the source it was stated in (pr:P248) or its URL (pr:P854)",
        ),
        (
            ("drop", "<http://www.wikidata.org/prop/reference/P248>"),
            "a statement needs a reference that says where it was stated",
        ),
        # a superseded plan's (deprecated) date stated as Here's truthy publication date
        (
            (
                "add",
                "<https://w3id.org/filmkg/id/film/here-2024>"
                " <http://www.wikidata.org/prop/direct/P577>"
                ' "2024-11-27"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
            ),
            "a truthy value (wdt:) must be the value of a best-ranked statement",
        ),
        # Forrest Gump's normal-rank publication date without its truthy triple
        (
            (
                "drop",
                "<http://www.wikidata.org/entity/Q134773> <http://www.wikidata.org/prop/direct/P577>",
            ),
            "the value of a best-ranked statement needs its truthy triple",
        ),
    ],
)
def test_the_profile_shapes_catch_typing_references_and_truthy_defects(
    export: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    message: str,
) -> None:
    kind, text = edit
    if kind == "drop":
        broken = _without(export, tmp_path, text)
    else:
        broken = tmp_path / "broken.nt"
        broken.write_text(export.read_text(encoding="utf-8") + text, encoding="utf-8")
    assert main(["--quiet", "validate", "--shapes", str(SHAPES), str(broken)]) == 1
    assert message in capsys.readouterr().out


# A fixture with what the article does not have (fictional, on example.org): a cast member's
# character, a release that took place after a plan that was superseded, and a source with
# its URL and retrieval date.
FIXTURE = """\
@prefix filmkg: <https://w3id.org/filmkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix role: <https://w3id.org/filmkg/vocab/role/> .
@prefix releasekind: <https://w3id.org/filmkg/vocab/release-kind/> .
@prefix releasestatus: <https://w3id.org/filmkg/vocab/release-status/> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:paper a filmkg:Organisation ; rdfs:label "The Example Gazette" .
ex:s a filmkg:NewsArticle ; rdfs:label "Keeper review" ; schema:publisher ex:paper ;
    schema:datePublished "2020-06-01"^^xsd:date ; schema:url <https://news.example.org/keeper> ;
    filmkg:retrievedOn "2021-01-05"^^xsd:date .
ex:e a filmkg:Evidence ; filmkg:source ex:s ; filmkg:quote "Ada (Mia Stone) keeps the light." .
ex:keeper a filmkg:Film ; rdfs:label "The Lighthouse Keeper" .
ex:mia a filmkg:Person ; rdfs:label "Mia Stone" .
ex:sam a filmkg:Person ; rdfs:label "Sam Reed" .
ex:jo a filmkg:Person ; rdfs:label "Jo Park" .
ex:here a filmkg:Place ; rdfs:label "Freedonia" .
ex:c3 a filmkg:Credit ; filmkg:work ex:keeper ; filmkg:agent ex:jo ; filmkg:role role:director ;
    filmkg:evidence ex:e .
ex:c1 a filmkg:Credit ; filmkg:work ex:keeper ; filmkg:agent ex:mia ; filmkg:role role:cast-member ;
    filmkg:character "Ada" ; filmkg:evidence ex:e .
ex:c2 a filmkg:Credit ; filmkg:work ex:keeper ; filmkg:agent ex:sam ; filmkg:role role:cast-member ;
    filmkg:evidence ex:e .
ex:r1 a filmkg:Release ; filmkg:work ex:keeper ; filmkg:releaseKind releasekind:wide ;
    filmkg:releaseDate "2019-12-06"^^xsd:date ; filmkg:releaseStatus releasestatus:superseded ;
    filmkg:statusAsOf "2020-06-01"^^xsd:date ; filmkg:plannedSince "2019-03-01"^^xsd:date ;
    filmkg:supersededBy ex:r2 ; filmkg:supersededOn "2019-10-01"^^xsd:date ; filmkg:evidence ex:e .
ex:r2 a filmkg:Release ; filmkg:work ex:keeper ; filmkg:releaseKind releasekind:wide ;
    filmkg:releaseDate "2020-02-14"^^xsd:date ; filmkg:releaseStatus releasestatus:released ;
    filmkg:place ex:here ; filmkg:statusAsOf "2020-06-01"^^xsd:date ; filmkg:evidence ex:e .
ex:r3 a filmkg:Release ; filmkg:work ex:keeper ; filmkg:releaseKind releasekind:streaming ;
    filmkg:releaseDate "2020-05-01"^^xsd:date ; filmkg:releaseStatus releasestatus:released ;
    filmkg:statusAsOf "2020-06-01"^^xsd:date ; filmkg:evidence ex:e .
ex:r4 a filmkg:Release ; filmkg:work ex:keeper ; filmkg:releaseKind releasekind:limited ;
    filmkg:releaseDate "2020-09-01"^^xsd:date ; filmkg:releaseStatus releasestatus:scheduled ;
    filmkg:statusAsOf "2020-06-01"^^xsd:date ; filmkg:evidence ex:e .
"""

FIXTURE_GOLDEN: dict[str, tuple[str, list[list[str | None]]]] = {
    "cast with character roles": (
        "SELECT ?actorLabel ?character WHERE { ?film wdt:P31 wd:Q11424 ; p:P161 ?st ."
        " ?st ps:P161 ?actor . OPTIONAL { ?st pq:P4633 ?character }"
        " ?actor rdfs:label ?actorLabel } ORDER BY ?actorLabel",
        [["Mia Stone", "Ada"], ["Sam Reed", None]],
    ),
    "release statements with their ranks and dates": (
        "SELECT ?date ?rank ?start ?end WHERE { ?film p:P577 ?st . ?st ps:P577 ?date ;"
        " wikibase:rank ?rank . OPTIONAL { ?st pq:P580 ?start } OPTIONAL { ?st pq:P582 ?end } }"
        " ORDER BY ?date",
        # the superseded plan deprecated, valid from its planning to its replacement; the
        # first release that took place preferred; the later one normal; the scheduled
        # limited release of 2020-09-01 a plan as of the source: no statement
        [
            ["2019-12-06", "http://wikiba.se/ontology#DeprecatedRank", "2019-03-01", "2019-10-01"],
            ["2020-02-14", "http://wikiba.se/ontology#PreferredRank", None, None],
            ["2020-05-01", "http://wikiba.se/ontology#NormalRank", None, None],
        ],
    ),
    "films by director with their publication date and place": (
        "SELECT ?filmLabel ?date ?placeLabel WHERE { ?film wdt:P31 wd:Q11424 ; wdt:P57 ?d ;"
        ' rdfs:label ?filmLabel . ?d rdfs:label "Jo Park" . ?film p:P577 ?st .'
        " ?st ps:P577 ?date ; wikibase:rank ?rank . FILTER (?rank != wikibase:DeprecatedRank)"
        " OPTIONAL { ?st pq:P291 ?place . ?place rdfs:label ?placeLabel } } ORDER BY ?date",
        [
            ["The Lighthouse Keeper", "2020-02-14", "Freedonia"],
            ["The Lighthouse Keeper", "2020-05-01", None],
        ],
    ),
    "truthy publication date: the best rank only": (
        "SELECT ?date WHERE { ?film wdt:P31 wd:Q11424 ; wdt:P577 ?date }",
        [["2020-02-14"]],
    ),
    "references with their URL and retrieval date": (
        "SELECT DISTINCT ?url ?retrieved ?stated WHERE { ?film p:P161 ?st ."
        " ?st prov:wasDerivedFrom ?ref . ?ref pr:P854 ?url ; pr:P813 ?retrieved ;"
        " pr:P577 ?stated }",
        [["https://news.example.org/keeper", "2021-01-05", "2020-06-01"]],
    ),
}


@pytest.fixture(scope="module")
def fixture_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keeper")
    data = folder / "keeper.ttl"
    data.write_text(FIXTURE, encoding="utf-8")
    kg = load_project([data], include_data=False)
    out = folder / "keeper-wikidata.nt"
    with out.open("wb") as handle:
        write_export(kg, "ntriples", handle, profile="wikidata")
    return out


@pytest.mark.parametrize("name", sorted(FIXTURE_GOLDEN))
def test_query_service_style_queries_on_ranks_characters_and_references(
    fixture_export: Path, name: str
) -> None:
    store = ox.Store()
    store.load(path=str(fixture_export), format=ox.RdfFormat.N_TRIPLES)
    query, rows = FIXTURE_GOLDEN[name]
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    assert [[t.value if t is not None else None for t in row] for row in result] == rows


def test_the_fixture_export_conforms_to_the_profile_shapes(fixture_export: Path) -> None:
    assert (
        main(["--quiet", "validate", "--strict", "--shapes", str(SHAPES), str(fixture_export)]) == 0
    )


TRUTHY = """SELECT ?item ?pid ?value WHERE {
  ?item ?p ?st . ?st a wikibase:Statement ; ?ps ?value ; wikibase:rank ?rank .
  FILTER (STRSTARTS(STR(?p), STR(p:)) && STRSTARTS(STR(?ps), STR(ps:)))
  BIND (STRAFTER(STR(?p), STR(p:)) AS ?pid)
  FILTER (STRAFTER(STR(?ps), STR(ps:)) = ?pid)
  FILTER (?rank = IF(EXISTS { ?item ?p ?b . ?b wikibase:rank wikibase:PreferredRank },
                     wikibase:PreferredRank, wikibase:NormalRank))
}"""

DIRECT = """SELECT ?item ?pid ?value WHERE {
  ?item ?wdt ?value . FILTER (STRSTARTS(STR(?wdt), STR(wdt:)))
  BIND (STRAFTER(STR(?wdt), STR(wdt:)) AS ?pid)
  FILTER EXISTS { ?item ?p ?st . FILTER (?p = IRI(CONCAT(STR(p:), ?pid))) }
}"""


@pytest.mark.parametrize("which", ["article", "fixture"])
def test_truthy_triples_follow_the_best_rank(
    export: Path, fixture_export: Path, which: str
) -> None:
    """Wherever a property has statements, its wdt: values are exactly the values of its
    best-ranked statements (preferred if any, else normal; deprecated never)."""
    store = ox.Store()
    store.load(
        path=str(export if which == "article" else fixture_export), format=ox.RdfFormat.N_TRIPLES
    )

    def rows(query: str) -> set[tuple[str, ...]]:
        result = store.query(PREFIXES + query)
        assert isinstance(result, ox.QuerySolutions)
        return {tuple(str(t) for t in row) for row in result}

    best = rows(TRUTHY)
    assert best  # there are statements to compare
    assert rows(DIRECT) == best
