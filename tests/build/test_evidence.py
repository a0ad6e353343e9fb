"""Every fact of the article is in the graph, with evidence quoted verbatim from the source."""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, RDFS, Graph, URIRef

from filmkg.build.project import data_files, graph_name_for
from filmkg.rdf.namespaces import FILMKG, SKOS, sparql_prefixes
from filmkg.resources import graph_dir

IDENTITY = {RDF.type, RDFS.label, RDFS.comment, SKOS.altLabel, SKOS.exactMatch, FILMKG.mentionedIn}


@pytest.fixture(scope="module")
def here() -> Graph:
    return Graph().parse(graph_dir() / "here.ttl")


def test_every_quote_occurs_verbatim_in_its_source(here: Graph) -> None:
    quotes = list(here.subject_objects(FILMKG.quote))
    assert len(quotes) >= 20
    for evidence, quote in quotes:
        source = here.value(evidence, FILMKG.source)
        text_file = here.value(source, FILMKG.textFile)
        text = (graph_dir() / str(text_file)).read_text(encoding="utf-8")
        assert str(quote) in text, f"{evidence}: quote not in {text_file}"


def test_every_fact_has_evidence(here: Graph) -> None:
    facts = set(here.subjects(FILMKG.evidence, None))
    typed = {
        s
        for s, c in here.subject_objects(RDF.type)
        if c in {FILMKG[n] for n in _assertion_classes()}
    }
    assert typed == facts
    assert len(facts) == 46


def _assertion_classes() -> list[str]:
    return [
        "Credit", "Adaptation", "Release", "RightsGrant", "Partnership", "TechnologyUse",
        "Reunion", "Statement", "Affiliation", "Characterisation", "StoryDescription",
        "AwardRecognition",
    ]  # fmt: skip


def test_entities_carry_identity_only(here: Graph) -> None:
    """No fact hides on an entity: anything beyond identity must be an evidenced assertion."""
    evidence = set(here.subjects(RDF.type, FILMKG.Evidence))
    facts = set(here.subjects(FILMKG.evidence, None))
    sources = set(here.subjects(RDF.type, FILMKG.Source)) | set(
        here.subjects(RDF.type, FILMKG.NewsArticle)
    )
    for s, p, _ in here:
        if s in evidence or s in facts or s in sources:
            continue
        assert p in IDENTITY or str(p).startswith(str(SKOS)), f"unevidenced fact: {s} {p}"


def test_each_data_file_gets_its_own_named_graph() -> None:
    assert [graph_name_for(p) for p in data_files()] == [
        URIRef("https://w3id.org/filmkg/graph/here"),
        URIRef("https://w3id.org/filmkg/graph/reconciliation"),
    ]


