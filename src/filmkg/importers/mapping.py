"""Declarative import mappings: a TOML file says how a CSV, JSON or Cypher source becomes
films, people, credits and other assertions of the filmkg ontology.

A mapping names its source and dataset, then one ``[[map]]`` per kind of record. Each map
declares *entities* (a film, the people of a cast list …) and *assertions* (a credit, a
release …) with templates over the record's fields; no Python is needed. See
``docs/import.md`` for the full reference and a worked example.

Templates
    ``"{title}"`` inserts a field; ``"{title|slug}"`` applies a filter (``slug``,
    ``lower``, ``strip``, ``year``, ``number`` — ``28,341,469`` → ``28341469`` —,
    ``minutes`` — ``142 min`` → ``PT2H22M``, an ``xsd:duration`` —, ``default:VALUE``).
    ``{@}`` is the current item of a multi-valued entity (``each``, or ``columns = ["Star1",
    "Star2"]``: one item per non-empty column), ``{@role}`` the role word found in its
    parentheses, ``{@raw}`` the item as written, ``{@column}`` the field it came from. A
    template that is a single field holding a list gives one value per element. A
    template whose fields are all empty gives no value (nothing is written).
Values of properties
    ``"@film"`` — the entity of map ``film`` in this record (or the current item);
    ``"@person[{_start}]"`` — the entity of map ``person`` whose ``identity`` is the value
    (a join across records, as for Cypher relationships); ``"role:director"`` — an IRI
    with a project prefix (templates allowed: ``"role:{@role|default:cast-member}"``);
    anything else is a literal, typed by the property's ``rdfs:range`` in the ontology
    (``{ value = "…", lang = "en" }`` for a language-tagged string).

>>> m = parse_mapping('''
... [source]
... id = "tiny"
... format = "csv"
... [dataset]
... title = "Tiny"
... [[map]]
... table = "rows"
... [[map.entity]]
... name = "film"
... class = "Film"
... label = "{title}"
... year = "{year}"
... ''', path="tiny.toml")
>>> m.source_id, m.maps[0].entities[0].cls
('tiny', 'Film')
>>> render("{name|slug}", {"name": "Edin Hasanović"})
['edin-hasanovic']
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from filmkg.errors import ParseError, SourceNotFoundError
from filmkg.importers.tables import FORMATS
from filmkg.rdf.literals import XSD, well_formed
from filmkg.rdf.namespaces import FILMKG_NS, GRAPH, PREFIXES
from filmkg.resources import mappings_dir, ontology_dir, ontology_file, shapes_file

__all__ = [
    "AssertionMap",
    "Check",
    "EntityMap",
    "LinkMap",
    "Mapping",
    "RecordMap",
    "ValueSpec",
    "fold",
    "load_mapping",
    "ontology_terms",
    "parse_mapping",
    "render",
    "requirements",
    "slug",
    "superclasses",
    "vocabularies",
    "vocabulary_problem",
]

_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_JOIN = re.compile(r"^@([A-Za-z_][\w-]*)(?:\[(.*)\])?$")
_CURIE = re.compile(r"^([a-z][a-z0-9]*):(\S*)$")
_FILTERS = ("slug", "lower", "strip", "year", "number", "minutes", "default")
_NUMBER = re.compile(r"^[-+]?\d{1,3}(?:[,_ ]\d{3})+(?:\.\d+)?$|^[-+]?\d+(?:\.\d+)?$")
_MINUTES = re.compile(r"^(\d+)\s*(?:min|mins|minutes|m)?\.?$", re.IGNORECASE)
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_SH = "http://www.w3.org/ns/shacl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


# -- text helpers ----------------------------------------------------------------------
@cache
def fold(text: str) -> str:
    """A name folded for comparison: accents removed, case folded, punctuation as spaces.

    >>> fold("Edin Hasanović") == fold("edin  HASANOVIC") == "edin hasanovic"
    True
    >>> fold("Stand-By-Me")
    'stand by me'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    stripped = stripped.replace("'", "").replace("’", "")
    words = re.sub(r"[\W_]+", " ", stripped.casefold())
    return " ".join(words.split())


def slug(text: str) -> str:
    """The IRI path segment of a name: folded, words joined by ``-``.

    >>> slug("The Da Vinci Code"), slug("Jerry O'Connell"), slug("재벌집 막내아들")
    ('the-da-vinci-code', 'jerry-oconnell', '재벌집-막내아들')
    """
    return fold(text).replace(" ", "-")


