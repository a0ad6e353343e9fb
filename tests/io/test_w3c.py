"""The W3C RDF 1.1 syntax test suites, run through filmkg's loader (issue 7, item 1).

Each suite's ``manifest.ttl`` (read with our own loader) lists negative syntax tests (must be
rejected with a :class:`ParseError` that names the line), positive syntax tests (must
load) and evaluation tests (must give triples isomorphic to the expected N-Triples /
N-Quads, compared with rdflib's isomorphism). The suites are vendored in tests/data/w3c
(see its SOURCE.md); rdflib's own parsers accept dozens of the negative tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, BNode, Graph
from rdflib.compare import isomorphic

from filmkg.errors import ParseError
from filmkg.io.loading import parse_file
from filmkg.rdf.convert import quads_to_rdflib

W3C = Path(__file__).parents[1] / "data" / "w3c"

#: suite folder → (base IRI of its tests, input format)
SUITES: dict[str, tuple[str, str]] = {
    "rdf-turtle": ("https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/", "ttl"),
    "rdf-trig": ("https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-trig/", "trig"),
    "rdf-n-triples": ("https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-n-triples/", "nt"),
    "rdf-n-quads": ("https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-n-quads/", "nq"),
    "rdf-xml": ("http://www.w3.org/2013/RDFXMLTests/", "rdfxml"),
}

#: Number of tests of each kind per suite: guards against a manifest read as empty.
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "rdf-turtle": {"negative": 94, "positive": 74, "eval": 145},
    "rdf-trig": {"negative": 115, "positive": 98, "eval": 143},
    "rdf-n-triples": {"negative": 29, "positive": 41},
    "rdf-n-quads": {"negative": 34, "positive": 53},
    "rdf-xml": {"negative": 40, "eval": 122},
}

_MANIFEST_QUERY = """
PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?name ?type ?action ?result WHERE {
  ?manifest mf:entries/rdf:rest*/rdf:first ?test .
  ?test a ?type ; mf:name ?name ; mf:action ?action .
  OPTIONAL { ?test mf:result ?result }
} ORDER BY ?name
"""


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    kind: str  # "negative", "positive" or "eval"
    action: Path
    base: str
    fmt: str
    result: Path | None


def _read_manifest(suite: str) -> list[Case]:
    base, fmt = SUITES[suite]
    folder = W3C / suite
    store = ox.Store()
    store.extend(parse_file(folder / "manifest.ttl", base_iri=base + "manifest.ttl"))
    cases = []
    for solution in store.query(_MANIFEST_QUERY):
        test_type = solution["type"].value
        kind = (
            "negative" if "Negative" in test_type else "eval" if "Eval" in test_type else "positive"
        )
        action = solution["action"].value
        result = solution["result"]
        cases.append(
            Case(
                suite=suite,
                name=solution["name"].value,
                kind=kind,
                action=folder / action.removeprefix(base),
                base=action,
                fmt=fmt,
                result=folder / result.value.removeprefix(base) if result is not None else None,
            )
        )
    return cases


ALL_CASES: list[Case] = [case for suite in SUITES for case in _read_manifest(suite)]


#: Known deviations of pyoxigraph, each checked to still fail (strict xfail).
KNOWN_DEVIATIONS: dict[str, str] = {
    "rdf-xml/xml-canon-test001": "pyoxigraph does not put rdf:parseType='Literal' content "
    "into exclusive canonical XML (the namespace declarations differ)",
}


def _cases(kind: str) -> list[object]:
    params = []
    for c in ALL_CASES:
        if c.kind == kind:
            test_id = f"{c.suite}/{c.name}"
            reason = KNOWN_DEVIATIONS.get(test_id)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(c, id=test_id, marks=marks))
    return params


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_manifest_lists_every_test(suite: str) -> None:
    counts: dict[str, int] = {}
    for case in ALL_CASES:
        if case.suite == suite:
            counts[case.kind] = counts.get(case.kind, 0) + 1
            assert case.action.is_file(), f"{case.name}: {case.action} is not vendored"
    assert counts == EXPECTED_COUNTS[suite]


@pytest.mark.parametrize("case", _cases("negative"))
def test_negative_syntax_is_rejected_with_a_location(case: Case) -> None:
    with pytest.raises(ParseError) as info:
        parse_file(case.action, fmt=case.fmt, base_iri=case.base)
    error = info.value
    assert error.path == str(case.action)
    assert error.line is not None
    assert error.line >= 1
    assert "\n" not in str(error)


@pytest.mark.parametrize("case", _cases("positive"))
def test_positive_syntax_loads(case: Case) -> None:
    # allow_empty: filmkg refuses an empty file by default, the suites call it valid
    parse_file(case.action, fmt=case.fmt, base_iri=case.base, allow_empty=True)


@pytest.mark.parametrize("case", _cases("eval"))
def test_evaluation_gives_the_expected_triples(case: Case) -> None:
    assert case.result is not None
    got = parse_file(case.action, fmt=case.fmt, base_iri=case.base)
    # the expected output is read with pyoxigraph too: rdflib's N-Triples parser
    # normalises literals ("1E0"^^xsd:double becomes "1.0E0"), which breaks the comparison
    expected_format = (
        ox.RdfFormat.N_QUADS if case.result.suffix == ".nq" else ox.RdfFormat.N_TRIPLES
    )
    expected = list(ox.parse(path=case.result, format=expected_format))
    assert isomorphic(_as_graph(got), _as_graph(expected))


def _as_graph(quads: list[ox.Quad]) -> Graph:
    """An rdflib graph for isomorphism: plain triples, or one node per quad for datasets.

    A dataset becomes a graph with a blank node per quad (``rdf:subject``, ``rdf:predicate``,
    ``rdf:object`` and, outside the default graph, ``rdf:type`` for its graph name), so that
    blank nodes shared between graphs are compared correctly.
    """
    graph = Graph()
    rows = list(quads_to_rdflib(quads))
    if all(g is None for *_, g in rows):
        for s, p, o, _ in rows:
            graph.add((s, p, o))
        return graph
    for s, p, o, g in rows:
        node = BNode()
        graph.add((node, RDF.subject, s))
        graph.add((node, RDF.predicate, p))
        graph.add((node, RDF.object, o))
        if g is not None:
            graph.add((node, RDF.type, g))
    return graph


def _sample(kind: str, per_suite: int) -> list[object]:
    """An even sample of each suite's tests of one kind (the CLI is slower than the loader)."""
    params = []
    for suite in SUITES:
        cases = [c for c in ALL_CASES if c.suite == suite and c.kind == kind]
        step = max(1, len(cases) // per_suite)
        params += [pytest.param(c, id=f"{c.suite}/{c.name}") for c in cases[::step]]
    return params


@pytest.mark.parametrize("case", _sample("negative", 8))
def test_filmkg_validate_rejects_negative_tests_with_one_line(
    case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmkg.cli import main

    code = main(["validate", str(case.action)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"filmkg: error: {case.action}:")
    location = lines[0].removeprefix(f"filmkg: error: {case.action}:").split(":")[0]
    assert location.isdigit()


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_filmkg_validate_command_exits_2_on_a_negative_test(suite: str) -> None:
    import subprocess
    import sys

    case = next(c for c in ALL_CASES if c.suite == suite and c.kind == "negative")
    done = subprocess.run(
        [sys.executable, "-m", "filmkg", "validate", str(case.action)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"filmkg: error: {case.action}:")
    assert "Traceback" not in done.stderr
