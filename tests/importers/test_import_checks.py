"""Mistakes in mappings and dirty values in sources: one clear line, exit 2, nothing made up.

Each mistake class of a mapping (unknown column, missing column, unknown class or
property, unknown vocabulary term, a mapping that makes no films) is reported before
anything is written, with the mapping file, the table and a suggestion.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests" / "data" / "import"
MAPPING = (EXAMPLE / "my-films.toml").read_text(encoding="utf-8")


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mapping: str | bytes, *extra: str
) -> tuple[int, str]:
    path = tmp_path / "m.toml"
    if isinstance(mapping, bytes):
        path.write_bytes(mapping)
    else:
        path.write_text(mapping, encoding="utf-8")
    code = main(["import", str(EXAMPLE), "-m", str(path), "-o", str(tmp_path / "o.nq"), *extra])
    return code, capsys.readouterr().err


def _one_line(err: str) -> str:
    assert err.startswith("filmkg: error: "), err
    assert err.count("\n") == 1, err
    return err


def test_a_licence_that_is_not_an_iri(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = MAPPING.replace('"https://creativecommons.org/publicdomain/zero/1.0/"', '"CC0 1.0"')
    code, err = _run(tmp_path, capsys, bad)
    assert code == 2
    assert "m.toml: [dataset]: licence 'CC0 1.0' is not an absolute IRI; did you mean " in (
        _one_line(err)
    )
    assert "'https://creativecommons.org/publicdomain/zero/1.0/'?" in err
    assert not (tmp_path / "o.nq").exists()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'retrieved = "2024-06-30"',
            'retrieved = "30/06/2024"',
            "retrieved '30/06/2024' is not a date",
        ),
        ('retrieved = "2024-06-30"', "retrieved = 2024-06-30", "[dataset]: licence"),
        (
            "[dataset]",
            '[dataset]\norigin = "my laptop"',
            "origin 'my laptop' is not an absolute IRI",
        ),
        (
            'format = "csv" ',
            'format = "csv"\nlang = "en US"\n',
            "[source]: lang 'en US' is not a language tag",
        ),
        (
            'files = ["my-films.csv"]',
            'files = ["../../etc/passwd"]',
            "[source]: file '../../etc/passwd' is outside the source folder",
        ),
        (
            'split = ";" }',
            'split = ";", lang = "e n" }',
            "entity 'film': lang 'e n' is not a language tag",
        ),
        (
            'split = ";" }',
            'split = ";", datatype = "http://example.org/t" }',
            "datatype 'http://example.org/t' is not an XML Schema type",
        ),
    ],
)
def test_values_of_the_mapping_itself_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    assert old in MAPPING
    code, err = _run(tmp_path, capsys, MAPPING.replace(old, new))
    if message == "[dataset]: licence":  # a TOML date is a date: accepted
        assert code == 0, err
        return
    assert code == 2
    assert message in _one_line(err)


def test_a_mapping_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(
        tmp_path, capsys, MAPPING.replace("My films", "Mes films été").encode("latin-1", "replace")
    )
    assert code == 2
    assert "m.toml: not UTF-8" in _one_line(err)
    assert "save the mapping as UTF-8" in err


@pytest.mark.parametrize(
    ("old", "new", "message", "hint"),
    [
        (
            '"role:director"',
            '"role:directer"',
            "assertion #2 (Credit): property 'role': 'role:directer' is not a term of the role "
            "vocabulary",
            "did you mean 'role:director'?",
        ),
        (
            '"releasestatus:released"',
            '"releasestatus:relesed"',
            "assertion #1 (Release): property 'releaseStatus': 'releasestatus:relesed' is not a "
            "term of the release-status vocabulary",
            "did you mean 'releasestatus:released'?",
        ),
        (
            '"role:cast-member"',
            '"rol:cast-member"',
            "assertion #3 (Credit): property 'role': unknown prefix in 'rol:cast-member'",
            "did you mean 'role:'?",
        ),
        (
            'class = "Person"',
            'class = "Persn"',
            "entity 'director': unknown class 'Persn' in the filmkg ontology",
            "did you mean 'Person'?",
        ),
        (
            "releaseYear =",
            "releaseyear =",
            "assertion #1 (Release): unknown property 'releaseyear' in the filmkg ontology",
            "did you mean 'releaseYear'?",
        ),
        (
            'evidence = "director"\n',
            "",
            "assertion #2 (Credit): a Credit needs evidence",
            'name the field that states it: evidence = "…"',
        ),
        (
            'agent = "@director", ',
            "",
            "assertion #2 (Credit): a Credit needs 'agent'",
            "add agent = … to its properties",
        ),
        (
            'releaseYear = "{year}", ',
            "",
            "assertion #1 (Release): a Release needs 'releaseDate' or 'releaseYear'",
            "add one of them",
        ),
    ],
)
def test_unknown_terms_of_the_ontology_and_vocabularies(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    message: str,
    hint: str,
) -> None:
    assert old in MAPPING
    code, err = _run(tmp_path, capsys, MAPPING.replace(old, new, 1))
    assert code == 2
    assert f"m.toml: [[map]] #1 (table rows) {message}" in _one_line(err)
    assert hint in err
    assert not (tmp_path / "o.nq").exists()


def test_a_role_word_must_name_a_role(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(tmp_path, capsys, MAPPING + '\n[roles]\nwriter = "screenwritter"\n')
    assert code == 2
    assert "[roles]: writer = 'screenwritter': " in _one_line(err)
    assert "did you mean 'screenwriter'?" in err


IMDB_CSV = """Series_Title,Released_Year,Certificate,Director,Star1
The Shawshank Redemption,1994,A,Frank Darabont,Tim Robbins
Apollo 13,PG,U,Ron Howard,Tom Hanks
Gladiator,2000 AD,UA,Ridley Scott,Russell Crowe
Heat,1995,A,Michael Mann,"Al Pacino"
"""

IMDB_MAPPING = """
[source]
id = "imdb-top"
format = "csv"
files = ["imdb.csv"]