# -- templates --------------------------------------------------------------------------
def _apply(value: Any, filters: list[str]) -> Any:
    for f in filters:
        name, _, arg = f.partition(":")
        if name == "default":
            if value is None or value == "" or value == []:
                value = arg
            continue
        if value is None:
            return None
        text = str(value)
        if name == "slug":
            value = slug(text)
        elif name == "lower":
            value = text.lower()
        elif name == "strip":
            value = text.strip()
        elif name == "year":
            match = re.search(r"\b(\d{4})\b", text)
            value = match.group(1) if match else None
        elif name in ("number", "minutes"):
            value = _number(text.strip()) if name == "number" else _minutes(text.strip())
    return value


def _number(text: str) -> str:
    """A number with thousands separators as a plain decimal; other text is left as it is
    (the property's datatype then reports it).

    >>> _number("28,341,469"), _number("1 000.5"), _number("$5"), _number("1,2")
    ('28341469', '1000.5', '$5', '1,2')
    """
    if _NUMBER.match(text):
        return re.sub(r"[,_ ]", "", text).lstrip("+")
    return text


def _minutes(text: str) -> str:
    """A running time in minutes as an ``xsd:duration`` in canonical form (hours and
    minutes, as triple stores write it back); other text is left as it is.

    >>> _minutes("142 min"), _minutes("45"), _minutes("120 minutes"), _minutes("2h 22m")
    ('PT2H22M', 'PT45M', 'PT2H', '2h 22m')
    """
    match = _MINUTES.match(text)
    if not match:
        return text
    hours, minutes = divmod(int(match.group(1)), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")


def _lookup(expr: str, fields: MappingABC[str, Any]) -> Any:
    name, *filters = [p.strip() for p in expr.split("|")]
    value = fields.get(name)
    if isinstance(value, bool):
        value = str(value).lower()
    return _apply(value, filters)


@cache
def _parts(template: str) -> list[str]:
    return _TEMPLATE.split(template)


def render(template: str, fields: MappingABC[str, Any]) -> list[str]:
    """The values of ``template`` for a record: [] when its fields are empty.

    >>> render("{roles}", {"roles": ["Neo", "Thomas Anderson"]})
    ['Neo', 'Thomas Anderson']
    >>> render("line {_line}", {"_line": 3}), render("{x}", {"x": ""})
    (['line 3'], [])
    >>> render("role:{@role|default:cast-member}", {"@role": ""})
    ['role:cast-member']
    """
    parts = _parts(template)
    if len(parts) == 3 and parts[0] == "" and parts[2] == "":
        value = _lookup(parts[1], fields)
        if isinstance(value, list):
            return [str(v) for v in value if v is not None and str(v) != ""]
        return [] if value is None or value == "" else [str(value)]
    out: list[str] = []
    found = False
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part)
            continue
        value = _lookup(part, fields)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value is not None and value != "":
            found = True
            out.append(str(value))
    if len(parts) > 1 and not found:
        return []
    return ["".join(out)]


# -- the ontology's terms (for checking mappings and typing literals) -------------------
@dataclass(frozen=True)
class OntologyTerms:
    classes: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: dict[str, str]  # local name → range IRI (or "")


@cache
def ontology_terms() -> OntologyTerms:
    """The classes and properties of ``ontology/filmkg.ttl`` (local names) and their ranges."""
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    owl = "http://www.w3.org/2002/07/owl#"
    rng = "http://www.w3.org/2000/01/rdf-schema#range"
    classes: set[str] = set()
    objects: set[str] = set()
    datatypes: dict[str, str] = {}
    ranges: dict[str, str] = {}
    for t in ox.parse(path=str(ontology_file())):
        s = t.subject
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(FILMKG_NS):
            continue
        local = s.value[len(FILMKG_NS) :]
        if t.predicate.value == rdf_type:
            kind = t.object.value
            if kind == owl + "Class":
                classes.add(local)
            elif kind == owl + "ObjectProperty":
                objects.add(local)
            elif kind == owl + "DatatypeProperty":
                datatypes[local] = ""
        elif t.predicate.value == rng and isinstance(t.object, ox.NamedNode):
            ranges[local] = t.object.value
    for local in datatypes:
        datatypes[local] = ranges.get(local, "")
    return OntologyTerms(frozenset(classes), frozenset(objects), datatypes)


