"""Columnar copies of a few predicates of a graph, for whole-graph analytics.

Reading a term out of an on-disk Oxigraph store costs a RocksDB lookup (≈ 5–10 µs): the
credits of a 1M-triple graph (110k credits, their agents, works, roles and types) take
≈ 5 s to read, whatever the query form, and the whole-graph analytics of
:mod:`filmkg.network.analytics` need them at every call. :func:`tables` reads the
predicates (and the members of the classes) it is asked for in one streaming pass over
the store's indexes, as integer-coded columns — each distinct term once, as its
N-Triples text — and, for an on-disk store, keeps them in ``filmkg-tables.npz`` inside
the store's folder, next to RocksDB's own files. The copy is keyed by a fingerprint of
those files (name, size, modification time): any write to the store changes the
write-ahead log or the table files, so a stale copy is never used, and the next call
reads the store again. NumPy's format is read with ``allow_pickle=False``: a store from
elsewhere cannot run code through it. A folder that cannot be written (a read-only
medium) just gets no copy.

>>> from rdflib import URIRef
>>> from filmkg.engines.store import KnowledgeGraph
>>> e = "https://e.org/"
>>> kg = KnowledgeGraph()
>>> kg.add_triples(e + "g", [(URIRef(e + "c"), URIRef(e + "agent"), URIRef(e + "p"))])
>>> t = tables(kg, predicates=(e + "agent",), classes=())
>>> [t.terms[i] for i in t.edges[e + "agent"][0]], [t.terms[i] for i in t.edges[e + "agent"][1]]
(['<https://e.org/c>'], ['<https://e.org/p>'])
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox

from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import OutputError
from filmkg.io import progress
from filmkg.io.fileio import atomic_write_bytes
from filmkg.rdf.convert import RdfTerm, to_rdflib

__all__ = ["CACHE_NAME", "Tables", "tables", "term_from_text"]

#: The file, inside an on-disk store's folder, that keeps the columns between calls.
CACHE_NAME = "filmkg-tables.npz"

_FORMAT = 1
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

Ids = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Tables:
    """Integer-coded columns: ``terms[i]`` is the N-Triples text of term ``i``;
    ``edges[p]`` the (subjects, objects) of predicate ``p``, each pair once, whatever
    the graphs that state it; ``members[c]`` the subjects typed ``c`` (``rdf:type``)."""

    terms: list[str]
    edges: dict[str, tuple[Ids, Ids]]
    members: dict[str, Ids]
    _ids: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def id_of(self, text: str) -> int | None:
        """The id of the term whose N-Triples text is ``text`` (``<iri>``), if any."""
        if not self._ids:
            self._ids.update((t, i) for i, t in enumerate(self.terms))
        return self._ids.get(text)

    def node(self, i: int) -> RdfTerm:
        """Term ``i`` as an rdflib term (as :meth:`KnowledgeGraph.select` gives it)."""
        return to_rdflib(term_from_text(self.terms[i]))


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_LITERAL = re.compile(r'"(?P<value>(?:[^"\\]|\\.)*)"(?:@(?P<lang>[^@^]+)|\^\^<(?P<dt>[^>]*)>)?\Z')


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _SIMPLE.get(m.group(3), m.group(0))

    return _ESCAPE.sub(one, text) if "\\" in text else text


def term_from_text(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term of an N-Triples term text (as ``str(term)`` writes it).

    >>> term_from_text('"a\\\\nb"@en') == ox.Literal("a\\nb", language="en")
    True
    >>> term_from_text("<https://e.org/x>"), term_from_text("_:b1")
    (<NamedNode value=https://e.org/x>, <BlankNode value=b1>)
    """
    if text.startswith("<"):
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    match = _LITERAL.match(text)
    if match is None:
        raise ValueError(f"not an N-Triples term: {text!r}")
    value = _unescape(match.group("value"))
    if match.group("lang"):
        return ox.Literal(value, language=match.group("lang"))
    if match.group("dt"):
        return ox.Literal(value, datatype=ox.NamedNode(match.group("dt")))
    return ox.Literal(value)


def fingerprint(folder: Path) -> str:
    """What identifies the content of the store in ``folder``: its files' names, sizes
    and modification times (RocksDB's info log, the lock, dotfiles and our copy left out)."""
    h = hashlib.sha256()
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            if name.startswith((".", "LOG")) or name in ("LOCK", CACHE_NAME):
                continue
            stat = entry.stat()
            h.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()


