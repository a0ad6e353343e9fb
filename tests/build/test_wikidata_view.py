"""The Wikidata and schema.org view of the MAIN graph (issue 17, rule 60): what ``filmkg build``
derives and ``filmkg sparql`` / ``serve`` answer — ``wdt:P31`` with Wikidata classes,
``schema:name``, ``schema:award`` and schema.org's Role form of a character credit — asked
the way Wikidata's query service examples and schema.org users ask, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.store import KnowledgeGraph
from filmkg.export.profiles import apply

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# name → (query, rows): checked by hand against graph/sources/ (the article).
GOLDEN: dict[str, tuple[str, list[list[str]]]] = {
    "films (instance of film)": (
        "SELECT ?filmLabel WHERE { ?film wdt:P31 wd:Q11424 ; rdfs:label ?filmLabel }"
        " ORDER BY ?filmLabel",
        [["Forrest Gump"], ["Here"]],
    ),
    "cast of Here, humans only": (
        'SELECT ?name WHERE { ?film wdt:P31 wd:Q11424 ; schema:name "Here" ; wdt:P161 ?actor .'
        " ?actor wdt:P31 wd:Q5 ; schema:name ?name } ORDER BY ?name",
        [["Kelly Reilly"], ["Michelle Dockery"], ["Paul Bettany"], ["Robin Wright"], ["Tom Hanks"]],
    ),
    "organisations and their Wikidata class": (
        "SELECT ?name ?class WHERE { ?org wdt:P31 ?class ; schema:name ?name ."
        " VALUES ?class { wd:Q43229 wd:Q18388277 } } ORDER BY ?name",
        # Metaphysic is "an AI technology company" (the article); CAA a "Hollywood agency",
        # a class with no Wikidata match of its own here, so an organisation; the others are
        # not characterised by the article.
        [
            ["CAA", "http://www.wikidata.org/entity/Q43229"],
            ["Collider", "http://www.wikidata.org/entity/Q43229"],
            ["Metaphysic", "http://www.wikidata.org/entity/Q18388277"],
            ["Miramax", "http://www.wikidata.org/entity/Q43229"],
            ["Sony Pictures", "http://www.wikidata.org/entity/Q43229"],
            ["TriStar Pictures", "http://www.wikidata.org/entity/Q43229"],
        ],
    ),
    "what Here is based on (a graphic novel) and its author": (
        "SELECT ?work ?author WHERE { ?film schema:name 'Here' ; wdt:P31 wd:Q11424 ;"
        " wdt:P144 ?w . ?w wdt:P31 wd:Q725377 ; schema:name ?work ; wdt:P50 ?a ."
        " ?a schema:name ?author }",
        [["Here", "Richard McGuire"]],
    ),
    "awards received, in Wikidata and schema.org terms": (
        "SELECT ?name ?award ?awardText WHERE { ?p wdt:P166 ?a ; schema:award ?awardText ;"
        " schema:name ?name . ?a wdt:P31 wd:Q618779 ; schema:name ?award }",
        [["Eric Roth", "Academy Award", "Academy Award"]],
    ),
    "places (geographic locations) of the distribution rights": (
        "SELECT DISTINCT ?name WHERE { ?g a <https://w3id.org/filmkg/ontology#RightsGrant> ;"
        " <https://w3id.org/filmkg/ontology#territory> ?t . ?t wdt:P31 wd:Q2221906 ;"
        " schema:name ?name } ORDER BY ?name",
        [["International"], ["United States"]],
    ),
    "the article itself is a news article": (
        "SELECT ?name WHERE { ?s wdt:P31 wd:Q5707594 ; schema:name ?name }",
        [["Collider article on Here (2024-06-22)"]],
    ),
}


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return load_project()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_query_service_style_queries_on_the_main_graph(
    kg: KnowledgeGraph, name: str, engine: str
) -> None:
    query, rows = GOLDEN[name]
    got = [[str(t) for t in row] for row in kg.select(PREFIXES + query, engine=engine)]  # type: ignore[arg-type]
    assert got == rows


def test_every_labelled_entity_has_its_schema_name(kg: KnowledgeGraph) -> None:
    missing = kg.select(
        PREFIXES + "PREFIX filmkg: <https://w3id.org/filmkg/ontology#>"
        " SELECT ?x WHERE { ?x rdfs:label ?l ; a ?c . ?c a <http://www.w3.org/2002/07/owl#Class>"
        " FILTER NOT EXISTS { ?x schema:name ?l } }"
    )
    assert list(missing) == []
    # ontology terms are not entities: no schema:name for filmkg:Film itself
    assert not kg.query(
        "ASK { <https://w3id.org/filmkg/ontology#Film> <http://schema.org/name> ?n }"
    )


def test_every_film_person_and_organisation_has_one_wikidata_class(kg: KnowledgeGraph) -> None:
    rows = kg.select(
        PREFIXES + "PREFIX filmkg: <https://w3id.org/filmkg/ontology#>"
        " SELECT ?x (COUNT(?q) AS ?n) WHERE { VALUES ?c { filmkg:Film filmkg:Person"
        " filmkg:Organisation } ?x a ?c . OPTIONAL { ?x wdt:P31 ?q } } GROUP BY ?x"
        " HAVING (COUNT(?q) != 1)"
    )
    assert list(rows) == []


CHARACTERS = """\
@prefix filmkg: <https://w3id.org/filmkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix role: <https://w3id.org/filmkg/vocab/role/> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://e.org/> .
ex:s a filmkg:NewsArticle ; rdfs:label "A review of The Matrix" ; schema:publisher ex:paper ; schema:datePublished "1999-03-31"^^xsd:date .
ex:paper a filmkg:Organisation ; rdfs:label "A paper" .
ex:e a filmkg:Evidence ; filmkg:source ex:s ; filmkg:quote "Keanu Reeves as Neo" .
ex:matrix a filmkg:Film ; rdfs:label "The Matrix" .
ex:keanu a filmkg:Person ; rdfs:label "Keanu Reeves" .
ex:lana a ex:Filmmaker ; rdfs:label "Lana Wachowski" .
ex:Filmmaker rdfs:subClassOf filmkg:Person .
ex:c1 a filmkg:Credit ; filmkg:work ex:matrix ; filmkg:agent ex:keanu ;
    filmkg:role role:cast-member ; filmkg:character "Neo" ;
    filmkg:evidence ex:e .
