"""SHACL at scale: the shapes compiled to SPARQL report exactly what pySHACL reports."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, Literal

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import UsageError
from filmkg.rdf.namespaces import SH
from filmkg.synth import generator as synth
from filmkg.validation.compiled import (
    UnsupportedShapesError,
    compile_shapes,
    datatype_ok,
)
from filmkg.validation.report import validate, validate_sparql

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # rdflib on ill-typed values

DEFECTS = Path(__file__).parents[1] / "data" / "scale" / "defects.ttl"
DEFECT_GRAPH = ox.NamedNode("https://w3id.org/filmkg/graph/defects")


def _synthetic(tmp_path: Path, films: int, seed: int = 1) -> KnowledgeGraph:
    nt = tmp_path / f"synth-{films}-{seed}.nt"
    if not nt.exists():
        synth.write_file(nt, films=films, seed=seed)
    return load_project([nt], include_data=False)


def _add_defects(kg: KnowledgeGraph) -> None:
    # Added as quads, not loaded: ill-typed literals are refused by the loaders, but may
    # still reach a store (updates, other tools); validation must catch them too.
    kg.add_quads(
        ox.Quad(q.subject, q.predicate, q.object, DEFECT_GRAPH)
        for q in ox.parse(path=str(DEFECTS), format=ox.RdfFormat.TURTLE)
    )


def test_synthetic_graph_conforms_to_our_shapes(tmp_path: Path) -> None:
    kg = _synthetic(tmp_path, films=80)  # ≈ 10k data triples
    assert len(kg) > 10_000
    report = validate(kg, engine="sparql")
    assert report.conforms, report.to_text()
    assert report.results == ()


def test_injected_defects_give_identical_findings_on_both_engines(tmp_path: Path) -> None:
    kg = _synthetic(tmp_path, films=10)
    _add_defects(kg)
    reference = validate(kg, engine="pyshacl")
    fast = validate(kg, engine="sparql")
    assert not reference.conforms
    assert fast.conforms == reference.conforms
    assert fast.results == reference.results
    # the plans for many focus nodes (anti-joins, hash joins) report the same
    assert validate_sparql(kg, lateral_rows=0).results == reference.results
    # every kind of constraint the shapes use is exercised by the defects
    kinds = Counter(f.constraint for f in reference.results)
    assert set(kinds) >= {
        "sh:ClassConstraintComponent",
        "sh:DatatypeConstraintComponent",
        "sh:InConstraintComponent",
        "sh:MaxCountConstraintComponent",
        "sh:MinCountConstraintComponent",
        "sh:MinInclusiveConstraintComponent",
        "sh:MinLengthConstraintComponent",
        "sh:NodeKindConstraintComponent",
        "sh:NotConstraintComponent",
        "sh:OrConstraintComponent",
        "sh:PatternConstraintComponent",
        "sh:SPARQLConstraintComponent",
        "sh:XoneConstraintComponent",
    }
    assert {f.value for f in fast.results} >= {"2024-02-30", "maybe", "2020-13-01", "abc"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_mutations_give_identical_findings(tmp_path: Path, seed: int) -> None:
    kg = _synthetic(tmp_path, films=6)
    rng = random.Random(seed)
    graph = ox.NamedNode("https://w3id.org/filmkg/graph/synth-6-1")
    quads = sorted(kg.store.quads_for_pattern(None, None, None, graph), key=str)
    objects = [q.object for q in quads]
    odd = [
        ox.Literal(v, datatype=ox.NamedNode(f"{XSD}{t}"))
        for v in ("x", "-1", "2024-02-30")
        for t in ("date", "integer", "boolean", "gYear")
    ]
    for _ in range(30):
        quad = quads[rng.randrange(len(quads))]
        kg.store.remove(quad)
        roll = rng.random()
        if roll < 0.4:
            continue  # a lost triple
        obj = rng.choice(objects) if roll < 0.8 else rng.choice(odd)  # a wrong value
        kg.store.add(ox.Quad(quad.subject, quad.predicate, obj, graph))
    reference = validate(kg, engine="pyshacl")
    assert reference.results  # the mutations broke something
    assert validate(kg, engine="sparql").results == reference.results
    assert validate_sparql(kg, lateral_rows=0).results == reference.results


def test_the_here_graph_gives_the_same_report(tmp_path: Path) -> None:
    kg = load_project()
    assert validate(kg, engine="sparql") == validate(kg, engine="pyshacl")
    _add_defects(kg)
    reference = validate(kg, engine="pyshacl").results
    assert validate(kg, engine="sparql").results == reference
    assert validate_sparql(kg, lateral_rows=0).results == reference


def test_report_graph_and_text_carry_the_findings(tmp_path: Path) -> None:
    kg = _synthetic(tmp_path, films=3)
    _add_defects(kg)
    report = validate_sparql(kg)
    # (rdflib writes the ill-typed "maybe"^^xsd:boolean as a bare `maybe` in Turtle, for
    # pySHACL's report graph as well; so the graph is checked, not its Turtle.)
    graph = report.graph
    assert len(set(graph.subjects(None, SH.ValidationResult))) == len(report.results)
    assert "sh:ValidationReport" in report.to_turtle()
    assert "Film A" in report.to_text()


def test_unsupported_shapes_are_refused_by_sparql_and_fall_back_on_auto(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix filmkg: <https://w3id.org/filmkg/ontology#> .\n"
        "<https://e.org/S> a sh:NodeShape ; sh:targetClass filmkg:Film ; sh:closed true ;\n"
        "  sh:message 'closed' .\n"
    )
    kg = load_project()
    with pytest.raises(UnsupportedShapesError, match="closed"):
        validate(kg, [shapes], engine="sparql")
    assert validate(kg, [shapes], engine="auto") == validate(kg, [shapes], engine="pyshacl")
    with pytest.raises(UsageError, match="unknown validation engine"):
        validate(kg, engine="fast")


def test_every_our_shape_compiles() -> None:
    from filmkg.validation.report import load_shapes

    checks = compile_shapes(load_shapes())
    components = {c.component for c in checks}
    assert SH.SPARQLConstraintComponent in components
    assert all(c.messages for c in checks)


def test_datatype_ok_follows_rdflib() -> None:
    assert datatype_ok(Literal("2024-11-15", datatype=XSD.date), XSD.date)
    assert not datatype_ok(Literal("2024-11-15"), XSD.date)
    assert datatype_ok(Literal("x", lang="en"), RDF.langString)
    assert not datatype_ok(Literal("x", lang="en"), XSD.string)


def test_class_checks_with_and_without_the_subclass_closure_agree(tmp_path: Path) -> None:
    from filmkg.validation.compiled import run_checks, subclasses_in
    from filmkg.validation.report import load_shapes

    kg = _synthetic(tmp_path, films=3)
    _add_defects(kg)
    shapes = load_shapes()
    with_closure = list(run_checks(kg, compile_shapes(shapes, subclasses_in(kg))))
    with_path = list(run_checks(kg, compile_shapes(shapes)))
    assert any(r.component == SH.ClassConstraintComponent for r in with_path)
    assert Counter(map(repr, with_closure)) == Counter(map(repr, with_path))


USER_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix filmkg: <https://w3id.org/filmkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://e.org/OneLabel> a sh:NodeShape ; sh:targetClass filmkg:Person ;
  sh:property [ sh:path rdfs:label ; sh:uniqueLang true ] .
<https://e.org/Named> a sh:NodeShape ; sh:targetClass filmkg:Film ;
  sh:property [ sh:path rdfs:label ; sh:minLength 5 ; sh:message "short title" ] .
"""


