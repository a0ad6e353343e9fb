"""Mistakes in mappings and dirty values in sources: one clear line, exit 2, nothing made up.

Each mistake class of a mapping (unknown column, missing column, unknown class or
property, unknown vocabulary term, a mapping that makes no films) is reported before
anything is written, with the mapping file, the table and a suggestion.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.cli import main

REPO = Path(__file__).resolve().parents[1]
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
    ],
)
def test_dataset_values_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
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
