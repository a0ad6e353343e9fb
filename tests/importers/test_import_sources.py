"""Wikipedia and Netflix imports: dirty data reported by record, people resolved across
sources, the merged graph valid and connected. The data stays in ../shared (the Netflix
file has no licence and is never committed); tests import deterministic subsets of the
real files, and the slow tests the whole files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.importers.mapping import load_mapping
from filmkg.importers.pipeline import ImportResult, import_into, import_source
from filmkg.importers.tables import Record
from filmkg.rdf.namespaces import sparql_prefixes

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
WIKI, NETFLIX, NEO4J = (
    SHARED / "wikipedia-movie-data",
    SHARED / "netflix-titles",
    SHARED / "neo4j-movies",
)
pytestmark = pytest.mark.skipif(
    not all(p.is_dir() for p in (WIKI, NETFLIX, NEO4J)),
    reason="../shared/data (neo4j-movies, wikipedia-movie-data, netflix-titles) is not beside the repo",
)

PEOPLE = {
    "Tom Hanks", "Robin Wright", "Robin Wright Penn", "Paul Bettany", "Kelly Reilly",
    "Michelle Dockery", "Edin Hasanovic", "Edin Hasanović", "Keanu Reeves",
}  # fmt: skip
WIKI_TITLES = {
    "Swan Song", "20,000 Leagues Under the Sea", "The Young Victoria", "A Goofy Movie",
    "Jolt", "The Starling", "Toy Story", "His House",
}  # fmt: skip
NETFLIX_ROWS = {
    "s5542", "s5795", "s5814", "s4523", "s5966", "s13", "s5601", "s5634", "s194", "s366",
    "s1193", "s160", "s7346", "s5026", "s5250", "s1271",
}  # fmt: skip


def wiki_subset(record: Record) -> bool:
    cast = record.fields.get("cast") or []
    return bool(PEOPLE & set(cast)) or record.fields.get("title") in WIKI_TITLES


def netflix_subset(record: Record) -> bool:
    cast = {c.strip() for c in str(record.fields.get("cast", "")).split(",")}
    return record.fields.get("show_id") in NETFLIX_ROWS or bool(PEOPLE & cast)


@pytest.fixture(scope="module")
def merged() -> tuple[KnowledgeGraph, dict[str, ImportResult]]:
    kg = KnowledgeGraph()
    results = {
        "neo4j": import_into(kg, NEO4J, load_mapping("neo4j-movies"), infer=False),
        "wiki": import_into(
            kg, WIKI, load_mapping("wikipedia-movies"), infer=False, select=wiki_subset
        ),
        "netflix": import_into(kg, NETFLIX, load_mapping("netflix-titles"), select=netflix_subset),
    }
    return kg, results


def _select(kg: KnowledgeGraph, body: str) -> list[dict[str, object]]:
    return kg.select(sparql_prefixes() + body).as_dicts()


def _issues(result: ImportResult, kind: str) -> list[tuple[str, str]]:
    return [(i.record, i.value) for i in result.report.of_kind(kind)]


# -- dirty data, one test per kind ----------------------------------------------------
def test_duration_in_rating_column(merged) -> None:
    assert _issues(merged[1]["netflix"], "duration-in-rating") == [
        ("s5542", "74 min"),
        ("s5795", "84 min"),
        ("s5814", "66 min"),
    ]


def test_mangled_duplicate_titles_are_one_film(merged) -> None:
    kg, results = merged
    assert _issues(results["netflix"], "mangled-duplicate-title") == [
        ("s4523", "22 July"),
        ("s5966", "22-Jul"),
    ]
    films = _select(
        kg,
        'SELECT ?f ?alt WHERE { ?f rdfs:label "22 July" ; skos:altLabel ?alt } ORDER BY ?f',
    )
    assert films == [{"f": "https://w3id.org/filmkg/id/film/22-july-2018", "alt": "22-Jul"}]


def test_people_spelled_two_ways_are_one_person(merged) -> None:
    kg, results = merged
    variants = [i for i in results["netflix"].report.of_kind("name-variant") if "Hasan" in i.value]
    # Wikipedia came first and spelled him "Edin Hasanovic": that label stays, the other
    # spelling becomes an alternative label
    assert [(i.record, i.value) for i in variants] == [("s13", "Edin Hasanović")]
    people = _select(
        kg,
        "SELECT DISTINCT ?p WHERE { ?p a filmkg:Person ; rdfs:label|skos:altLabel ?n "
        'FILTER(STRSTARTS(?n, "Edin Hasanovi")) }',
    )
    assert people == [{"p": "https://w3id.org/filmkg/id/person/edin-hasanovic"}]
    films = _select(
        kg,
        "SELECT ?t WHERE { ?c filmkg:agent kg:person\\/edin-hasanovic ; filmkg:work ?f . "
        "?f rdfs:label ?t } ORDER BY ?t",
    )
    assert [r["t"] for r in films] == [
        "A Heavy Heart", "All Quiet on the Western Front", "Je Suis Karl", "Sarajevo",
    ]  # fmt: skip


def test_stray_commas_in_country_lists(merged) -> None:
    kg, results = merged
    assert _issues(results["netflix"], "empty-list-item") == [
        ("s366", ", France, Algeria"),
        ("s1193", "United Kingdom,"),
    ]  # s194 (", South Korea") is a TV show
    uk = _select(kg, 'SELECT ?p WHERE { ?p a filmkg:Place ; rdfs:label "United Kingdom" }')
    assert uk == [{"p": "https://w3id.org/filmkg/id/place/united-kingdom"}]


def test_writer_credits_inside_cast_lists(merged) -> None:
    kg, results = merged
    assert ("movies-2020s.json#452", "Scott Wascha (screenwriter)") in _issues(
        results["wiki"], "role-in-name"
    )
    assert ("movies-2020s.json#521", "Matt Harris (screenpaly)") in _issues(
        results["wiki"], "role-in-name"
    )
    roles = _select(
        kg,
        "SELECT ?role ?as WHERE { ?c filmkg:agent kg:person\\/scott-wascha ; filmkg:role ?role "
        "OPTIONAL { ?c filmkg:creditedAs ?as } }",
    )
    assert roles == [{"role": "https://w3id.org/filmkg/vocab/role/screenwriter"}]


def test_junk_cast_entries_are_reported_not_imported(merged) -> None:
    kg, results = merged
    junk = _issues(results["wiki"], "not-a-name")
    assert ("movies-1990s.json#1395", ".") in junk  # A Goofy Movie
    assert ("movies-1990s.json#1574", "(voices)") in junk  # Toy Story
    assert _select(kg, 'SELECT ?p WHERE { ?p a filmkg:Person ; rdfs:label "." }') == []


def test_same_title_and_year_two_films_stay_two(merged) -> None:
    kg, results = merged
    assert _issues(results["wiki"], "homonym") == [
        ("movies-1990s.json#1975", "20,000 Leagues Under the Sea"),
        ("movies-1990s.json#1976", "20,000 Leagues Under the Sea"),
        ("movies-2020s.json#470", "Swan Song"),
        ("movies-2020s.json#624", "Swan Song"),
    ]
    swan = _select(
        kg,
        'SELECT ?f (COUNT(?c) AS ?n) WHERE { ?f a filmkg:Film ; rdfs:label "Swan Song" . '
        "?c filmkg:work ?f ; filmkg:role role:cast-member } GROUP BY ?f ORDER BY ?f",
    )
    assert [str(r["f"]).rsplit("/", 1)[1] for r in swan] == [
        "swan-song-2021-swan-song-2021-benjamin-cleary-film",
        "swan-song-2021-swan-song-todd-stephens-film",
    ]
    # and the same page listed twice is one film, reported as a duplicate
    assert ("movies-2000s.json#2421", "The Young Victoria") in _issues(
        results["wiki"], "duplicate-record"
    )
    assert ("s160", "Love in a Puff") in _issues(results["netflix"], "duplicate-record")
    assert ("s5026", "Veronica") in _issues(results["netflix"], "homonym")


def test_tv_shows_are_listed_not_dropped(merged) -> None:
    unmapped = merged[1]["netflix"].report.of_kind("unmapped-record")
    assert "s1271" in [i.record for i in unmapped]
    assert {i.detail for i in unmapped} == {"type=TV Show"}


# -- resolution ----------------------------------------------------------------------
def test_robin_wright_penn_is_robin_wright(merged) -> None:
    kg, _results = merged
    assert (
        _select(kg, 'SELECT ?p WHERE { ?p a filmkg:Person ; rdfs:label "Robin Wright Penn" }') == []
    )
    gump = _select(
        kg,
        "SELECT ?as ?rec WHERE { kg:credit\\/forrest-gump-1994\\/robin-wright\\/cast-member "
        "filmkg:creditedAs ?as ; filmkg:evidence ?e . ?e filmkg:sourceRecord ?rec }",
    )
    assert gump == [{"as": "Robin Wright Penn", "rec": "movies-1990s.json#1076"}]
    match = _select(
        kg,
        "SELECT DISTINCT ?conf ?method ?film WHERE { ?m a filmkg:Match ; filmkg:matchedName "
        '"Robin Wright Penn" ; filmkg:matchedEntity kg:person\\/robin-wright ; '
        "filmkg:confidence ?conf ; filmkg:method ?method ; filmkg:sharedContext ?film ; "
        "filmkg:evidence ?e . ?film a filmkg:Film }",
    )
    assert match == [
        {
            "conf": __import__("decimal").Decimal("1"),
            "method": "alias: last word dropped",
            "film": "https://w3id.org/filmkg/id/film/forrest-gump-1994",
        }
    ]


def test_low_confidence_aliases_go_to_review_not_to_the_graph() -> None:
    result = import_source(
        WIKI,
        load_mapping("wikipedia-movies"),
        select=lambda r: (
            r.fields.get("_file") == "movies-2000s.json"
            and r.fields.get("title") in {"Spider-Man", "Brother Bear"}
        ),
        threshold=0.85,
    )
    # no shared film or co-worker: below the threshold, listed with its evidence
    assert all(r["confidence"] < 0.85 for r in result.review)
    names = {r["name"] for r in result.review}
    linked = {m["name"] for m in result.matches if m["method"].startswith("alias")}
    assert not names & linked
    json.loads(result.review_json())


def test_the_people_of_here_connect_to_their_other_films(merged) -> None:
    kg, _ = merged
    rows = _select(
        kg,
        "SELECT DISTINCT ?a ?b ?t WHERE { VALUES (?a ?b) { "
        "(kg:person\\/robert-zemeckis kg:person\\/tom-hanks) "
        "(kg:person\\/paul-bettany kg:person\\/tom-hanks) "
        "(kg:person\\/robin-wright kg:person\\/tom-hanks) } "
        "?c1 filmkg:agent ?a ; filmkg:work ?f . ?c2 filmkg:agent ?b ; filmkg:work ?f . "
        '?f rdfs:label ?t FILTER(?t != "Here") } ORDER BY ?a ?t',
    )
    pairs = {(str(r["a"]).rsplit("/", 1)[1], r["t"]) for r in rows}
    assert {
        ("robert-zemeckis", "Cast Away"),
        ("robert-zemeckis", "The Polar Express"),
        ("robert-zemeckis", "Forrest Gump"),
        ("paul-bettany", "The Da Vinci Code"),
        ("robin-wright", "Forrest Gump"),
    } <= pairs


def test_one_film_across_sources(merged) -> None:
    kg, _ = merged
    graphs = _select(
        kg,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?c filmkg:work kg:film\\/the-da-vinci-code-2006 ; "
        "filmkg:agent kg:person\\/paul-bettany } } ORDER BY ?g",
    )
    assert [str(r["g"]).rsplit("/", 1)[1] for r in graphs] == [
        "neo4j-movies",
        "netflix-titles",
        "wikipedia-movies",
    ]


def test_merged_graph_conforms_to_the_shapes() -> None:
    from filmkg.validation.report import validate

    # pyshacl is slow on large graphs: the dirty rows and the Here people's key films
    kg = KnowledgeGraph()
    import_into(
        kg,
        WIKI,
        load_mapping("wikipedia-movies"),
        infer=False,
        select=lambda r: r.fields.get("title") in WIKI_TITLES | {"Forrest Gump", "Cast Away"},
    )
    import_into(
        kg,
        NETFLIX,
        load_mapping("netflix-titles"),
        select=lambda r: r.fields.get("show_id") in NETFLIX_ROWS,
    )
    report = validate(kg)
    assert report.ok, report.to_text()
    assert report.violations == ()


def test_quality_report_is_sorted_and_deterministic(tmp_path: Path) -> None:
    from filmkg.importers.pipeline import write_reports

    runs = []
    for name in ("a", "b"):
        result = import_source(NETFLIX, load_mapping("netflix-titles"), select=netflix_subset)
        paths = write_reports(result, tmp_path / name)
        runs.append([p.read_bytes() for p in paths])
    assert runs[0] == runs[1]
    doc = json.loads(runs[0][0])
    kinds = [i["kind"] for i in doc["issues"]]
    assert kinds == sorted(kinds)
    assert "| duration-in-rating | 3 |" in runs[0][1].decode()


# -- whole files (slow) ----------------------------------------------------------------
@pytest.mark.slow
def test_whole_netflix_file() -> None:
    result = import_source(
        NETFLIX, load_mapping("netflix-titles"), reference=load_project(infer=False)
    )
    counts = result.report.counts()
    assert counts["unmapped-record"] == 2676  # the TV shows
    assert counts["duration-in-rating"] == 3
    assert counts["mangled-duplicate-title"] == 4  # 22 July / 22-Jul, 15 August / 15-Aug
    films = {i for i, c in result.entities.items() if c == "Film"}
    assert 6100 < len(films) < 6131  # 6,131 movie rows less the duplicates


@pytest.mark.slow
def test_whole_wikipedia_files() -> None:
    result = import_source(
        WIKI, load_mapping("wikipedia-movies"), reference=load_project(infer=False)
    )
    counts = result.report.counts()
    assert counts["homonym"] == 4
    assert counts["role-in-name"] == 4
    assert "https://w3id.org/filmkg/id/person/robin-wright" in result.entities
    assert "https://w3id.org/filmkg/id/person/robin-wright-penn" not in result.entities


# -- the network over imported data ----------------------------------------------------
def test_network_path_crosses_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from filmkg.cli import main
    from filmkg.importers.pipeline import write_import

    neo = tmp_path / "neo4j-movies.nq"
    assert main(["import", str(NEO4J), "-m", "neo4j-movies", "-o", str(neo)]) == 0
    wiki = tmp_path / "wikipedia-movies.nq"
    reference = load_project(infer=False)
    write_import(
        import_source(
            WIKI, load_mapping("wikipedia-movies"), reference=reference, select=wiki_subset
        ),
        wiki,
    )
    capsys.readouterr()
    # the article (Here) → the Neo4j graph (Cloud Atlas, The Matrix)
    assert main(["network", "path", "Kelly Reilly", "Keanu Reeves", "--data", str(neo)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "3 hop(s): Kelly Reilly → Tom Hanks → Andy Wachowski → Keanu Reeves"
    )
    assert "Here (2024): Kelly Reilly as cast member; Tom Hanks as cast member" in out
    assert "Cloud Atlas (2012): Tom Hanks as cast member; Andy Wachowski as director" in out
    # Wikipedia's "Robin Wright Penn" (Moll Flanders, 1996) is the Robin Wright of Here
    args = ["network", "path", "Morgan Freeman", "Kelly Reilly", "--data", str(wiki), "-f", "json"]
    assert main(args) == 0
    hops = json.loads(capsys.readouterr().out)
    assert [h["target_label"] for h in hops] == ["Robin Wright", "Kelly Reilly"]
    assert hops[0]["works"][0]["label"] == "Moll Flanders"
    assert hops[0]["works"][0]["target_roles"] == ["cast member"]


def test_named_queries_run_on_the_merged_graph(merged) -> None:
    from filmkg.sparql import catalogue as queries

    kg, _ = merged
    # an alternative label from the import names the person too
    rows = queries.run(kg, "person_credits", {"person": "Robin Wright Penn"}).as_dicts()
    works = {(r["year"], r["work_label"]) for r in rows}
    assert {(1994, "Forrest Gump"), (1996, "Moll Flanders"), (2024, "Here")} <= works
    bettany = [
        r
        for r in queries.run(
            kg, "film_credits", {"film": kg_iri("film/the-da-vinci-code-2006")}
        ).as_dicts()
        if r["person_label"] == "Paul Bettany"
    ]
    assert bettany
    assert {r.get("character") for r in bettany} == {"Silas"}


def kg_iri(path: str) -> str:
    return "https://w3id.org/filmkg/id/" + path


def test_a_film_without_an_extract_gets_no_story_description() -> None:
    """Regression (full Wikipedia import failed the shapes): a record whose evidence field
    is empty states nothing, so no assertion is made from it."""
    titles = {"5000 Blankets", "A Christmas Mystery"}
    result = import_source(
        WIKI,
        load_mapping("wikipedia-movies"),
        select=lambda r: r.fields.get("title") in titles,
    )
    films = [iri for iri, cls in result.entities.items() if cls == "Film"]
    assert len(films) == 2
    assert "StoryDescription" not in set(result.assertions.values())
