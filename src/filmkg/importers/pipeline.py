"""Import a third-party dataset through a declarative mapping (:mod:`filmkg.importers.mapping`).

:func:`import_source` reads the source (CSV, JSON or a Cypher ``CREATE`` script), applies
the mapping record by record, resolves the entities it mentions against the graph it is
imported into (:mod:`filmkg.importers.resolution`), and returns the quads of one named graph,
``graph:import/<source id>``, with a :class:`filmkg.importers.quality.QualityReport` and the list of
uncertain matches left for review. Every assertion has an evidence node that names the
source record (``filmkg:sourceRecord``) and quotes the raw field (``filmkg:quote``).

>>> from filmkg.importers.mapping import parse_mapping
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "films.csv").write_text("id,title,year,director\\n1,Cast Away,2000,Robert Zemeckis\\n")
>>> m = parse_mapping('''
... [source]
... id = "demo"
... format = "csv"
... files = ["films.csv"]
... record = "row {id}"
... [dataset]
... title = "Demo"
... [[map]]
... table = "rows"
... [[map.entity]]
... name = "film"
... class = "Film"
... label = "{title}"
... year = "{year}"
... [[map.entity]]
... name = "director"
... class = "Person"
... each = "director"
... split = ","
... [[map.assertion]]
... class = "Credit"
... each = "director"
... evidence = "director"
... properties = { work = "@film", agent = "@director", role = "role:director" }
... ''')
>>> result = import_source(d, m)
>>> sorted(result.entities)
['https://w3id.org/filmkg/id/film/cast-away-2000', 'https://w3id.org/filmkg/id/person/robert-zemeckis']
>>> "https://w3id.org/filmkg/id/credit/cast-away-2000/robert-zemeckis/director" in result.assertions
True
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from filmkg.build import inference
from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParseError, SourceNotFoundError
from filmkg.importers import resolution as resolving
from filmkg.importers.checking import (
    DEFAULT_LIMITS,
    ImportLossError,
    Limits,
    loss_problem,
    mapping_problems,
    matches_where,
)
from filmkg.importers.mapping import (
    AssertionMap,
    EntityMap,
    Mapping,
    RecordMap,
    ValueSpec,
    ontology_terms,
    render,
    requirements,
    slug,
    vocabulary_problem,
)
from filmkg.importers.quality import Issue, QualityReport
from filmkg.importers.resolution import Mention, ReferenceIndex
from filmkg.importers.tables import NOTES, Record, read_tables
from filmkg.io import progress
from filmkg.io.fileio import atomic_write_bytes
from filmkg.rdf.literals import XSD, well_formed
from filmkg.rdf.namespaces import FILMKG_NS, KG, PREFIXES

__all__ = [
    "ImportCheck",
    "ImportResult",
    "Mention",
    "check_import",
    "clean_name",
    "import_into",
    "import_source",
    "read_source",
    "run_mapping",
    "write_import",
    "write_reports",
]

KG_NS = str(KG)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
SCHEMA_URL = ox.NamedNode("http://schema.org/url")

_ENTITY_PATHS = {"Film": "film", "Person": "person", "Organisation": "org", "Place": "place"}
_DEFAULT_RECORD = {
    "rows": "row {_row}",
    "records": "{_file}#{_index}",
    "nodes": "line {_line} ({_var})",
    "relationships": "line {_line} #{_index}",
}


def _f(local: str) -> ox.NamedNode:
    return ox.NamedNode(FILMKG_NS + local)


@dataclass(frozen=True)
class _Join:
    entity: str
    identity: str


@dataclass
class _Pending:
    cls: str
    record: str
    values: dict[str, list[object]]  # Mention id (int) | _Join | ox term
    evidence: str | None  # IRI of the evidence node
    serial: int = -1  # the record (index in _Engine.taken)


@dataclass
class ImportResult:
    """What one import produced: the quads of its named graph, the report, the review list."""

    source_id: str
    graph: str
    quads: list[ox.Quad]
    report: QualityReport
    review: list[dict[str, Any]]
    entities: dict[str, str]  # IRI → class local name
    assertions: dict[str, str]  # IRI → class local name
    matches: list[dict[str, Any]]
    taken: int = 0  # records a map of the mapping took
    lost: list[str] = field(default_factory=list)  # those of them that made nothing

    @property
    def films(self) -> int:
        """How many films the import makes."""
        return sum(1 for cls in self.entities.values() if cls == "Film")

    def review_json(self) -> str:
        """The matches left for a person to review, as sorted JSON."""
        return json.dumps(self.review, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# -- cleaning ----------------------------------------------------------------------------
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*(.*)$")


def clean_name(item: str, roles: MappingABC[str, str]) -> tuple[str | None, str, str | None]:
    """A list item read as a name: (name or None, role word or "", issue kind or None).

    >>> roles = {"screenwriter": "screenwriter"}
    >>> clean_name("Scott Wascha (screenwriter)", roles)
    ('Scott Wascha', 'screenwriter', 'role-in-name')
    >>> clean_name(".", roles), clean_name("(voices)", roles), clean_name("of", roles)
    ((None, '', 'not-a-name'), (None, '', 'not-a-name'), (None, '', 'not-a-name'))
    >>> clean_name("Lee Ji-eun (IU)", roles)
    ('Lee Ji-eun', '', 'parenthetical-in-name')
    """
    text = " ".join(item.split())
    if not any(c.isalpha() for c in text):
        return None, "", "not-a-name"
    if text.startswith("(") or text.count("(") != text.count(")") or text.count("(") > 1:
        return None, "", "not-a-name"
    match = _PAREN.match(text)
    if match:
        name = " ".join(f"{match.group(1)} {match.group(3)}".split())
        if not any(c.isalpha() for c in name):
            return None, "", "not-a-name"
        role = roles.get(match.group(2).strip().casefold(), "")
        return name, role, "role-in-name" if role else "parenthetical-in-name"
    if text.isalpha() and text.islower():
        return None, "", "not-a-name"
    return text, "", None


# -- typing literals -----------------------------------------------------------------------
def _literal(prop: str, value: str, spec: ValueSpec) -> ox.Literal | None:
    """The literal of ``value`` typed by the property's range, or None when it does not fit.

    >>> spec = ValueSpec("literal")
    >>> _literal("releaseYear", "1994", spec), _literal("releaseYear", "PG", spec)
    (<Literal value=1994 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>, None)
    >>> _literal("releaseDate", "2000-13-45", spec) is None
    True
    """
    if spec.lang:
        return ox.Literal(value, language=spec.lang)
    rng = spec.datatype or ontology_terms().datatype_properties.get(prop, "")
    if rng.startswith("xsd:"):
        rng = XSD + rng[4:]
    if rng.endswith("#langString"):
        return ox.Literal(value, language="en")
    if not rng.startswith(XSD) or rng == XSD + "string":
        return ox.Literal(value)
    if not well_formed(value, rng) or (rng == XSD + "gYear" and not _is_year(value)):
        return None
    if rng == XSD + "integer":
        value = str(int(value))
    return ox.Literal(value, datatype=ox.NamedNode(rng))


def _is_year(value: str) -> bool:
    """A year that can name a film or a release: four digits (years are parts of IRIs)."""
    return bool(re.fullmatch(r"\d{4}", value))


def _iri_value(value: str) -> tuple[ox.NamedNode | None, str]:
    """The IRI of a rendered ``prefix:local`` value, or None and why it is not one."""
    problem = vocabulary_problem(value)
    if problem is not None:
        return None, f"{problem[0]}; {problem[1]}" if problem[1] else problem[0]
    return _expand(value), ""


def _expand(curie: str) -> ox.NamedNode:
    prefix, _, local = curie.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + local)


# -- the engine --------------------------------------------------------------------------
class _Engine:
    def __init__(self, mapping: Mapping) -> None:
        self.m = mapping
        self.mentions: list[Mention] = []
        self.pending: list[_Pending] = []
        self.issues: list[Issue] = []
        self.evidence: dict[tuple[str, str, str], str] = {}  # (record, field, quote) → IRI
        self.evidence_count: dict[tuple[str, str], int] = {}
        self.links: list[tuple[list[object], str, list[object]]] = []
        self.link_serials: list[int] = []
        self.identities: dict[tuple[str, str], int] = {}
        self.taken: list[str] = []  # the id of each record a map takes, in order
        self.made_by: list[int] = []  # for each mention, the record (index in taken)

    def issue(
        self, kind: str, record: str, fld: str, value: Any, action: str, detail: str = ""
    ) -> None:
        self.issues.append(Issue(kind, record, fld, _quote(value), action, detail))

    def run(self, tables: MappingABC[str, list[Record]]) -> None:
        for note in tables.get(NOTES, []):
            f = note.fields
            where = f"{f['_file']} line {f['_line']}"
            self.issue(f["kind"], where, "", f["_text"], "skipped", "makes no data")
        for table, records in tables.items():
            if table == NOTES:
                continue
            maps = [m for m in self.m.maps if m.table == table]
            for rec in progress.track(
                records, f"importing {table}", total=len(records), unit="records"
            ):
                chosen = [m for m in maps if matches_where(rec, m.where)]
                if not chosen:
                    if maps:
                        keys = sorted({k for m in maps for k in m.where})
                        detail = ", ".join(f"{k}={_quote(rec.fields.get(k))}" for k in keys)
                        record_id = self._record_id(maps[0], rec)
                        self.issue("unmapped-record", record_id, "", "", "not imported", detail)
                    continue
                self.taken.append(self._record_id(chosen[0], rec))
                for rmap in chosen:
                    self.record(rmap, rec)

    def lost(self) -> list[str]:
        """The records a map took that made nothing (no entity, assertion or link)."""
        made = set(self.made_by) | {p.serial for p in self.pending}
        made |= {n for n, (s, _, o) in zip(self.link_serials, self.links, strict=True) if s and o}
        return [record for n, record in enumerate(self.taken) if n not in made]

    def _record_id(self, rmap: RecordMap, rec: Record) -> str:
        values = render(rmap.record or self.m.record or _DEFAULT_RECORD[rec.table], rec.fields)
        return values[0] if values else render(_DEFAULT_RECORD[rec.table], rec.fields)[0]

    def record(self, rmap: RecordMap, rec: Record) -> None:
        fields = rec.fields
        record_id = self._record_id(rmap, rec)
        for check in rmap.checks:
            value = fields.get(check.field)
            if value is not None and check.pattern.search(str(value)):
                self.issue(check.kind, record_id, check.field, value, "reported", check.message)
        local: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for emap in rmap.entities:
            local[emap.name] = self.entity(emap, fields, record_id)
        for amap in rmap.assertions:
            if amap.each is None:
                self.assertion(amap, fields, record_id, local, None)
            else:
                for mention_id, ctx in local.get(amap.each, []):
                    self.assertion(amap, ctx, record_id, local, mention_id)
        for link in rmap.links:
            subjects = self.values(link.prop, link.subject, fields, record_id, local, None)
            objects = self.values(link.prop, link.object, fields, record_id, local, None)
            self.links.append((subjects, link.prop, objects))
            self.link_serials.append(len(self.taken) - 1)

    def items(
        self, emap: EntityMap, fields: MappingABC[str, Any], record_id: str
    ) -> list[dict[str, Any]]:
        if emap.columns:  # a fixed set of columns (Star1 … Star4): an empty cell is no item
            return [
                item for col in emap.columns for item in self.parts(emap, col, fields, record_id)
            ]
        if emap.each is None:
            return [dict(fields)]
        return self.parts(emap, emap.each, fields, record_id)

    def parts(
        self, emap: EntityMap, fld: str, fields: MappingABC[str, Any], record_id: str
    ) -> list[dict[str, Any]]:
        """The items of field ``fld``: a list, or a string cut at the map's ``split``."""
        raw = fields.get(fld)
        if raw is None or raw == "" or raw == []:
            return []
        if isinstance(raw, list):
            parts = [str(v) if v is not None else "" for v in raw]
        elif emap.split:
            parts = str(raw).split(emap.split)
        else:
            parts = [str(raw)]
        out: list[dict[str, Any]] = []
        for part in parts:
            text = part.strip()
            if not text:
                self.issue("empty-list-item", record_id, fld, raw, "empty item dropped")
                continue
            name, role = text, ""
            if emap.clean == "names":
                cleaned, role, kind = clean_name(text, self.m.roles)
                if kind == "not-a-name":
                    self.issue(kind, record_id, fld, text, "not imported", _quote(raw))
                    continue
                if kind == "role-in-name":
                    self.issue(kind, record_id, fld, text, f"credited as {role}")
                elif kind == "parenthetical-in-name":
                    self.issue(kind, record_id, fld, text, f"imported as {cleaned!r}")
                name = cleaned or text
            out.append({**fields, "@": name, "@raw": text, "@role": role, "@column": fld})
        return out

    def entity(
        self, emap: EntityMap, fields: MappingABC[str, Any], record_id: str
    ) -> list[tuple[int, dict[str, Any]]]:
        out: list[tuple[int, dict[str, Any]]] = []
        for ctx in self.items(emap, fields, record_id):
            labels = render(emap.label, ctx)
            if not labels or not labels[0].split():  # nothing, or only spaces
                raw = labels[0] if labels else ""
                detail = f"no label for {emap.name}"
                self.issue("bad-value", record_id, emap.label, raw, "entity not imported", detail)
                continue
            year = self.year(emap, ctx, record_id)
            identity = render(emap.identity, ctx) if emap.identity else []
            mention = Mention(
                id=len(self.mentions),
                map_name=emap.name,
                cls=emap.cls,
                label=" ".join(labels[0].split()),
                raw=str(ctx.get("@raw", labels[0])),
                year=year,
                identity=identity[0] if identity else None,
                record=record_id,
            )
            for prop, specs in emap.properties.items():
                for spec in specs:
                    mention.properties.append((prop, spec, ctx))
            self.mentions.append(mention)
            self.made_by.append(len(self.taken) - 1)
            if mention.identity is not None:
                self.identities.setdefault((emap.name, mention.identity), mention.id)
            out.append((mention.id, ctx))
        return out

    def values(
        self,
        prop: str,
        spec: ValueSpec,
        ctx: MappingABC[str, Any],
        record_id: str,
        local: MappingABC[str, list[tuple[int, dict[str, Any]]]],
        current: int | None,
    ) -> list[object]:
        if spec.kind == "entity":
            if spec.join is not None:
                return [_Join(spec.entity, v) for v in render(spec.join, ctx)]
            found = local.get(spec.entity, [])
            if current is not None and any(mid == current for mid, _ in found):
                return [current]
            return [mid for mid, _ in found]
        if spec.kind == "iri":
            return self.iris(prop, spec, ctx, record_id)
        out: list[object] = []
        rendered = render(spec.template, ctx)
        if spec.split:
            parts: list[str] = []
            for whole in rendered:
                for part in whole.split(spec.split):
                    if part.strip():
                        parts.append(part.strip())
                    else:
                        self.issue("empty-list-item", record_id, prop, whole, "empty item dropped")
            rendered = parts
        for v in rendered:
            lit = _literal(prop, v, spec)
            if lit is None:
                self.issue(
                    "bad-value",
                    record_id,
                    prop,
                    v,
                    "value not imported",
                    "does not fit the property's datatype",
                )
            else:
                out.append(lit)
        return out

    def iris(
        self, prop: str, spec: ValueSpec, ctx: MappingABC[str, Any], record_id: str
    ) -> list[object]:
        out: list[object] = []
        for value in render(spec.template, ctx):
            iri, problem = _iri_value(value)
            if iri is None:
                self.issue("bad-value", record_id, prop, value, "value not imported", problem)
            else:
                out.append(iri)
        return out

    def year(self, emap: EntityMap, ctx: MappingABC[str, Any], record_id: str) -> str | None:
        """The year that names an entity (a film), or None when it is not a year (reported)."""
        years = render(emap.year, ctx) if emap.year else []
        if not years:
            return None
        if _is_year(years[0].strip()):
            return years[0].strip()
        self.issue(
            "bad-value",
            record_id,
            _field_name(emap.year or ""),
            years[0],
            "year not used: named by its label alone",
            f"not a year for {emap.name}; the 'year' filter reads a year inside a text",
        )
        return None

    def evidence_for(self, record_id: str, fld: str, quote: str) -> str:
        key = (record_id, fld, quote)
        if key not in self.evidence:
            base = f"evidence/{self.m.source_id}/{slug(record_id)}/{slug(fld) or 'record'}"
            taken = self.evidence_count.get((record_id, fld), 0)
            self.evidence_count[(record_id, fld)] = taken + 1
            self.evidence[key] = KG_NS + (base if not taken else f"{base}-{taken + 1}")
        return self.evidence[key]

    def assertion(
        self,
        amap: AssertionMap,
        ctx: MappingABC[str, Any],
        record_id: str,
        local: MappingABC[str, list[tuple[int, dict[str, Any]]]],
        current: int | None,
    ) -> None:
        values: dict[str, list[object]] = {}
        for prop, specs in amap.properties.items():
            vals = [
                v for spec in specs for v in self.values(prop, spec, ctx, record_id, local, current)
            ]
            if vals:
                values[prop] = vals
        if not values:
            return
        evidence = None
        if amap.evidence is not None:
            # "@column": the column the current item came from (the columns form)
            fld = str(ctx.get("@column", "")) if amap.evidence == "@column" else amap.evidence
            raw = ctx.get(fld)
            if raw is None or raw == "" or raw == []:
                # Nothing in the record states this fact (e.g. a film with no extract):
                # no assertion, rather than a fact without evidence.
                return
            evidence = self.evidence_for(record_id, fld, _quote(raw))
        self.pending.append(_Pending(amap.cls, record_id, values, evidence, len(self.taken) - 1))


