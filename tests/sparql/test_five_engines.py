"""Five engines, one answer: every named query and generated queries on rdflib, pyoxigraph,
the Oxigraph server, Virtuoso and Comunica.

The embedded engines run through :class:`~filmkg.engines.store.KnowledgeGraph` (pyoxigraph
on the bound SPARQL text itself, not the streamed shortcuts the golden tests also cover);
the servers through filmkg's remote :class:`~filmkg.engines.remote.Endpoint`, as
``filmkg query --endpoint`` runs them (names resolved on the server too). Each engine is
loaded once per session. Answers are compared as multisets of rows, and in order on the
keys the query orders by (rows that tie on them may come in any order).

Named queries are compared with their golden answers (tests/golden); generated queries
(joins, OPTIONAL, aggregates over OPTIONAL values, GROUP_CONCAT over unbound values,
property paths, negation, several ORDER BY keys with LIMIT/OFFSET, DISTINCT, language tags,
datatypes, typed literals, blank nodes) with pyoxigraph's answer, term by term (numbers
by value, language tags ignoring case, blank nodes as blank nodes). Where an engine is
wrong and no portable form exists, the defect is recorded in :data:`DEFECTS` (with its
upstream report) and tested as a strict xfail, so a fixed engine turns the test red.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from filmkg.engines.remote import Endpoint, push
from filmkg.engines.store import KnowledgeGraph
from filmkg.sparql import catalogue as queries
from filmkg.sparql.results import QueryResult, plain_rows
from filmkg.sparql.tokenizer import strip_comments, tokens
from servers import start_oxigraph

GOLDEN = Path(__file__).parents[1] / "golden"
CATALOGUE = queries.catalogue()
CASES = [
    pytest.param(name, params, id=f"{name}[{i}]")
    for name, nq in CATALOGUE.items()
    for i, params in enumerate(nq.examples or ({},))
]
ENGINES = ("rdflib", "pyoxigraph", "oxigraph-server")
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    XSD + t
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedInt",
        "unsignedLong",
    )
}


# -- the engines ----------------------------------------------------------------------------


@dataclass
class Engine:
    """One engine: how it runs a named query (as users run it) and a SPARQL text."""

    name: str
    named: Callable[[str, Mapping[str, str]], QueryResult]
    text: Callable[[str], QueryResult]
    cache: dict[str, QueryResult] = field(default_factory=dict)

    def select(self, sparql: str) -> QueryResult:
        """The answer to ``sparql`` (asked once per session)."""
        if sparql not in self.cache:
            self.cache[sparql] = self.text(sparql)
        return self.cache[sparql]

    def run(self, name: str, params: Mapping[str, str]) -> QueryResult:
        """The answer to the named query ``name`` with ``params`` (asked once per session)."""
        key = json.dumps([name, params], sort_keys=True)
        if key not in self.cache:
            self.cache[key] = self.named(name, params)
        return self.cache[key]


@pytest.fixture(scope="session")
def engine_rdflib(project_kg: KnowledgeGraph) -> Engine:
    return Engine(
        "rdflib",
        lambda name, params: queries.run(project_kg, name, params, engine="rdflib"),
        lambda text: project_kg.select(text, engine="rdflib"),
    )


@pytest.fixture(scope="session")
def engine_pyoxigraph(project_kg: KnowledgeGraph) -> Engine:
    return Engine(
        "pyoxigraph",
        lambda name, params: project_kg.select(queries.bind(project_kg, name, params)),
        lambda text: project_kg.select(text),
    )


def _remote(name: str, endpoint: Endpoint) -> Engine:
    return Engine(name, lambda query, params: queries.run(endpoint, query, params), endpoint.select)


@pytest.fixture(scope="session")
def engine_oxigraph_server(
    tmp_path_factory: pytest.TempPathFactory, project_kg: KnowledgeGraph
) -> Iterator[Engine]:
    server = start_oxigraph(tmp_path_factory.mktemp("five-engines") / "store")
    try:
        endpoint = Endpoint(server.query_url)
        push(project_kg, endpoint)
        yield _remote("oxigraph-server", endpoint)
    finally:
        server.stop()


def _engine(request: pytest.FixtureRequest) -> Engine:
    found: Engine = request.getfixturevalue("engine_" + str(request.param).replace("-", "_"))
    return found


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each of the five engines."""
    return _engine(request)


@pytest.fixture(params=[e for e in ENGINES if e != "pyoxigraph"])
def other(request: pytest.FixtureRequest) -> Engine:
    """Each engine but pyoxigraph, the reference of the term-by-term comparisons."""
    return _engine(request)


# -- comparing answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderKey:
    """One ORDER BY condition: a variable, the functions applied to it, the direction."""

    variable: str
    functions: tuple[str, ...] = ()
    descending: bool = False


_KEY_FUNCTIONS = {"STR", "LCASE", "UCASE"}


