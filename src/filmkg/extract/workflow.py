"""``extract`` and ``accept`` as library calls: files in, files (or a store) out.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "lead.txt").write_text("Big is a 1988 American film directed by Penny Marshall.\\n")
>>> run = extract_file(d / "lead.txt", reference=None, output=d / "lead.review.toml")
>>> [p.candidate.cls for p in run.proposals]
['Credit', 'Release']
>>> text = (d / "lead.review.toml").read_text().replace('"pending"', '"accept"')
>>> _ = (d / "lead.review.toml").write_text(text)
>>> result = accept_file(d / "lead.review.toml", output=d / "accepted.trig")
>>> len(result.accepted), result.added > 0
(2, True)
>>> accept_file(d / "lead.review.toml", output=d / "accepted.trig").added
0
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from filmkg.build import inference
from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import InputError, InputLimitError, ParseError, SourceNotFoundError, UsageError
from filmkg.extract.accept import Accepted, check_quotes, quads_for, source_graph
from filmkg.extract.extractor import Extractor, Proposal
from filmkg.extract.linking import Linker
from filmkg.extract.model import EntityRef
from filmkg.extract.review import Review, SourceInfo, parse, render
from filmkg.importers.mapping import slug
from filmkg.io.fileio import atomic_write_bytes, atomic_write_text
from filmkg.io.loading import parse_file
from filmkg.rdf.namespaces import PREFIXES

__all__ = [
    "AcceptRun",
    "ExtractRun",
    "accept_file",
    "describe",
    "extract_file",
    "read_rejections",
]

MAX_TEXT_BYTES = 5_000_000


@dataclass
class ExtractRun:
    """What ``extract`` proposed, for which source, and how many it left out."""

    source: SourceInfo
    proposals: list[Proposal]
    left_out: int
    review: str


@dataclass
class AcceptRun:
    """What ``accept`` did."""

    graph: str
    accepted: list[str]
    rejected: list[str]
    pending: list[str]
    added: int
    rejections: Path


def read_text_file(path: Path) -> str:
    """A UTF-8 source text, strictly (one clear error for a missing or undecodable file)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceNotFoundError(f"{path}: no such file", hint="check the path") from None
    except OSError as exc:
        raise SourceNotFoundError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputLimitError(
            f"{path}: {len(data)} bytes is past the {MAX_TEXT_BYTES} limit",
            hint="split the text into articles",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            "not UTF-8 text", path=str(path), line=line, hint="convert the file to UTF-8"
        ) from None


def read_rejections(path: Path) -> set[str]:
    """Candidate ids rejected before (first word of each line; ``#`` starts a comment)."""
    if not path.is_file():
        return set()
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].split()
        if word and re.fullmatch(r"c[0-9a-f]{12}", word[0]):
            ids.add(word[0])
    return ids


def _check_source(date: str | None, url: str | None) -> None:
    if date is not None:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise UsageError(
                f"--source-date {date!r} is not a date", hint="give it as YYYY-MM-DD"
            ) from None
    if url is not None and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", url):
        raise UsageError(f"--source-url {url!r} is not an http(s) URL")


def _relative(path: Path, folder: Path) -> str:
    return os.path.relpath(path.resolve(), folder.resolve())


