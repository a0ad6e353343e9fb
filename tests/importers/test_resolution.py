"""Entity resolution rules (filmkg.importers.resolution), on tiny CSVs mapped like docs/import.md."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.importers.mapping import load_mapping
from filmkg.importers.pipeline import ImportResult, import_into, import_source
from filmkg.rdf.namespaces import sparql_prefixes

MAPPING = Path(__file__).resolve().parents[1] / "data" / "import" / "my-films.toml"


def _run(tmp_path: Path, rows: list[str], **kw: object) -> ImportResult:
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    shutil.copy(MAPPING, folder / "my-films.toml")
    (folder / "my-films.csv").write_text(
        # the mapping reads every column of its CSV: genres too (left empty here)
        "id,title,year,director,cast,genres\n" + "\n".join(f"{r}," for r in rows) + "\n",
        encoding="utf-8",
    )
    return import_source(folder, load_mapping(folder / "my-films.toml"), **kw)  # type: ignore[arg-type]


def _people(result: ImportResult) -> set[str]:
    return {i.rsplit("/", 1)[1] for i, c in result.entities.items() if c == "Person"}


def test_alias_without_shared_context_goes_to_review(tmp_path: Path) -> None:
    result = _run(tmp_path, ['1,A,2001,X,"Jane Marie Doe, Bob"', '2,B,2002,Y,"Jane Doe, Carl"'])
    assert _people(result) >= {"jane-marie-doe", "jane-doe"}
    assert [(r["name"], r["candidate"], r["confidence"]) for r in result.review] == [
        ("Jane Marie Doe", "Jane Doe", 0.55)
    ]
    assert [i.record for i in result.report.of_kind("alias-review")] == ["row 1"]
    assert not [m for m in result.matches if m["method"].startswith("alias")]


def test_alias_with_shared_coworkers_is_merged(tmp_path: Path) -> None:
    crew = "Carl, Dora, Ed, Fay, Gus, Hal, Ida"
    result = _run(
        tmp_path, [f'1,A,2001,X,"Ann Lee Smith, {crew}"', f'2,B,2002,Y,"Ann Lee, {crew}"']
    )
    assert "ann-lee-smith" not in _people(result)
    (match,) = [m for m in result.matches if m["method"].startswith("alias")]
    assert (match["name"], match["entity"].rsplit("/", 1)[1]) == ("Ann Lee Smith", "ann-lee")
    assert match["confidence"] >= 0.85
    assert result.review == []
    credited = "https://w3id.org/filmkg/id/credit/a-2001/ann-lee/cast-member"
    assert credited in result.assertions


def test_the_threshold_decides(tmp_path: Path) -> None:
    crew = "Carl, Dora, Ed, Fay, Gus, Hal, Ida"
    rows = [f'1,A,2001,X,"Ann Lee Smith, {crew}"', f'2,B,2002,Y,"Ann Lee, {crew}"']
    result = _run(tmp_path, rows, threshold=1.01)
    assert {"ann-lee-smith", "ann-lee"} <= _people(result)
    assert len(result.review) == 1


def test_names_in_one_record_are_two_people(tmp_path: Path) -> None:
    result = _run(tmp_path, ['1,A,2001,John Carroll Lynch,"John Carroll, Bob"'])
    assert {"john-carroll-lynch", "john-carroll"} <= _people(result)
    assert result.review == []
    assert result.report.of_kind("alias-match") == []


def test_a_son_is_not_his_father(tmp_path: Path) -> None:
    crew = "Carl, Dora, Ed, Fay, Gus, Hal, Ida"
    result = _run(
        tmp_path, [f'1,A,2001,X,"Vinny Vella Jr., {crew}"', f'2,B,2002,Y,"Vinny Vella, {crew}"']
    )
    assert {"vinny-vella-jr", "vinny-vella"} <= _people(result)


def test_homonymous_films_stay_two_and_duplicates_become_one(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        [
            '1,Swan Song,2021,Todd Stephens,"Udo Kier"',
            '2,Swan Song,2021,Benjamin Cleary,"Mahershala Ali"',
            '3,Love in a Puff,2010,Pang Ho-cheung,"Shawn Yue"',
            '4,Love In A Puff,2010,Pang Ho-cheung,"Shawn Yue"',
        ],
    )
    films = sorted(i.rsplit("/", 1)[1] for i, c in result.entities.items() if c == "Film")
    # the mapping gives no identity: the record tells the homonyms apart
    assert films == ["love-in-a-puff-2010", "swan-song-2021-row-1", "swan-song-2021-row-2"]
    assert [i.record for i in result.report.of_kind("homonym")] == ["row 1", "row 2"]
    assert [i.record for i in result.report.of_kind("duplicate-record")] == ["row 3", "row 4"]


def test_names_are_resolved_against_the_graph(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        ['1,Forrest Gump,1994,Robert Zemeckis,"Tom Hanks, Robin Wright Penn"'],
        reference=load_project(infer=False),
    )
    assert "https://w3id.org/filmkg/id/film/forrest-gump-1994" in result.entities
    assert "robin-wright-penn" not in _people(result)
    (match,) = [m for m in result.matches if m["method"].startswith("alias")]
    assert match["entity"] == "https://w3id.org/filmkg/id/person/robin-wright"
    assert "https://w3id.org/filmkg/id/film/forrest-gump-1994" in match["shared"]


def test_same_name_with_disjoint_careers_is_two_people_listed_for_review(tmp_path: Path) -> None:
    # Steve McQueen the actor (1960s) and Steve McQueen the director (2000s-2010s)
    result = _run(
        tmp_path,
        [
            '1,The Great Escape,1963,John Sturges,"Steve McQueen, James Garner"',
            '2,Bullitt,1968,Peter Yates,"Steve McQueen, Jacqueline Bisset"',
            '3,Hunger,2008,Steve McQueen,"Michael Fassbender"',
            '4,12 Years a Slave,2013,Steve McQueen,"Chiwetel Ejiofor, Michael Fassbender"',
        ],
    )
    assert {"steve-mcqueen", "steve-mcqueen-director-2008"} <= _people(result)
    credits = {a.split("/id/credit/", 1)[1] for a, c in result.assertions.items() if c == "Credit"}
    assert "bullitt-1968/steve-mcqueen/cast-member" in credits
    assert "12-years-a-slave-2013/steve-mcqueen-director-2008/director" in credits
    (review,) = result.review
    assert review["name"] == review["candidate"] == "Steve McQueen"
    assert review["iri"].endswith("/person/steve-mcqueen-director-2008")
    assert review["candidate_iri"].endswith("/person/steve-mcqueen")
    assert review["records"] == ["row 3", "row 4"]
    evidence = review["evidence"]
    assert evidence["gap_years"] == 40
    assert [
        (c["years"], [r.rsplit("/", 1)[1] for r in c["roles"]]) for c in evidence["careers"]
    ] == [
        ("1963–1968", ["cast-member"]),
        ("2008–2013", ["director"]),
    ]
    assert [f.rsplit("/", 1)[1] for f in evidence["careers"][1]["films"]] == [
        "12-years-a-slave-2013",
        "hunger-2008",
    ]
    issues = result.report.of_kind("homonym-person")
    assert [i.record for i in issues] == ["row 3", "row 4"]
    assert "40 years apart" in issues[0].detail


@pytest.mark.parametrize(
    "rows",
    [
        # acts and directs in the same years: one person
        ['1,A,1990,Tom Hanks,"Ann"', '2,B,1996,Zed,"Tom Hanks"'],
        # decades apart in different roles, but a shared co-worker: one person
        ['1,A,1960,Zed,"Sam Roe, Ann"', '2,B,2010,Sam Roe,"Ann"'],
        # decades apart in the same role: one long career
        ['1,A,1960,Zed,"Sam Roe"', '2,B,2010,Yan,"Sam Roe"'],
        # no year: nothing to tell the careers apart
        ['1,A,,Zed,"Sam Roe"', '2,B,2010,Sam Roe,"Bob"'],
    ],
)
def test_one_career_stays_one_person(tmp_path: Path, rows: list[str]) -> None:
    result = _run(tmp_path, rows)
    assert result.review == []
    assert result.report.of_kind("homonym-person") == []


def _source(tmp_path: Path, source_id: str, rows: list[str]) -> Path:
    folder = tmp_path / source_id
    folder.mkdir()
    text = MAPPING.read_text(encoding="utf-8").replace('id = "my-films"', f'id = "{source_id}"')
    (folder / "my-films.toml").write_text(text, encoding="utf-8")
    (folder / "my-films.csv").write_text(
        "id,title,year,director,cast,genres\n" + "\n".join(f"{r}," for r in rows) + "\n",
        encoding="utf-8",
    )
    return folder


def test_a_film_matches_across_sources_with_years_one_apart(tmp_path: Path) -> None:
    kg = KnowledgeGraph()
    first = _source(tmp_path, "first", ['1,Cast Away,2000,Robert Zemeckis,"Tom Hanks, Helen Hunt"'])
    second = _source(
        tmp_path,
        "second",
        [
            '1,Cast Away,2001,Robert Zemeckis,"Helen Hunt"',  # premiere year vs release year
            '2,Cast Away,2001,Someone Else,"Nobody"',  # a year apart, no one shared: not it
        ],
    )
    import_into(kg, first, load_mapping(first / "my-films.toml"), infer=False)
    result = import_into(kg, second, load_mapping(second / "my-films.toml"), infer=False)
    films = sorted(i.rsplit("/", 1)[1] for i, c in result.entities.items() if c == "Film")
    # the two 2001 records are homonyms in their source; the one sharing people is the
    # graph's film of 2000
    assert films == ["cast-away-2000", "cast-away-2001-row-2"]
    assert "https://w3id.org/filmkg/id/credit/cast-away-2000/helen-hunt/cast-member" in (
        result.assertions
    )
    assert "https://w3id.org/filmkg/id/credit/cast-away-2001-row-2/nobody/cast-member" in (
        result.assertions
    )
    (issue,) = result.report.of_kind("near-year-match")
    assert (issue.record, issue.value, issue.action) == (
        "row 1",
        "2001",
        "one film: Cast Away (2000)",
    )
    assert issue.detail == "years differ by one; shared: helen hunt, robert zemeckis"
    (match,) = [m for m in result.matches if m["method"].startswith("same title")]
    assert match["entity"] == "https://w3id.org/filmkg/id/film/cast-away-2000"
    rows = kg.select(
        sparql_prefixes()
        + "SELECT ?y WHERE { ?r a filmkg:Release ; filmkg:work kg:film\\/cast-away-2000 ; "
        "filmkg:releaseYear ?y } ORDER BY ?y"
    ).rows
    assert [str(r[0]) for r in rows] == ["2000", "2001"]  # each source's year, with its evidence


def test_link_one_mention_to_the_graph_with_a_confidence() -> None:
    from filmkg.importers.linking import link
    from filmkg.importers.resolution import ReferenceIndex

    index = ReferenceIndex.from_graph(load_project(infer=False))
    kg = "https://w3id.org/filmkg/id/"
    plain = link("Robin Wright Penn", "Person", index)
    assert plain is not None
    with_context = link("Robin Wright Penn", "Person", index, context=["Forrest Gump", "Tom Hanks"])
    assert with_context is not None
    assert with_context.iri == plain.iri == kg + "person/robin-wright"
    assert plain.confidence == 0.55  # the alias rule's base, with nothing shared
    assert with_context.confidence == 0.82  # a shared film and a co-worker: 0.55 + 0.45 × 0.6
    assert kg + "film/forrest-gump-1994" in with_context.shared
    assert link("Tom Hanks Jr.", "Person", index) is None  # a son is not his father
    assert link("Nobody Known", "Person", index) is None
    here = link("Here", "Film", index, year="2023", context=["Robert Zemeckis"])
    assert here is not None
    assert (here.iri, here.method) == (
        kg + "film/here-2024",
        "same title, year one apart, a shared person",
    )
    assert link("Here", "Film", index, year="2023") is None  # a year apart, nothing shared
    assert link("Here", "Film", index, year="2024").confidence == 0.9  # type: ignore[union-attr]
    miramax = link("MIRAMAX", "Organisation", index)
    assert miramax is not None
    assert (miramax.iri, miramax.confidence) == (kg + "org/miramax", 0.95)


def test_a_namesake_of_the_graph_with_another_career_stays_apart(tmp_path: Path) -> None:
    kg = KnowledgeGraph()
    actor = _source(
        tmp_path,
        "actor",
        [
            '1,The Great Escape,1963,John Sturges,"Steve McQueen, James Garner"',
            '2,Bullitt,1968,Peter Yates,"Steve McQueen, Jacqueline Bisset"',
        ],
    )
    later = _source(
        tmp_path,
        "later",
        [
            '1,Hunger,2008,Steve McQueen,"Michael Fassbender"',  # the director
            '2,Nevada Smith,1966,Henry Hathaway,"Steve McQueen, Karl Malden"',  # the actor
        ],
    )
    import_into(kg, actor, load_mapping(actor / "my-films.toml"), infer=False)
    result = import_into(kg, later, load_mapping(later / "my-films.toml"), infer=False)
    credits = {a.split("/id/credit/", 1)[1] for a, c in result.assertions.items() if c == "Credit"}
    assert "nevada-smith-1966/steve-mcqueen/cast-member" in credits  # the graph's actor
    assert "hunger-2008/steve-mcqueen-director-2008/director" in credits
    (review,) = result.review
    assert (review["iri"].rsplit("/", 1)[1], review["candidate_iri"].rsplit("/", 1)[1]) == (
        "steve-mcqueen-director-2008",
        "steve-mcqueen",
    )
    first, other = review["evidence"]["careers"]
    assert (first["years"], other["years"], review["evidence"]["gap_years"]) == (
        "1963–1968",
        "2008",
        40,
    )
