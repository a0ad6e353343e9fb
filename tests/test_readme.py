"""The README's examples run and give the answers it shows."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from filmkg.cli import COMMANDS, main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_first_example_output_matches(capsys) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ filmkg stats\n(.*?)```", text, re.S)
    assert block, "the README's first example is missing"
    assert main(["stats"]) == 0
    assert capsys.readouterr().out == block[1]


def test_python_examples_run() -> None:
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4
    assert result.failed == 0


def test_every_command_is_documented_with_help(capsys) -> None:
    text = README.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"`filmkg {name}" in text, f"README does not document `filmkg {name}`"
        assert main([name, "--help"]) == 0
        assert "Usage:" in capsys.readouterr().out


EXCERPT = re.compile(
    r"<!-- framed-excerpt:start -->\n```json\n(.*?)```\n<!-- framed-excerpt:end -->", re.S
)
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```\w+\n(.*?)```", re.S)


def test_framed_jsonld_excerpt_is_the_checked_one() -> None:
    """The README's framed excerpt is docs/exports.md's, which test_export checks against
    the real output."""
    readme = EXCERPT.search(README.read_text(encoding="utf-8"))
    docs = EXCERPT.search((README.parent / "docs" / "exports.md").read_text(encoding="utf-8"))
    assert readme
    assert docs
    assert readme[1] == docs[1]
    assert '"id": "kg:film/here-2024"' in readme[1]


def test_mapping_example_is_the_tested_one() -> None:
    """The README's own-CSV example is exactly the files tests/importers/test_import_docs.py runs."""
    blocks = EXAMPLE.findall(README.read_text(encoding="utf-8"))
    assert [name for name, _ in blocks] == [
        "tests/data/import/my-films.csv",
        "tests/data/import/my-films.toml",
    ]
    for name, text in blocks:
        assert (README.parent / name).read_text(encoding="utf-8") == text


def test_readme_sections_required_by_the_issues() -> None:
    text = README.read_text(encoding="utf-8")
    for heading in ("## Use with a triple store", "## The collaboration network", "## Exports"):
        assert heading in text
    assert "![" in text
    assert "(docs/images/here-people.svg)" in text
    assert (README.parent / "docs" / "images" / "here-people.svg").is_file()
