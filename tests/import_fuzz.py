"""Fuzzing ``filmkg import``: dirty sources and mistaken mappings, through the real CLI.

Shared by ``tests/importers/test_import_fuzz.py`` (a small fixed budget, run in CI) and
``scripts/fuzz_import.py`` (a long run). Each case writes a source (CSV, JSON or Cypher)
and a mapping (a shipped one, mutated) into a folder, runs ``filmkg import`` and checks
the contract: exit 0 or 2, never 5, never a traceback; an error is one line; a
successful import's output passes ``filmkg validate``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from filmkg.cli import main

REPO = Path(__file__).resolve().parents[1]
MY_FILMS = (REPO / "tests" / "data" / "import" / "my-films.toml").read_text(encoding="utf-8")
WIKI = (
    (REPO / "mappings" / "wikipedia-movies.toml")
    .read_text(encoding="utf-8")
    .replace(
        'files = ["movies-1990s.json", "movies-2000s.json", "movies-2020s.json"]',
        'files = ["films.json"]',
    )
)
NEO4J = (
    (REPO / "mappings" / "neo4j-movies.toml")
    .read_text(encoding="utf-8")
    .replace("opencypher-tck-create4-movie-graph.cypher", "graph.cypher")
)

#: Values people find in real columns: years that are not years, names that are not names.
DIRTY = [
    "2000 AD",
    "PG",
    "19 94",
    "1994.0",
    "0",
    "-44",
    "99999",
    "2000-13-45",
    "",
    " ",
    ".",
    ",",
    "(voices)",
    "of",
    "Tom Hanks (screenwriter)",
    "Lee Ji-eun (IU)",
    "Jr.",
    "a, b,, c",
    "Ünïcødé Nämé",
    "名前",
    "<script>",
    '"quoted"',
    "line\nbreak",
    "tab\tthere",
    "\u200b",
    "role:director",
    "{title}",
    "@film",
    "NaN",
    "true",
]
# Mistakes people make in mappings: (text found, replacement).
MUTATIONS = [
    ('"{title}"', '"{Title}"'),
    ('"{title}"', '"{titel}"'),
    ('"{year}"', '"{year|year}"'),
    ('each = "cast"', 'each = "casts"'),
    ('evidence = "director"', 'evidence = "directr"'),
    ('"role:director"', '"role:directer"'),
    ('"role:cast-member"', '"role:{cast}"'),
    ('"releasestatus:current"', '"releasestatus:{year}"'),
    ('class = "Film"', 'class = "Flim"'),
    ('class = "Credit"', 'class = "Release"'),
    ("releaseYear", "releaseDate"),
    ("releaseYear", "birthYear"),
    ('"https://creativecommons.org', '"CC0 '),
    ('retrieved = "2024-06-30"', 'retrieved = "yesterday"'),
    ('format = "csv"', 'format = "json"'),
    ('table = "rows"', 'table = "records"'),
    ('split = ","', 'split = ""'),
    ('clean = "names"', 'clean = "nomes"'),
    ("[[map.entity]]", "[[map.entyty]]"),
    ('name = "film"', 'name = "movie"'),
    ('id = "my-films"', 'id = "My Films"'),
    ("[dataset]", "[dataset]\norigin = 'here'"),
    ('"{year}"', '"{year|default:PG}"'),
    ('"{title}"', '"{_row}"'),
    ('"{title}"', '"{@}"'),
    ('"{title}"', '"{title|slug}"'),
    ('genre = { value = "{genres}", split = ";" }', 'genre = "{genres}"'),
    ("[[map]]", "[[map]]\nwhere = { year = '2000' }"),
    ('"@director"', '"@nobody"'),
    ('"@film"', '"@film[{id}]"'),
    ("identity", "identiy"),
    ("=", "= ="),
]


@dataclass(frozen=True)
class Case:
    """One fuzz case: the source files and the mapping text (or bytes)."""

    kind: str
    files: dict[str, bytes]
    mapping: bytes
    lenient: bool = False  # --max-loss 1 --allow-empty: dirty values reach the output


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "year", "director", "cast", "genres"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


text = st.one_of(st.sampled_from(DIRTY), st.text(max_size=12))
row = st.lists(text, min_size=5, max_size=5)
# JSON escapes can make what a CSV cannot hold: lone surrogates (a bad \\uD800 escape)
json_text = text | st.sampled_from(["\ud800", "a\udc00b", "\ud83d\ude00"])
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-3000, 3000) | st.floats() | json_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=2),
    max_leaves=6,
)
json_record = st.fixed_dictionaries(
    {},
    optional={
        "title": json_value,
        "year": json_value,
        "cast": json_value,
        "genres": json_value,
        "href": json_value,
        "extract": json_value,
    },
)


@st.composite
def mappings(draw: st.DrawFn, base: str) -> bytes:
    """A shipped mapping with a few mistakes, sometimes not UTF-8 or cut short."""
    text_ = base
    mistakes = st.lists(st.sampled_from(MUTATIONS), max_size=3)
    for old, new in draw(st.one_of(st.just([]), mistakes)):
        text_ = text_.replace(old, new, 1)
    data = text_.encode("utf-8")
    damage = draw(st.sampled_from(["none"] * 6 + ["latin-1", "cut"]))
    if damage == "latin-1":
        data = text_.replace("My films", "Mes films été").encode("latin-1", "replace")
    elif damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A source and its mapping, with or without the loss limits."""
    case = draw(sources())
    return Case(case.kind, case.files, case.mapping, lenient=draw(st.booleans()))


