"""Precision and recall of a run against a labelled set (``filmkg reconcile --gold``).

The labelled set is a TSV file: ``entity`` and ``item`` columns, one entity a line; an
empty item (or ``none``) says the entity has no item at the endpoint, so any match of
it is wrong. Entities the set does not list are not counted.

>>> g = parse_gold("entity\\titem\\nhttps://e.org/a\\thttp://www.wikidata.org/entity/Q1\\nhttps://e.org/b\\tnone\\n")
>>> g["https://e.org/b"] is None
True
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from filmkg.errors import ParseError, SourceNotFoundError
from filmkg.reconcile.run import Run

__all__ = ["Scores", "evaluate", "parse_gold", "read_gold"]


@dataclass(frozen=True)
class Scores:
    """Counts and rates of a run against the labelled set."""

    matched: int  # matches of labelled entities
    correct: int  # of those, the labelled item
    expected: int  # labelled entities that have an item
    reviewed: int  # labelled entities left for review

    @property
    def precision(self) -> float:
        """Correct matches among the matches (1.0 when nothing was matched)."""
        return self.correct / self.matched if self.matched else 1.0

    @property
    def recall(self) -> float:
        """Correct matches among the entities that have an item."""
        return self.correct / self.expected if self.expected else 1.0

    def line(self) -> str:
        """One line for the terminal.

        >>> Scores(4, 3, 5, 1).line()
        'precision 0.75 (3/4), recall 0.60 (3/5), 1 left for review'
        """
        return (
            f"precision {self.precision:.2f} ({self.correct}/{self.matched}), "
            f"recall {self.recall:.2f} ({self.correct}/{self.expected}), "
            f"{self.reviewed} left for review"
        )


def parse_gold(text: str, path: str = "<gold>") -> dict[str, str | None]:
    """entity → item (None: no item) from the TSV ``text``."""
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not rows or [c.strip() for c in rows[0][:2]] != ["entity", "item"]:
        raise ParseError("the labelled set needs a header line: entity<TAB>item", path=path, line=1)
    gold: dict[str, str | None] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip() or row[0].startswith("#"):
            continue
        if len(row) < 2:
            raise ParseError(
                "expected two tab-separated columns: entity, item", path=path, line=number
            )
        item = row[1].strip()
        gold[row[0].strip()] = None if item in ("", "none") else item
    return gold


def read_gold(path: Path) -> dict[str, str | None]:
    """The labelled set in the file ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceNotFoundError(f"{path}: no such file", hint="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceNotFoundError(f"{path}: cannot read the labelled set ({exc})") from None
    return parse_gold(text, str(path))


def evaluate(run: Run, gold: Mapping[str, str | None]) -> Scores:
    """How ``run``'s decisions compare with the labelled set ``gold``."""
    matched = correct = reviewed = 0
    for decision in run.decisions:
        if decision.entity.iri not in gold:
            continue
        if decision.match is not None:
            matched += 1
            correct += decision.match.item == gold[decision.entity.iri]
        elif decision.review:
            reviewed += 1
    expected = sum(1 for item in gold.values() if item is not None)
    return Scores(matched, correct, expected, reviewed)
