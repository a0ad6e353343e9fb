"""The README's examples run and give the answers it shows."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from filmkg.cli import COMMANDS, main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_first_example_output_matches(capsys) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ \.venv/bin/filmkg stats\n(.*?)```", text, re.S)
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