[dataset]
title = "IMDB top films (a few rows)"
licence = "https://creativecommons.org/publicdomain/zero/1.0/"

[[map]]
table = "rows"
  [[map.entity]]
  name = "film"
  class = "Film"
  label = "{Series_Title}"
  year = "{Released_Year}"

  [[map.entity]]
  name = "director"
  class = "Person"
  each = "Director"
  split = ","

  [[map.entity]]
  name = "star"
  class = "Person"
  each = "Star1"

  [[map.assertion]]
  class = "Release"
  evidence = "Released_Year"
  properties = { work = "@film", releaseYear = "{Released_Year}", releaseStatus = "releasestatus:current" }

  [[map.assertion]]
  class = "Credit"
  each = "director"
  evidence = "Director"
  properties = { work = "@film", agent = "@director", role = "role:director" }

  [[map.assertion]]
  class = "Credit"
  each = "star"
  evidence = "Star1"
  properties = { work = "@film", agent = "@star", role = "role:cast-member" }
"""


def _imdb(tmp_path: Path, csv: str = IMDB_CSV, mapping: str = IMDB_MAPPING) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "imdb.csv").write_text(csv, encoding="utf-8")
    (folder / "imdb.toml").write_text(mapping, encoding="utf-8")
    return folder


def test_a_year_that_is_not_a_year_names_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`PG` (a shifted row) and `2000 AD` are reported; no IRI holds them; the output validates."""
    import json

    folder = _imdb(tmp_path)
    out = tmp_path / "out" / "imdb.nq"
    assert main(["import", str(folder), "-m", str(folder / "imdb.toml"), "-o", str(out)]) == 0
    assert "data problems (bad-value 4, incomplete-assertion 2)" in capsys.readouterr().err
    quads = out.read_text(encoding="utf-8")
    assert "PG" not in quads
    assert "2000 AD" not in quads
    assert "AD>" not in quads
    assert "<https://w3id.org/filmkg/id/film/apollo-13>" in quads  # the film, by its title
    assert "<https://w3id.org/filmkg/id/film/gladiator>" in quads
    assert "<https://w3id.org/filmkg/id/film/heat-1995>" in quads
    assert "<https://w3id.org/filmkg/id/credit/gladiator/ridley-scott/director>" in quads
    report = json.loads((tmp_path / "out" / "imdb-top.quality.json").read_text(encoding="utf-8"))
    bad = {
        (i["record"], i["field"], i["value"]) for i in report["issues"] if i["kind"] == "bad-value"
    }
    assert ("row 2", "Released_Year", "PG") in bad
    assert ("row 3", "Released_Year", "2000 AD") in bad
    dropped = [i["record"] for i in report["issues"] if i["kind"] == "incomplete-assertion"]
    assert dropped == ["row 2", "row 3"]  # the two releases without a year
    assert main(["validate", str(out)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    ("prop", "value"),
    [("releaseYear", "19 94"), ("releaseDate", "2000-13-45"), ("releaseDate", "1994-02-30")],
)
def test_bad_dates_are_reported_not_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prop: str, value: str
) -> None:
    mapping = IMDB_MAPPING.replace('releaseYear = "{Released_Year}"', f'{prop} = "{{When}}"')
    csv = "Series_Title,Released_Year,Certificate,Director,Star1,When\n"
    csv += f"Heat,1995,A,Michael Mann,Al Pacino,{value}\n"
    folder = _imdb(tmp_path, csv, mapping)
    out = tmp_path / "o.nq"
    assert main(["import", str(folder), "-m", str(folder / "imdb.toml"), "-o", str(out)]) == 0
    assert "bad-value 1, incomplete-assertion 1" in capsys.readouterr().err
    assert value not in out.read_text(encoding="utf-8")
    assert main(["validate", str(out)]) == 0


