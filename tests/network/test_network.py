"""The collaboration network of Here + Forrest Gump: exact projections, analytics, derived RDF.

Expected values are read off graph/here.ttl by hand: Here credits 13 people (Zemeckis as
director, screenwriter and producer; Roth; Hanks, Wright, Bettany, Reilly, Dockery as cast;
Rapke, Hogue, Block as producers; Johns, Golov, Zadra as executive producers), Forrest Gump
credits 4 (Zemeckis director, Roth screenwriter, Hanks and Wright cast), and the graphic
novel credits Richard McGuire as its author: 14 people, C(13, 2) = 78 pairs, 6 of them (the
four of Forrest Gump) sharing both films.
"""

from __future__ import annotations

import itertools
import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import UnknownEntityError, UsageError
from filmkg.network import projection as nw
from filmkg.rdf.namespaces import FILMKG, KG, PROV

P = "https://w3id.org/filmkg/id/person/"
HERE = str(KG["film/here-2024"])
GUMP = str(KG["film/forrest-gump-1994"])
NOVEL = str(KG["work/here-graphic-novel"])
FOUR = sorted(P + n for n in ("robert-zemeckis", "eric-roth", "tom-hanks", "robin-wright"))
HERE_PEOPLE = sorted(
    P + n
    for n in (
        "robert-zemeckis",
        "eric-roth",
        "tom-hanks",
        "robin-wright",
        "paul-bettany",
        "kelly-reilly",
        "michelle-dockery",
        "jack-rapke",
        "derek-hogue",
        "bill-block",
        "jeremy-johns",
        "andrew-golov",
        "thom-zadra",
    )
)


@pytest.fixture(scope="module")
def collab(project_kg: KnowledgeGraph) -> nx.Graph:
    return nw.collaboration_graph(project_kg)


# -- projections ----------------------------------------------------------------------------


def test_collaboration_graph_has_the_14_people_and_78_pairs(collab: nx.Graph) -> None:
    assert sorted(collab) == sorted([*HERE_PEOPLE, P + "richard-mcguire"])
    assert collab.number_of_edges() == 78
    assert {frozenset(e) for e in collab.edges()} == {
        frozenset(p) for p in itertools.combinations(HERE_PEOPLE, 2)
    }
    assert list(nx.isolates(collab)) == [P + "richard-mcguire"]
    mcguire = collab.nodes[P + "richard-mcguire"]
    assert mcguire == {
        "label": "Richard McGuire",
        "kind": "person",
        "iri": P + "richard-mcguire",
        "works": 1,
    }


def test_pairs_of_the_four_share_both_films(collab: nx.Graph) -> None:
    twice = sorted(tuple(sorted(e)) for e in collab.edges() if collab.edges[e]["count"] == 2)
    assert twice == [tuple(p) for p in itertools.combinations(FOUR, 2)]
    assert {collab.edges[e]["count"] for e in collab.edges()} == {1, 2}


def test_edge_keeps_films_years_and_each_sides_roles(collab: nx.Graph) -> None:
    z, h = P + "robert-zemeckis", P + "tom-hanks"
    edge = collab.edges[z, h]
    assert edge["count"] == edge["weight"] == 2
    assert edge["works"] == [GUMP, HERE]
    assert edge["work_labels"] == ["Forrest Gump", "Here"]
    assert edge["years"] == [1994, 2024]
    assert edge["roles"] == {
        GUMP: {z: ["director"], h: ["cast member"]},
        HERE: {z: ["director", "producer", "screenwriter"], h: ["cast member"]},
    }
    c = "https://w3id.org/filmkg/id/credit/"
    assert edge["credits"][HERE][z] == [
        c + "here-2024/robert-zemeckis/director",
        c + "here-2024/robert-zemeckis/producer",
        c + "here-2024/robert-zemeckis/screenwriter",
    ]
    assert edge["credits"][GUMP][h] == [c + "forrest-gump-1994/tom-hanks/cast-member"]
    once = collab.edges[P + "paul-bettany", P + "jack-rapke"]
    assert (once["count"], once["works"], once["years"]) == (1, [HERE], [2024])
    assert once["roles"][HERE] == {
        P + "paul-bettany": ["cast member"],
        P + "jack-rapke": ["producer"],
    }


