"""The derivation rules: the streamed RDFS path of on-disk builds equals the SPARQL rules."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from filmkg.build import inference
from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.export.formats import canonical_quads
from filmkg.synth.generator import write_file

BLANK_NODES = """\
@prefix filmkg: <https://w3id.org/filmkg/ontology#> .
@prefix role: <https://w3id.org/filmkg/vocab/role/> .
@prefix schema: <http://schema.org/> .
_:c a filmkg:Credit ; filmkg:work <https://e.org/f> ; filmkg:agent _:p ;
    filmkg:role role:director .
_:p a filmkg:Person .
[] a filmkg:Film ; filmkg:director [ a filmkg:Person ] .
<https://e.org/f> a filmkg:Film , schema:Movie ;
    filmkg:castMember [ a filmkg:Person ] , <https://e.org/x> .
"""

# A user's own alignment: a sub-property of a sub-property of a shortcut, a class below
# filmkg:Person, and a property below rdf:type (rdfs7 output feeding rdfs9).
EXTENSION = """\
@prefix filmkg: <https://w3id.org/filmkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://e.org/> .
ex:leadActor rdfs:subPropertyOf ex:mainCast . ex:mainCast rdfs:subPropertyOf filmkg:castMember .
ex:Star rdfs:subClassOf filmkg:Person .
ex:kind rdfs:subPropertyOf rdf:type .
ex:film1 ex:leadActor ex:ann . ex:ann a ex:Star . ex:bob ex:kind ex:Star .
ex:ann a filmkg:Agent .
"""


def _canonical(kg: KnowledgeGraph) -> set[str]:
    return {str(q) for q in canonical_quads(kg.store.quads_for_pattern(None, None, None, None))}


def _both_ways(tmp_path: Path, files: tuple[Path, ...]) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    fast = load_project(files, store_path=tmp_path / "fast")
    slow = load_project(files, infer=False, store_path=tmp_path / "slow")
    inference.infer(slow)  # no sources: every rule as a SPARQL query
    return fast, slow


@pytest.mark.parametrize("text", [BLANK_NODES, EXTENSION], ids=["blank-nodes", "extension"])
def test_streamed_rdfs_equals_the_rules(tmp_path: Path, text: str) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(text, encoding="utf-8")
    fast, slow = _both_ways(tmp_path, (data,))
    assert _canonical(fast) == _canonical(slow)
    inferred = ox.NamedNode(str(inference.INFERRED_GRAPH))
    assert inference.count_graph(fast, inferred) == inference.count_graph(slow, inferred)


def test_extension_alignment_is_derived(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(EXTENSION, encoding="utf-8")
    fast, _ = _both_ways(tmp_path, (data,))
    ask = (
        "PREFIX filmkg: <https://w3id.org/filmkg/ontology#> "
        "ASK { <https://e.org/film1> filmkg:castMember <https://e.org/ann> ; "
        "<http://schema.org/actor> <https://e.org/ann> . "
        "<https://e.org/bob> a filmkg:Person , <http://schema.org/Person> . "
        "GRAPH <https://w3id.org/filmkg/graph/inferred> { "
        "FILTER NOT EXISTS { <https://e.org/ann> a filmkg:Agent } } }"
    )
    assert fast.query(ask) is True


def test_streamed_rdfs_equals_the_rules_on_a_synthetic_graph(tmp_path: Path) -> None:
    data = tmp_path / "synth.nt"
    write_file(data, films=40, seed=5)
    fast, slow = _both_ways(tmp_path, (data,))
    assert _canonical(fast) == _canonical(slow)
    assert len(fast) == len(slow) > 5000


def test_rdfs_rule_files_are_the_entailment_rules() -> None:
    marked = {inference.entailment(p): p.name for p in inference.rule_files()}
    assert marked["rdfs7"] == "90-rdfs-subproperty.rq"
    assert marked["rdfs9"] == "91-rdfs-subclass.rq"
    # the fast path applies them last, so no ordinary rule may run after them
    names = [p.name for p in inference.rule_files()]
    assert names[-2:] == ["90-rdfs-subproperty.rq", "91-rdfs-subclass.rq"]


def test_streamed_derivation_equals_the_rules_with_an_opt_in_view(tmp_path: Path) -> None:
    views = ("wikidata-statements",)
    fast = load_project(store_path=tmp_path / "fast", views=views)
    slow = load_project(infer=False, store_path=tmp_path / "slow")
    inference.infer(slow, views=views)  # no sources: every rule as a SPARQL query
    assert _canonical(fast) == _canonical(slow)
    names = [p.name for p in inference.rule_files(views)]
    assert names[-3:] == ["wikidata-statements.rq", "90-rdfs-subproperty.rq", "91-rdfs-subclass.rq"]
