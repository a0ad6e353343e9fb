"""Whole-graph analytics by a streaming pass give exactly the SPARQL answers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from filmkg.build.project import load_project
from filmkg.engines import tables as columns
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import UnknownEntityError
from filmkg.network import analytics
from filmkg.sparql import catalogue
from filmkg.synth import generator as synth

FK = "https://w3id.org/filmkg/ontology#"
QUERIES = Path(__file__).resolve().parents[2] / "queries"


def _by_sparql(kg: KnowledgeGraph, name: str, params: dict[str, str]) -> list[tuple[object, ...]]:
    nq = catalogue.get(name)
    bindings = catalogue.resolve_params(kg, nq, params)
    return kg.select(catalogue.bound_query(nq, bindings)).rows


def _same_answer(kg: KnowledgeGraph, name: str, params: dict[str, str]) -> None:
    """The streamed answer has the rows of the SPARQL query, in its order of the ORDER BY
    keys (rows that tie on every key may come in either order, on both paths)."""
    expected = kg.select(
        catalogue.bound_query(catalogue.get(name), catalogue.resolve_params(kg, name, params))
    )
    bindings = catalogue.resolve_params(kg, name, params)
    streamed = analytics.run_streamed(kg, name, bindings)
    assert streamed is not None
    assert streamed.variables == expected.variables
    assert Counter(streamed.rows) == Counter(expected.rows)
    text = QUERIES.joinpath(f"{name}.rq").read_text(encoding="utf-8")
    order = re.search(r"ORDER BY(.*)\Z", text, re.S)
    assert order is not None
    index = [expected.variables.index(v) for v in re.findall(r"\?(\w+)", order.group(1))]
    assert [tuple(r[i] for i in index) for r in streamed.rows] == [
        tuple(r[i] for i in index) for r in expected.rows
    ]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    path = tmp_path_factory.mktemp("streamed") / "films.nt"
    synth.write_file(path, films=30, seed=7)
    return load_project([path])


@pytest.mark.parametrize("min_films", ["1", "2", "3"])
def test_all_pairs_coworkers_match_the_sparql_query(
    synthetic: KnowledgeGraph, min_films: str
) -> None:
    expected = _by_sparql(synthetic, "coworkers", {"min_films": min_films})
    assert expected  # the synthetic graph has co-workers at every threshold
    streamed = catalogue.run(synthetic, "coworkers", {"min_films": min_films})
    assert streamed.rows == expected  # same rows, same order, same terms


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("reunions", {}),
        ("reunions", {"min_members": "1"}),
        ("reunions", {"min_members": "3"}),
        ("connected_within", {"start": "https://w3id.org/filmkg/id/person/synthetic/anton-abbott"}),
    ],
)
def test_synthetic_reunions_and_reach_match_the_sparql_query(
    synthetic: KnowledgeGraph, name: str, params: dict[str, str]
) -> None:
    if name == "connected_within":
        person = synthetic.select(
            f"SELECT ?p WHERE {{ ?c <{FK}agent> ?p }} GROUP BY ?p ORDER BY DESC(COUNT(?c)) ?p LIMIT 1"
        ).rows[0][0]
        params = {"start": str(person), "hops": "2"}
    assert _by_sparql(synthetic, name, params)
    _same_answer(synthetic, name, params)


def _examples() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for name in analytics.STREAMED:
        for example in catalogue.get(name).examples:
            cases.append((name, dict(example)))
    return cases


@pytest.mark.parametrize(("name", "params"), _examples())
def test_every_catalogue_example_matches_on_the_project_graph(
    name: str, params: dict[str, str]
) -> None:
    kg = load_project()
    _same_answer(kg, name, params)
    assert catalogue.run(kg, name, params).rows == _by_sparql(kg, name, params)


def test_the_links_are_those_of_the_query() -> None:
    text = QUERIES.joinpath("connected_within.rq").read_text(encoding="utf-8")
    path = re.search(r"\^\(([^)]*)\)", text)
    assert path is not None
    named = [FK + n for n in re.findall(r"filmkg:(\w+)", path.group(1))]
    assert tuple(named) == analytics.LINKS


# -- random small graphs --------------------------------------------------------------------

E = "https://e.org/"
_people = st.sampled_from([URIRef(f"{E}p{i}") for i in range(5)])
_works = st.sampled_from([URIRef(f"{E}w{i}") for i in range(5)])
_roles = st.sampled_from([URIRef(f"{E}r{i}") for i in range(3)])
_labels = st.sampled_from(["Ann", "Bo", "Cy", "Ann "])
_dates = st.sampled_from(["1994-07-06", "2024-11-01", "1994-01-01", "20x4-01-01", "2001"])


@st.composite
def graphs(draw: st.DrawFn) -> list[tuple[URIRef, URIRef, object]]:
    triples: list[tuple[URIRef, URIRef, object]] = []
    for i in range(draw(st.integers(0, 14))):
        credit = URIRef(f"{E}c{i}")
        if draw(st.integers(0, 5)):
            triples.append((credit, RDF.type, URIRef(FK + "Credit")))
        for person in draw(st.lists(_people, min_size=1, max_size=2)):
            triples.append((credit, URIRef(FK + "agent"), person))
        for work in draw(st.lists(_works, min_size=1, max_size=2 if i % 4 == 0 else 1)):
            triples.append((credit, URIRef(FK + "work"), work))
        for role in draw(st.lists(_roles, max_size=2)):
            triples.append((credit, URIRef(FK + "role"), role))
    for i in range(5):
        person, work = URIRef(f"{E}p{i}"), URIRef(f"{E}w{i}")
        if draw(st.integers(0, 4)):
            triples.append((person, RDF.type, URIRef(FK + "Person")))
        if draw(st.integers(0, 3)):
            triples.append((work, RDF.type, URIRef(FK + "Film")))
        for label in draw(st.lists(_labels, max_size=2)):
            triples.append((person, RDFS.label, Literal(label)))
        for label in draw(st.lists(_labels, max_size=2)):
            triples.append((work, RDFS.label, Literal(label)))
        for date in draw(st.lists(_dates, max_size=2)):
            triples.append((work, URIRef(FK + "workDate"), Literal(date, datatype=XSD.date)))
    for i in range(3):
        if draw(st.booleans()):
            triples.append(
                (URIRef(f"{E}r{i}"), SKOS.prefLabel, Literal(f"role {i % 2}", lang="en"))
            )
    for i in range(draw(st.integers(0, 2))):
        node = URIRef(f"{E}reunion{i}")
        triples += [
            (node, RDF.type, URIRef(FK + "Reunion")),
            (node, URIRef(FK + "earlierWork"), draw(_works)),
            (node, URIRef(FK + "laterWork"), draw(_works)),
            (node, URIRef(FK + "gapYears"), Literal(draw(st.integers(0, 40)))),
        ]
    for i in range(draw(st.integers(0, 3))):
        grant = URIRef(f"{E}grant{i}")
        triples += [
            (grant, URIRef(FK + "rightsHolder"), draw(_people)),
            (grant, URIRef(FK + "sourceWork"), draw(_works)),
        ]
    return triples


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 3), st.integers(0, 5))
def test_random_graphs_give_the_sparql_answers(
    triples: list[tuple[URIRef, URIRef, object]], threshold: int, who: int
) -> None:
    kg = KnowledgeGraph()
    half = len(triples) // 2  # two graphs: the union is what the queries see
    kg.add_triples(E + "g1", triples[:half])  # type: ignore[arg-type]
    kg.add_triples(E + "g2", triples[half:])  # type: ignore[arg-type]
    person = f"{E}p{who}"
    for name, params in [
        ("coworkers", {"min_films": str(threshold)}),
        ("coworkers", {"min_films": str(threshold), "person": person}),
        ("reunions", {"min_members": str(threshold)}),
        ("reunions", {"min_members": str(threshold), "person": person}),
        ("connected_within", {"start": person, "hops": str(threshold)}),
        ("connected_within", {"start": f"{E}w{who}", "hops": str(threshold + 1)}),
    ]:
        try:
            bindings = catalogue.resolve_params(kg, name, params)
        except UnknownEntityError:  # a person not in this graph: nothing to compare
            continue
        expected = kg.select(catalogue.bound_query(catalogue.get(name), bindings))
        streamed = analytics.run_streamed(kg, name, bindings)
        if streamed is None:
            continue  # labels Python cannot sort as the engine does: the query runs instead
        assert Counter(streamed.rows) == Counter(expected.rows), (name, params)


def _on_disk(tmp_path: Path, *, films: int, seed: int) -> Path:
    """An on-disk store of the project plus a synthetic file, compacted and closed."""
    path = tmp_path / "films.nt"
    synth.write_file(path, films=films, seed=seed)
    store = tmp_path / "kg.db"
    kg = load_project([path], store_path=store)
    kg.compact()
    del kg
    return store


def test_an_on_disk_store_keeps_its_columns_until_it_changes(tmp_path: Path) -> None:
    store = _on_disk(tmp_path, films=6, seed=3)
    kg = KnowledgeGraph.open(store)
    first = catalogue.run(kg, "coworkers", {"min_films": "1"}).rows
    assert (store / columns.CACHE_NAME).is_file()
    assert catalogue.run(kg, "coworkers", {"min_films": "1"}).rows == first
    del kg
    writer = KnowledgeGraph(store)  # a write in place: the copy no longer describes it
    writer.update("DELETE WHERE { GRAPH ?g { ?c <https://w3id.org/filmkg/ontology#agent> ?p } }")
    writer.store.flush()
    del writer
    assert (store / columns.CACHE_NAME).is_file()
    kg = KnowledgeGraph.open(store)
    assert catalogue.run(kg, "coworkers", {"min_films": "1"}).rows == []
    assert _by_sparql(kg, "coworkers", {"min_films": "1"}) == []


def test_a_damaged_copy_is_read_again(tmp_path: Path) -> None:
    store = _on_disk(tmp_path, films=4, seed=5)
    kg = KnowledgeGraph.open(store)
    first = catalogue.run(kg, "reunions", {"min_members": "1"}).rows
    (store / columns.CACHE_NAME).write_bytes(b"PK\x03\x04 not a real archive")
    assert catalogue.run(kg, "reunions", {"min_members": "1"}).rows == first


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12), st.sampled_from([None, "en", "de-CH"]))
def test_term_texts_read_back_to_the_same_term(value: str, lang: str | None) -> None:
    term = ox.Literal(value, language=lang) if lang else ox.Literal(value)
    assert columns.term_from_text(str(term)) == term