def test_projections_are_the_same_on_both_engines(project_kg: KnowledgeGraph) -> None:
    for build in (nw.collaboration_graph, nw.person_work_graph, nw.company_work_graph):
        a, b = build(project_kg, engine="oxigraph"), build(project_kg, engine="rdflib")
        assert nx.utils.graphs_equal(a, b), build.__name__


def test_person_work_graph_is_bipartite_with_roles(project_kg: KnowledgeGraph) -> None:
    g = nw.person_work_graph(project_kg)
    assert nx.bipartite.is_bipartite(g)
    works = {n for n, d in g.nodes(data=True) if d["bipartite"] == 1}
    assert works == {HERE, GUMP, NOVEL}
    assert (g.number_of_nodes(), g.number_of_edges()) == (17, 18)
    assert g.nodes[NOVEL] == {
        "label": "Here",
        "kind": "graphic novel",
        "iri": NOVEL,
        "bipartite": 1,
    }
    assert g.nodes[GUMP]["year"] == 1994
    assert g.nodes[HERE]["kind"] == "film"
    assert g.edges[P + "robert-zemeckis", HERE]["roles"] == ["director", "producer", "screenwriter"]
    assert g.edges[P + "robert-zemeckis", GUMP]["label"] == "director"
    assert g.edges[P + "richard-mcguire", NOVEL]["roles"] == ["author"]
    assert g.degree(HERE) == 13
    assert g.degree(GUMP) == 4


def test_company_work_graph_keeps_the_capacity(project_kg: KnowledgeGraph) -> None:
    g = nw.company_work_graph(project_kg)
    o = "https://w3id.org/filmkg/id/org/"
    assert sorted(g) == sorted(
        [HERE, o + "metaphysic", o + "miramax", o + "sony-pictures", o + "tristar-pictures"]
    )
    capacities = {n: g.edges[n, HERE]["capacities"] for n in g if n != HERE}
    assert capacities == {
        o + "metaphysic": ["technology provider (Metaphysic AI tools)"],
        o + "miramax": ["international rights (International)"],
        o + "sony-pictures": ["theatrical distribution (United States)"],
        o + "tristar-pictures": ["theatrical distribution (United States)"],
    }
    assert g.nodes[o + "miramax"]["kind"] == "organisation"


def test_overview_joins_people_works_and_companies(project_kg: KnowledgeGraph) -> None:
    g = nw.overview_graph(project_kg)
    assert (g.number_of_nodes(), g.number_of_edges()) == (21, 23)
    assert g.edges[HERE, NOVEL]["relation"] == "adaptation"
    assert g.edges[HERE, NOVEL]["label"] == "based on"
    assert nx.number_connected_components(g) == 1  # McGuire joins through the novel
    relations = sorted(d["relation"] for _, _, d in g.edges(data=True))
    assert relations.count("credit") == 18
    assert relations.count("company") == 4


# -- analytics ------------------------------------------------------------------------------


def test_centrality_on_the_here_graph(collab: nx.Graph) -> None:
    rows = {r.node: r for r in nw.centrality(collab)}
    for person in HERE_PEOPLE:
        assert rows[person].degree == 12
        assert rows[person].degree_centrality == round(12 / 13, 6)
        assert rows[person].betweenness == 0.0
        assert rows[person].shared_works == (15 if person in FOUR else 12)
    assert rows[P + "richard-mcguire"].degree == 0
    assert [r.node for r in nw.centrality(collab)[:4]] == sorted(
        FOUR, key=lambda p: collab.nodes[p]["label"]
    )


def test_communities_are_deterministic(collab: nx.Graph) -> None:
    found = nw.communities(collab)
    assert found == nw.communities(collab)
    assert found == [sorted(set(HERE_PEOPLE) - set(FOUR)), FOUR, [P + "richard-mcguire"]]


def test_stats_summary(collab: nx.Graph) -> None:
    s = nw.network_stats(collab)
    assert (s.nodes, s.edges, s.components, s.largest_component) == (14, 78, 2, 13)
    assert s.density == round(78 / 91, 6)
    assert s.isolated == [P + "richard-mcguire"]