@cache
def vocabularies() -> dict[str, frozenset[str]]:
    """The SKOS concepts of ``ontology/vocab.ttl`` by namespace: ``{namespace: {local names}}``.

    >>> "director" in vocabularies()["https://w3id.org/filmkg/vocab/role/"]
    True
    """
    concept = "http://www.w3.org/2004/02/skos/core#Concept"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    found: dict[str, set[str]] = {}
    for t in ox.parse(path=str(ontology_dir() / "vocab.ttl")):
        if t.predicate.value == rdf_type and t.object.value == concept:
            namespace, _, local = t.subject.value.rpartition("/")
            found.setdefault(namespace + "/", set()).add(local)
    return {ns: frozenset(locals_) for ns, locals_ in found.items()}


def vocabulary_problem(curie: str) -> tuple[str, str | None] | None:
    """Why a prefixed IRI is not a term of its vocabulary (message, hint), or None.

    Prefixes whose namespace is a SKOS vocabulary (``role:``, ``releasestatus:`` …) take
    only the terms it lists; other prefixes take any local name that makes an IRI.

    >>> vocabulary_problem("role:director") is None
    True
    >>> vocabulary_problem("role:directer")
    ("'role:directer' is not a term of the role vocabulary", "did you mean 'role:director'?")
    """
    prefix, _, local = curie.partition(":")
    namespace = PREFIXES.get(prefix)
    if namespace is None:
        return f"unknown prefix {prefix!r}", f"use one of {', '.join(sorted(PREFIXES))}"
    terms = vocabularies().get(namespace)
    if terms is None:
        problem = _iri_problem(namespace + local)
        return (f"{curie!r} is {problem}", None) if problem else None
    if local in terms:
        return None
    close = difflib.get_close_matches(local, terms, n=1)
    hint = (
        f"did you mean '{prefix}:{close[0]}'?"
        if close
        else f"use one of {', '.join(sorted(terms))}"
    )
    return (
        f"{curie!r} is not a term of the {namespace.rstrip('/').rsplit('/', 1)[1]} vocabulary",
        hint,
    )


@dataclass(frozen=True)
class Requirements:
    """What an instance of a class needs (from the SHACL shapes): properties, one-of groups."""

    required: frozenset[str]
    one_of: tuple[frozenset[str], ...]
    at_most_one: frozenset[str] = frozenset()  # sh:maxCount 1
    only_one: tuple[frozenset[str], ...] = ()  # sh:xone: one of them, not two


@cache
def _shape_graph() -> tuple[dict[str, set[str]], dict[str, list[Any]]]:
    sub = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    parents: dict[str, set[str]] = {}
    for t in ox.parse(path=str(ontology_file())):
        if t.predicate.value == sub and isinstance(t.object, ox.NamedNode):
            parents.setdefault(t.subject.value, set()).add(t.object.value)
    by_subject: dict[str, list[Any]] = {}
    for t in ox.parse(path=str(shapes_file())):
        by_subject.setdefault(str(t.subject), []).append(t)
    return parents, by_subject


def superclasses(iri: str, parents: MappingABC[str, set[str]]) -> set[str]:
    """``iri`` and every class above it, by the ``parents`` (class → direct super-classes).

    >>> sorted(superclasses("c", {"c": {"b"}, "b": {"a"}}))
    ['a', 'b', 'c']
    """
    seen: set[str] = set()
    todo = [iri]
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(parents.get(c, ()))
    return seen


def _rdf_list(head: Any, by_subject: MappingABC[str, list[Any]]) -> list[Any]:
    first, rest = _RDF + "first", _RDF + "rest"
    items: list[Any] = []
    while head is not None and head.value != _RDF + "nil":
        triples = by_subject.get(str(head), [])
        items += [t.object for t in triples if t.predicate.value == first]
        head = next((t.object for t in triples if t.predicate.value == rest), None)
    return items


def _min_paths(
    node: Any, by_subject: MappingABC[str, list[Any]], count: str = "minCount"
) -> set[str]:
    """The filmkg property of a property shape with ``sh:minCount`` (or another count) 1."""
    triples = by_subject.get(str(node), [])
    values = {t.predicate.value: t.object for t in triples}
    path, n = values.get(_SH + "path"), values.get(_SH + count)
    if path is None or n is None or not path.value.startswith(FILMKG_NS):
        return set()
    if (count == "minCount" and int(n.value) < 1) or (count == "maxCount" and n.value != "1"):
        return set()
    return {path.value[len(FILMKG_NS) :]}


