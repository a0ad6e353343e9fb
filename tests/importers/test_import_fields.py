"""A table's own fields kept as typed values: runtime, certificate, user rating and votes,
metascore and gross (tests/data/import/top-films.*), and the list-of-columns form."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from filmkg.build.project import load_project
from filmkg.errors import ParseError
from filmkg.importers.mapping import load_mapping, parse_mapping
from filmkg.importers.pipeline import ImportResult, import_source
from filmkg.rdf.namespaces import sparql_prefixes
from filmkg.validation.report import validate

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def top() -> ImportResult:
    return import_source(DATA, load_mapping(DATA / "top-films.toml"))


def _rows(result: ImportResult, body: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT over the import, each term as text (``value^^datatype``)."""
    store = ox.Store()
    store.extend(result.quads)
    rows = store.query(sparql_prefixes() + body, use_default_graph_as_union=True)
    return sorted(tuple(_text(term) for term in row) for row in rows)  # type: ignore[union-attr]


def _text(term: ox.NamedNode | ox.Literal) -> str:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        return term.value if dt == XSD + "string" else f"{term.value}^^{dt.rsplit('#', 1)[1]}"
    return term.value.rsplit("/", 1)[-1] if "/id/" in term.value else term.value


def test_every_field_is_kept_as_a_typed_value(top: ImportResult) -> None:
    assert _rows(top, "SELECT ?f ?d WHERE { ?f filmkg:duration ?d }") == [
        ("cast-away-2000", "PT2H23M^^duration"),
        ("forrest-gump-1994", "PT2H22M^^duration"),
        ("here-2024", "PT1H44M^^duration"),
    ]
    assert _rows(
        top,
        "SELECT ?f ?c WHERE { ?r a filmkg:ContentRating ; filmkg:work ?f ; filmkg:certificate ?c }",
    ) == [("cast-away-2000", "UA"), ("forrest-gump-1994", "UA"), ("here-2024", "PG-13")]
    assert _rows(
        top,
        "SELECT ?f ?v ?n ?best ?worst WHERE { ?r a filmkg:AggregateRating ; filmkg:work ?f ; "
        "filmkg:ratingValue ?v ; filmkg:ratingCount ?n ; filmkg:bestRating ?best ; "
        "filmkg:worstRating ?worst }",
    ) == [
        ("cast-away-2000", "7.8^^decimal", "542107^^integer", "10^^decimal", "1^^decimal"),
        ("forrest-gump-1994", "8.8^^decimal", "1809221^^integer", "10^^decimal", "1^^decimal"),
    ]
    assert _rows(
        top,
        "SELECT ?f ?v ?best ?by WHERE { ?r a filmkg:ReviewScore ; filmkg:work ?f ; "
        "filmkg:ratingValue ?v ; filmkg:bestRating ?best ; filmkg:scoredBy ?o . "
        "?o a filmkg:Organisation ; rdfs:label ?by }",
    ) == [
        ("cast-away-2000", "73^^decimal", "100^^decimal", "Metacritic"),
        ("forrest-gump-1994", "82^^decimal", "100^^decimal", "Metacritic"),
    ]
    assert _rows(
        top,
        "SELECT ?f ?a ?c WHERE { ?r a filmkg:BoxOffice ; filmkg:work ?f ; filmkg:amount ?a ; "
        "filmkg:currency ?c }",
    ) == [
        ("cast-away-2000", "233632142^^decimal", "USD"),
        ("forrest-gump-1994", "330252182^^decimal", "USD"),
    ]