ex:c2 a filmkg:Credit ; filmkg:work ex:matrix ; filmkg:agent ex:lana ; filmkg:role role:director ;
    filmkg:evidence ex:e .
"""

ROLES = """PREFIX schema: <http://schema.org/>
SELECT ?film ?actor ?character WHERE {
  ?m a schema:Movie ; schema:name ?film ; schema:actor ?role .
  ?role a schema:PerformanceRole ; schema:actor ?a ; schema:characterName ?character .
  ?a schema:name ?actor
} ORDER BY ?actor"""


@pytest.fixture(scope="module")
def characters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("view") / "matrix.ttl"
    path.write_text(CHARACTERS, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_character_credit_in_schema_org_role_form(characters: Path, engine: str) -> None:
    kg = load_project([characters], include_data=False)
    rows = [[str(t) for t in r] for r in kg.select(ROLES, engine=engine)]  # type: ignore[arg-type]
    assert rows == [["The Matrix", "Keanu Reeves", "Neo"]]
    # the plain form stays: film schema:actor person, and the director has no role node
    assert kg.query(
        "ASK { <https://e.org/matrix> <http://schema.org/actor> <https://e.org/keanu> }"
    )
    assert not kg.query("ASK { <https://e.org/c2> a <http://schema.org/PerformanceRole> }")
    # a class below filmkg:Person (the user's own) is typed human too
    assert kg.query(
        "ASK { <https://e.org/lana> <http://www.wikidata.org/prop/direct/P31>"
        " <http://www.wikidata.org/entity/Q5> }"
    )


def test_the_view_through_the_cli_on_an_on_disk_store(
    characters: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``build --store`` (the streamed derivation) gives the same view, answered by sparql."""
    store = tmp_path / "store"
    assert main(["--quiet", "build", "--store", str(store), str(characters)]) == 0
    capsys.readouterr()
    assert main(["--quiet", "sparql", "--store", str(store), "-f", "csv", ROLES]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["film,actor,character", "The Matrix,Keanu Reeves,Neo"]


def test_the_schema_profile_carries_the_role_form(characters: Path) -> None:
    kg = load_project([characters], include_data=False)
    quads = {(str(q.subject), str(q.predicate), str(q.object)) for q in apply("schema", kg)}
    schema = "<http://schema.org/"
    assert ("<https://e.org/matrix>", schema + "actor>", "<https://e.org/c1>") in quads
    assert ("<https://e.org/c1>", schema + "characterName>", '"Neo"') in quads
    assert ("<https://e.org/c1>", schema + "actor>", "<https://e.org/keanu>") in quads


STATEMENTS = """PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX schema: <http://schema.org/>
SELECT ?date ?rank WHERE {
  ?film schema:name "Here" ; p:P577 ?st . ?st ps:P577 ?date ; wikibase:rank ?rank
} ORDER BY ?date"""

CAST = """PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wd: <http://www.wikidata.org/entity/>
SELECT ?film WHERE { ?film p:P161 ?st . ?st ps:P161 ?person . ?person skos:exactMatch wd:Q2263 }
ORDER BY ?film"""


def test_the_statement_form_is_an_opt_in_view_of_the_main_graph() -> None:
    plain = load_project()
    assert list(plain.select(STATEMENTS)) == []  # not derived by default (a third more triples)
    kg = load_project(views=("wikidata-statements",))
    deprecated = "http://wikiba.se/ontology#DeprecatedRank"
    rows = [[str(t) for t in r] for r in kg.select(STATEMENTS)]
    assert rows == [
        ["2024-11-15", deprecated],  # the superseded exclusive run (one statement, two places)
        ["2024-11-22", deprecated],
        ["2024-11-27", deprecated],
    ]
    # entities stay our IRIs in the main graph: the Wikidata item through skos:exactMatch
    films = [str(r[0]) for r in kg.select(CAST)]
    assert films == [
        "https://w3id.org/filmkg/id/film/forrest-gump-1994",
        "https://w3id.org/filmkg/id/film/here-2024",
    ]


def test_build_store_with_the_statement_view_answers_sparql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    assert main(["--quiet", "build", "--store", str(store), "--wikidata-statements"]) == 0
    capsys.readouterr()
    assert main(["--quiet", "sparql", "--store", str(store), "-f", "csv", STATEMENTS]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "date,rank"
    assert len(lines) == 4
    assert all(line.endswith("#DeprecatedRank") for line in lines[1:])
