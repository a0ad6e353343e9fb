"""``filmkg query`` and ``filmkg sparql``: formats, errors, safety, hostile parameters, speed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from filmkg.cli import main
from filmkg.sparql import catalogue as queries

SRC = str(Path(__file__).resolve().parents[2] / "src")
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
HANKS = "https://w3id.org/filmkg/id/person/tom-hanks"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- filmkg query ----------------------------------------------------------------------


def test_list_shows_every_query_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "--list")
    assert code == 0
    lines = out.splitlines()
    for name, nq in queries.catalogue().items():
        assert any(line.startswith(name + " ") and nq.summary in line for line in lines), name


def test_describe(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "reunions", "--describe")
    assert code == 0
    assert out.startswith("reunions: Reunions:")
    assert "person (person, optional)" in out
    assert (
        "min_members (integer, optional): The least number of people reunited (default: 2)" in out
    )
    assert "SELECT DISTINCT" in out


def test_table_is_aligned_with_prefixed_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "query", "person_credits", "--param", "person=Tom Hanks")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "year | work                      | work_label   | role             | role_label  | character",
        "-----+---------------------------+--------------+------------------+-------------+----------",
        "1994 | kg:film/forrest-gump-1994 | Forrest Gump | role:cast-member | cast member |",
        "2024 | kg:film/here-2024         | Here         | role:cast-member | cast member |",
    ]


def test_csv_is_the_w3c_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "reunions", "-f", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert {r["member_label"] for r in rows} == {
        "Robert Zemeckis",
        "Eric Roth",
        "Tom Hanks",
        "Robin Wright",
    }
    assert {r["gap_years"] for r in rows} == {"30"}
    assert rows[0]["earlier"] == "https://w3id.org/filmkg/id/film/forrest-gump-1994"
    assert "\r\n" in out  # CSV lines end with CRLF (RFC 4180)


def test_tsv_is_the_w3c_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "person_credits", "-p", "person=Tom Hanks", "-f", "tsv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "?year\t?work\t?work_label\t?role\t?role_label\t?character"
    assert lines[1].split("\t") == [
        "1994",
        "<https://w3id.org/filmkg/id/film/forrest-gump-1994>",
        '"Forrest Gump"',
        "<https://w3id.org/filmkg/vocab/role/cast-member>",
        '"cast member"@en',
        "",
    ]


def test_json_is_the_w3c_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "person_credits", "-p", f"person={HANKS}", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"] == ["year", "work", "work_label", "role", "role_label", "character"]
    first = doc["results"]["bindings"][0]
    assert first["year"] == {
        "type": "literal",
        "value": "1994",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    assert first["work"] == {
        "type": "uri",
        "value": "https://w3id.org/filmkg/id/film/forrest-gump-1994",
    }
    assert first["role_label"] == {"type": "literal", "value": "cast member", "xml:lang": "en"}
    assert "character" not in first  # unbound
    assert out == json.dumps(doc, sort_keys=True, ensure_ascii=False) + "\n"


def test_xml_is_the_w3c_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "film_credits", "-p", "film=Here", "-f", "xml")
    assert code == 0
    root = ET.fromstring(out)
    assert root.tag == f"{RESULTS_NS}sparql"
    names = [v.get("name") for v in root.iter(f"{RESULTS_NS}variable")]
    assert names[:2] == ["role", "role_label"]
    results = list(root.iter(f"{RESULTS_NS}result"))
    assert len(results) == 15
    uris = {u.text for u in root.iter(f"{RESULTS_NS}uri")}
    assert HANKS in uris
    starring = [b for b in root.iter(f"{RESULTS_NS}binding") if b.get("name") == "starring"]
    literal = starring[0].find(f"{RESULTS_NS}literal")
    assert literal is not None
    assert literal.get("datatype") == "http://www.w3.org/2001/XMLSchema#boolean"


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "hanks.json"
    code, out, err = run(
        capsys, "query", "person_credits", "-p", "person=Tom Hanks", "-f", "json", "-o", str(target)
    )
    assert (code, out) == (0, "")
    assert "wrote" in err
    assert len(json.loads(target.read_text(encoding="utf-8"))["results"]["bindings"]) == 2


def test_rdflib_engine_gives_the_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    _, oxigraph, _ = run(capsys, "query", "coworkers", "-p", "person=Tom Hanks", "-f", "json")
    _, rdflib, _ = run(
        capsys, "query", "coworkers", "-p", "person=Tom Hanks", "-f", "json", "--engine", "rdflib"
    )
    assert oxigraph == rdflib


def test_other_data_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine.ttl"
    mine.write_text(
        "@prefix filmkg: <https://w3id.org/filmkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix role: <https://w3id.org/filmkg/vocab/role/> .\n"
        '<https://e.org/film/x> a filmkg:Film ; rdfs:label "Film X" .\n'
        '<https://e.org/person/y> a filmkg:Person ; rdfs:label "Person Y" .\n'
        "<https://e.org/credit/1> a filmkg:Credit ; filmkg:work <https://e.org/film/x> ;\n"
        "    filmkg:agent <https://e.org/person/y> ; filmkg:role role:director .\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "query", "crew_wikidata", "--data", str(mine), "--no-project-data", "-f", "csv"
    )
    assert code == 0
    assert out.splitlines()[1:] == [
        "https://e.org/film/x,Film X,director,https://e.org/person/y,Person Y"
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "film_credit"], "no query 'film_credit'; did you mean 'film_credits'"),
        (["query", "person_credits", "-p", "person=Tom Hank"], "did you mean 'Tom Hanks'?"),
        (["query", "evidence", "-p", "subject=Here"], "'Here' is ambiguous: kg:film/here-2024"),
        (["query", "person_credits"], "needs parameter 'person'"),
        (["query", "person_credits", "-p", "persn=x"], "did you mean 'person'?"),
        (["query", "person_credits", "-p", "person"], "is not NAME=VALUE"),
        (["query", "planned_release_as_of", "-p", "film=Here", "-p", "as_of=June"], "YYYY-MM-DD"),
        (["query"], "give a query NAME"),
        (
            ["query", "film_credits", "--data", "/nonexistent.ttl", "-p", "film=Here"],
            "no such file",
        ),
    ],
)
def test_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("filmkg: error: ")
    assert err.count("\n") == 1
    assert message in err


HOSTILE = [
    '"} ; DROP ALL ; #',
    "'} . ?s ?p ?o . FILTER(true) #",
    'x" } UNION { ?entity ?p ?label } #',
    'a\\" \n } DROP ALL',
    "\\u0022 } DROP ALL",
    "Hanks\x00",
    "}}}}{{{{",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_parameters_are_only_data(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    for engine in ("oxigraph", "rdflib"):
        code, out, err = run(
            capsys, "query", "find_entities", "-p", f"text={text}", "-f", "json", "--engine", engine
        )
        assert (code, err) == (0, "")
        assert json.loads(out)["results"]["bindings"] == []  # no label contains it
        code, _, err = run(capsys, "query", "person_credits", "-p", f"person={text}")
        assert code == 2
        assert "no person" in err
    # the graph is untouched: the same question still has its answer
    code, out, _ = run(capsys, "query", "find_entities", "-p", "text=hanks", "-f", "csv")
    assert out.splitlines()[1].startswith(HANKS)


def test_a_hostile_name_is_reported_as_it_was_given(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "query", "person_credits", "-p", 'person=Tom"} DROP ALL')
    assert code == 2
    assert "no person 'Tom\"} DROP ALL'" in err


# -- filmkg sparql -----------------------------------------------------------------------


def test_sparql_with_project_prefixes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "sparql", "SELECT ?film ?d WHERE { ?film wdt:P57 ?d } ORDER BY ?film", "-f", "csv"
    )
    assert code == 0
    assert out.splitlines() == [
        "film,d",
        "https://w3id.org/filmkg/id/film/forrest-gump-1994,https://w3id.org/filmkg/id/person/robert-zemeckis",
        "https://w3id.org/filmkg/id/film/here-2024,https://w3id.org/filmkg/id/person/robert-zemeckis",
    ]


def test_sparql_from_a_file_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?f wdt:P161 <https://w3id.org/filmkg/id/person/tom-hanks> }\n")
    assert run(capsys, "sparql", str(path))[1] == "true\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(path.read_text()))
    assert run(capsys, "sparql", "-", "-f", "json")[1] == '{"boolean": true, "head": {}}\n'


def test_construct_writes_turtle(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "sparql", "CONSTRUCT { ?f schema:director ?d } WHERE { ?f filmkg:director ?d }"
    )
    assert code == 0
    assert "@prefix schema: <http://schema.org/> ." in out
    assert out.count("schema:director") == 2


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("SELECT * WHERE { ?s ?p }", "<query>:1:"),
        ("SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTER (\n}", "<query>:5:1:"),  # the "}", as arq
    ],
)
def test_a_syntax_error_is_one_line_with_line_and_column(
    capsys: pytest.CaptureFixture[str], text: str, location: str
) -> None:
    code, out, err = run(capsys, "sparql", text)
    assert (code, out) == (2, "")
    assert err.startswith(f"filmkg: error: {location}")
    assert err.count("\n") == 1


def test_a_syntax_error_in_a_file_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT ?s\nWHERE { ?s ?p ?o\n", encoding="utf-8")
    code, _, err = run(capsys, "sparql", str(path))
    assert code == 2
    assert err.startswith(f"filmkg: error: {path}:")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "--allow-service"),
        ("LOAD <file:///etc/passwd>", "--allow-load"),
        ("DROP ALL", "--allow-update"),
        ("INSERT DATA { <https://e.org/a> <https://e.org/b> 1 }", "--allow-update"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "--allow-from"),
    ],
)
def test_dangerous_operations_are_refused(
    capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    code, out, err = run(capsys, "sparql", text)
    assert (code, out) == (2, "")
    assert message in err


def test_an_allowed_update_needs_a_store(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sparql", "DROP ALL", "--allow-update")
    assert code == 2
    assert "needs --store" in err


def test_row_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "sparql", "SELECT * WHERE { ?s ?p ?o }", "--max-rows", "5")
    assert (code, out) == (4, "")
    assert "5 results" in err


def test_time_limit_stops_a_runaway_query(capsys: pytest.CaptureFixture[str]) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    code, _, err = run(capsys, "sparql", text, "--timeout", "0.5")
    assert code == 4
    assert "stopped after 0.5 s" in err


def test_a_result_format_that_does_not_fit_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sparql", "ASK { ?s ?p ?o }", "-f", "turtle")
    assert code == 2
    assert "is for CONSTRUCT / DESCRIBE" in err


# -- speed: the query path stays light -----------------------------------------------------


def test_the_query_path_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from filmkg.cli import main\n"
        "assert main(['query', 'person_credits', '-p', 'person=Tom Hanks']) == 0\n"
        "heavy = sorted(m for m in ('pyshacl', 'networkx', 'matplotlib') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert "HEAVY []" in done.stdout


def test_queries_and_an_allowed_update_on_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from filmkg.build.project import load_project

    store = tmp_path / "store"
    kg = load_project(store_path=store)
    size = len(kg)
    kg.store.flush()
    del kg
    gc.collect()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert run(capsys, "sparql", count, "--store", str(store), "-f", "csv")[1] == f"n\r\n{size}\r\n"
    code, _, err = run(
        capsys,
        "sparql",
        "INSERT DATA { GRAPH <https://e.org/g> { <https://e.org/a> <https://e.org/b> 1 } }",
        "--store",
        str(store),
        "--allow-update",
    )
    assert code == 0
    assert "update applied" in err
    assert run(capsys, "sparql", count, "--store", str(store), "-f", "csv")[1] == (
        f"n\r\n{size + 1}\r\n"
    )
    code, out, _ = run(capsys, "query", "film_credits", "-p", "film=Here", "--store", str(store))
    assert code == 0
    assert "Tom Hanks" in out
