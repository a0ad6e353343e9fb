"""Ontology hygiene: versions in step, labels and definitions, closed namespace in sync."""

from __future__ import annotations

from collections import Counter

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

import filmkg
from filmkg.rdf.namespaces import FILMKG, generate_terms
from filmkg.resources import ontology_file, shapes_file

SKOS_DEF = URIRef("http://www.w3.org/2004/02/skos/core#definition")
NS = "https://w3id.org/filmkg/ontology#"


def test_versions_in_step_with_package() -> None:
    for path, iri in ((ontology_file(), "ontology"), (shapes_file(), "shapes")):
        g = Graph().parse(path)
        node = URIRef(f"https://w3id.org/filmkg/{iri}")
        assert g.value(node, OWL.versionInfo) == Literal(filmkg.__version__)
        assert g.value(node, OWL.versionIRI) == URIRef(f"{node}/{filmkg.__version__}")


def test_every_term_has_a_unique_label_and_a_definition() -> None:
    g = Graph().parse(ontology_file())
    terms = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)}
    labels = Counter(str(g.value(t, RDFS.label)) for t in terms)
    for term in terms:
        assert g.value(term, RDFS.label) is not None, term
        assert g.value(term, SKOS_DEF) is not None, term
        assert (term, RDF.type, None) in g, term
    assert [label for label, n in labels.items() if n > 1] == []


def test_closed_namespace_matches_the_ontology() -> None:
    import inspect

    import filmkg.rdf.namespaces as module

    assert generate_terms(ontology_file()) in inspect.getsource(module)


def test_closed_namespace_rejects_typos() -> None:
    import pytest

    with pytest.raises(AttributeError):
        _ = FILMKG.directdBy