def _field_name(template: str) -> str:
    """The first field a template reads (for reports): ``"{year|strip}"`` → ``year``."""
    match = re.search(r"\{([^{}|]*)", template)
    return match.group(1).strip() if match else template


def _quote(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# -- running an import ---------------------------------------------------------------------
def source_files(source: str | Path, mapping: Mapping) -> list[Path]:
    """The files to read: the mapping's ``files`` inside a folder, or the file given."""
    path = Path(source)
    if path.is_dir():
        if not mapping.files:
            raise SourceNotFoundError(
                f"{path} is a folder and mapping {mapping.path} names no files",
                hint="give the file itself, or list 'files' under [source]",
            )
        files = [path / f for f in mapping.files]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise SourceNotFoundError(f"{missing[0]}: no such file", hint="check the source folder")
        return files
    if not path.exists():
        raise SourceNotFoundError(f"{path}: no such file or folder", hint="check the source path")
    return [path]


def read_source(
    source: str | Path, mapping: Mapping, *, select: Callable[[Record], bool] | None = None
) -> dict[str, list[Record]]:
    """The tables of ``source`` for ``mapping`` (only the records ``select`` keeps)."""
    tables = read_tables(mapping.fmt, source_files(source, mapping))
    if select is not None:
        tables = {
            name: records if name == NOTES else [r for r in records if select(r)]
            for name, records in tables.items()
        }
    return tables


def import_source(
    source: str | Path,
    mapping: Mapping,
    *,
    reference: Any = None,
    threshold: float | None = None,
    select: Callable[[Record], bool] | None = None,
    limits: Limits | None = DEFAULT_LIMITS,
) -> ImportResult:
    """Import ``source`` with ``mapping``; resolve entities against ``reference``.

    ``reference`` is a :class:`filmkg.engines.store.KnowledgeGraph` (the graph the import goes
    into) or ``None`` (no other graph). Matches below ``threshold`` (default: the mapping's
    ``[resolution] threshold``, else 0.85) go to the review list, not into the graph.
    ``select`` keeps only the records it returns true for (a deterministic subset).
    The mapping is checked against the source's fields first (:class:`ParseError` for the
    first mistake); an import that makes no films or loses more records than ``limits``
    allow raises :class:`~filmkg.importers.checking.ImportLossError` (``None``: no limits).
    """
    tables = read_source(source, mapping, select=select)
    notes: list[Issue] = []
    problems = mapping_problems(mapping, tables, notes)
    if problems:
        raise problems[0]
    result = run_mapping(mapping, tables, reference=reference, threshold=threshold, notes=notes)
    if limits is not None:
        problem = loss_problem(mapping, result.films, result.taken, result.lost, limits)
        if problem is not None:
            raise problem
    return result


@dataclass
class ImportCheck:
    """What an import would make, without writing anything (``filmkg import --check``)."""

    problems: list[ParseError]  # mistakes of the mapping for this source (nothing run)
    result: ImportResult | None  # the import, when the mapping has no mistakes
    loss: ImportLossError | None  # why the import would fail its limits

    @property
    def ok(self) -> bool:
        """Whether the import would succeed."""
        return not self.problems and self.loss is None

    def summary(self, first: int = 10) -> list[str]:
        """Lines telling what the import would make and its first data problems."""
        r = self.result
        if r is None:
            return [f"{len(self.problems)} mistake(s) in the mapping: nothing would be imported"]
        lines = [
            f"would make {len(r.entities)} entities ({_by_class(r.entities)}), "
            f"{len(r.assertions)} assertions ({_by_class(r.assertions)}), {len(r.quads)} quads",
            f"records: {r.taken} taken by the mapping, {len(r.lost)} of them made nothing",
        ]
        counts = r.report.counts()
        total = sum(counts.values())
        kinds = ", ".join(f"{k} {n}" for k, n in counts.items())
        lines.append(f"data problems: {total}" + (f" ({kinds})" if kinds else ""))
        for issue in r.report.issues[:first]:
            what = f"{issue.kind}: {issue.action}" + (f" ({issue.detail})" if issue.detail else "")
            lines.append(f"  {issue.record} | {issue.field} | {issue.value!r} | {what}")
        if total > first:
            lines.append(f"  … {total - first} more in the quality report")
        return lines


def _by_class(classes: MappingABC[str, str]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for cls in classes.values():
        counts[cls] += 1
    return ", ".join(f"{c} {n}" for c, n in sorted(counts.items())) or "none"


def check_import(
    source: str | Path,
    mapping: Mapping,
    *,
    reference: Any = None,
    threshold: float | None = None,
    limits: Limits | None = DEFAULT_LIMITS,
) -> ImportCheck:
    """Run an import without writing it: every mistake of the mapping, or what it would make."""
    tables = read_source(source, mapping)
    notes: list[Issue] = []
    problems = mapping_problems(mapping, tables, notes)
    if problems:
        return ImportCheck(problems, None, None)
    result = run_mapping(mapping, tables, reference=reference, threshold=threshold, notes=notes)
    loss = None
    if limits is not None:
        loss = loss_problem(mapping, result.films, result.taken, result.lost, limits)
    return ImportCheck([], result, loss)


def run_mapping(
    mapping: Mapping,
    tables: MappingABC[str, list[Record]],
    *,
    reference: Any = None,
    threshold: float | None = None,
    notes: Sequence[Issue] = (),
) -> ImportResult:
    """Apply ``mapping`` to tables already read and checked (see :func:`import_source`)."""

    engine = _Engine(mapping)
    engine.issues.extend(notes)
    engine.run(tables)
    _resolve_joins(engine)
    _drop_incomplete(engine)
    index = ReferenceIndex.from_graph(reference) if reference is not None else ReferenceIndex()
    links, roles = _credit_links(engine)
    resolution = resolving.resolve(
        engine.mentions,
        links,
        index,
        source_id=mapping.source_id,
        threshold=mapping.threshold if threshold is None else threshold,
        roles=roles,
    )
    engine.issues.extend(resolution.issues)
    result = _emit(mapping, engine, resolution)
    result.taken, result.lost = len(engine.taken), engine.lost()
    return result


def _credit_links(
    engine: _Engine,
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], set[str]]]:
    """The (film, person) mention pairs of the credits, and the roles of each pair."""
    links: list[tuple[int, int]] = []
    roles: dict[tuple[int, int], set[str]] = defaultdict(set)
    for p in engine.pending:
        if p.cls != "Credit":
            continue
        role_iris = {v.value for v in p.values.get("role", []) if isinstance(v, ox.NamedNode)}
        for w in p.values.get("work", []):
            for a in p.values.get("agent", []):
                if isinstance(w, int) and isinstance(a, int):
                    links.append((w, a))
                    roles[(w, a)] |= role_iris
    return links, roles


