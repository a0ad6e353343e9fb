"""Query results: one type for every engine (rdflib, pyoxigraph, remote endpoints).

>>> from rdflib import Literal
>>> r = QueryResult(("name",), [(Literal("Tom Hanks"),)])
>>> r.as_dicts()
[{'name': 'Tom Hanks'}]
>>> len(r)
1
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Literal

from filmkg.terms import RdfTerm

__all__ = ["QueryResult", "Row", "plain"]

Row = tuple[RdfTerm | None, ...]


def plain(term: RdfTerm | None) -> object:
    """The plain Python value of a term: str for IRIs and strings, int, date…

    >>> plain(Literal(30))
    30
    >>> from rdflib import URIRef
    >>> plain(URIRef("https://e.org/x"))
    'https://e.org/x'
    >>> plain(None) is None
    True
    """
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return str(term)


@dataclass(frozen=True)
class QueryResult:
    """The rows of a SELECT query, in the order the query gives.

    ``variables`` are the projected variable names; each row holds one rdflib term (or
    ``None`` when unbound) per variable.
    """

    variables: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def as_dicts(self) -> list[dict[str, object]]:
        """Rows as a list of dicts of plain Python values (unbound variables left out)."""
        return [
            {v: plain(t) for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]

    def column(self, name: str) -> list[RdfTerm | None]:
        """The terms of one variable, row by row."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(v)}</th>" for v in self.variables)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(plain(t) or ''))}</td>" for t in row) + "</tr>"
            for row in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
