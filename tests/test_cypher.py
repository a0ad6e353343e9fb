"""The Cypher CREATE-script reader (filmkg.importers.cypher)."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.errors import ParseError
from filmkg.importers.cypher import parse_cypher, read_cypher

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MOVIES = SHARED / "neo4j-movies" / "opencypher-tck-create4-movie-graph.cypher"


def test_nodes_relationships_and_values() -> None:
    g = parse_cypher(
        "CREATE (a:Person:Actor {name: 'Jerry O\\'Connell', born: 1974, h: 1.5, ok: true})\n"
        'CREATE (m:Movie {title: "Say \\"hi\\"\\n", tags: [\'x\', "y", []], n: null})\n'
        "CREATE\n  (a)-[:ACTED_IN {roles: ['Vern', 'Teddy']}]->(m),\n  (m)<-[:LIKES]-(a)"
    )
    a, m = g.nodes
    assert a.labels == ("Person", "Actor")
    assert a.properties == {"name": "Jerry O'Connell", "born": 1974, "h": 1.5, "ok": True}
    assert m.properties == {"title": 'Say "hi"\n', "tags": ["x", "y", []]}  # null is not stored
    acted, likes = g.relationships
    assert (acted.type, acted.start, acted.end, acted.line) == ("ACTED_IN", "a", "m", 4)
    assert acted.properties == {"roles": ["Vern", "Teddy"]}
    assert acted.text == "(a)-[:ACTED_IN {roles: ['Vern', 'Teddy']}]->(m)"
    assert (likes.start, likes.end) == ("a", "m")  # incoming arrow
    assert g.counts() == {"nodes": 2, "relationships": 2, "properties": 7, "labels": 3}


def test_paths_comments_unicode_escape_and_anonymous_nodes() -> None:
    g = parse_cypher(
        "// a comment\nCREATE (:Tag {name: '\\u00e9t\\u00E9'})-[:IN]->(b:Tag) /* x */;"
    )
    assert g.nodes[0].properties == {"name": "été"}
    assert g.nodes[0].var.startswith("_anon")
    assert g.relationships[0].end == "b"


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("MATCH (n) RETURN n", "unsupported clause 'MATCH'", 1, 1),
        ("CREATE (a:X)\nCREATE (a:X)", "variable 'a' is already bound", 2, 8),
        ("CREATE (a:X {name: 'open})", "unterminated string", 1, 20),
        ("CREATE (a:X)-[:R]-(b:X)", "CREATE needs a direction", 1, 13),
        ("CREATE (a:X {n: 1, n: 2})", "duplicate property 'n'", 1, 20),
        ("CREATE (a:X {n: \\x})", "expected a value", 1, 17),
        ("CREATE (a:X {n: 'a\\q'})", "unknown escape \\q", 1, 19),
        ("CREATE (a:X {n: [1, 2})", "expected ',' or ']'", 1, 22),
    ],
)
def test_errors_name_line_and_column(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_cypher(text, path="bad.cypher")
    err = info.value
    assert message in str(err)
    assert (err.path, err.line, err.column) == ("bad.cypher", line, column)


@pytest.mark.skipif(
    not MOVIES.is_file(), reason="../shared/data/neo4j-movies is not beside the repo"
)
def test_movie_graph_matches_the_tck_oracle() -> None:
    g = read_cypher(MOVIES)
    # Create4.feature, scenario 1: +nodes 171, +relationships 253, +properties 564, +labels 2
    assert g.counts() == {"nodes": 171, "relationships": 253, "properties": 564, "labels": 2}
    types = sorted({r.type for r in g.relationships})
    assert types == ["ACTED_IN", "DIRECTED", "FOLLOWS", "PRODUCED", "REVIEWED", "WROTE"]
    devil = next(n for n in g.nodes if n.var == "theDevilsAdvocate")
    assert devil.properties["title"] == "The Devil's Advocate"