def test_path_gives_the_film_and_roles_on_each_hop(collab: nx.Graph) -> None:
    (hop,) = nw.collaboration_path(collab, "Tom Hanks", "Jack Rapke")
    assert (hop.source_label, hop.target_label) == ("Tom Hanks", "Jack Rapke")
    assert hop.works == (nw.HopWork(HERE, "Here", 2024, ("cast member",), ("producer",)),)
    (hop,) = nw.collaboration_path(collab, P + "robin-wright", "robert zemeckis")
    assert [w.label for w in hop.works] == ["Forrest Gump", "Here"]
    assert hop.works[1].target_roles == ("director", "producer", "screenwriter")


def test_no_path_to_mcguire_is_a_clear_error(collab: nx.Graph) -> None:
    with pytest.raises(UsageError, match="no collaboration path between 'Tom Hanks' and"):
        nw.collaboration_path(collab, "Tom Hanks", "Richard McGuire")


def test_unknown_person_suggests_names(collab: nx.Graph) -> None:
    with pytest.raises(UnknownEntityError, match="did you mean 'Tom Hanks'"):
        nw.ego_network(collab, "Tom Hank")


def test_ego_network(collab: nx.Graph) -> None:
    assert sorted(nw.ego_network(collab, "Tom Hanks")) == HERE_PEOPLE
    assert nw.ego_network(collab, "Tom Hanks").number_of_edges() == 78
    assert list(nw.ego_network(collab, "Richard McGuire")) == [P + "richard-mcguire"]
    assert list(nw.ego_network(collab, "Tom Hanks", radius=0)) == [P + "tom-hanks"]


def test_reunion_found_from_credits_agrees_with_the_article(
    project_kg: KnowledgeGraph, collab: nx.Graph
) -> None:
    (found,) = nw.find_reunions(collab, min_gap=10)
    assert (found.earlier_work, found.later_work) == (GUMP, HERE)
    assert (found.earlier_year, found.later_year, found.gap_years) == (1994, 2024, 30)
    assert list(found.members) == FOUR
    assert len(found.credits) == 4 + 6  # four on Forrest Gump, six on Here (Zemeckis ×3)
    (stated,) = nw.stated_reunions(project_kg)
    assert stated.reunion == str(KG["reunion/forrest-gump-1994/here-2024"])
    assert (stated.earlier_work, stated.later_work, stated.gap_years) == (GUMP, HERE, 30)
    assert nw.compare_reunions([found], [stated]) == [(stated, found)]
    assert nw.find_reunions(collab, min_gap=30) == [found]
    assert nw.find_reunions(collab, min_gap=31) == []


def test_reunion_needs_no_shared_work_in_between() -> None:
    def row(person: str, work: str, year: int) -> nw.CreditRow:
        return nw.CreditRow(
            f"c/{person}/{work}", person, person.upper(), work, work, "film", year, "r", "role"
        )

    rows = [row(p, w, y) for p in ("a", "b") for w, y in (("w1", 1980), ("w2", 1995), ("w3", 2020))]
    g = nw.collaboration_graph_from_rows(rows)
    found = [(r.earlier_work, r.later_work, r.gap_years) for r in nw.find_reunions(g, 15)]
    assert found == [("w1", "w2", 15), ("w2", "w3", 25)]


# -- the way back: derived relations as RDF ------------------------------------------------


def test_derived_relations_validate_and_can_be_queried() -> None:
    from filmkg.validation.report import validate

    kg = load_project()
    written = nw.add_derived_relations(kg)
    assert written.triples > 0
    assert written.with_collaborations
    assert written.collaborations == 78 + 6
    assert nw.NETWORK_GRAPH in kg.graph_names()
    counts = kg.select(
        "PREFIX filmkg: <https://w3id.org/filmkg/ontology#> "
        "SELECT ?class (COUNT(?x) AS ?n) WHERE { GRAPH ?g { ?x a ?class } "
        "FILTER (?class IN (filmkg:Collaboration, filmkg:DerivedReunion)) } "
        "GROUP BY ?class ORDER BY ?class"
    ).as_dicts()
    assert counts == [
        {"class": str(FILMKG.Collaboration), "n": 78 + 6},
        {"class": str(FILMKG.DerivedReunion), "n": 1},
    ]
    reunion = KG["derived-reunion/forrest-gump-1994/here-2024"]
    agree = kg.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?r ?stated WHERE { ?r prov:alternateOf ?stated }"
        " ORDER BY ?stated",
        {"r": reunion},
    ).as_dicts()
    assert agree == [{"r": str(reunion), "stated": str(KG["reunion/forrest-gump-1994/here-2024"])}]
    sources = kg.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?x ?c WHERE { ?x prov:wasDerivedFrom ?c }"
        " ORDER BY ?c",
        {"x": KG["collaboration/here-2024/robert-zemeckis/tom-hanks"]},
    ).as_dicts()
    assert len(sources) == 4  # Zemeckis ×3 + Hanks
    report = validate(kg)
    assert report.conforms, report.to_text()
    assert nw.add_derived_relations(kg) == written  # rewriting replaces, never duplicates
    # the superclass types are written too: a store that infers adds nothing (#18)
    untyped = kg.select(
        "PREFIX filmkg: <https://w3id.org/filmkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT (COUNT(*) AS ?n) WHERE { ?x a filmkg:Collaboration "
        "FILTER NOT EXISTS { ?x a filmkg:DerivedRelation, prov:Entity } }"
    ).as_dicts()
    assert untyped == [{"n": 0}]