def _resolve_joins(engine: _Engine) -> None:
    """Joins (Cypher relationships → nodes) become mention ids."""
    for pending in engine.pending:
        for prop, vals in pending.values.items():
            pending.values[prop] = _joined(engine, vals, prop, pending.record)
    for i, (subjects, prop, objects) in enumerate(engine.links):
        engine.links[i] = (
            _joined(engine, subjects, prop, "link"),
            prop,
            _joined(engine, objects, prop, "link"),
        )


def _drop_incomplete(engine: _Engine) -> None:
    """Assertions their shape would reject (a value lost to a bad year, two roles) are
    reported, not made."""
    kept: list[_Pending] = []
    for p in engine.pending:
        problem = _shape_problem(p)
        if problem is None:
            kept.append(p)
        else:
            engine.issue(
                "incomplete-assertion", p.record, problem[0], "", "not imported", problem[1]
            )
    engine.pending = kept


def _shape_problem(p: _Pending) -> tuple[str, str] | None:
    """(property, why) when the shapes of ``p``'s class would reject it, else None."""
    needs = requirements(p.cls)
    given = {prop for prop, vals in p.values.items() if vals}
    given |= {"evidence"} if p.evidence is not None else set()
    missing = sorted(needs.required - given)
    missing += [" or ".join(sorted(g)) for g in needs.one_of if not g & given]
    if missing:
        return missing[0], f"a {p.cls} needs {', '.join(missing)}"
    for prop in sorted(needs.at_most_one):
        # values, not mentions: two mentions may be one entity (checked when parsing)
        values = {v for v in p.values.get(prop, []) if not isinstance(v, int)}
        if len(values) > 1:
            return prop, f"a {p.cls} takes one {prop}; the record gives {len(values)}"
    for group in needs.only_one:
        if len(group & given) > 1:
            names = " and ".join(sorted(group & given))
            return names, f"a {p.cls} takes one of {' or '.join(sorted(group))}, not {names}"
    return None


