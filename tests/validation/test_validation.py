"""Shapes: the project graph conforms, and every shape is proven by a fixture that breaks it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.errors import ParameterError, QuerySyntaxError
from filmkg.rdf.namespaces import SH
from filmkg.resources import shapes_file
from filmkg.validation.report import validate

DATA = Path(__file__).resolve().parents[1] / "data"

INVALID = sorted((DATA / "invalid").glob("*.ttl"))
EXPECT = re.compile(r"^# expect: (\S+) \| (.+)$")


def _expectation(path: Path) -> tuple[str, str]:
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} has no '# expect: SHAPE | MESSAGE' first line"
    return match[1], match[2]


def test_project_graph_conforms(project_kg) -> None:
    report = validate(project_kg)
    assert report.conforms, report.to_text()
    assert report.results == ()


def test_minimal_valid_fixture_conforms() -> None:
    report = validate(load_project([DATA / "valid" / "minimal.ttl"], include_data=False))
    assert report.conforms, report.to_text()
    assert report.results == ()


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_each_invalid_fixture_gives_exactly_its_finding(fixture: Path, engine: str) -> None:
    shape, message = _expectation(fixture)
    report = validate(load_project([fixture], include_data=False), engine=engine)
    assert not report.conforms
    found = [(f.shape, f.message) for f in report.violations]
    assert len(found) == 1, report.to_text()
    assert found[0][0] == shape
    assert message in found[0][1]


def test_every_shape_has_a_failing_fixture() -> None:
    shapes = Graph().parse(shapes_file())
    named = {
        "fksh:" + str(s).rsplit("#", 1)[1]
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef)
    }
    covered = {_expectation(p)[0] for p in INVALID}
    covered |= {_expectation(p)[0] for p in (DATA / "warnings").glob("*.ttl")}
    assert named - covered == set()


def test_every_property_shape_has_name_and_message() -> None:
    shapes = Graph().parse(shapes_file())
    for prop in shapes.objects(None, SH.property):
        assert shapes.value(prop, SH.name) is not None, prop
        assert shapes.value(prop, SH.message) is not None, prop


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_warnings_alone_say_conforms_false_but_pass(engine: str) -> None:
    """SHACL: any result makes sh:conforms false, a warning too (issue 17); what passes a
    build and exits 0 is the absence of violations (ValidationReport.ok)."""
    fixture = DATA / "warnings" / "film-without-director.ttl"
    report = validate(load_project([fixture], include_data=False), engine=engine)
    assert not report.conforms
    assert report.ok
    assert [f.headline for f in report.warnings] == ["Film Film C: no director"]
    assert (None, SH.conforms, Literal(False)) in report.graph
    assert json.loads(report.to_json())["conforms"] is False
    assert "does not conform (warnings only): 0 violation(s), 1 warning(s)" in report.to_text()


def test_warnings_exit_0_and_1_with_strict(capsys) -> None:
    fixture = str(DATA / "warnings" / "film-without-director.ttl")
    assert main(["validate", fixture]) == 0
    assert main(["validate", "--strict", fixture]) == 1
    assert main(["validate", "--strict", str(DATA / "valid" / "minimal.ttl")]) == 0


@pytest.mark.parametrize("fixture", INVALID[:5] + INVALID[-5:], ids=lambda p: p.stem)
def test_cli_validate_fixture_exits_1_and_names_the_defect(fixture: Path, capsys) -> None:
    _, message = _expectation(fixture)
    assert main(["validate", str(fixture)]) == 1
    out = capsys.readouterr().out
    assert message in out
    assert "does not conform: 1 violation(s)" in out


def test_cli_validate_json_and_turtle(capsys) -> None:
    fixture = DATA / "invalid" / "credit-without-role.ttl"
    assert main(["validate", "-f", "json", str(fixture)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["conforms"] is False
    assert [r["path"] for r in doc["results"] if r["severity"] == "violation"] == ["filmkg:role"]
    assert main(["validate", "-f", "turtle", str(fixture)]) == 1
    report = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert (None, SH.conforms, None) in report


def test_report_speaks_in_film_terms() -> None:
    report = validate(
        load_project([DATA / "invalid" / "credit-without-role.ttl"], include_data=False)
    )
    assert report.violations[0].headline.startswith("Credit Person Q on Film A: a credit needs")


def test_user_shapes_replace_ours(tmp_path: Path) -> None:
    shapes = tmp_path / "mine.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix filmkg: <https://w3id.org/filmkg/ontology#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass filmkg:Film ;\n"
        '  sh:property [ sh:path filmkg:castMember ; sh:minCount 9 ; sh:message "too few actors" ] .\n'
    )
    report = validate(load_project(), [shapes])
    assert {f.message for f in report.violations} == {"too few actors"}


def test_inference_does_not_restate_asserted_triples(project_kg) -> None:
    """A triple stated in a source graph is not copied into graph:inferred as well."""
    doubled = project_kg.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/filmkg/graph/inferred> "
        "{ ?s ?p ?o } GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/filmkg/graph/inferred>) }"
    )
    assert doubled.as_dicts() == [{"n": 0}]


def test_a_shapes_prefix_declaration_that_is_not_an_iri_is_one_clear_error(
    tmp_path: Path,
) -> None:
    """A sh:namespace that cannot be a SPARQL IRI is bad input (exit 2), never pasted
    into query text (it was: an internal error, exit 5)."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://e.org/S> a sh:NodeShape ; sh:targetNode <https://e.org/x> ;
  sh:sparql [ sh:message "m" ; sh:prefixes <https://e.org/P> ;
    sh:select "SELECT $this WHERE { $this ex:p ?o . FILTER(false) }" ] .
<https://e.org/P> sh:declare [ sh:prefix "ex" ; sh:namespace "https://e.org/a> b" ] .
""",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="sh:declare") as caught:
        validate(load_project(), [shapes])
    assert caught.value.exit_code == 2


def test_a_shapes_query_that_does_not_parse_is_bad_input_naming_its_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sh:select that is not SPARQL: exit 2 with the shape and the place (it was an
    internal error, exit 5, from pySHACL's parser), on the default engine too."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://e.org/S> a sh:NodeShape ; sh:targetClass <https://w3id.org/filmkg/ontology#Film> ;
  sh:sparql [ sh:message "m" ; sh:select "SELECT $this WHERE { $this ?p ?o " ] .
""",
        encoding="utf-8",
    )
    with pytest.raises(QuerySyntaxError, match="not valid SPARQL") as caught:
        validate(load_project(), [shapes])
    assert "https://e.org/S" in str(caught.value.path)
    assert main(["validate", "--shapes", str(shapes)]) == 2
    err = capsys.readouterr().err
    assert "sh:select of <https://e.org/S>" in err
    assert "internal error" not in err
