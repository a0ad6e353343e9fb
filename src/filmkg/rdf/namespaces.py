"""Namespaces and prefixes of filmkg.

:class:`FILMKG` is a closed namespace: a typo such as ``FILMKG.directdBy`` raises instead
of minting a new IRI. Its term list mirrors ``ontology/filmkg.ttl`` exactly (a test
regenerates it with :func:`generate_terms` and checks there is no difference).

The schema.org namespace is ``http://schema.org/`` on purpose: it is the form of
Wikidata's RDF and of schema.org's own JSON-LD context. rdflib 7 binds ``schema:`` to
``https://schema.org/`` by default; :func:`bind_prefixes` overrides that.

>>> FILMKG.Credit
rdflib.term.URIRef('https://w3id.org/filmkg/ontology#Credit')
>>> FILMKG.directdBy
Traceback (most recent call last):
...
AttributeError: term 'directdBy' not in namespace 'https://w3id.org/filmkg/ontology#'
>>> KG["person/tom-hanks"]
rdflib.term.URIRef('https://w3id.org/filmkg/id/person/tom-hanks')
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "AFFILIATIONKIND",
    "FILMKG",
    "GRAPH",
    "KG",
    "PREFIXES",
    "PROV",
    "RELEASEKIND",
    "RELEASESTATUS",
    "RIGHTSKIND",
    "ROLE",
    "SCHEMA",
    "SH",
    "SKOS",
    "WD",
    "WDT",
    "bind_prefixes",
    "generate_terms",
    "sparql_prefixes",
]

FILMKG_NS = "https://w3id.org/filmkg/ontology#"


class FILMKG(DefinedNamespace):
    """The filmkg ontology (``https://w3id.org/filmkg/ontology#``)."""

    _NS = Namespace(FILMKG_NS)
    _fail = True

    # --- generated from ontology/filmkg.ttl by generate_terms(); do not edit by hand ---
    # classes
    Adaptation: URIRef
    Affiliation: URIRef
    AffiliationKind: URIRef
    Agent: URIRef
    AggregateRating: URIRef
    Assertion: URIRef
    Award: URIRef
    AwardRecognition: URIRef
    BoxOffice: URIRef
    Characterisation: URIRef
    Collaboration: URIRef
    ContentRating: URIRef
    CreativeWork: URIRef
    Credit: URIRef
    CreditRole: URIRef
    Dataset: URIRef
    DerivedRelation: URIRef
    DerivedReunion: URIRef
    Evidence: URIRef
    Film: URIRef
    GraphicNovel: URIRef
    Match: URIRef
    NewsArticle: URIRef
    Organisation: URIRef
    Partnership: URIRef
    Person: URIRef
    Place: URIRef
    QueryService: URIRef
    Rating: URIRef
    Reconciliation: URIRef
    Release: URIRef
    ReleaseKind: URIRef
    ReleaseStatus: URIRef
    Reunion: URIRef
    Review: URIRef
    ReviewScore: URIRef
    RightsGrant: URIRef
    RightsKind: URIRef
    Source: URIRef
    Statement: URIRef
    StoryDescription: URIRef
    TalentAgency: URIRef
    Technology: URIRef
    TechnologyCompany: URIRef
    TechnologyUse: URIRef
    Theme: URIRef
    # properties
    about: URIRef
    affiliationKind: URIRef
    agent: URIRef
    amount: URIRef
    appliedTo: URIRef
    author: URIRef
    award: URIRef
    awardReceived: URIRef
    basedOn: URIRef
    bestRating: URIRef
    birthYear: URIRef
    castMember: URIRef
    category: URIRef
    certificate: URIRef
    character: URIRef
    confidence: URIRef
    contentRating: URIRef
    contributor: URIRef
    countryOfOrigin: URIRef
    creditedAs: URIRef
    currency: URIRef
    describedAs: URIRef
    description: URIRef
    director: URIRef
    distributor: URIRef
    duration: URIRef
    earlierWork: URIRef
    evidence: URIRef
    executiveProducer: URIRef
    follows: URIRef
    gapYears: URIRef
    genre: URIRef
    hasTheme: URIRef
    laterWork: URIRef
    licence: URIRef
    matchedEntity: URIRef
    matchedName: URIRef
    member: URIRef
    mentionedIn: URIRef
    method: URIRef
    note: URIRef
    originatesFrom: URIRef
    parent: URIRef
    parentOrganisation: URIRef
    partner: URIRef
    partnerOf: URIRef
    place: URIRef
    plannedSince: URIRef
    producer: URIRef
    provider: URIRef
    publicationDate: URIRef
    purpose: URIRef
    quote: URIRef
    rating: URIRef
    ratingCount: URIRef
    ratingSystem: URIRef
    ratingValue: URIRef
    recipient: URIRef
    reconciledWith: URIRef
    releaseDate: URIRef
    releaseKind: URIRef
    releaseStatus: URIRef
    releaseYear: URIRef
    retrievedOn: URIRef
    revealedOn: URIRef
    reviewSummary: URIRef
    reviewer: URIRef
    rightsHolder: URIRef
    rightsKind: URIRef
    role: URIRef
    scoredBy: URIRef
    screenwriter: URIRef
    sharedContext: URIRef
    sharesTitle: URIRef
    shortcut: URIRef
    signal: URIRef
    source: URIRef
    sourceRecord: URIRef
    sourceWork: URIRef
    speaker: URIRef
    starring: URIRef
    statedOn: URIRef
    statusAsOf: URIRef
    subject: URIRef
    summary: URIRef
    supersededBy: URIRef
    supersededOn: URIRef
    tagline: URIRef
    technology: URIRef
    territory: URIRef
    text: URIRef
    textFile: URIRef
    theme: URIRef
    usesTechnology: URIRef
    work: URIRef
    workDate: URIRef
    worstRating: URIRef


KG = Namespace("https://w3id.org/filmkg/id/")
GRAPH = Namespace("https://w3id.org/filmkg/graph/")
ROLE = Namespace("https://w3id.org/filmkg/vocab/role/")
RELEASEKIND = Namespace("https://w3id.org/filmkg/vocab/release-kind/")
RELEASESTATUS = Namespace("https://w3id.org/filmkg/vocab/release-status/")
RIGHTSKIND = Namespace("https://w3id.org/filmkg/vocab/rights-kind/")
AFFILIATIONKIND = Namespace("https://w3id.org/filmkg/vocab/affiliation-kind/")
SCHEMA = Namespace("http://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: The project's prefixes, in the order they are written.
PREFIXES: dict[str, str] = {
    "filmkg": FILMKG_NS,
    "kg": str(KG),
    "role": str(ROLE),
    "releasekind": str(RELEASEKIND),
    "releasestatus": str(RELEASESTATUS),
    "rightskind": str(RIGHTSKIND),
    "affiliationkind": str(AFFILIATIONKIND),
    "graph": str(GRAPH),
    "schema": str(SCHEMA),
    "wd": str(WD),
    "wdt": str(WDT),
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "pr": "http://www.wikidata.org/prop/reference/",
    "wikibase": "http://wikiba.se/ontology#",
    "prov": str(PROV),
    "skos": str(SKOS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": str(SH),
    "fksh": "https://w3id.org/filmkg/shapes#",
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on an rdflib graph, replacing rdflib's defaults.

    >>> g = bind_prefixes(Graph())
    >>> dict(g.namespaces())["schema"]
    rdflib.term.URIRef('http://schema.org/')
    """
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, URIRef(iri), override=True, replace=True)
    return graph


def sparql_prefixes() -> str:
    """The PREFIX lines of every project prefix, for SPARQL text the project owns.

    >>> sparql_prefixes().splitlines()[0]
    'PREFIX filmkg: <https://w3id.org/filmkg/ontology#>'
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def generate_terms(ontology: Path) -> str:
    """The generated term block of :class:`FILMKG` for the ontology file ``ontology``."""
    names = sorted(
        {
            q.subject.value[len(FILMKG_NS) :]
            for q in ox.parse(path=str(ontology))
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(FILMKG_NS)
        }
    )
    classes = [n for n in names if n[0].isupper()]
    properties = [n for n in names if n[0].islower()]
    lines = ["    # classes"] + [f"    {n}: URIRef" for n in classes]
    lines += ["    # properties"] + [f"    {n}: URIRef" for n in properties]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    from filmkg.resources import ontology_file

    print(generate_terms(ontology_file()), end="")