def test_derived_collaborations_are_kept_in_proportion(tmp_path: Path) -> None:
    from filmkg.synth import generator as synth

    # 40 films: the collaborations (13.6k triples) clearly outgrow the graph (11.6k); at 20
    # films they are about its size (6.0k against 6.1k since rule 60 adds wdt:P31 typing)
    data = tmp_path / "s40.nt"
    synth.write_file(data, films=40, seed=1)
    kg = load_project([data], include_data=False)
    stated = len(kg)
    auto = nw.add_derived_relations(kg, collaborations=None)
    assert not auto.with_collaborations
    assert auto.collaborations > 0
    # only the derived reunions (and their types) were written
    assert auto.triples < stated // 2
    assert kg.select(
        "PREFIX filmkg: <https://w3id.org/filmkg/ontology#> "
        "SELECT (COUNT(*) AS ?n) WHERE { ?x a filmkg:Collaboration }"
    ).as_dicts() == [{"n": 0}]
    every = nw.add_derived_relations(kg, collaborations=True)
    assert every.with_collaborations
    assert every.triples > stated
    assert nw.add_derived_relations(kg, collaborations=False).triples == auto.triples


def test_derived_triples_are_deterministic(collab: nx.Graph) -> None:
    reunions = nw.find_reunions(collab)
    assert nw.derived_triples(collab, reunions) == nw.derived_triples(collab, reunions)
    assert (
        KG["derived-reunion/forrest-gump-1994/here-2024"],
        PROV.wasDerivedFrom,
        KG["credit/here-2024/tom-hanks/cast-member"],
    ) in nw.derived_triples(collab, reunions)


# -- export ---------------------------------------------------------------------------------


def test_graphml_has_only_scalar_attributes_and_reads_back(
    collab: nx.Graph, tmp_path: Path
) -> None:
    data = nw.export_graph(collab, "graphml")
    assert data == nw.export_graph(collab, "graphml")
    path = tmp_path / "n.graphml"
    path.write_bytes(data)
    back = nx.read_graphml(path)
    assert (back.number_of_nodes(), back.number_of_edges()) == (14, 78)
    edge = back.edges[P + "robert-zemeckis", P + "tom-hanks"]
    assert edge["years"] == "1994; 2024"
    assert edge["work_labels"] == "Forrest Gump; Here"
    assert edge["count"] == 2
    assert json.loads(edge["roles"])[HERE][P + "tom-hanks"] == ["cast member"]
    keys = ET.fromstring(data).findall("{http://graphml.graphdrawing.org/xmlns}key")
    assert {k.get("attr.type") for k in keys} <= {"string", "int", "long", "double", "boolean"}


def test_gexf_and_json_exports(collab: nx.Graph, tmp_path: Path) -> None:
    gexf = nw.export_graph(collab, "gexf")
    assert b"lastmodifieddate" not in gexf
    assert gexf == nw.export_graph(collab, "gexf")
    (tmp_path / "n.gexf").write_bytes(gexf)
    assert nx.read_gexf(tmp_path / "n.gexf").number_of_edges() == 78
    data = json.loads(nw.export_graph(collab, "json"))
    assert len(data["nodes"]) == 14
    assert len(data["edges"]) == 78
    with pytest.raises(UsageError, match="unknown network export format"):
        nw.export_graph(collab, "dot")


# -- CLI ------------------------------------------------------------------------------------


