"""Entity resolution rules (filmkg.importers.resolution), on tiny CSVs mapped like docs/import.md."""

from __future__ import annotations

import shutil
from pathlib import Path

from filmkg.build.project import load_project
from filmkg.importers.mapping import load_mapping
from filmkg.importers.pipeline import ImportResult, import_source

MAPPING = Path(__file__).resolve().parent / "data" / "import" / "my-films.toml"


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
