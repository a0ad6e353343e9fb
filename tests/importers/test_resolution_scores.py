"""Precision and recall of entity resolution on the labelled fixtures in
tests/data/resolution: the figures docs/import.md shows are the ones the rules give."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.errors import ParseError
from filmkg.importers.evaluation import BEGIN, END, evaluate, scores_table

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "data" / "resolution"
DOC = REPO / "docs" / "import.md"


def test_the_documented_scores_are_computed_from_the_fixtures() -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = text.split(BEGIN + "\n", 1)[1].split(END, 1)[0]
    assert shown == scores_table(FIXTURES), (
        "docs/import.md's resolution scores are stale: paste the output of "
        "filmkg.importers.evaluation.scores_table(Path('tests/data/resolution'))"
    )


def test_each_case_set_scores_what_the_rules_promise() -> None:
    mapping = FIXTURES / "mapping.toml"
    homonyms = evaluate(FIXTURES / "homonyms", mapping)
    # the two Alex Morgans (both actors) are the one pair wrongly made one; both Steve
    # McQueens stay apart, within a source and across the two
    assert (homonyms["people"].fp, homonyms["people"].fn) == (1, 0)
    for name in ("near-misses", "true-matches"):
        scores = evaluate(FIXTURES / name, mapping)
        assert (scores["people"].fp, scores["people"].fn) == (0, 0), name
        assert (scores["films"].fp, scores["films"].fn) == (0, 0), name


def test_a_truth_row_the_import_did_not_make_is_an_error(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    (case / "a.csv").write_text(
        "id,title,year,director,cast,genres\n1,A,2001,X,Y,\n", encoding="utf-8"
    )
    (case / "truth.csv").write_text(
        "source,record,kind,name,truth\na,row 1,cast,Zed,zed\n", encoding="utf-8"
    )
    with pytest.raises(ParseError, match="no cast 'Zed' was imported from a row 1"):
        evaluate(case, FIXTURES / "mapping.toml")
