"""docs/import.md: its example files are the ones in tests/data/import, and running the
example gives the output the document shows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from filmkg.cli import main

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "import.md"
BLOCK = re.compile(r"<!-- example: (\S+) -->\n```\w+\n(.*?)```", re.S)


def test_the_documented_files_are_the_test_files() -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert [name for name, _ in blocks] == [
        "tests/data/import/my-films.csv",
        "tests/data/import/my-films.toml",
        "tests/data/import/top-films.toml",
    ]
    for name, text in blocks:
        assert (REPO / name).read_text(encoding="utf-8") == text


def test_the_documented_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("my-films.csv", "my-films.toml"):
        shutil.copy(REPO / "tests" / "data" / "import" / name, tmp_path / name)
    out = tmp_path / "out" / "my-films.nq"
    code = main([
        "import", str(tmp_path), "--mapping", str(tmp_path / "my-films.toml"), "-o", str(out),
    ])  # fmt: skip
    assert code == 0
    shown = re.search(r"\$ filmkg import .*\n(imported .*)\n", DOC.read_text(encoding="utf-8"))
    assert shown is not None
    assert capsys.readouterr().err.strip() == shown.group(1)
    report = (tmp_path / "out" / "my-films.quality.md").read_text(encoding="utf-8")
    assert "| row 2 | cast | . | not imported |" in report
    assert (
        "| row 3 | cast | Tom Hanks, Aaron Eckhart, Laura Linney, | empty item dropped |" in report
    )
    quads = out.read_text(encoding="utf-8")
    assert "<https://w3id.org/filmkg/id/credit/sully-2016/tom-hanks/cast-member>" in quads
    assert quads.splitlines() == sorted(quads.splitlines())


def test_a_mistake_in_a_mapping_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = (REPO / "tests" / "data" / "import" / "my-films.toml").read_text(encoding="utf-8")
    (tmp_path / "bad.toml").write_text(mapping.replace('"Film"', '"Flim"'), encoding="utf-8")
    code = main(
        ["import", str(REPO / "tests" / "data" / "import"), "-m", str(tmp_path / "bad.toml")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown class 'Flim' in the filmkg ontology; did you mean 'Film'?" in err
    assert err.startswith("filmkg: error: ")


def test_toml_syntax_errors_name_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.toml").write_text('[source]\nid = "x\n', encoding="utf-8")
    assert main(["import", str(tmp_path), "-m", str(tmp_path / "bad.toml")]) == 2
    assert f"{tmp_path / 'bad.toml'}:2:" in capsys.readouterr().err


def test_the_property_table_is_generated_from_the_ontology() -> None:
    from filmkg.importers.properties import BEGIN, END, property_table

    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1
    shown = text.split(BEGIN + "\n", 1)[1].split(END, 1)[0]
    assert shown == property_table(), (
        "docs/import.md's property table is stale; regenerate it with  PYTHONPATH=src python "
        "-c \"from filmkg.importers.properties import update_doc; update_doc('docs/import.md')\""
    )
    assert (
        "| `BoxOffice` | **`amount`**, **`currency`**, **`evidence`**, `note`, **`work`** |"
        in shown
    )
    assert "| `duration` | xsd:duration | schema:duration, wdt:P2047 |" in shown
    assert "`director`" not in shown  # derived by the rules, never mapped
