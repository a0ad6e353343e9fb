"""Whole-graph named queries by a streaming pass give exactly the SPARQL answers."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.sparql import catalogue
from filmkg.sparql.streamed import run_streamed
from filmkg.synth import generator as synth


def _by_sparql(kg: KnowledgeGraph, name: str, params: dict[str, str]) -> list[tuple[object, ...]]:
    nq = catalogue.get(name)
    bindings = catalogue.resolve_params(kg, nq, params)
    return kg.select(catalogue.bound_query(nq, bindings)).rows


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
    assert streamed.variables == (
        "person",
        "person_label",
        "coworker",
        "coworker_label",
        "shared_films",
        "year",
        "film",
        "film_label",
        "person_role",
        "coworker_role",
    )
    assert streamed.rows == expected  # same rows, same order, same terms


def test_the_here_graph_gives_the_same_coworkers() -> None:
    kg = load_project()
    assert catalogue.run(kg, "coworkers").rows == _by_sparql(kg, "coworkers", {})


def test_a_given_person_stays_an_index_lookup() -> None:
    kg = load_project()
    person = catalogue.resolve_params(kg, "coworkers", {"person": "Tom Hanks"})
    assert run_streamed(kg, "coworkers", person) is None
    assert run_streamed(kg, "film_credits", {}) is None
    rows = run_streamed(kg, "coworkers", {"min_films": Literal("2", datatype=XSD.integer)})
    assert rows is not None
    assert {str(r[2]).rsplit("/", 1)[-1] for r in rows.rows} >= {"tom-hanks", "robin-wright"}