def test_a_shape_the_compiler_lacks_runs_through_pyshacl_alone(tmp_path: Path) -> None:
    shapes = tmp_path / "mine.ttl"
    shapes.write_text(USER_SHAPES, encoding="utf-8")
    kg = load_project()
    # two labels in one language for Tom Hanks: sh:uniqueLang (not compiled) finds it
    kg.add_quads(
        [
            ox.Quad(
                ox.NamedNode("https://w3id.org/filmkg/id/person/tom-hanks"),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal(text, language="en"),
                DEFECT_GRAPH,
            )
            for text in ("Tom Hanks", "Thomas Hanks")
        ]
    )
    reference = validate(kg, [shapes], engine="pyshacl")
    mixed = validate(kg, [shapes])  # the default: compiled, with pySHACL for one shape
    assert mixed == reference
    assert {f.constraint for f in mixed.results} == {
        "sh:UniqueLangConstraintComponent",
        "sh:MinLengthConstraintComponent",
    }
    assert mixed.notes == (
        "shape <https://e.org/OneLabel> checked by pySHACL: "
        "the SPARQL compiler does not cover sh:uniqueLang",
    )
    root = list(mixed.graph.subjects(RDF.type, SH.ValidationReport))
    assert len(root) == 1
    assert len(list(mixed.graph.objects(root[0], SH.result))) == len(mixed.results)
    with pytest.raises(UnsupportedShapesError, match=r"uniqueLang.*use --engine auto"):
        validate(kg, [shapes], engine="sparql")


def test_cli_notes_the_fallback_and_exits_1_not_5(tmp_path: Path, capsys) -> None:
    from filmkg.cli import main

    shapes = tmp_path / "mine.ttl"
    shapes.write_text(USER_SHAPES, encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text(
        "@prefix filmkg: <https://w3id.org/filmkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://e.org/p> a filmkg:Person ; rdfs:label "A"@en, "B"@en .\n',
        encoding="utf-8",
    )
    assert main(["validate", "--shapes", str(shapes), str(data)]) == 1
    captured = capsys.readouterr()
    assert "checked by pySHACL" in captured.err
    assert "filmkg: note:" in captured.err
    assert "does not conform: 1 violation(s)" in captured.out
    assert main(["validate", "--engine", "sparql", "--shapes", str(shapes), str(data)]) == 2
    assert "use --engine auto" in capsys.readouterr().err


def test_sparql_constraints_read_strings_and_comments_as_such(tmp_path: Path) -> None:
    """``$this``, ``NOT EXISTS {`` and braces inside a string or a comment of a
    ``sh:select`` are data, not query structure: the compiled check (EXISTS rewrite
    included) reports what pySHACL reports."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        '''@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://e.org/S> a sh:NodeShape ;
  sh:targetClass <https://w3id.org/filmkg/ontology#Film> ;
  sh:sparql [ sh:message "a film label that is no agent's" ; sh:select """
    SELECT $this ?value WHERE {
      $this <http://www.w3.org/2000/01/rdf-schema#label> ?value . # not $this { ?value
      FILTER (?value != "$this } NOT EXISTS { ?x" && NOT EXISTS {
        ?c <https://w3id.org/filmkg/ontology#work> $this ;
           <https://w3id.org/filmkg/ontology#agent> ?value } )
    }""" ] .
''',
        encoding="utf-8",
    )
    kg = load_project()
    compiled = validate(kg, [shapes], engine="sparql")
    assert compiled == validate(kg, [shapes], engine="pyshacl")
    assert len(compiled.results) >= 2  # every film of the project graph