def _joined(engine: _Engine, values: list[object], prop: str, record: str) -> list[object]:
    out: list[object] = []
    for v in values:
        if isinstance(v, _Join):
            mid = engine.identities.get((v.entity, v.identity))
            if mid is None:
                engine.issue(
                    "bad-value",
                    record,
                    prop,
                    v.identity,
                    "not imported",
                    f"no {v.entity} with that identity",
                )
            else:
                out.append(mid)
        else:
            out.append(v)
    return out


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


_PER_SOURCE = frozenset({"AggregateRating", "BoxOffice", "ContentRating"})


def _assertion_iri(
    p: _Pending, terms: dict[str, list[ox.NamedNode | ox.Literal]], source_id: str, n: int
) -> str:
    def first(prop: str) -> str | None:
        vals = terms.get(prop)
        return vals[0].value if vals else None

    work = first("work")
    if p.cls == "Credit" and work and first("agent") and first("role"):
        return str(
            KG_NS
            + f"credit/{_tail(work)}/{_tail(first('agent') or '')}/{_tail(first('role') or '')}"
        )
    if p.cls == "Release" and work and (first("releaseDate") or first("releaseYear")):
        return KG_NS + f"release/{_tail(work)}/{first('releaseDate') or first('releaseYear')}"
    if p.cls == "Review" and work and first("reviewer"):
        return KG_NS + f"review/{_tail(work)}/{_tail(first('reviewer') or '')}"
    if p.cls == "StoryDescription" and work:
        return KG_NS + f"story/{_tail(work)}/{source_id}"
    kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", p.cls).lower()
    if p.cls == "ReviewScore" and work and first("scoredBy"):
        return KG_NS + f"{kebab}/{_tail(work)}/{_tail(first('scoredBy') or '')}"
    if p.cls in _PER_SOURCE and work:  # one per film and source: each source its own figure
        return KG_NS + f"{kebab}/{_tail(work)}/{source_id}"
    return KG_NS + f"{kebab}/{source_id}/{slug(p.record)}/{n}"


