"""Precision and recall of entity resolution on labelled fixtures.

A case set is a folder of sources (``a.csv``, ``b.csv`` … imported in that order into one
graph with one mapping) and ``truth.csv``, which names for every mention
(``source,record,kind,name``; kind ``film``, ``director`` or ``cast``) the entity it
truly denotes. :func:`evaluate` imports the set as ``filmkg import --into`` would and
compares, pair by pair, which mentions were made one entity with which truly are one:

* precision = pairs made one that truly are one / pairs made one;
* recall = pairs made one that truly are one / pairs that truly are one.

People and films are scored apart (a person is never paired with a film). The figures in
``docs/import.md`` come from this function on ``tests/data/resolution`` (a test checks
them), so the document cannot drift from the rules.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParseError
from filmkg.importers.mapping import fold, parse_mapping
from filmkg.importers.pipeline import import_into
from filmkg.rdf.namespaces import KG, sparql_prefixes

__all__ = ["BEGIN", "END", "PrecisionRecall", "Scores", "evaluate", "score_pairs", "scores_table"]

_QUERY = Path(__file__).with_name("evaluation.rq")
_ROLES = {"director": "director", "cast": "cast-member"}


class PrecisionRecall:
    """``precision`` and ``recall`` of counts ``tp``, ``fp``, ``fn`` (a dataclass's fields).

    >>> Scores(3, 1, 0).precision, Scores(3, 1, 0).recall, Scores(0, 0, 0).precision
    (0.75, 1.0, 1.0)
    """

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was proposed."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass(frozen=True)
class Scores(PrecisionRecall):
    """Pair counts of one comparison: true positives, false positives, false negatives."""

    tp: int
    fp: int
    fn: int

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def score_pairs(truth: list[str], predicted: list[str]) -> Scores:
    """Score mention ``i`` truly being ``truth[i]`` and resolved to ``predicted[i]``.

    >>> s = score_pairs(["x", "x", "y"], ["A", "B", "B"])
    >>> (s.tp, s.fp, s.fn), s.precision, s.recall
    ((0, 1, 1), 0.0, 0.0)
    >>> score_pairs(["x", "x", "y"], ["A", "A", "B"]).precision
    1.0
    """
    tp = fp = fn = 0
    for i, j in combinations(range(len(truth)), 2):
        same_truth, same_predicted = truth[i] == truth[j], predicted[i] == predicted[j]
        tp += same_truth and same_predicted
        fp += same_predicted and not same_truth
        fn += same_truth and not same_predicted
    return Scores(tp, fp, fn)


def evaluate(folder: Path, mapping: Path) -> dict[str, Scores]:
    """Import the case set in ``folder`` with ``mapping``; the scores of people and films."""
    kg = KnowledgeGraph()
    text = mapping.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted(folder.glob("*.csv")):
            if source.name == "truth.csv":
                continue
            work = Path(tmp) / source.stem
            work.mkdir()
            shutil.copy(source, work / "films.csv")
            parsed = parse_mapping(
                text.replace('id = "labelled"', f'id = "labelled-{source.stem}"'),
                path=str(mapping),
            )
            import_into(kg, work, parsed, infer=False)
    return _compare(folder / "truth.csv", _resolved(kg))


def _resolved(kg: KnowledgeGraph) -> dict[tuple[str, str, str, str], str]:
    """(source, record, kind, folded name) → IRI, from the credits the imports made."""
    out: dict[tuple[str, str, str, str], str] = {}
    for row in kg.select(sparql_prefixes() + _QUERY.read_text(encoding="utf-8")).as_dicts():
        source = str(row["source"]).rsplit("labelled-", 1)[-1]
        record, role = str(row["record"]), str(row["role"]).rsplit("/", 1)[-1]
        kind = next((k for k, r in _ROLES.items() if r == role), role)
        out[(source, record, kind, fold(str(row["name"])))] = str(row["agent"])
        out[(source, record, "film", "")] = str(row["work"])
    return out


def _compare(truth_file: Path, resolved: dict[tuple[str, str, str, str], str]) -> dict[str, Scores]:
    truth: dict[str, list[str]] = defaultdict(list)
    predicted: dict[str, list[str]] = defaultdict(list)
    with truth_file.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            kind = row["kind"]
            key = (row["source"], row["record"], kind, "" if kind == "film" else fold(row["name"]))
            if key not in resolved:
                raise ParseError(
                    f"no {kind} {row['name']!r} was imported from {row['source']} {row['record']}",
                    path=str(truth_file),
                    line=line,
                )
            group = "films" if kind == "film" else "people"
            truth[group].append(row["truth"])
            predicted[group].append(resolved[key].removeprefix(str(KG)))
    return {group: score_pairs(truth[group], predicted[group]) for group in sorted(truth)}


BEGIN = "<!-- resolution scores: generated by filmkg.importers.evaluation.scores_table -->"
END = "<!-- end of resolution scores -->"


def scores_table(base: Path) -> str:
    """The Markdown table of the scores of every case set under ``base``, and their sum."""
    lines = [
        "| case set | people: precision | people: recall | films: precision | films: recall "
        "| pairs (people, films) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    total = {"people": Scores(0, 0, 0), "films": Scores(0, 0, 0)}
    for folder in sorted(p for p in base.iterdir() if (p / "truth.csv").is_file()):
        scores = evaluate(folder, base / "mapping.toml")
        lines.append(_row(f"`{folder.name}`", scores))
        total = {k: total[k] + scores.get(k, Scores(0, 0, 0)) for k in total}
    lines.append(_row("all", total))
    return "\n".join(lines) + "\n"


def _row(name: str, scores: dict[str, Scores]) -> str:
    p, f = scores.get("people", Scores(0, 0, 0)), scores.get("films", Scores(0, 0, 0))
    return (
        f"| {name} | {p.precision:.2f} | {p.recall:.2f} | {f.precision:.2f} | {f.recall:.2f} "
        f"| {p.tp + p.fn} / {f.tp + f.fn} truly one; {p.fp} / {f.fp} wrongly one |"
    )