@cache
def requirements(cls: str) -> Requirements:
    """The properties an instance of ``cls`` needs by the shapes (with its superclasses').

    >>> sorted(requirements("Credit").required)
    ['agent', 'evidence', 'role', 'work']
    >>> [sorted(g) for g in requirements("Release").one_of]
    [['releaseDate', 'releaseYear']]
    >>> "role" in requirements("Credit").at_most_one, requirements("Release").only_one != ()
    (True, True)
    """
    parents, by_subject = _shape_graph()
    classes = superclasses(FILMKG_NS + cls, parents)
    required: set[str] = set()
    at_most_one: set[str] = set()
    one_of: list[frozenset[str]] = []
    only_one: list[frozenset[str]] = []
    for triples in by_subject.values():
        if not any(
            t.predicate.value == _SH + "targetClass" and t.object.value in classes for t in triples
        ):
            continue
        for t in triples:
            if t.predicate.value == _SH + "property":
                required |= _min_paths(t.object, by_subject)
                at_most_one |= _min_paths(t.object, by_subject, "maxCount")
            elif t.predicate.value in (_SH + "or", _SH + "xone"):
                group = set().union(
                    *(_min_paths(n, by_subject) for n in _rdf_list(t.object, by_subject))
                )
                if group:
                    one_of.append(frozenset(group))
                if group and t.predicate.value == _SH + "xone":
                    only_one.append(frozenset(group))
    return Requirements(frozenset(required), tuple(one_of), frozenset(at_most_one), tuple(only_one))


# -- the mapping model ------------------------------------------------------------------
@dataclass(frozen=True)
class ValueSpec:
    """How one property value is made: an entity reference, an IRI template or a literal."""

    kind: str  # "entity" | "iri" | "literal"
    template: str = ""
    entity: str = ""  # entity map name (kind "entity")
    join: str | None = None  # identity template for a join (kind "entity")
    lang: str | None = None
    datatype: str | None = None
    split: str | None = None


@dataclass(frozen=True)
class EntityMap:
    """Entities a record mentions: one, or one per item of a multi-valued field."""

    name: str
    cls: str
    label: str
    year: str | None = None
    identity: str | None = None
    each: str | None = None
    split: str | None = None
    clean: str | None = None
    properties: dict[str, list[ValueSpec]] = field(default_factory=dict)
    columns: tuple[str, ...] = ()  # one entity per non-empty column (Star1 … Star4)


@dataclass(frozen=True)
class AssertionMap:
    """Assertions (credits, releases …) a record states, with the field quoted as evidence."""

    cls: str
    properties: dict[str, list[ValueSpec]]
    each: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class LinkMap:
    """A plain link between two entities, with no qualifiers (for example filmkg:follows)."""

    subject: ValueSpec
    prop: str
    object: ValueSpec


@dataclass(frozen=True)
class Check:
    """A data-quality rule: a field value matching ``pattern`` is reported as ``kind``."""

    field: str
    pattern: re.Pattern[str]
    kind: str
    message: str