def test_each_value_has_evidence_quoting_its_field(top: ImportResult) -> None:
    assert _rows(
        top,
        "SELECT ?c ?q WHERE { ?a a ?c ; filmkg:work kg:film\\/forrest-gump-1994 ; "
        "filmkg:evidence/filmkg:quote ?q "
        "VALUES ?c { filmkg:ContentRating filmkg:AggregateRating filmkg:ReviewScore "
        "filmkg:BoxOffice } }",
    ) == [
        ("https://w3id.org/filmkg/ontology#AggregateRating", "8.8"),
        ("https://w3id.org/filmkg/ontology#BoxOffice", "330,252,182"),
        ("https://w3id.org/filmkg/ontology#ContentRating", "UA"),
        ("https://w3id.org/filmkg/ontology#ReviewScore", "82"),
    ]


def test_empty_cells_make_no_assertion(top: ImportResult) -> None:
    # "Here" has no rating, votes, metascore or gross in the table: nothing is invented
    assert _rows(
        top,
        "SELECT ?c WHERE { ?a a ?c ; filmkg:work kg:film\\/here-2024 FILTER(?c != filmkg:Credit) }",
    ) == [
        ("https://w3id.org/filmkg/ontology#ContentRating",),
        ("https://w3id.org/filmkg/ontology#Release",),
        ("https://w3id.org/filmkg/ontology#StoryDescription",),
    ]
    assert top.report.issues == []


def test_columns_form_gives_one_credit_per_non_empty_column(top: ImportResult) -> None:
    rows = _rows(
        top,
        "SELECT ?f ?p ?field WHERE { ?c a filmkg:Credit ; filmkg:role role:cast-member ; "
        "filmkg:starring true ; filmkg:work ?f ; filmkg:agent ?p ; filmkg:evidence ?e . "
        "BIND(STRAFTER(STR(?e), 'row-') AS ?field) }",
    )
    assert [r for r in rows if r[0] == "here-2024"] == [
        ("here-2024", "paul-bettany", "3/star3"),
        ("here-2024", "robin-wright", "3/star2"),
        ("here-2024", "tom-hanks", "3/star1"),
    ]  # Star4 is empty for Here: no fourth credit, and no problem reported
    assert len([r for r in rows if r[0] == "forrest-gump-1994"]) == 4


def test_the_import_validates_with_the_project(top: ImportResult) -> None:
    kg = load_project(infer=False)
    kg.add_quads(top.quads)
    report = validate(kg)
    assert report.ok, report.to_text()


MAPPING = """
[source]
id = "t"
format = "csv"
[dataset]
title = "T"
[[map]]
table = "rows"
  [[map.entity]]
  name = "star"
  class = "Person"
  {columns}
"""


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ('columns = "Star1"', "'columns' must be a list of column names"),
        ("columns = []", "'columns' is empty"),
        ('columns = ["Star1", 2]', "'columns' must be a list of column names"),
        ('columns = ["Star1"]\n  each = "cast"', "give 'each' (one list field) or 'columns'"),
    ],
)
def test_columns_mistakes_are_one_clear_error(columns: str, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_mapping(MAPPING.replace("{columns}", columns), path="t.toml")


def test_schema_profile_writes_the_running_time_and_certificate(top: ImportResult) -> None:
    from filmkg.build import inference
    from filmkg.export import profiles

    kg = load_project(infer=False)
    kg.add_quads(top.quads)
    inference.infer(kg)
    durations = {
        (q.subject.value.rsplit("/", 1)[1], q.object.value)
        for q in profiles.apply("schema", kg)
        if q.predicate.value == "http://schema.org/duration"
    }
    assert durations == {
        ("cast-away-2000", "PT2H23M"),
        ("forrest-gump-1994", "PT2H22M"),
        ("here-2024", "PT1H44M"),
    }
    ratings = {
        (q.subject.value.rsplit("/", 1)[1], q.object.value)
        for q in profiles.apply("schema", kg)
        if q.predicate.value == "http://schema.org/contentRating"
    }  # derived from the ContentRating assertions by ontology/rules/30-work-shortcuts.rq
    assert ratings == {
        ("cast-away-2000", "UA"),
        ("forrest-gump-1994", "UA"),
        ("here-2024", "PG-13"),
    }
