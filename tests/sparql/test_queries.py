"""The named-query catalogue: headers, golden answers, engine equivalence, name resolution."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParameterError, QuerySyntaxError, UnknownEntityError, UnknownQueryError
from filmkg.resources import queries_dir
from filmkg.sparql import catalogue as queries
from filmkg.sparql.results import QueryResult, plain_rows
from filmkg.sparql.tokenizer import strip_comments, tokens
from goldens import CASES, CATALOGUE, GOLDEN, golden_case, golden_cases

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return load_project()


# -- the catalogue itself -----------------------------------------------------------


def test_catalogue_is_the_queries_folder() -> None:
    names = sorted(p.stem for p in queries_dir().glob("*.rq"))
    assert sorted(CATALOGUE) == names
    assert len(names) >= 2


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_header_documents_the_query(name: str) -> None:
    nq = CATALOGUE[name]
    assert nq.summary
    assert nq.description
    body = tokens(strip_comments(nq.text))
    for p in nq.params:
        assert f"?{p.name}" in body, p.name
    assert nq.form == "SELECT"
    upper = [t.upper() for t in body]
    assert any(a == "ORDER" and b == "BY" for a, b in itertools.pairwise(upper)), (
        f"{name}: every SELECT needs an ORDER BY"
    )


def test_readme_lists_every_query() -> None:
    readme = (queries_dir() / "README.md").read_text(encoding="utf-8")
    for name, nq in CATALOGUE.items():
        assert f"`{name}`" in readme, f"queries/README.md does not list {name}"
        assert nq.summary in readme, f"queries/README.md lacks the summary of {name}"


def test_every_query_has_a_golden_answer() -> None:
    goldens = {p.stem for p in GOLDEN.glob("*.json")}
    assert set(CATALOGUE) <= goldens, f"no golden answer for {sorted(set(CATALOGUE) - goldens)}"
    assert goldens <= set(CATALOGUE), (
        f"golden answers of no query: {sorted(goldens - set(CATALOGUE))}"
    )


def test_golden_cases_are_the_declared_examples() -> None:
    for name, nq in CATALOGUE.items():
        cases = golden_cases(name)
        assert [c["params"] for c in cases] == list(nq.examples or ({},)), name


def _write_query(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_declared_parameter_missing_from_the_body_is_an_error(tmp_path: Path) -> None:
    _write_query(
        tmp_path,
        "broken",
        "#+ summary: X\n#+ param: person person required P\n"
        "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n",
    )
    with pytest.raises(QuerySyntaxError, match=r"'person' does not occur .* as \?person"):
        queries.catalogue(tmp_path)


def test_a_parameter_only_in_a_comment_does_not_count(tmp_path: Path) -> None:
    _write_query(
        tmp_path,
        "broken",
        "#+ summary: X\n#+ param: person person required P\n"
        "SELECT ?x WHERE { ?x ?p ?o # ?person\n} ORDER BY ?x\n",
    )
    with pytest.raises(QuerySyntaxError, match="does not occur"):
        queries.catalogue(tmp_path)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+ param: p iri required P\n", "exactly one '#\\+ summary:'"),
        ("#+ summary: X\n#+ params: p iri required P\n", "unknown header key 'params'"),
        ("#+ summary: X\n#+ param: p name required P\n", "unknown kind 'name'"),
        ("#+ summary: X\n#+ param: p iri maybe P\n", "'required' or 'optional'"),
        ("#+ summary: X\n#+ param: p iri required P\n#+ example: q=1\n", "undeclared"),
        ("#+ summary: X\n#+ param: p iri required P\n#+ example: \n", "lacks required"),
    ],
)
def test_bad_headers_are_errors(tmp_path: Path, header: str, message: str) -> None:
    _write_query(tmp_path, "bad", header + "SELECT ?p WHERE { ?p ?q ?r } ORDER BY ?p\n")
    with pytest.raises(QuerySyntaxError, match=message):
        queries.catalogue(tmp_path)


def test_a_new_query_without_golden_answer_fails_the_golden_check(tmp_path: Path) -> None:
    # The same check as test_every_query_has_a_golden_answer, on a folder with one more query.
    for path in queries_dir().glob("*.rq"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    _write_query(tmp_path, "brand_new", "#+ summary: X\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n")
    goldens = {p.stem for p in GOLDEN.glob("*.json")}
    assert set(queries.catalogue(tmp_path)) - goldens == {"brand_new"}


def test_defaults_are_parsed() -> None:
    nq = queries.parse_named_query(
        "x",
        "#+ summary: X\n#+ param: n integer optional Hops (default: 2)\n"
        "SELECT ?n WHERE { ?a ?b ?n } ORDER BY ?n",
    )
    assert nq.params[0].default == "2"
    assert nq.params[0].description == "Hops"


# -- golden answers and engine equivalence -----------------------------------------------


@pytest.mark.parametrize(("name", "params"), CASES)
def test_golden_answer(kg: KnowledgeGraph, name: str, params: dict[str, str]) -> None:
    expected = golden_case(name, params)
    result = queries.run(kg, name, params)
    assert list(result.variables) == expected["variables"]
    assert plain_rows(result) == expected["rows"]


def _normalise(result: QueryResult) -> list[tuple[object, ...]]:
    """Rows with numeric literals compared by value (the standard's literal equality)."""

    def norm(term: object) -> object:
        if (
            isinstance(term, Literal)
            and term.datatype is not None
            and str(term.datatype) in NUMERIC
        ):
            return ("numeric", Decimal(str(term.toPython())))
        return term

    return [tuple(norm(t) for t in row) for row in result.rows]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_engines_give_identical_answers(
    kg: KnowledgeGraph, name: str, params: dict[str, str]
) -> None:
    ox = queries.run(kg, name, params, engine="oxigraph")
    rd = queries.run(kg, name, params, engine="rdflib")
    assert ox.variables == rd.variables
    assert _normalise(ox) == _normalise(rd)


def test_every_query_has_an_example_with_rows() -> None:
    for name in CATALOGUE:
        cases = golden_cases(name)
        assert any(c["rows"] for c in cases), f"{name}: no example gives any row"


@pytest.mark.parametrize("family", ["crew", "based_on"])
def test_wikidata_and_schema_terms_give_the_same_answers(family: str) -> None:
    """The alignment: the same question in filmkg, Wikidata and schema.org terms."""
    answers = {
        vocabulary: golden_cases(f"{family}_{vocabulary}")
        for vocabulary in ("shortcuts", "wikidata", "schema")
    }
    assert answers["shortcuts"] == answers["wikidata"] == answers["schema"]
    assert any(case["rows"] for case in answers["shortcuts"])


def test_crew_terms_match_the_credit_nodes(kg: KnowledgeGraph) -> None:
    """The shortcuts agree with the n-ary credits they are derived from."""
    crew = {
        (row["relation"], row["person"])
        for row in plain_rows(queries.run(kg, "crew_wikidata", {"film": "Here"}))
    }
    credits = {
        (row["role_label"], row["person"])
        for row in plain_rows(queries.run(kg, "film_credits", {"film": "Here"}))
        if row["role_label"] != "executive producer"
    }
    assert crew == credits


def test_evidence_quotes_are_verbatim_in_the_source() -> None:
    text = " ".join(
        (Path(queries_dir()).parent / "graph" / "sources" / "here-collider-2024-06-22.txt")
        .read_text(encoding="utf-8")
        .split()
    )
    for case in golden_cases("evidence"):
        for row in case["rows"]:
            assert " ".join(row["quote"].split()) in text, row["quote"]


def test_reunion_gap_is_computed_and_agrees_with_the_article(kg: KnowledgeGraph) -> None:
    rows = plain_rows(queries.run(kg, "reunions", {}))
    assert {r["member_label"] for r in rows} == {
        "Robert Zemeckis",
        "Eric Roth",
        "Tom Hanks",
        "Robin Wright",
    }
    assert {
        (r["earlier_year"], r["later_year"], r["gap_years"], r["stated_gap"]) for r in rows
    } == {(1994, 2024, 30, 30)}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2024-06-01", "2024-11-27"),
        ("2024-06-21", "2024-11-27"),
        ("2024-06-22", "2024-11-15"),
        ("2024-07-01", "2024-11-15"),
    ],
)
def test_planned_wide_release_as_of(kg: KnowledgeGraph, as_of: str, expected: str) -> None:
    for engine in ("oxigraph", "rdflib"):
        rows = queries.run(
            kg, "planned_release_as_of", {"film": "Here", "as_of": as_of}, engine=engine
        )
        assert [r["date"] for r in plain_rows(rows)] == [expected]


