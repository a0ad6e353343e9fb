"""Imports of the real third-party datasets in ../shared/data through the shipped mappings."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.importers.mapping import load_mapping
from filmkg.importers.pipeline import ImportResult, import_into, import_source
from filmkg.rdf.namespaces import sparql_prefixes

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
NEO4J = SHARED / "neo4j-movies"

needs_neo4j = pytest.mark.skipif(
    not NEO4J.is_dir(), reason="../shared/data/neo4j-movies is not beside the repo (see SOURCE.md)"
)


def _kg(result: ImportResult) -> KnowledgeGraph:
    kg = KnowledgeGraph()
    kg.add_quads(result.quads)
    return kg


def _count(kg: KnowledgeGraph, where: str) -> int:
    rows = kg.select(sparql_prefixes() + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(rows.rows[0][0])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def neo4j() -> ImportResult:
    return import_source(NEO4J, load_mapping("neo4j-movies"), reference=load_project(infer=False))


@needs_neo4j
def test_neo4j_import_has_exactly_the_tck_counts(neo4j: ImportResult) -> None:
    kg = _kg(neo4j)
    src = "kg:source\\/neo4j-movies"
    nodes = _count(
        kg, f"?e a ?c ; filmkg:mentionedIn {src} VALUES ?c {{ filmkg:Film filmkg:Person }}"
    )
    credits = _count(kg, "?c a filmkg:Credit")
    reviews = _count(kg, "?r a filmkg:Review")
    follows = _count(kg, "?a filmkg:follows ?b")
    # properties, one to one: Movie.title / Person.name → rdfs:label; Movie.released → a
    # Release; tagline; born → birthYear; ACTED_IN.roles (a list) → a credit's characters;
    # REVIEWED.summary / rating
    labels = _count(kg, f"?e filmkg:mentionedIn {src} ; rdfs:label ?l")
    releases = _count(kg, "?r a filmkg:Release ; filmkg:releaseYear ?y")
    taglines = _count(kg, "?f filmkg:tagline ?t")
    born = _count(kg, "?p filmkg:birthYear ?y")
    roles = _count(kg, "SELECT DISTINCT ?c WHERE { ?c filmkg:character ?x }")
    summaries = _count(kg, "?r filmkg:reviewSummary ?s")
    ratings = _count(kg, "?r filmkg:rating ?s")
    assert nodes == 171
    assert credits + reviews + follows == 253
    assert labels + releases + taglines + born + roles + summaries + ratings == 564
    by_role = kg.select(
        sparql_prefixes()
        + "SELECT ?role (COUNT(?c) AS ?n) WHERE { ?c filmkg:role ?role } GROUP BY ?role ORDER BY ?role"
    )
    assert {str(r[0]).rsplit("/", 1)[1]: int(r[1]) for r in by_role.rows} == {  # type: ignore[arg-type]
        "cast-member": 172,
        "director": 44,
        "producer": 15,
        "screenwriter": 10,
    }
    assert neo4j.report.issues == []


@needs_neo4j
def test_neo4j_one_credit_per_relationship_with_every_role(neo4j: ImportResult) -> None:
    kg = _kg(neo4j)
    rows = kg.select(
        sparql_prefixes()
        + "SELECT ?ch ?rec ?quote WHERE { kg:credit\\/cloud-atlas-2012\\/tom-hanks\\/cast-member "
        "filmkg:character ?ch ; filmkg:evidence ?e . ?e filmkg:sourceRecord ?rec ; filmkg:quote ?quote } "
        "ORDER BY ?ch"
    ).as_dicts()
    assert [r["ch"] for r in rows] == ["Dermot Hoggins", "Dr. Henry Goose", "Isaac Sachs", "Zachry"]
    assert {r["rec"] for r in rows} == {"line 312"}
    assert rows[0]["quote"].startswith("(tomH)-[:ACTED_IN {roles: ['Zachry',")


@needs_neo4j
def test_neo4j_lands_in_its_own_graph_with_dataset_provenance(neo4j: ImportResult) -> None:
    assert {q.graph_name.value for q in neo4j.quads} == {
        "https://w3id.org/filmkg/graph/import/neo4j-movies"
    }
    kg = _kg(neo4j)
    ds = kg.select(
        sparql_prefixes()
        + "SELECT ?lic ?date ?url WHERE { kg:source\\/neo4j-movies a filmkg:Dataset ; "
        "filmkg:licence ?lic ; filmkg:retrievedOn ?date ; schema:url ?url }"
    ).as_dicts()
    assert ds == [
        {
            "lic": "https://www.apache.org/licenses/LICENSE-2.0",
            "date": __import__("datetime").date(2026, 3, 20),
            "url": "https://github.com/opencypher/openCypher",
        }
    ]
    # every assertion has evidence with a record and a quote
    assert _count(kg, "?a a ?c . ?c rdfs:subClassOf* filmkg:Assertion") == 0  # no ontology here
    missing = _count(
        kg,
        "?a a ?c VALUES ?c { filmkg:Credit filmkg:Review filmkg:Release } "
        "FILTER NOT EXISTS { ?a filmkg:evidence ?e . ?e filmkg:sourceRecord ?r ; filmkg:quote ?q }",
    )
    assert missing == 0


@needs_neo4j
def test_neo4j_people_of_here_are_the_project_people(neo4j: ImportResult) -> None:
    kg = _kg(neo4j)
    directed = kg.select(
        sparql_prefixes() + "SELECT ?film WHERE { ?c filmkg:agent kg:person\\/robert-zemeckis ; "
        "filmkg:role role:director ; filmkg:work ?film } ORDER BY ?film"
    ).as_dicts()
    assert [str(r["film"]).rsplit("/", 1)[1] for r in directed] == [
        "cast-away-2000",
        "the-polar-express-2004",
    ]
    bettany = kg.select(
        sparql_prefixes()
        + "SELECT ?ch WHERE { kg:credit\\/the-da-vinci-code-2006\\/paul-bettany\\/cast-member "
        "filmkg:character ?ch }"
    ).as_dicts()
    assert bettany == [{"ch": "Silas"}]


@needs_neo4j
def test_neo4j_merged_graph_conforms_to_the_shapes(tmp_path: Path) -> None:
    from filmkg.validation.report import validate

    kg = KnowledgeGraph()
    import_into(kg, NEO4J, load_mapping("neo4j-movies"))
    report = validate(kg)
    assert report.ok, report.to_text()
    assert report.violations == ()


@needs_neo4j
def test_cli_import_into_a_store_replaces_the_sources_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmkg.cli import main

    store = tmp_path / "kg.db"
    for _ in range(2):  # importing again replaces the graph, it does not add to it
        assert main(["import", str(NEO4J), "-m", "neo4j-movies", "--into", str(store)]) == 0
    err = capsys.readouterr().err
    assert "imported neo4j-movies: 171 entities, 288 assertions" in err
    kg = KnowledgeGraph(store)
    graph = "https://w3id.org/filmkg/graph/import/neo4j-movies"
    assert {str(g) for g in kg.graph_names()} >= {
        graph,
        "https://w3id.org/filmkg/graph/here",
        "https://w3id.org/filmkg/graph/inferred",
    }
    in_graph = _count(kg, f"GRAPH <{graph}> {{ ?s ?p ?o }}")
    assert in_graph == 3481
    # the derived shortcuts cover the imported credits
    assert _count(kg, "kg:film\\/cast-away-2000 filmkg:director kg:person\\/robert-zemeckis") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "-m", "neo4j-movies"], "nowhere: no such file or folder"),
        (["tests", "-m", "no-such-mapping"], "no mapping 'no-such-mapping'"),
        (["tests", "-m", "neo4j-movies", "-o", "x.ttl"], "x.ttl: unknown output format"),
    ],
)
def test_cli_import_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmkg.cli import main

    assert main(["import", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("filmkg: error: ")
    assert message in err
    assert err.count("\n") == 1