class _Quads:
    """The quads of one import's named graph, in the order they are made."""

    def __init__(self, graph: str) -> None:
        self.graph = ox.NamedNode(graph)
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph))


def _emit(mapping: Mapping, engine: _Engine, resolution: Any) -> ImportResult:
    out = _Quads(mapping.graph)
    source = ox.NamedNode(KG_NS + f"source/{mapping.source_id}")
    _emit_dataset(out, source, mapping.dataset)
    entities = _emit_entities(out, source, engine, resolution)
    _emit_evidence(out, source, engine)
    assertions = _emit_assertions(out, mapping.source_id, engine, resolution)
    _emit_matches(out, engine, resolution)
    iri_of: dict[int, str] = resolution.iris
    for subjects, prop, objects in engine.links:
        for s_ in subjects:
            for o_ in objects:
                if isinstance(s_, int) and isinstance(o_, int):
                    out.add(ox.NamedNode(iri_of[s_]), _f(prop), ox.NamedNode(iri_of[o_]))
    return ImportResult(
        source_id=mapping.source_id,
        graph=mapping.graph,
        quads=list(dict.fromkeys(out.quads)),
        report=QualityReport(mapping.source_id, engine.issues),
        review=resolution.review,
        entities=entities,
        assertions=assertions,
        matches=resolution.matches,
    )