def test_a_fact_repeated_in_a_second_graph_changes_no_answer(tmp_path: Path) -> None:
    """The same answers when the same triples sit in two named graphs (as when two sources
    state the same fact): the RDF merge has each triple once, but pyoxigraph's union default
    graph repeats it, so the queries must not depend on multiplicity (rdflib's union is a
    set already; it is checked by test_engines_give_identical_answers)."""
    from filmkg.build.project import data_files

    kg = load_project()
    for path in data_files():
        kg.load(path, graph=f"https://w3id.org/filmkg/graph/copy-of-{path.stem}")
    for name, params in [c.values[:2] for c in CASES]:  # type: ignore[misc]
        cases = golden_cases(name)
        expected = next(c for c in cases if c["params"] == params)
        got = plain_rows(queries.run(kg, name, params, engine="oxigraph"))
        assert got == expected["rows"], (name, params)


# -- parameters ---------------------------------------------------------------------------


def test_unknown_query_suggests(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQueryError, match="did you mean 'film_credits'"):
        queries.run(kg, "film_credit", {})


def test_unknown_person_suggests(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError) as info:
        queries.run(kg, "person_credits", {"person": "Tom Hank"})
    assert str(info.value) == "no person 'Tom Hank'; did you mean 'Tom Hanks'?"