@st.composite
def sources(draw: st.DrawFn) -> Case:
    """A source and its mapping: CSV (my-films), JSON (wikipedia-movies) or Cypher (neo4j)."""
    kind = draw(st.sampled_from(["csv", "csv", "json", "cypher"]))
    if kind == "csv":
        rows = draw(st.lists(st.tuples(st.integers(1, 99), row), min_size=0, max_size=6))
        data = _csv([[str(i), *r] for i, r in rows])
        if draw(st.booleans()) and data:  # ragged rows, stray quotes, Latin-1 bytes
            cut = draw(st.integers(0, len(data)))
            data = data[:cut] + draw(st.sampled_from([b'"', b",,", b"\xe9", b"\n1,2\n"]))
        return Case(kind, {"my-films.csv": data}, draw(mappings(MY_FILMS)))
    if kind == "json":
        records = draw(st.lists(json_record, max_size=5))
        data = json.dumps(records, ensure_ascii=draw(st.booleans()))
        data = data.encode("utf-8", "surrogatepass")  # a lone surrogate: bytes not UTF-8
        return Case(kind, {"films.json": data}, draw(mappings(WIKI)))
    lines = draw(
        st.lists(
            st.sampled_from(
                [
                    "CREATE (a:Movie {title: 'Heat', released: 1995})",
                    "CREATE (b:Movie {title: 'X', released: 'PG', tagline: 3})",
                    "CREATE (p:Person {name: 'Al Pacino', born: 1940})",
                    "CREATE (q:Person {name: '', born: 'x'})",
                    "CREATE (p)-[:ACTED_IN {roles: ['Vincent']}]->(a)",
                    "CREATE (q)-[:DIRECTED]->(b)",
                    "CREATE (p)-[:REVIEWED {rating: 'ten', summary: 'ok'}]->(a)",
                    "CREATE CONSTRAINT FOR (n:Movie) REQUIRE n.title IS UNIQUE;",
                    "CREATE (p)-[:FOLLOWS]->(q)",
                    "CREATE (",
                    "MATCH (m:Movie {title: 'Heat'}) CREATE (p)-[:WROTE]->(m)",
                    "CREATE (c:Movie {title: 'A\\ud800', released: 2000})",
                    "CREATE (d:Movie {title: 'B \\ud83d\\ude00 \\U0001F600', released: 2001})",
                    "CREATE (e:Person {name: 'C\\UFFFFFFFF'})",
                ]
            ),
            max_size=8,
        )
    )
    return Case(kind, {"graph.cypher": "\n".join(lines).encode("utf-8")}, draw(mappings(NEO4J)))


@dataclass(frozen=True)
class Outcome:
    """What one run of ``filmkg import`` did."""

    code: int
    err: str
    validate_code: int | None


def run_case(case: Case, folder: Path) -> Outcome:
    """Write the case into ``folder``, import it, and validate what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    (folder / "m.toml").write_bytes(case.mapping)
    out = folder / "out" / "import.nq"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        args = ["import", str(folder), "-m", str(folder / "m.toml"), "-o", str(out)]
        code = main(args + (["--max-loss", "1", "--allow-empty"] if case.lenient else []))
        validated = main(["validate", str(out)]) if code == 0 else None
    return Outcome(code, err.getvalue(), validated)


def problems(outcome: Outcome) -> list[str]:
    """How an outcome breaks the contract (empty when it keeps it)."""
    found: list[str] = []
    if outcome.code not in (0, 2):
        found.append(f"exit {outcome.code}")
    if "Traceback" in outcome.err or "internal error" in outcome.err:
        found.append("internal error")
    if outcome.code == 2 and outcome.err.count("filmkg: error: ") != 1:
        found.append("not one error line")
    if outcome.validate_code not in (None, 0):
        found.append(f"the import's output does not validate (exit {outcome.validate_code})")
    return found