def _emit_dataset(out: _Quads, source: ox.NamedNode, ds: MappingABC[str, Any]) -> None:
    out.add(source, RDF_TYPE, _f("Dataset"))
    out.add(source, RDFS_LABEL, ox.Literal(str(ds["title"])))
    if ds.get("origin"):
        out.add(source, SCHEMA_URL, ox.NamedNode(str(ds["origin"])))
    licences = ds.get("licence") or []
    for lic in licences if isinstance(licences, list) else [licences]:
        out.add(source, _f("licence"), ox.NamedNode(str(lic)))
    for key in ("licence_note", "note"):
        if ds.get(key):
            out.add(source, RDFS_COMMENT, ox.Literal(str(ds[key]), language="en"))
    if ds.get("retrieved"):
        date = ox.Literal(str(ds["retrieved"]), datatype=ox.NamedNode(XSD + "date"))
        out.add(source, _f("retrievedOn"), date)


def _emit_entities(
    out: _Quads, source: ox.NamedNode, engine: _Engine, resolution: Any
) -> dict[str, str]:
    iri_of: dict[int, str] = resolution.iris
    entities: dict[str, str] = {}
    for mention in engine.mentions:
        iri = iri_of[mention.id]
        node = ox.NamedNode(iri)
        if iri not in entities:
            entities[iri] = mention.cls
            out.add(node, RDF_TYPE, _f(mention.cls))
            out.add(node, RDFS_LABEL, ox.Literal(resolution.labels[iri]))
            out.add(node, _f("mentionedIn"), source)
        # entity properties may refer to entities of the same record (film → its countries)
        for prop, spec, ctx in mention.properties:
            for v in engine.values(prop, spec, ctx, mention.record, {}, None):
                if isinstance(v, int):
                    out.add(node, _f(prop), ox.NamedNode(iri_of[v]))
                elif isinstance(v, ox.NamedNode | ox.Literal):
                    out.add(node, _f(prop), v)
    for iri, alts in sorted(resolution.alt_labels.items()):
        for alt in sorted(alts):
            out.add(ox.NamedNode(iri), SKOS_ALT, ox.Literal(alt))
    return entities