class _Reader:
    """Term ids handed out while streaming quads."""

    def __init__(self) -> None:
        self.ids: dict[object, int] = {}
        self.terms: list[str] = []

    def id(self, term: object) -> int:
        known = self.ids.get(term)
        if known is None:
            known = self.ids[term] = len(self.terms)
            self.terms.append(str(term))
        return known

    def pairs(self, quads: Iterable[ox.Quad]) -> tuple[Ids, Ids]:
        flat = [i for q in quads for i in (self.id(q.subject), self.id(q.object))]
        both = np.unique(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0)
        return both[:, 0].copy(), both[:, 1].copy()


def _read(kg: KnowledgeGraph, predicates: Sequence[str], classes: Sequence[str]) -> Tables:
    reader = _Reader()
    edges: dict[str, tuple[Ids, Ids]] = {}
    members: dict[str, Ids] = {}
    steps = [(p, False) for p in predicates] + [(c, True) for c in classes]
    for iri, is_class in progress.track(steps, "reading the graph's columns", unit="columns"):
        if is_class:
            subjects, _ = reader.pairs(kg.match(None, _RDF_TYPE, ox.NamedNode(iri)))
            members[iri] = np.unique(subjects)
        else:
            edges[iri] = reader.pairs(kg.match(None, ox.NamedNode(iri)))
    return Tables(reader.terms, edges, members)


def _header(mark: str, predicates: Sequence[str], classes: Sequence[str]) -> dict[str, object]:
    return {
        "format": _FORMAT,
        "fingerprint": mark,
        "predicates": list(predicates),
        "classes": list(classes),
    }


def _save(
    target: Path, mark: str, t: Tables, predicates: Sequence[str], classes: Sequence[str]
) -> None:
    arrays: dict[str, npt.NDArray[np.generic]] = {
        "header": np.frombuffer(
            json.dumps(_header(mark, predicates, classes)).encode(),
            dtype=np.uint8,
        ),
        "terms": np.frombuffer("\n".join(t.terms).encode(), dtype=np.uint8),
    }
    for i, p in enumerate(predicates):
        arrays[f"s{i}"], arrays[f"o{i}"] = t.edges[p]
    for i, c in enumerate(classes):
        arrays[f"c{i}"] = t.members[c]
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    atomic_write_bytes(target, buffer.getvalue())


def _load(
    source: Path, mark: str, predicates: Sequence[str], classes: Sequence[str]
) -> Tables | None:
    """The copy in ``source`` if it is whole, of this format and of the store as it is."""
    try:
        with np.load(source, allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes())
            if header != _header(mark, predicates, classes):
                return None
            blob = data["terms"].tobytes().decode()
            terms = blob.split("\n") if blob else []
            edges = {p: (data[f"s{i}"], data[f"o{i}"]) for i, p in enumerate(predicates)}
            members = {c: data[f"c{i}"] for i, c in enumerate(classes)}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # missing, truncated or foreign: read the store again
    n = len(terms)
    columns = [*(a for pair in edges.values() for a in pair), *members.values()]
    if any(
        a.dtype != np.int64 or a.ndim != 1 or (a.size and (a.min() < 0 or a.max() >= n))
        for a in columns
    ):
        return None
    return Tables(terms, edges, members)


def tables(kg: KnowledgeGraph, *, predicates: Sequence[str], classes: Sequence[str]) -> Tables:
    """The columns of ``predicates`` and the members of ``classes`` in ``kg`` (all graphs).

    An on-disk store keeps them in :data:`CACHE_NAME` for the next call, until it changes.
    """
    folder = kg.path
    if folder is None or not folder.is_dir():
        return _read(kg, predicates, classes)
    target = folder / CACHE_NAME
    mark = fingerprint(folder)
    kept = _load(target, mark, predicates, classes)
    if kept is not None:
        return kept
    fresh = _read(kg, predicates, classes)
    if fingerprint(folder) == mark:  # nobody wrote meanwhile
        with contextlib.suppress(OSError, OutputError):  # a read-only medium: no copy
            _save(target, mark, fresh, predicates, classes)
    return fresh