def order_keys(text: str) -> list[OrderKey]:
    """The outer query's ORDER BY conditions (plain variables, ASC/DESC, STR/LCASE/UCASE).

    >>> order_keys("SELECT ?a { ?a ?b ?c } ORDER BY LCASE(STR(?a)) DESC(?b) LIMIT 2")
    [OrderKey(variable='a', functions=('LCASE', 'STR'), descending=False), \
OrderKey(variable='b', functions=(), descending=True)]
    """
    toks = tokens(strip_comments(text))
    depth, start = 0, None
    for i, tok in enumerate(toks):
        depth += tok == "{"
        depth -= tok == "}"
        if depth == 0 and tok.upper() == "ORDER" and toks[i + 1].upper() == "BY":
            start = i + 2
    if start is None:
        return []
    keys: list[OrderKey] = []
    functions: list[str] = []
    descending = False
    for tok in toks[start:]:
        upper = tok.upper()
        if upper in ("LIMIT", "OFFSET", "}"):
            break
        if upper in ("ASC", "DESC"):
            descending = upper == "DESC"
        elif upper in _KEY_FUNCTIONS:
            functions.append(upper)
        elif tok.startswith(("?", "$")):
            keys.append(OrderKey(tok[1:], tuple(functions), descending))
            functions, descending = [], False
        elif tok not in ("(", ")"):
            raise AssertionError(f"an ORDER BY condition this test cannot follow: {tok!r}")
    return keys


def _apply(functions: Sequence[str], value: object) -> object:
    for function in reversed(functions):
        if value is None:
            return None
        text = str(value).lower() if isinstance(value, bool) else str(value)
        value = (
            text.lower() if function == "LCASE" else text.upper() if function == "UCASE" else text
        )
    return value


def _row_text(row: Mapping[str, object]) -> str:
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)


def assert_same_rows(
    got: Sequence[Mapping[str, object]],
    expected: Sequence[Mapping[str, object]],
    keys: Sequence[OrderKey],
    where: str,
) -> None:
    """``got`` holds the rows of ``expected`` (as a multiset), in the same order on ``keys``."""
    have, want = Counter(map(_row_text, got)), Counter(map(_row_text, expected))
    missing, extra = sorted((want - have).elements()), sorted((have - want).elements())
    report = (
        f"{where}: {len(missing)} row(s) missing, {len(extra)} extra\n"
        + "".join(f"  - {r}\n" for r in missing[:8])
        + "".join(f"  + {r}\n" for r in extra[:8])
    )
    assert not missing, report
    assert not extra, report

    def sequence(rows: Sequence[Mapping[str, object]]) -> list[str]:
        return [
            _row_text({str(i): _apply(k.functions, r.get(k.variable)) for i, k in enumerate(keys)})
            for r in rows
        ]

    if keys:
        got_order, want_order = sequence(got), sequence(expected)
        first = next(
            (i for i, (a, b) in enumerate(zip(got_order, want_order, strict=True)) if a != b), 0
        )
        assert got_order == want_order, (
            f"{where}: the rows are not in ORDER BY order from row {first}: "
            f"{got_order[first]} where {want_order[first]} was expected"
        )


def canonical(term: object) -> object:
    """A term as compared between engines: numbers by value, booleans by value, language
    tags in lower case, ``xsd:string`` as a simple literal, blank nodes all alike."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return {"bnode": True}
    if isinstance(term, URIRef):
        return {"iri": str(term)}
    assert isinstance(term, Literal), term
    datatype = str(term.datatype) if term.datatype is not None else None
    if term.language:
        return {"text": str(term), "lang": term.language.lower()}
    if datatype in NUMERIC:
        try:
            return {"number": str(Decimal(str(term)).normalize())}
        except InvalidOperation:
            return {"number": str(term)}
    if datatype == XSD + "boolean":
        return {"boolean": str(term) in ("true", "1")}
    if datatype in (None, XSD + "string"):
        return {"text": str(term)}
    return {"text": str(term), "datatype": datatype}


def canonical_rows(
    result: QueryResult, concatenated: Sequence[str] = ()
) -> list[dict[str, object]]:
    """The rows as dicts of :func:`canonical` terms (a GROUP_CONCAT's parts sorted)."""
    rows = []
    for row in result.rows:
        cells: dict[str, object] = {}
        for variable, term in zip(result.variables, row, strict=True):
            if variable in concatenated and isinstance(term, Literal):
                cells[str(variable)] = {"parts": sorted(str(term).split("|"))}
            else:
                cells[str(variable)] = canonical(term)
        rows.append(cells)
    return rows


# -- named queries: the golden answers on every engine -------------------------------------


def _golden(name: str, params: Mapping[str, str]) -> dict[str, object]:
    cases = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    found: dict[str, object] = next(c for c in cases if c["params"] == params)
    return found


@pytest.mark.parametrize(("name", "params"), CASES)
def test_named_query_gives_the_golden_answer(
    engine: Engine, name: str, params: dict[str, str]
) -> None:
    expected = _golden(name, params)
    result = engine.run(name, params)
    assert [str(v) for v in result.variables] == expected["variables"]
    rows = expected["rows"]
    assert isinstance(rows, list)
    assert_same_rows(
        plain_rows(result), rows, order_keys(CATALOGUE[name].text), f"{engine.name} {name}"
    )


@pytest.mark.parametrize(("name", "params"), CASES)
def test_named_query_gives_pyoxigraph_terms(
    other: Engine, engine_pyoxigraph: Engine, name: str, params: dict[str, str]
) -> None:
    """The same terms, not only the same plain values (datatypes, language tags)."""
    want = canonical_rows(engine_pyoxigraph.run(name, params))
    got = canonical_rows(other.run(name, params))
    assert_same_rows(got, want, [], f"{other.name} {name} (terms)")