ASK = {
    "Zemeckis directs Here": "kg:film/here-2024 filmkg:director kg:person/robert-zemeckis",
    "Zemeckis writes Here": "kg:film/here-2024 filmkg:screenwriter kg:person/robert-zemeckis",
    "Roth writes Here": "kg:film/here-2024 filmkg:screenwriter kg:person/eric-roth",
    "Hanks in Here": "kg:film/here-2024 filmkg:castMember kg:person/tom-hanks",
    "Wright in Here": "kg:film/here-2024 filmkg:castMember kg:person/robin-wright",
    "Bettany in Here": "kg:film/here-2024 filmkg:castMember kg:person/paul-bettany",
    "Reilly in Here": "kg:film/here-2024 filmkg:castMember kg:person/kelly-reilly",
    "Dockery in Here": "kg:film/here-2024 filmkg:castMember kg:person/michelle-dockery",
    "Zemeckis produces": "kg:film/here-2024 filmkg:producer kg:person/robert-zemeckis",
    "Rapke produces": "kg:film/here-2024 filmkg:producer kg:person/jack-rapke",
    "Hogue produces": "kg:film/here-2024 filmkg:producer kg:person/derek-hogue",
    "Block produces": "kg:film/here-2024 filmkg:producer kg:person/bill-block",
    "Johns EP": "kg:film/here-2024 filmkg:executiveProducer kg:person/jeremy-johns",
    "Golov EP": "kg:film/here-2024 filmkg:executiveProducer kg:person/andrew-golov",
    "Zadra EP": "kg:film/here-2024 filmkg:executiveProducer kg:person/thom-zadra",
    "based on the novel": "kg:film/here-2024 wdt:P144 kg:work/here-graphic-novel",
    "McGuire wrote it": "kg:work/here-graphic-novel wdt:P50 kg:person/richard-mcguire",
    "Sony distributes": "kg:film/here-2024 wdt:P750 kg:org/sony-pictures",
    "TriStar distributes": "kg:film/here-2024 wdt:P750 kg:org/tristar-pictures",
    "TriStar is Sony's": "kg:org/tristar-pictures wdt:P749 kg:org/sony-pictures",
    "Miramax international": (
        "?g filmkg:work kg:film/here-2024 ; filmkg:rightsHolder kg:org/miramax ;"
        " filmkg:rightsKind rightskind:international-rights ; filmkg:territory kg:place/international"
    ),
    "wide release 15 Nov scheduled, in the U.S.": (
        "?r filmkg:work kg:film/here-2024 ; filmkg:releaseKind releasekind:wide ;"
        ' filmkg:releaseDate "2024-11-15"^^xsd:date ; filmkg:releaseStatus releasestatus:scheduled ;'
        " filmkg:place kg:place/united-states"
    ),
    "exclusive LA NY superseded": (
        "?r filmkg:releaseKind releasekind:exclusive ; filmkg:place kg:place/los-angeles,"
        ' kg:place/new-york ; filmkg:releaseDate "2024-11-15"^^xsd:date ;'
        " filmkg:releaseStatus releasestatus:superseded ;"
        " filmkg:supersededBy kg:release/here-2024/wide-2024-11-15"
    ),
    "limited 22 Nov superseded": (
        '?r filmkg:releaseKind releasekind:limited ; filmkg:releaseDate "2024-11-22"^^xsd:date ;'
        " filmkg:releaseStatus releasestatus:superseded ; filmkg:supersededBy ?new ;"
        ' filmkg:supersededOn "2024-06-22"^^xsd:date'
    ),
    "wide 27 Nov superseded": (
        '?r filmkg:releaseKind releasekind:wide ; filmkg:releaseDate "2024-11-27"^^xsd:date ;'
        " filmkg:releaseStatus releasestatus:superseded"
    ),
    "Forrest Gump 1994": 'kg:film/forrest-gump-1994 wdt:P577 "1994"^^xsd:gYear',
    "Gump director": "kg:film/forrest-gump-1994 wdt:P57 kg:person/robert-zemeckis",
    "Gump writer": "kg:film/forrest-gump-1994 wdt:P58 kg:person/eric-roth",
    "Gump Hanks": "kg:film/forrest-gump-1994 wdt:P161 kg:person/tom-hanks",
    "Gump Wright": "kg:film/forrest-gump-1994 schema:actor kg:person/robin-wright",
    "reunion of four after 30 years": (
        "?u a filmkg:Reunion ; filmkg:member kg:person/robert-zemeckis, kg:person/eric-roth,"
        " kg:person/tom-hanks, kg:person/robin-wright ; filmkg:earlierWork kg:film/forrest-gump-1994 ;"
        " filmkg:laterWork kg:film/here-2024 ; filmkg:gapYears 30"
    ),
    "de-aging by Metaphysic": (
        "?t filmkg:work kg:film/here-2024 ; filmkg:provider kg:org/metaphysic ;"
        " filmkg:appliedTo kg:person/tom-hanks, kg:person/robin-wright ;"
        " filmkg:originatesFrom ?p . ?p filmkg:partner kg:org/metaphysic, kg:org/caa ;"
        ' filmkg:revealedOn "2023-01"^^xsd:gYearMonth'
    ),
    "Zemeckis statement": (
        "?s a filmkg:Statement ; filmkg:speaker kg:person/robert-zemeckis ; filmkg:text ?t ."
        ' FILTER CONTAINS(?t, "Metaphysic’s AI tools do exactly that")'
    ),
    "Roth Oscar-winning": "kg:person/eric-roth filmkg:awardReceived kg:award/academy-award",
    "Metaphysic AI company": "kg:org/metaphysic a filmkg:TechnologyCompany",
    "CAA agency": "kg:org/caa a filmkg:TalentAgency",
    "themes": "kg:film/here-2024 filmkg:hasTheme kg:theme/love, kg:theme/loss, kg:theme/generations",
    "source": (
        "kg:source/collider-2024-06-22-here schema:publisher kg:org/collider ;"
        ' schema:datePublished "2024-06-22"^^xsd:date'
    ),
    "Wikidata links": "kg:person/tom-hanks skos:exactMatch wd:Q2263",
}


@pytest.mark.parametrize("name", sorted(ASK))
def test_article_fact_is_in_the_graph(project_kg, name: str) -> None:
    # "kg:film/here-2024" is not a legal prefixed name in SPARQL ("/" must be escaped): expand.
    pattern = re.sub(r"\bkg:([\w/-]+)", r"<https://w3id.org/filmkg/id/\1>", ASK[name])
    assert project_kg.query(sparql_prefixes() + f"ASK {{ {pattern} }}") is True