def extract_file(
    text_path: Path,
    *,
    reference: KnowledgeGraph | None,
    output: Path | None = None,
    publisher: str | None = None,
    date: str | None = None,
    url: str | None = None,
    source_id: str | None = None,
    rejections: Path | None = None,
) -> ExtractRun:
    """Propose the facts of ``text_path``; write the review file to ``output`` if given."""
    _check_source(date, url)
    text = read_text_file(text_path)
    sid = source_id or slug(text_path.stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", sid):
        raise UsageError(
            f"source id {sid!r} must be lower-case letters, digits and -", hint="pass --source-id"
        )
    rejections = rejections or text_path.with_name(text_path.name + ".rejected")
    linker = Linker.from_graph(reference) if reference is not None else Linker()
    proposals = Extractor(linker).propose(text, sid, date)
    skip = read_rejections(rejections)
    kept = [p for p in proposals if p.id not in skip]
    folder = output.parent if output is not None else Path.cwd()
    source = SourceInfo(
        sid,
        _relative(text_path, folder),
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        publisher,
        date,
        url,
        _relative(rejections, folder),
    )
    review = render(source, [(p.id, p.candidate) for p in kept])
    if output is not None:
        atomic_write_text(output, review)
    return ExtractRun(source, kept, len(proposals) - len(kept), review)


def load_review(path: Path) -> tuple[Review, str]:
    """The review at ``path`` and the source text it is about (checked unchanged)."""
    review = parse(read_text_file(path), path=str(path))
    text_path = path.parent / review.source.text
    text = read_text_file(text_path)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != review.source.sha256:
        raise InputError(
            f"{text_path}: the source text changed since the review was written",
            hint="run filmkg extract again",
        )
    check_quotes(review, text, str(path))
    return review, text


def accept_file(
    review_path: Path, *, output: Path | None = None, into: Path | None = None
) -> AcceptRun:
    """Write the accepted facts (to ``output`` or the store ``into``); remember rejections."""
    if output is not None and into is not None:
        raise UsageError("give -o FILE or --into STORE, not both")
    if output is not None and output.suffix not in (".trig", ".nq"):
        raise UsageError(f"{output}: unknown output format", hint="name the file .trig or .nq")
    review, _ = load_review(review_path)
    result = quads_for(review, str(review_path))
    # the rejections first: a decision is kept even if writing the facts fails (a rerun
    # of accept then adds them), never facts written with their rejections lost
    rejections = review_path.parent / review.source.rejections
    _remember(rejections, review, result)
    added = 0
    if into is not None:
        added = _into_store(into, result)
    elif output is not None:
        added = _into_file(output, result)
    return AcceptRun(
        source_graph(review.source.id),
        result.accepted,
        result.rejected,
        result.pending,
        added,
        rejections,
    )


def _into_file(output: Path, result: Accepted) -> int:
    existing: set[ox.Quad] = set()
    if output.is_file():
        existing = {q for q in parse_file(output) if isinstance(q, ox.Quad)}
    merged = existing | set(result.quads)
    added = len(merged) - len(existing)
    if output.suffix == ".nq":
        atomic_write_bytes(output, "".join(sorted(f"{q} .\n" for q in merged)).encode("utf-8"))
    else:
        data = ox.serialize(sorted(merged, key=str), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        atomic_write_bytes(output, data or b"")
    return added


def _into_store(path: Path, result: Accepted) -> int:
    """Add the accepted facts and re-derive, all or nothing: on a staged copy of the store
    that replaces it only when every step succeeded (as ``import --into`` does)."""
    with KnowledgeGraph.staged(path) as kg:
        if len(kg) == 0:
            project = load_project(infer=False)
            kg.add_quads(project.match())
        new = [q for q in result.quads if q not in kg]
        if new:
            kg.add_quads(new)
            kg.clear_graph(inference.INFERRED_GRAPH)
            inference.infer(kg)
    return len(new)


def _remember(path: Path, review: Review, result: Accepted) -> None:
    have = read_rejections(path)
    fresh = [cid for cid in result.rejected if cid not in have]
    if not fresh:
        return
    by_id = {c.id: c for c in review.candidates}
    old = (
        path.read_text(encoding="utf-8")
        if path.is_file()
        else ("# candidates rejected in review; filmkg extract leaves them out\n")
    )
    lines = [f"{cid}  # {by_id[cid].cls} {_summary(by_id[cid].fields)}" for cid in fresh]
    atomic_write_text(path, old + "\n".join(lines) + "\n")


def _summary(fields: Mapping[str, object]) -> str:
    parts = []
    for key, value in fields.items():
        name = getattr(value, "name", None)
        parts.append(f"{key}={name if name is not None else value}")
    return ", ".join(parts)[:200]


def describe(run: ExtractRun, text_path: Path, output: Path | None) -> str:
    """One line saying what ``extract`` proposed: candidates by class, entities linked."""
    by_class = Counter(p.candidate.cls for p in run.proposals)
    entities: set[tuple[str, str | None, bool]] = set()
    for p in run.proposals:
        for value in p.candidate.fields.values():
            refs = value if isinstance(value, list) else [value]
            entities |= {(r.cls, r.iri, r.new) for r in refs if isinstance(r, EntityRef)}
    linked = sum(1 for _, _, new in entities if not new)
    classes = ", ".join(f"{k} {n}" for k, n in sorted(by_class.items()))
    return (
        f"proposed {len(run.proposals)} candidates from {text_path}"
        + (f" ({classes})" if classes else "")
        + f"; entities: {linked} linked to the graph, {len(entities) - linked} new"
        + (f"; {run.left_out} rejected before, left out" if run.left_out else "")
        + (f"; review: {output}" if output else "")
    )