def test_surname_alone_suggests_the_full_name(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError, match="did you mean 'Robert Zemeckis'"):
        queries.run(kg, "person_credits", {"person": "zemeckis"})


def test_names_ignore_case_and_spacing(kg: KnowledgeGraph) -> None:
    a = queries.run(kg, "person_credits", {"person": "  tom   HANKS "})
    b = queries.run(kg, "person_credits", {"person": "kg:person/tom-hanks"})
    c = queries.run(
        kg, "person_credits", {"person": URIRef("https://w3id.org/filmkg/id/person/tom-hanks")}
    )
    assert a.rows == b.rows == c.rows
    assert len(a) == 2


def test_alt_labels_resolve(kg: KnowledgeGraph) -> None:
    iri = queries.resolve_entity(kg, "organisation", "Creative Artists Agency")
    assert iri == URIRef("https://w3id.org/filmkg/id/org/caa")


def test_a_shared_title_is_ambiguous_and_lists_the_candidates(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError) as info:
        queries.resolve_entity(kg, "work", "Here")
    message = str(info.value)
    assert "ambiguous" in message
    assert "kg:film/here-2024" in message
    assert "kg:work/here-graphic-novel" in message
    # a film parameter only looks at films: unambiguous
    assert queries.resolve_entity(kg, "film", "Here") == URIRef(
        "https://w3id.org/filmkg/id/film/here-2024"
    )


def test_an_iri_of_the_wrong_kind_is_refused(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError, match="kg:org/miramax is not a person"):
        queries.run(kg, "person_credits", {"person": "kg:org/miramax"})


def test_missing_and_undeclared_parameters(kg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="needs parameter 'film'"):
        queries.run(kg, "film_credits", {})
    with pytest.raises(ParameterError, match=r"has no parameter 'flim'.*did you mean 'film'"):
        queries.run(kg, "film_credits", {"film": "Here", "flim": "x"})


def test_bound_text_puts_values_first_in_the_outer_where() -> None:
    nq = CATALOGUE["film_credits"]
    text = queries.bound_query(nq, {"film": URIRef("https://w3id.org/filmkg/id/film/here-2024")})
    assert "WHERE { VALUES (?film) { (<https://w3id.org/filmkg/id/film/here-2024>) }" in text
    assert text.replace(
        " VALUES (?film) { (<https://w3id.org/filmkg/id/film/here-2024>) }", ""
    ) == queries._without_header(nq.text)
    assert "#+" not in text  # the header stays behind: clients guess the form from text


def test_parameters_bind_inside_sub_selects_and_union_branches() -> None:
    text = (
        "#+ summary: X\n#+ param: p iri required P\n#+ param: q integer optional Q\n"
        "SELECT ?p ?n WHERE {\n"
        "  VALUES (?a ?b) { (1 2) }\n"
        "  { SELECT ?p (COUNT(*) AS ?n) WHERE { ?p ?x ?y } GROUP BY ?p }\n"
        "  { ?p ?r ?s } UNION { ?s ?r ?t }\n"
        "  OPTIONAL { ?s ?r ?q }\n"
        "} ORDER BY ?p"
    )
    nq = queries.parse_named_query("x", text)
    bound = queries.bound_query(nq, {"p": URIRef("https://e.org/p"), "q": Literal(1)})
    p_row = "VALUES (?p) { (<https://e.org/p>) }"
    both = p_row + ' VALUES (?q) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    assert bound.count(both) == 1  # the outer group: one block per parameter
    assert "WHERE { " + p_row + " ?p ?x ?y }" in bound  # the sub-select's WHERE
    assert "{ " + p_row + " ?p ?r ?s } UNION { ?s ?r ?t }" in bound  # one branch only
    assert 'OPTIONAL { VALUES (?q) { ("1"' in bound
    assert "VALUES (?a ?b) { (1 2) }" in bound  # a data block is left alone
    assert "{ SELECT" in bound  # a group holding a sub-select gets no row


def test_where_inside_strings_comments_and_iris_is_not_the_outer_where() -> None:
    text = (
        "#+ summary: X\n# WHERE {\nPREFIX ex: <https://e.org/WHERE>\n"
        'SELECT ?where ("WHERE {" AS ?s) WHERE {\n ?where ex:p ?o } ORDER BY ?where'
    )
    nq = queries.parse_named_query("x", text)
    assert text[: nq.where_index].endswith("AS ?s) WHERE {")