def _emit_evidence(out: _Quads, source: ox.NamedNode, engine: _Engine) -> None:
    used = {p.evidence for p in engine.pending}  # not the evidence of dropped assertions
    for (record, _fld, quote), iri in engine.evidence.items():
        if iri not in used:
            continue
        node = ox.NamedNode(iri)
        out.add(node, RDF_TYPE, _f("Evidence"))
        out.add(node, _f("source"), source)
        out.add(node, _f("sourceRecord"), ox.Literal(record))
        out.add(node, _f("quote"), ox.Literal(quote))


def _assertion_terms(
    p: _Pending, iri_of: MappingABC[int, str]
) -> tuple[dict[str, list[ox.NamedNode | ox.Literal]], list[int]]:
    terms: dict[str, list[ox.NamedNode | ox.Literal]] = {}
    agents: list[int] = []
    for prop, vals in p.values.items():
        found: list[ox.NamedNode | ox.Literal] = []
        for v in vals:
            if isinstance(v, int):
                found.append(ox.NamedNode(iri_of[v]))
                if prop == "agent":
                    agents.append(v)
            elif isinstance(v, ox.NamedNode | ox.Literal):
                found.append(v)
        terms[prop] = found
    return terms, agents


def _emit_assertions(
    out: _Quads, source_id: str, engine: _Engine, resolution: Any
) -> dict[str, str]:
    assertions: dict[str, str] = {}
    counters: dict[str, int] = defaultdict(int)
    credited_as: dict[int, str] = resolution.credited_as
    has_credited_as: set[str] = set()
    for p in engine.pending:
        terms, agents = _assertion_terms(p, resolution.iris)
        counters[p.record] += 1
        node = ox.NamedNode(_assertion_iri(p, terms, source_id, counters[p.record]))
        assertions[node.value] = p.cls
        out.add(node, RDF_TYPE, _f(p.cls))
        for prop, vals in terms.items():
            for term in vals:
                out.add(node, _f(prop), term)
        for a in agents:
            # one credited-as name per credit: the first one the source gives
            if a in credited_as and node.value not in has_credited_as:
                has_credited_as.add(node.value)
                out.add(node, _f("creditedAs"), ox.Literal(credited_as[a]))
        if p.evidence is not None:
            out.add(node, _f("evidence"), ox.NamedNode(p.evidence))
    return assertions