def test_a_templated_role_outside_the_vocabulary_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = IMDB_MAPPING.replace('role = "role:director"', 'role = "role:{Certificate|lower}"')
    folder = _imdb(tmp_path, mapping=mapping)
    out = tmp_path / "o.nq"
    assert main(["import", str(folder), "-m", str(folder / "imdb.toml"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "bad-value 8, incomplete-assertion 6" in err  # 2 years + 2 releases, 4 roles + 4 credits
    text = out.read_text(encoding="utf-8")
    assert "vocab/role/a>" not in text
    assert "vocab/role/ua>" not in text
    assert main(["validate", str(out)]) == 0


@pytest.mark.parametrize(
    ("old", "new", "message", "hint"),
    [
        (
            'label = "{title}"',
            'label = "{Title}"',
            "entity 'film' label: unknown column 'Title'",
            "did you mean 'title'?",
        ),
        (
            'each = "cast"\n',
            'each = "casts"\n',
            "entity 'cast' each: unknown column 'casts'",
            "did you mean 'cast'?",
        ),
        (
            'evidence = "director"',
            'evidence = "directors"',
            "assertion #2 (Credit) evidence: unknown column 'directors'",
            "did you mean 'director'?",
        ),
        (
            'value = "{genres}"',
            'value = "{genre}"',
            "entity 'film' property 'genre': unknown column 'genre'",
            "did you mean 'genres'?",
        ),
        (
            'label = "{title}"',
            'label = "{name}"',
            "entity 'film' label: unknown column 'name'",
            "the source has 'id', 'title', 'year', 'director', 'cast', 'genres'",
        ),
        (
            'label = "{title}"\n',
            "",
            "entity 'film' label: '{@}' is one item of an 'each' entity, and there is none here",
            'add label = "{…}" naming the field that holds it',
        ),
        (
            'table = "rows" ',
            'table = "rows"\nwhere = { genres = "drama" }\n',
            "where: no record has genres = 'drama'",
            "did you mean 'Drama'?",
        ),
    ],
)
def test_fields_the_source_does_not_have(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    message: str,
    hint: str,
) -> None:
    """Every field a mapping reads is checked against the CSV header before anything runs."""
    assert old in MAPPING
    code, err = _run(tmp_path, capsys, MAPPING.replace(old, new, 1))
    assert code == 2
    assert f"m.toml: [[map]] #1 (table rows) {message}; {hint}" in _one_line(err)
    assert not (tmp_path / "o.nq").exists()
    assert not (tmp_path / "my-films.quality.json").exists()


def test_check_lists_every_mistake_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = MAPPING.replace('label = "{title}"', 'label = "{Title}"').replace(
        'each = "cast"\n', 'each = "casts"\n', 1
    )
    code, err = _run(tmp_path, capsys, bad, "--check")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2
    assert "entity 'film' label: unknown column 'Title'; did you mean 'title'?" in lines[0]
    assert "entity 'cast' each: unknown column 'casts'; did you mean 'cast'?" in lines[1]
    assert list(tmp_path.iterdir()) == [tmp_path / "m.toml"]


def test_check_tells_what_the_import_would_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(EXAMPLE), "-m", str(EXAMPLE / "my-films.toml"), "--check"])
    out = capsys.readouterr().out
    assert code == 0
    assert "would make 11 entities (Film 3, Person 8), 13 assertions (Credit 10, Release 3)" in out
    assert "records: 3 taken by the mapping, 0 of them made nothing" in out
    assert "data problems: 2 (empty-list-item 1, not-a-name 1)" in out
    assert "row 2 | cast | '.' | not-a-name: not imported" in out
    assert out.rstrip().endswith("nothing written (--check)")
    assert not [p for p in EXAMPLE.iterdir() if p.suffix not in (".csv", ".toml")]


def test_an_import_that_makes_no_films_fails_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = "Series_Title,Released_Year,Certificate,Director,Star1\n,1994,A,,\n,1995,A,,\n"
    folder = _imdb(tmp_path, csv)
    args = ["import", str(folder), "-m", str(folder / "imdb.toml"), "-o", str(tmp_path / "o.nq")]
    assert main(args) == 2
    err = _one_line(capsys.readouterr().err)
    assert "imdb-top: the import makes no films (2 records taken by the mapping" in err
    assert "allow it with --allow-empty" in err
    assert not (tmp_path / "o.nq").exists()
    assert main([*args, "--allow-empty", "--max-loss", "1"]) == 0
    assert (tmp_path / "o.nq").exists()


def test_an_import_that_loses_too_many_records_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two of five rows have no title: they make nothing (40% > the default 5%)."""
    csv = "Series_Title,Released_Year,Certificate,Director,Star1\n"
    csv += "Heat,1995,A,,\nSully,2016,A,,\nAlien,1979,A,,\n,1990,A,,\n,1991,A,,\n"
    folder = _imdb(tmp_path, csv)
    args = ["import", str(folder), "-m", str(folder / "imdb.toml"), "-o", str(tmp_path / "o.nq")]
    assert main(args) == 2
    err = _one_line(capsys.readouterr().err)
    assert "imdb-top: 2 of 5 records (40%) made nothing (row 4, row 5)" in err
    assert "allow it with --max-loss 0.5" in err
    assert not (tmp_path / "o.nq").exists()
    assert main([*args, "--max-loss", "0.5"]) == 0
    assert "bad-value 2" in capsys.readouterr().err  # the two rows, in the quality report


def test_json_keys_are_checked_against_the_keys_seen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key close to one the records have is a mistake; a key none has is listed, not fatal."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "films.json").write_text(
        '[{"title": "Heat", "year": 1995, "cast": ["Al Pacino"]}]', encoding="utf-8"
    )
    mapping = (REPO / "mappings" / "wikipedia-movies.toml").read_text(encoding="utf-8")
    mapping = mapping.replace(
        'files = ["movies-1990s.json", "movies-2000s.json", "movies-2020s.json"]',
        'files = ["films.json"]',
    )
    (folder / "w.toml").write_text(mapping.replace('each = "cast"', 'each = "casts"', 1), "utf-8")
    out = tmp_path / "o.nq"
    assert main(["import", str(folder), "-m", str(folder / "w.toml"), "-o", str(out)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "(table records) entity 'cast' each: unknown key 'casts'; did you mean 'cast'?" in err
    (folder / "w.toml").write_text(mapping, "utf-8")
    assert main(["import", str(folder), "-m", str(folder / "w.toml"), "-o", str(out)]) == 0
    assert "missing-field 4" in capsys.readouterr().err  # href, genres, extract (twice)


def test_a_misspelled_column_of_a_columns_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = (EXAMPLE / "top-films.toml").read_text(encoding="utf-8")
    assert '"Star4"' in mapping
    path = tmp_path / "t.toml"
    path.write_text(mapping.replace('"Star4"', '"Star 4"'), encoding="utf-8")
    assert main(["import", str(EXAMPLE / "top-films.csv"), "-m", str(path), "--check"]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "columns: unknown column 'Star 4'; did you mean 'Star4'?" in err


def _graph_counts(store: Path) -> dict[str, int]:
    from filmkg.engines.store import KnowledgeGraph

    kg = KnowledgeGraph.open(store)
    rows = kg.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(g): int(str(n)) for g, n in rows.rows}


def test_check_with_a_store_leaves_it_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "kg.db"
    mapping = str(EXAMPLE / "my-films.toml")
    assert main(["import", str(EXAMPLE), "-m", mapping, "--into", str(store)]) == 0
    before = _graph_counts(store)
    capsys.readouterr()
    assert main(["import", str(EXAMPLE), "-m", mapping, "--into", str(store), "--check"]) == 0
    assert "would make 11 entities" in capsys.readouterr().out
    assert _graph_counts(store) == before
    assert before["https://w3id.org/filmkg/graph/import/my-films"] == 142


def test_series_titel_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #16: `label = "{Series_Titel}"` gave 0 films, 1,001 bad-value problems, exit 0."""
    mapping = (EXAMPLE / "top-films.toml").read_text(encoding="utf-8")
    path = tmp_path / "t.toml"
    path.write_text(mapping.replace("{Series_Title}", "{Series_Titel}"), encoding="utf-8")
    out = tmp_path / "o.nq"
    assert main(["import", str(EXAMPLE / "top-films.csv"), "-m", str(path), "-o", str(out)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert f"{path}: [[map]] #1 (table rows) entity 'film' label: " in err
    assert "unknown column 'Series_Titel'; did you mean 'Series_Title'?" in err
    assert not out.exists()


def test_a_title_of_spaces_is_no_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the fuzz test: a title ' ' made a film with an empty label (invalid)."""
    csv = "Series_Title,Released_Year,Certificate,Director,Star1\nHeat,1995,A,,\n   ,2000,A,,\n"
    folder = _imdb(tmp_path, csv)
    out = tmp_path / "o.nq"
    args = ["import", str(folder), "-m", str(folder / "imdb.toml"), "-o", str(out)]
    assert main([*args, "--max-loss", "0.5"]) == 0
    assert "bad-value 1" in capsys.readouterr().err
    assert "untitled" not in out.read_text(encoding="utf-8")
    assert main(["validate", str(out)]) == 0


def test_lone_surrogates_are_bad_input_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON or Cypher escape that is half a surrogate pair is exit 2 at its line and column."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "films.json").write_text('[{"title": "Heat\\ud800", "year": 1995}]', "utf-8")
    mapping = (REPO / "mappings" / "wikipedia-movies.toml").read_text(encoding="utf-8")
    mapping = mapping.replace(
        'files = ["movies-1990s.json", "movies-2000s.json", "movies-2020s.json"]',
        'files = ["films.json"]',
    )
    (folder / "w.toml").write_text(mapping, "utf-8")
    assert main(["import", str(folder), "-m", str(folder / "w.toml")]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "films.json:1:17: \\ud800 is half of a surrogate pair, not a character" in err
    cypher = folder / "g.cypher"
    cypher.write_text("CREATE (a:Movie {title: 'Heat\\ud800', released: 1995})\n", "utf-8")
    assert main(["import", str(cypher), "-m", "neo4j-movies"]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "g.cypher:1:30: \\uD800 is not a character (a lone surrogate or too big)" in err
    cypher.write_text("CREATE (a:Movie {title: 'Heat \\ud83d\\ude00', released: 1995})\n", "utf-8")
    assert main(["import", str(cypher), "-m", "neo4j-movies"]) == 0
    assert '"Heat \U0001f600"' in capsys.readouterr().out


def test_a_shipped_mapping_on_part_of_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Maps no record matches, fields no record has: listed in the report, not mistakes."""
    cypher = tmp_path / "g.cypher"
    cypher.write_text("CREATE (a:Movie {title: 'Heat', released: 1995})\n", "utf-8")
    out = tmp_path / "o.nq"
    assert main(["import", str(cypher), "-m", "neo4j-movies", "-o", str(out)]) == 0
    assert "(missing-field 1, unused-map 7)" in capsys.readouterr().err  # Person + 6 rel. maps
    report = (tmp_path / "neo4j-movies.quality.md").read_text(encoding="utf-8")
    assert "| [[map]] #2 (table nodes) | where | _label = 'Person' | nothing made |" in report


def test_an_assertion_naming_every_item_of_a_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A credit without each = "cast" would have every cast member as its one agent."""
    bad = MAPPING.replace('  each = "cast"\n  evidence = "cast"', '  evidence = "cast"')
    assert bad != MAPPING
    code, err = _run(tmp_path, capsys, bad)
    assert code == 2
    assert (
        "assertion #3 (Credit): a Credit takes one agent, and '@cast' is one per item; "
        'add each = "cast" to the assertion' in _one_line(err)
    )


def test_a_release_with_a_date_and_a_year_is_not_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shapes take a date or a year (sh:xone): both is reported, not made invalid."""
    mapping = IMDB_MAPPING.replace(
        'releaseYear = "{Released_Year}"',
        'releaseYear = "{Released_Year}", releaseDate = "{Released_Year}-01-01"',
    )
    folder = _imdb(tmp_path, mapping=mapping)
    out = tmp_path / "o.nq"
    args = ["import", str(folder), "-m", str(folder / "imdb.toml"), "-o", str(out)]
    assert main(args) == 0
    assert "incomplete-assertion 4" in capsys.readouterr().err
    assert "/release/" not in out.read_text(encoding="utf-8")
    assert main(["validate", str(out)]) == 0


def test_a_mistaken_mapping_leaves_the_store_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #16: a misspelled column with --into replaced the good graph with an empty one."""
    store = tmp_path / "kg.db"
    assert (
        main(["import", str(EXAMPLE), "-m", str(EXAMPLE / "my-films.toml"), "--into", str(store)])
        == 0
    )
    before = _graph_counts(store)
    bad = tmp_path / "bad.toml"
    bad.write_text(MAPPING.replace("{title}", "{titel}"), encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(EXAMPLE), "-m", str(bad), "--into", str(store)]) == 2
    assert "unknown column 'titel'; did you mean 'title'?" in _one_line(capsys.readouterr().err)
    assert _graph_counts(store) == before
