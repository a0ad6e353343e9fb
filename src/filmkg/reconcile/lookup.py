"""Asking the endpoint: batched queries, and a checkpoint that makes a run resumable.

Every query is one of the package's ``.rq`` files, a template whose ``VALUES`` slots are
filled by the one query builder (:mod:`filmkg.sparql.builder`) with terms written by the
strict serialiser: a name with quotes, braces or a ``}`` is one term, never query text.
Each answer is kept in a :class:`Checkpoint` (JSON Lines, one synced line per answer)
under the digest of the query text, so a run that is interrupted and started
again sends only the batches it has no answer for, and ends with the same answers (and
the same matches) as one that was never interrupted.

>>> batches(["c", "a", "b"], 2)
[['a', 'b'], ['c']]
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from filmkg.errors import InputError
from filmkg.io.fileio import atomic_write_text
from filmkg.rdf.convert import RdfTerm
from filmkg.sparql.builder import join, template, term
from filmkg.sparql.catalogue import Executor
from filmkg.sparql.results import QueryResult, Row

__all__ = ["Checkpoint", "Progress", "ask", "batches", "query_text"]

T = TypeVar("T")

#: The checkpoint format; a checkpoint of another version is ignored (started afresh).
CHECKPOINT_VERSION = 2


def query_text(name: str) -> str:
    """The text of the package query ``name`` (``candidates``, ``credits`` …)."""
    return (Path(__file__).parent / f"{name}.rq").read_text(encoding="utf-8")


def batches(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` sorted and cut into lists of at most ``size`` (the last may be shorter)."""
    ordered = sorted(items)  # type: ignore[type-var]
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _term_json(term: RdfTerm | None) -> Any:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"uri": str(term)}
    if isinstance(term, BNode):
        return {"bnode": str(term)}
    assert isinstance(term, Literal)
    out: dict[str, str] = {"literal": str(term)}
    if term.language:
        out["lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def _json_term(value: Any) -> RdfTerm | None:
    if value is None:
        return None
    if "uri" in value:
        return URIRef(value["uri"])
    if "bnode" in value:
        return BNode(value["bnode"])
    datatype = value.get("datatype")
    return Literal(
        value["literal"],
        lang=value.get("lang"),
        datatype=URIRef(datatype) if datatype else None,
        normalize=False,
    )


@dataclass
class Checkpoint:
    """The answers received so far, kept in ``path`` (``None``: in memory only).

    The file is JSON Lines: a header naming the run (``key``: the endpoint and its
    dataset; a checkpoint left by another run is not reused), then one line per answer,
    appended and synced when it arrives, so saving stays cheap however long the run.
    A kill can only cut the last line short: that line is dropped when the checkpoint is
    opened again (the rest is rewritten atomically), and its batch is asked again.
    """

    path: Path | None
    key: str
    answers: dict[str, QueryResult] = field(default_factory=dict)
    resumed: int = 0
    started: bool = False  # the file holds this run's header

    @classmethod
    def open(cls, path: Path | None, key: str) -> Checkpoint:
        """The checkpoint at ``path`` if it belongs to this run, else a new empty one."""
        checkpoint = cls(path, key)
        if path is None:
            return checkpoint
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        records = [_record(line) for line in lines]
        whole = records[:-1] + ([records[-1]] if records and records[-1] is not None else [])
        header = whole[0] if whole else None
        if (
            header is None
            or header.get("version") != CHECKPOINT_VERSION
            or header.get("key") != key
        ):
            return checkpoint  # another run's (or none): replaced at the first answer
        try:
            for record in whole[1:]:
                assert record is not None
                rows = [tuple(_json_term(v) for v in row) for row in record["rows"]]
                checkpoint.answers[record["digest"]] = QueryResult(tuple(record["variables"]), rows)
        except (AssertionError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(
                f"{path}: a damaged reconciliation checkpoint ({type(exc).__name__})",
                hint="delete it to start the run afresh",
            ) from None
        if len(whole) != len(records):
            checkpoint._rewrite(whole[1:])  # drop the line a kill cut short
        checkpoint.started = True
        checkpoint.resumed = len(checkpoint.answers)
        return checkpoint

    def _rewrite(self, records: list[Any]) -> None:
        assert self.path is not None
        header = {"version": CHECKPOINT_VERSION, "key": self.key}
        lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in [header, *records]]
        atomic_write_text(self.path, "".join(line + "\n" for line in lines))
        self.started = True

    def save(self, digest: str) -> None:
        """Append the answer ``digest`` to the file, synced before the run goes on."""
        if self.path is None:
            return
        if not self.started:
            self._rewrite([])
        result = self.answers[digest]
        record = {
            "digest": digest,
            "variables": list(result.variables),
            "rows": [[_term_json(t) for t in row] for row in result.rows],
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def remove(self) -> None:
        """Delete the checkpoint file (the run is complete)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _record(line: str) -> Any:
    """One line of a checkpoint, or None when it is not whole JSON (cut short by a kill)."""
    try:
        return json.loads(line)
    except ValueError:
        return None


@dataclass
class Progress:
    """Counts of a run's requests, for the progress display and the summary."""

    sent: int = 0
    reused: int = 0


def ask(
    endpoint: Executor,
    checkpoint: Checkpoint,
    name: str,
    values: Mapping[str, Sequence[Node]],
    progress: Progress,
) -> Iterator[Row]:
    """The rows of query ``name`` with ``values`` bound: from the checkpoint when this very
    query was answered before, else from the endpoint (then saved)."""
    slots = {slot: join((term(t) for t in terms), " ") for slot, terms in values.items()}
    text = str(template("filmkg.reconcile", f"{name}.rq")(**slots))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    result = checkpoint.answers.get(digest)
    if result is None:
        result = endpoint.select(text)
        checkpoint.answers[digest] = result
        checkpoint.save(digest)
        progress.sent += 1
    else:
        progress.reused += 1
    variables = list(result.variables)
    wanted = _variables(query_text(name))
    index = [variables.index(v) if v in variables else None for v in wanted]
    for row in result.rows:
        yield tuple(row[i] if i is not None else None for i in index)


def _variables(text: str) -> list[str]:
    """The projected variables of a package query (its ``SELECT`` line)."""
    line = next(ln for ln in text.splitlines() if ln.startswith("SELECT"))
    return [w[1:] for w in line.split() if w.startswith("?")]