@dataclass(frozen=True)
class RecordMap:
    """What to make of the records of one table that match ``where``."""

    table: str
    where: dict[str, str]
    record: str | None
    entities: list[EntityMap]
    assertions: list[AssertionMap]
    checks: list[Check]
    links: list[LinkMap] = field(default_factory=list)


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    path: str
    source_id: str
    fmt: str
    files: list[str]
    lang: str
    dataset: dict[str, Any]
    roles: dict[str, str]
    maps: list[RecordMap]
    threshold: float = 0.85
    record: str | None = None

    @property
    def graph(self) -> str:
        """The named graph of this import: ``graph:import/<source id>``."""
        return str(GRAPH[f"import/{self.source_id}"])


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, message: str, hint: str | None = None) -> ParseError:
        return ParseError(f"{where}: {message}", path=self.path, hint=hint)

    def table(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "expected a table")
        return data

    def string(self, data: MappingABC[str, Any], key: str, where: str, *, required: bool) -> Any:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"missing key {key!r}")
            return None
        if not isinstance(value, str):
            raise self.fail(where, f"{key!r} must be a string")
        return value

    def lang(self, data: MappingABC[str, Any], where: str) -> str | None:
        """A ``lang`` value: a BCP 47 language tag, checked by the RDF engine itself."""
        tag: str | None = self.string(data, "lang", where, required=False)
        if tag is not None:
            try:
                ox.Literal("", language=tag)
            except ValueError:
                raise self.fail(
                    where, f"lang {tag!r} is not a language tag", "use en, fr, pt-BR …"
                ) from None
        return tag

    def array(self, data: MappingABC[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(where, f"{key!r} must be an array of tables ([[map.{key}]])")
        return value

    def keys(self, data: MappingABC[str, Any], allowed: set[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"known: {', '.join(sorted(allowed))}"
                )
                raise self.fail(where, f"unknown key {key!r}", hint)

    def term(self, name: str, known: set[str] | frozenset[str], what: str, where: str) -> None:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            raise self.fail(where, f"unknown {what} {name!r} in the filmkg ontology", hint)


def _check_term(chk: _Checker, prop: str, curie: str, where: str) -> None:
    # a fixed term, or a template's default ("role:{@role|default:cast-member}")
    rendered = render(curie, {})
    problem = vocabulary_problem(rendered[0]) if rendered else None
    if problem is not None:
        raise chk.fail(where, f"property {prop!r}: {problem[0]}", problem[1])


def _value_specs(
    chk: _Checker, prop: str, raw: Any, where: str, default_lang: str, entity_names: set[str]
) -> list[ValueSpec]:
    terms = ontology_terms()
    items = raw if isinstance(raw, list) else [raw]
    specs: list[ValueSpec] = []
    is_object = prop in terms.object_properties
    chk.term(prop, set(terms.object_properties) | set(terms.datatype_properties), "property", where)
    for item in items:
        if isinstance(item, dict):
            chk.keys(item, {"value", "lang", "datatype", "split"}, where)
            template = chk.string(item, "value", where, required=True)
            datatype = chk.string(item, "datatype", where, required=False)
            if datatype is not None and not datatype.startswith(("xsd:", _XSD)):
                raise chk.fail(
                    where, f"datatype {datatype!r} is not an XML Schema type", "use xsd:…"
                )
            specs.append(
                ValueSpec(
                    "literal",
                    template,
                    lang=chk.lang(item, where),
                    datatype=datatype,
                    split=chk.string(item, "split", where, required=False) or None,
                )
            )
            continue
        if isinstance(item, bool | int | float):
            item = str(item).lower() if isinstance(item, bool) else str(item)
        if not isinstance(item, str):
            raise chk.fail(where, f"property {prop!r}: expected a string, a list or a table")
        join = _JOIN.match(item)
        if join:
            if join.group(1) not in entity_names:
                raise chk.fail(
                    where,
                    f"property {prop!r} refers to entity {join.group(1)!r}, which no map declares",
                )
            specs.append(ValueSpec("entity", entity=join.group(1), join=join.group(2)))
            continue
        curie = _CURIE.match(item)
        if curie and curie.group(1) in PREFIXES:
            _check_term(chk, prop, item, where)
            specs.append(ValueSpec("iri", item))
            continue
        if curie and is_object:
            close = difflib.get_close_matches(curie.group(1), PREFIXES, n=1)
            hint = f"did you mean '{close[0]}:'?" if close else None
            raise chk.fail(where, f"property {prop!r}: unknown prefix in {item!r}", hint)
        if is_object:
            raise chk.fail(
                where,
                f"property {prop!r} links to a node: use '@entity' or a prefixed IRI, not {item!r}",
            )
        rng = terms.datatype_properties.get(prop, "")
        lang = default_lang if rng.endswith("#langString") else None
        specs.append(ValueSpec("literal", item, lang=lang))
    return specs


def _load_toml(text: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ParseError(message, path=path, line=line, column=column) from None


@dataclass(frozen=True)
class _Source:
    id: str
    fmt: str
    files: list[str]
    lang: str
    record: str | None


def _parse_source(chk: _Checker, data: MappingABC[str, Any]) -> _Source:
    source = chk.table(data.get("source"), "[source]")
    chk.keys(source, {"id", "format", "files", "record", "lang"}, "[source]")
    source_id = chk.string(source, "id", "[source]", required=True)
    if slug(source_id) != source_id:
        raise chk.fail("[source]", f"id {source_id!r} must be a slug", f"use {slug(source_id)!r}")
    fmt = chk.string(source, "format", "[source]", required=True)
    if fmt not in FORMATS:
        raise chk.fail("[source]", f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    files = source.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise chk.fail("[source]", "'files' must be a list of file names")
    for name in files:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise chk.fail(
                "[source]", f"file {name!r} is outside the source folder", "name it from there"
            )
    lang = chk.lang(source, "[source]") or "en"
    record = chk.string(source, "record", "[source]", required=False)
    return _Source(source_id, fmt, list(files), lang, record)


def _parse_threshold(chk: _Checker, data: MappingABC[str, Any]) -> float:
    resolution = chk.table(data.get("resolution", {}), "[resolution]")
    chk.keys(resolution, {"threshold"}, "[resolution]")
    threshold = resolution.get("threshold", 0.85)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise chk.fail("[resolution]", "'threshold' must be a number between 0 and 1")
    if not 0 <= threshold <= 1:
        raise chk.fail("[resolution]", f"threshold {threshold} is not between 0 and 1")
    return float(threshold)


def parse_mapping(text: str, *, path: str = "<mapping>") -> Mapping:
    """Parse and check a mapping; raise :class:`ParseError` naming what is wrong and where."""
    data = _load_toml(text, path)
    chk = _Checker(path)
    chk.keys(data, {"source", "dataset", "roles", "map", "resolution"}, "top level")
    source = _parse_source(chk, data)
    dataset = _parse_dataset(chk, data)
    roles = _parse_roles(chk, data)
    threshold = _parse_threshold(chk, data)
    raw_maps = data.get("map", [])
    if not isinstance(raw_maps, list) or not raw_maps:
        raise chk.fail("top level", "no [[map]] tables", "add at least one [[map]]")
    all_entities = {
        e.get("name")
        for m in raw_maps
        if isinstance(m, dict)
        for e in m.get("entity", [])
        if isinstance(e, dict)
    }
    names = {n for n in all_entities if isinstance(n, str)}
    maps = [
        _parse_map(chk, chk.table(raw, f"[[map]] #{i}"), i, source, names)
        for i, raw in enumerate(raw_maps, start=1)
    ]
    return Mapping(
        path=path,
        source_id=source.id,
        fmt=source.fmt,
        files=source.files,
        lang=source.lang,
        dataset=dataset,
        roles=roles,
        maps=maps,
        threshold=threshold,
        record=source.record,
    )


def _check_one_per_item(
    chk: _Checker, entities: list[EntityMap], assertions: list[AssertionMap], where: str
) -> None:
    """An assertion that takes one agent (work …) cannot name all the items of a list."""
    multi = {e.name for e in entities if e.each is not None or e.columns}
    for j, a in enumerate(assertions, start=1):
        single = requirements(a.cls).at_most_one
        for prop, specs in a.properties.items():
            for spec in specs:
                per_item = spec.kind == "entity" and spec.entity in multi and spec.join is None
                if per_item and spec.entity != a.each and prop in single:
                    raise chk.fail(
                        f"{where} assertion #{j} ({a.cls})",
                        f"a {a.cls} takes one {prop}, and '@{spec.entity}' is one per item",
                        f'add each = "{spec.entity}" to the assertion',
                    )


def _parse_map(
    chk: _Checker, raw: dict[str, Any], i: int, source: _Source, entity_names: set[str]
) -> RecordMap:
    where = f"[[map]] #{i}"
    chk.keys(raw, {"table", "where", "record", "entity", "assertion", "check", "link"}, where)
    table = chk.string(raw, "table", where, required=True)
    if table not in FORMATS[source.fmt]:
        raise chk.fail(
            where,
            f"format {source.fmt!r} has no table {table!r}",
            f"use {', '.join(FORMATS[source.fmt])}",
        )
    where = f"{where} (table {table})"
    cond = {k: str(v) for k, v in chk.table(raw.get("where", {}), where).items()}
    local = {e.get("name") for e in chk.array(raw, "entity", where) if isinstance(e, dict)}
    ctx = _Context(chk, source.lang, entity_names)
    entities = [
        _parse_entity(ctx, chk.table(e, where), where) for e in chk.array(raw, "entity", where)
    ]
    assertions = [
        _parse_assertion(ctx, chk.table(a, where), f"{where} assertion #{j}", local)
        for j, a in enumerate(chk.array(raw, "assertion", where), start=1)
    ]
    _check_one_per_item(chk, entities, assertions, where)
    checks = [
        _parse_check(chk, chk.table(c, where), f"{where} check")
        for c in chk.array(raw, "check", where)
    ]
    links = [
        _parse_link(ctx, chk.table(c, where), f"{where} link")
        for c in chk.array(raw, "link", where)
    ]
    return RecordMap(
        table,
        cond,
        chk.string(raw, "record", where, required=False),
        entities,
        assertions,
        checks,
        links,
    )


@dataclass(frozen=True)
class _Context:
    chk: _Checker
    lang: str
    entity_names: set[str]

    def properties(self, data: MappingABC[str, Any], where: str) -> dict[str, list[ValueSpec]]:
        return {
            p: _value_specs(self.chk, p, v, where, self.lang, self.entity_names)
            for p, v in self.chk.table(data.get("properties", {}), where).items()
        }


_ENTITY_KEYS = {
    "name",
    "class",
    "label",
    "year",
    "identity",
    "each",
    "split",
    "clean",
    "properties",
    "columns",
}


def _parse_entity(ctx: _Context, e: dict[str, Any], where: str) -> EntityMap:
    chk = ctx.chk
    ew = f"{where} entity {e.get('name')!r}"
    chk.keys(e, _ENTITY_KEYS, ew)
    cls = chk.string(e, "class", ew, required=True)
    chk.term(cls, ontology_terms().classes, "class", ew)
    clean = chk.string(e, "clean", ew, required=False)
    if clean not in (None, "names"):
        raise chk.fail(ew, f"unknown cleaner {clean!r}", "use 'names'")
    columns = e.get("columns", [])
    if not isinstance(columns, list) or not all(isinstance(c, str) and c for c in columns):
        hint = 'columns = ["Star1", "Star2"]'
        raise chk.fail(ew, "'columns' must be a list of column names", hint)
    if "columns" in e and not columns:
        raise chk.fail(ew, "'columns' is empty", 'name the columns: columns = ["Star1", "Star2"]')
    if columns and "each" in e:
        raise chk.fail(ew, "give 'each' (one list field) or 'columns' (several fields), not both")
    return EntityMap(
        name=chk.string(e, "name", ew, required=True),
        cls=cls,
        label=chk.string(e, "label", ew, required=False) or "{@}",
        year=chk.string(e, "year", ew, required=False),
        identity=chk.string(e, "identity", ew, required=False),
        each=chk.string(e, "each", ew, required=False),
        split=chk.string(e, "split", ew, required=False),
        clean=clean,
        properties=ctx.properties(e, ew),
        columns=tuple(columns),
    )


def _parse_assertion(ctx: _Context, a: dict[str, Any], where: str, local: set[Any]) -> AssertionMap:
    chk = ctx.chk
    if isinstance(a.get("class"), str):
        where = f"{where} ({a['class']})"
    chk.keys(a, {"class", "each", "evidence", "properties"}, where)
    cls = chk.string(a, "class", where, required=True)
    chk.term(cls, ontology_terms().classes, "class", where)
    each = chk.string(a, "each", where, required=False)
    if each is not None and each not in local:
        close = difflib.get_close_matches(each, [n for n in local if isinstance(n, str)], n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
        raise chk.fail(where, f"'each' names {each!r}, which this map does not declare", hint)
    properties = ctx.properties(a, where)
    evidence = chk.string(a, "evidence", where, required=False)
    _check_complete(chk, cls, {*properties, *(["evidence"] if evidence else [])}, where)
    return AssertionMap(cls, properties, each, evidence)


def _check_complete(chk: _Checker, cls: str, given: set[str], where: str) -> None:
    """An assertion map must give what the shapes require of its class."""
    needs = requirements(cls)
    missing = sorted(needs.required - given)
    if missing == ["evidence"]:
        raise chk.fail(
            where, f"a {cls} needs evidence", 'name the field that states it: evidence = "…"'
        )
    if missing:
        names = ", ".join(repr(m) for m in missing)
        raise chk.fail(where, f"a {cls} needs {names}", f"add {missing[0]} = … to its properties")
    for group in needs.one_of:
        if not group & given:
            names = " or ".join(repr(g) for g in sorted(group))
            raise chk.fail(where, f"a {cls} needs {names}", "add one of them to its properties")


def _parse_check(chk: _Checker, c: dict[str, Any], where: str) -> Check:
    chk.keys(c, {"field", "matches", "kind", "message"}, where)
    try:
        pattern = re.compile(chk.string(c, "matches", where, required=True))
    except re.error as exc:
        raise chk.fail(where, f"bad regular expression: {exc}") from None
    return Check(
        chk.string(c, "field", where, required=True),
        pattern,
        chk.string(c, "kind", where, required=True),
        chk.string(c, "message", where, required=False) or "",
    )


def _parse_link(ctx: _Context, c: dict[str, Any], where: str) -> LinkMap:
    chk = ctx.chk
    chk.keys(c, {"subject", "property", "object"}, where)
    prop = chk.string(c, "property", where, required=True)
    if prop not in ontology_terms().object_properties:
        close = difflib.get_close_matches(prop, ontology_terms().object_properties, n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
        raise chk.fail(where, f"{prop!r} is not an object property of the filmkg ontology", hint)
    ends = [
        _value_specs(
            chk, prop, chk.string(c, k, where, required=True), where, ctx.lang, ctx.entity_names
        )
        for k in ("subject", "object")
    ]
    if any(len(e) != 1 or e[0].kind != "entity" for e in ends):
        raise chk.fail(where, "subject and object must be entity references ('@name')")
    return LinkMap(ends[0][0], prop, ends[1][0])


#: Licence names people write instead of an IRI, and the IRI each one means (for hints).
_LICENCE_IRIS = {
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc by 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc by sa 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "mit": "https://opensource.org/licenses/MIT",
    "apache 2.0": "https://www.apache.org/licenses/LICENSE-2.0",
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
}


def _iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI, or None when it is one.

    >>> _iri_problem("https://example.org/x") is None, _iri_problem("CC0 1.0")
    (True, 'not an absolute IRI')
    """
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        return "not an absolute IRI"
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        return f"not an IRI ({exc})"
    return None


def _parse_dataset(chk: _Checker, data: MappingABC[str, Any]) -> dict[str, Any]:
    dataset = chk.table(data.get("dataset", {}), "[dataset]")
    chk.keys(
        dataset, {"title", "origin", "licence", "licence_note", "retrieved", "note"}, "[dataset]"
    )
    chk.string(dataset, "title", "[dataset]", required=True)
    for key in ("licence_note", "note"):
        chk.string(dataset, key, "[dataset]", required=False)
    origin = chk.string(dataset, "origin", "[dataset]", required=False)
    if origin is not None and (problem := _iri_problem(origin)):
        raise chk.fail("[dataset]", f"origin {origin!r} is {problem}", "give the URL it came from")
    licences = dataset.get("licence", [])
    for lic in licences if isinstance(licences, list) else [licences]:
        if not isinstance(lic, str):
            raise chk.fail("[dataset]", "'licence' must be an IRI or a list of IRIs")
        if problem := _iri_problem(lic):
            known = _LICENCE_IRIS.get(" ".join(re.sub(r"[-_]", " ", lic.casefold()).split()))
            hint = f"did you mean {known!r}?" if known else "give the licence's URL"
            raise chk.fail("[dataset]", f"licence {lic!r} is {problem}", hint)
    retrieved = dataset.get("retrieved")
    if retrieved is not None:
        text = retrieved.isoformat() if hasattr(retrieved, "isoformat") else str(retrieved)
        if not well_formed(text, XSD + "date"):
            raise chk.fail(
                "[dataset]", f"retrieved {text!r} is not a date", "write it as YYYY-MM-DD"
            )
        dataset = {**dataset, "retrieved": text}
    return dataset


def _parse_roles(chk: _Checker, data: MappingABC[str, Any]) -> dict[str, str]:
    roles = chk.table(data.get("roles", {}), "[roles]")
    for word, role in roles.items():
        if not isinstance(role, str):
            raise chk.fail("[roles]", f"{word!r} must name a role, such as 'screenwriter'")
        if problem := vocabulary_problem(f"role:{role}"):
            hint = problem[1].replace("'role:", "'") if problem[1] else None
            raise chk.fail("[roles]", f"{word} = {role!r}: {problem[0]}", hint)
    return {str(k).casefold(): str(v) for k, v in roles.items()}


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file; a bare name (``neo4j-movies``) means a mapping shipped with filmkg.

    >>> load_mapping("neo4j-movies").source_id
    'neo4j-movies'
    """
    p = Path(path)
    if not p.exists() and p.suffix == "" and "/" not in str(path):
        shipped = mappings_dir() / f"{path}.toml"
        if shipped.is_file():
            p = shipped
        else:
            names = sorted(f.stem for f in mappings_dir().glob("*.toml"))
            raise SourceNotFoundError(
                f"no mapping {str(path)!r}", hint=f"give a file, or one of: {', '.join(names)}"
            )
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceNotFoundError(f"{p}: no such mapping file", hint="check the path") from None
    except IsADirectoryError:
        raise SourceNotFoundError(f"{p}: is a folder", hint="name the mapping file") from None
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 ({exc.reason} at byte {exc.start})",
            path=str(p),
            hint="save the mapping as UTF-8",
        ) from None
    except OSError as exc:
        raise SourceNotFoundError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_mapping(text, path=str(p))