def _emit_matches(out: _Quads, engine: _Engine, resolution: Any) -> None:
    """Match nodes, with the evidence of the records where the name was found."""
    mention_evidence: dict[int, set[str]] = defaultdict(set)
    for p in engine.pending:
        if p.evidence is not None:
            for vals in p.values.values():
                for v in vals:
                    if isinstance(v, int):
                        mention_evidence[v].add(p.evidence)
    decimal = ox.NamedNode(XSD + "decimal")
    for match in resolution.matches:
        node = ox.NamedNode(match["iri"])
        out.add(node, RDF_TYPE, _f("Match"))
        out.add(node, _f("matchedName"), ox.Literal(match["name"]))
        out.add(node, _f("matchedEntity"), ox.NamedNode(match["entity"]))
        out.add(node, _f("confidence"), ox.Literal(f"{match['confidence']:.2f}", datatype=decimal))
        out.add(node, _f("method"), ox.Literal(match["method"]))
        for shared in match["shared"]:
            out.add(node, _f("sharedContext"), ox.NamedNode(shared))
        keys = sorted({k for mid in match["mentions"] for k in mention_evidence.get(mid, ())})
        for key in keys[:5]:
            out.add(node, _f("evidence"), ox.NamedNode(key))


# -- writing ---------------------------------------------------------------------------
def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)


def write_import(result: ImportResult, path: Path | None) -> str:
    """Serialise the import's quads (sorted N-Quads, or TriG for a ``.trig`` path).

    With ``path`` ``None`` the N-Quads text is returned instead of written.
    """
    if path is not None and path.suffix == ".trig":
        data = ox.serialize(result.quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        _atomic_write(path, data or b"")
        return ""
    text = "".join(sorted(f"{q} .\n" for q in result.quads))
    if path is None:
        return text
    _atomic_write(path, text.encode("utf-8"))
    return ""


def write_reports(result: ImportResult, folder: Path) -> list[Path]:
    """Write the quality report (JSON and Markdown) and the review list into ``folder``."""
    paths = [
        folder / f"{result.source_id}.quality.json",
        folder / f"{result.source_id}.quality.md",
        folder / f"{result.source_id}.review.json",
    ]
    _atomic_write(paths[0], result.report.to_json().encode("utf-8"))
    _atomic_write(paths[1], result.report.to_markdown().encode("utf-8"))
    _atomic_write(paths[2], result.review_json().encode("utf-8"))
    return paths


def import_into(
    store_path: str | Path | Any,
    source: str | Path,
    mapping: Mapping,
    *,
    threshold: float | None = None,
    infer: bool = True,
    select: Callable[[Record], bool] | None = None,
    limits: Limits | None = DEFAULT_LIMITS,
) -> ImportResult:
    """Import into a store (a path, or a :class:`~filmkg.engines.store.KnowledgeGraph`).

    A new or empty store first receives the project graph (ontology, vocabularies, data).
    The source's named graph is replaced, then the derived triples are computed again.

    A store given by its path changes in one step or not at all: the whole import runs
    on a staged copy (:meth:`KnowledgeGraph.staged`), which replaces the store only when
    every stage succeeded. Whatever fails (reading, mapping, resolution, derivation, a
    full disk, a kill) leaves every graph of the store as it was. A ``KnowledgeGraph``
    object given directly is changed in place.
    """
    options: dict[str, Any] = {"threshold": threshold, "select": select, "limits": limits}
    if isinstance(store_path, KnowledgeGraph):
        return _import_into(store_path, source, mapping, infer=infer, **options)
    source_files(source, mapping)  # a wrong path fails before anything is staged
    with KnowledgeGraph.staged(Path(store_path)) as kg:
        return _import_into(kg, source, mapping, infer=infer, **options)


def _import_into(
    kg: Any, source: str | Path, mapping: Mapping, *, infer: bool, **options: Any
) -> ImportResult:
    # On disk the writes go through the bulk loader (a transactional write costs ≈ 55 µs a
    # quad there); the store is a staged copy, so all or nothing still holds.
    add = kg.bulk_add if kg.path is not None else kg.add_quads
    if len(kg) == 0:
        project = load_project(infer=False)
        add(project.match())
    kg.clear_graph(mapping.graph)
    kg.clear_graph(inference.INFERRED_GRAPH)
    result = import_source(source, mapping, reference=kg, **options)
    add(result.quads)
    if infer:
        inference.infer(kg)
    kg.compact()
    return result
