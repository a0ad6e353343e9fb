"""Data-quality reports of imports: every problem found in a source, with its record.

An import never crashes on dirty data and never drops a value silently: each problem
becomes an :class:`Issue` (what kind, which record and field, the raw value, what the
import did about it). :class:`QualityReport` sorts them and writes JSON and Markdown,
byte-identical for the same input.

>>> r = QualityReport("demo", [Issue("empty-list-item", "s2", "country", ", France", "dropped"),
...                            Issue("duplicate-record", "s1", "title", "X", "merged")])
>>> [i.record for i in r.issues]
['s1', 's2']
>>> r.counts()
{'duplicate-record': 1, 'empty-list-item': 1}
>>> print(r.to_markdown().splitlines()[0])
# Data-quality report: demo
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

__all__ = ["KINDS", "Issue", "QualityReport"]

#: The kinds of problem an import reports, with what each one means.
KINDS: dict[str, str] = {
    "alias-match": "a name taken to be another spelling of a known person (merged, see matches)",
    "alias-review": "a possible alias below the confidence threshold (kept apart, see review)",
    "bad-value": "a value that does not fit the property's datatype (not imported)",
    "duplicate-record": "the same film listed twice in the source (merged into one film)",
    "duration-in-rating": "a duration in the rating column (rating not trusted)",
    "empty-list-item": "an empty item in a list field, from a stray separator (dropped)",
    "homonym": "different films with the same title and year (kept apart)",
    "homonym-person": "one name, two careers decades apart with nothing shared (kept apart)",
    "incomplete-assertion": "an assertion that lost a value it needs, such as a release whose "
    "year is not a year (not imported)",
    "mangled-duplicate-title": "the same film under a mangled title (merged into one film)",
    "missing-field": "a field the mapping reads that no record of the source has (nothing read)",
    "near-year-match": "a film of the graph: same title, a year apart, a shared person (one film)",
    "name-variant": "one person spelled several ways (one person; the spellings kept as labels)",
    "not-a-name": "a list item that is not a name, such as '.' or '(voices)' (not imported)",
    "parenthetical-in-name": "a name with a note in parentheses (the note left out of the name)",
    "role-in-name": "a role inside a cast list, such as '(screenwriter)' (credited in that role)",
    "schema-statement": "a Cypher CREATE CONSTRAINT / INDEX statement (makes no data; skipped)",
    "unused-map": "a map of the mapping whose where no record of the source matches (nothing made)",
    "unmapped-record": "a record that no map of the mapping takes (not imported)",
}


@dataclass(frozen=True, order=True)
class Issue:
    """One problem: its kind, the source record, field and raw value, and the action taken."""

    kind: str
    record: str
    field: str
    value: str
    action: str
    detail: str = ""


def _record_key(record: str) -> tuple[object, ...]:
    # natural order: "s9" before "s10", "line 9" before "line 10"

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", record))


class QualityReport:
    """The sorted problems of one import."""

    def __init__(self, source: str, issues: Iterable[Issue]) -> None:
        self.source = source
        self.issues = sorted(
            set(issues),
            key=lambda i: (i.kind, _record_key(i.record), i.field, i.value, i.action, i.detail),
        )

    def counts(self) -> dict[str, int]:
        """How many issues of each kind, by kind."""
        return dict(sorted(Counter(i.kind for i in self.issues).items()))

    def of_kind(self, kind: str) -> list[Issue]:
        """The issues of one kind."""
        return [i for i in self.issues if i.kind == kind]

    def to_json(self) -> str:
        """The report as JSON (sorted keys, one issue per array item)."""
        data = {
            "source": self.source,
            "counts": self.counts(),
            "kinds": {k: KINDS.get(k, "") for k in self.counts()},
            "issues": [asdict(i) for i in self.issues],
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    def to_markdown(self) -> str:
        """The report as Markdown: a summary table, then every issue by kind."""
        lines = [f"# Data-quality report: {self.source}", ""]
        if not self.issues:
            return "\n".join([*lines, "No problems found.", ""])
        lines += ["| kind | count | meaning |", "| --- | ---: | --- |"]
        lines += [f"| {k} | {n} | {KINDS.get(k, '')} |" for k, n in self.counts().items()]
        for kind in self.counts():
            lines += ["", f"## {kind}", "", "| record | field | value | action | detail |"]
            lines.append("| --- | --- | --- | --- | --- |")
            for i in self.of_kind(kind):
                cells = [i.record, i.field, i.value, i.action, i.detail]
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    short = text if len(text) <= 160 else text[:157] + "…"
    return " ".join(short.replace("|", "\\|").split()) or " "