def test_cli_stats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("14 people, 78 collaborations (pairs), 2 component(s)")
    assert "no collaborator: Richard McGuire" in out
    assert main(["network", "stats", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["nodes"], data["edges"], data["components"]) == (14, 78, 2)


def test_cli_path_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "path", "Tom Hanks", "kg:person/jack-rapke"]) == 0
    out = capsys.readouterr().out
    assert "Here (2024): Tom Hanks as cast member; Jack Rapke as producer" in out
    assert main(["network", "path", "-f", "json", "Robin Wright", "Eric Roth"]) == 0
    (hop,) = json.loads(capsys.readouterr().out)
    assert [w["year"] for w in hop["works"]] == [1994, 2024]


def test_cli_path_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "path", "Tom Hanks", "Richard McGuire"]) == 2
    assert "no collaboration path" in capsys.readouterr().err
    assert main(["network", "path", "Tom Hank", "Eric Roth"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("filmkg: error: no person 'Tom Hank'; did you mean 'Tom Hanks'?")
    assert "Traceback" not in err


def test_cli_path_through_an_extra_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = tmp_path / "other.ttl"
    extra.write_text(
        textwrap.dedent(
            """\
            @base <https://w3id.org/filmkg/id/> .
            @prefix filmkg: <https://w3id.org/filmkg/ontology#> .
            @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            @prefix role: <https://w3id.org/filmkg/vocab/role/> .
            @prefix releasestatus: <https://w3id.org/filmkg/vocab/release-status/> .
            @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
            <film/other> a filmkg:Film ; rdfs:label "Other" .
            <person/ann-example> a filmkg:Person ; rdfs:label "Ann Example" .
            <credit/other/ann> a filmkg:Credit ; filmkg:work <film/other> ;
                filmkg:agent <person/ann-example> ; filmkg:role role:director .
            <credit/other/rapke> a filmkg:Credit ; filmkg:work <film/other> ;
                filmkg:agent <person/jack-rapke> ; filmkg:role role:producer .
            <release/other> a filmkg:Release ; filmkg:work <film/other> ;
                filmkg:releaseYear "2001"^^xsd:gYear ; filmkg:releaseStatus releasestatus:current .
            """
        ),
        encoding="utf-8",
    )
    assert main(["network", "path", "--data", str(extra), "Tom Hanks", "Ann Example"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2 hop(s): Tom Hanks → Jack Rapke → Ann Example"
    assert "Other (2001): Jack Rapke as producer; Ann Example as director" in out
    assert main(["network", "path", "--data", str(tmp_path / "nope.ttl"), "a", "b"]) == 2


def test_cli_reunions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "reunions"]) == 0
    out = capsys.readouterr().out
    assert "Forrest Gump (1994) | Here (2024) | 30" in out
    assert "Eric Roth, Robert Zemeckis, Robin Wright, Tom Hanks" in out
    assert "kg:reunion/forrest-gump-1994/here-2024" in out
    assert main(["network", "reunions", "--min-gap", "31", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] == []
    assert len(data["stated"]) == 1
    assert main(["network", "reunions", "--min-gap", "31"]) == 0
    assert "stated but not found" in capsys.readouterr().out


def test_cli_ego(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "ego", "Richard McGuire"]) == 0
    assert "1 people, 0 collaborations" in capsys.readouterr().out
    assert main(["network", "ego", "Tom Hanks", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["nodes"]) == 13
    assert data["edges"] == 78
    wright = next(n for n in data["nodes"] if n["label"] == "Robin Wright")
    assert wright["shared_works"] == ["Forrest Gump", "Here"]
    assert wright["distance"] == 1


def test_cli_export_and_derive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "net.graphml"
    assert main(["network", "export", "-f", "graphml", "-o", str(out)]) == 0
    assert nx.read_graphml(out).number_of_edges() == 78
    out = tmp_path / "pw.json"
    assert main(["network", "export", "-f", "json", "--graph", "person-work", "-o", str(out)]) == 0
    assert len(json.loads(out.read_text())["edges"]) == 18
    capsys.readouterr()
    ttl = tmp_path / "derived.ttl"
    assert main(["network", "derive", "-o", str(ttl)]) == 0
    from rdflib import Graph

    g = Graph().parse(ttl)
    assert len(set(g.subjects(predicate=None, object=FILMKG.Collaboration))) == 84
