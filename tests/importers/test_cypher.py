"""The Cypher CREATE-script reader (filmkg.importers.cypher)."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.errors import ParseError
from filmkg.importers.cypher import parse_cypher, read_cypher

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
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
        ("MERGE (n:X)", "unsupported clause 'MERGE'", 1, 1),
        ("CREATE (a:X);\nMATCH (n:X) RETURN n", "unsupported clause 'RETURN'", 2, 13),
        ("CREATE (a:X);\nMATCH (n:Y) CREATE (n)-[:R]->(n)", "MATCH finds no node", 2, 7),
        ("CREATE (:X), (:X);\nMATCH (n:X) CREATE (n)-[:R]->(n)", "MATCH finds 2 nodes", 2, 7),
        ("CREATE (a:X);\nMATCH (n:X) WHERE m.k = 1 CREATE (n)", "WHERE names 'm'", 2, 19),
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


def test_schema_statements_are_skipped_and_kept_as_notes() -> None:
    g = parse_cypher(
        "CREATE CONSTRAINT IF NOT EXISTS ON (p:Person) ASSERT p.name IS UNIQUE;\n"
        "CREATE CONSTRAINT movie_title FOR (m:Movie) REQUIRE m.title IS UNIQUE;\n"
        "CREATE INDEX IF NOT EXISTS ON :Person(born);\n"
        "CREATE INDEX FOR (m:Movie) ON (m.released);\n"
        "DROP INDEX `old;index`;\n"
        "CREATE (m:Movie {title: 'A; B'});\n"
    )
    assert [s.line for s in g.skipped] == [1, 2, 3, 4, 5]
    assert g.skipped[2].text == "CREATE INDEX IF NOT EXISTS ON :Person(born)"
    assert [n.properties for n in g.nodes] == [{"title": "A; B"}]


def test_match_create_binds_created_nodes_by_labels_and_properties() -> None:
    g = parse_cypher(
        "CREATE (a:Person {name: 'Ann', born: 1970});\n"
        "CREATE (a:Person {name: 'Bo'});\n"  # the variable reused in a new statement
        "CREATE (:Movie {title: 'X', released: 1999});\n"
        "MATCH (p:Person {name: 'Ann'}), (m:Movie) WHERE m.title = 'X' AND m.released = 1999\n"
        "CREATE (p)-[:ACTED_IN {roles: ['Neo']}]->(m);\n"
        "MATCH (p:Person), (m:Movie {title: 'X'}) WHERE p.name = 'Bo'\n"
        "CREATE (m)<-[:DIRECTED]-(p)\n"
    )
    assert [n.var for n in g.nodes] == ["a", "a_1", "_anon2"]
    acted, directed = g.relationships
    assert (acted.type, acted.start, acted.end, acted.line) == ("ACTED_IN", "a", "_anon2", 5)
    assert acted.properties == {"roles": ["Neo"]}
    assert (directed.start, directed.end) == ("a_1", "_anon2")


# The guide's script (neo4j-graph-examples/movies, scripts/movies.cypher) opens with these
# four schema statements and ends its one long CREATE with ';'. We do not copy that file:
# the guide form is built here from the Apache-2.0 TCK copy in ../shared (same data).
GUIDE_SCHEMA = (
    "CREATE CONSTRAINT IF NOT EXISTS ON (p:Person) ASSERT p.name IS UNIQUE;\n"
    "CREATE INDEX IF NOT EXISTS  ON :Person(born);\n"
    "CREATE CONSTRAINT IF NOT EXISTS  ON (m:Movie) ASSERT m.title IS UNIQUE;\n"
    "CREATE INDEX IF NOT EXISTS ON :Movie(released);\n\n"
)


def guide_form(text: str) -> str:
    """The TCK script as Neo4j's movies guide ships it: schema statements first, ';' last."""
    return GUIDE_SCHEMA + text.rstrip() + ";\n"


def _cypher_value(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list):
        return "[" + ", ".join(_cypher_value(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def match_create_form(text: str) -> str:
    """The TCK graph as one statement per node, then MATCH … CREATE per relationship."""
    g = parse_cypher(text)
    keys = {"Person": "name", "Movie": "title"}
    lines = [GUIDE_SCHEMA]
    node_of = {}
    for n in g.nodes:
        props = ", ".join(f"{k}: {_cypher_value(v)}" for k, v in n.properties.items())
        lines.append(f"CREATE ({n.var}:{':'.join(n.labels)} {{{props}}});\n")
        key = keys[n.labels[0]]
        node_of[n.var] = (n.labels[0], key, _cypher_value(n.properties[key]))
    for i, r in enumerate(g.relationships):
        (la, ka, va), (lb, kb, vb) = node_of[r.start], node_of[r.end]
        rel = r.text[len(f"({r.start})") : -len(f"({r.end})")]
        if i % 2:  # both forms: the key in the pattern, or in WHERE
            match = f"MATCH (a:{la} {{{ka}: {va}}}), (b:{lb} {{{kb}: {vb}}})"
        else:
            match = f"MATCH (a:{la}), (b:{lb}) WHERE a.{ka} = {va} AND b.{kb} = {vb}"
        lines.append(f"{match}\nCREATE (a){rel}(b);\n")
    return "".join(lines)


@pytest.mark.skipif(
    not MOVIES.is_file(), reason="../shared/data/neo4j-movies is not beside the repo"
)
@pytest.mark.parametrize("form", [guide_form, match_create_form])
def test_guide_forms_of_the_movie_graph_have_the_tck_counts(form) -> None:
    g = parse_cypher(form(MOVIES.read_text(encoding="utf-8")))
    assert g.counts() == {"nodes": 171, "relationships": 253, "properties": 564, "labels": 2}
    assert [s.line for s in g.skipped] == [1, 2, 3, 4]
    tck = read_cypher(MOVIES)
    assert [n.properties for n in g.nodes] == [n.properties for n in tck.nodes]
    ends = {n.var: n.properties for n in tck.nodes}
    got = {n.var: n.properties for n in g.nodes}
    assert [(r.type, got[r.start], got[r.end], r.properties) for r in g.relationships] == [
        (r.type, ends[r.start], ends[r.end], r.properties) for r in tck.relationships
    ]


@pytest.mark.skipif(
    not MOVIES.is_file(), reason="../shared/data/neo4j-movies is not beside the repo"
)
@pytest.mark.parametrize("form", [guide_form, match_create_form])
def test_guide_forms_import_like_the_tck_script(form, tmp_path: Path) -> None:
    from filmkg.importers.mapping import load_mapping
    from filmkg.importers.pipeline import import_source

    mapping = load_mapping("neo4j-movies")
    script = tmp_path / "movies.cypher"
    script.write_text(form(MOVIES.read_text(encoding="utf-8")), encoding="utf-8")
    got = import_source(script, mapping)
    tck = import_source(MOVIES, mapping)
    assert got.entities == tck.entities
    assert len(got.entities) == 171
    assert got.assertions == tck.assertions
    assert [(i.kind, i.record, i.action) for i in got.report.issues] == [
        ("schema-statement", f"movies.cypher line {n}", "skipped") for n in (1, 2, 3, 4)
    ]
    assert got.report.issues[0].value.startswith("CREATE CONSTRAINT IF NOT EXISTS ON (p:Person)")
