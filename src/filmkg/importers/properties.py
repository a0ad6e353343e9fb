"""The properties a mapping may use, per class, read from the ontology and the shapes.

``docs/import.md`` holds the table :func:`property_table` makes, between two marker
comments; :func:`update_doc` rewrites it there and ``tests/importers/test_import_docs.py``
fails when the document and the ontology part ways. A class takes the properties whose
``rdfs:domain`` is the class or one of its superclasses, and those its shapes name
(``filmkg:work`` has no domain: every assertion shape names it), leaving out what the
rules derive (``filmkg:director`` …: a mapping states credits); the properties the
shapes require (``sh:minCount`` ≥ 1, from :func:`filmkg.importers.mapping.requirements`) are bold.

>>> rows = class_properties()
>>> [p.name for p in rows["BoxOffice"]]
['amount', 'currency', 'evidence', 'note', 'work']
>>> [p.name for p in rows["BoxOffice"] if p.required]
['amount', 'currency', 'evidence', 'work']
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from filmkg.importers.mapping import requirements, superclasses
from filmkg.io.fileio import atomic_write_bytes
from filmkg.rdf.namespaces import FILMKG_NS, PREFIXES
from filmkg.resources import ontology_dir, ontology_file, shapes_file
from filmkg.sparql.tokenizer import tokens

__all__ = ["BEGIN", "END", "ClassProperty", "class_properties", "property_table", "update_doc"]

BEGIN = "<!-- properties: generated from the ontology by filmkg.importers.properties -->"
END = "<!-- end of generated properties -->"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SH = "http://www.w3.org/ns/shacl#"
_NOT_MAPPED = (_SKOS + "Concept", FILMKG_NS + "DerivedRelation")  # vocabularies, derived


@dataclass(frozen=True, order=True)
class ClassProperty:
    """One property a mapping may give an instance of a class."""

    name: str
    required: bool


@dataclass(frozen=True)
class _Ontology:
    kinds: dict[str, str]  # filmkg IRI → owl:Class / owl:ObjectProperty / …
    parents: dict[str, set[str]]
    facts: dict[tuple[str, str], list[str]]  # (subject, predicate) → objects


@cache
def _ontology() -> _Ontology:
    kinds: dict[str, str] = {}
    parents: dict[str, set[str]] = defaultdict(set)
    facts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in ox.parse(path=str(ontology_file())):
        s, p, o = t.subject.value, t.predicate.value, t.object.value
        if p == _RDF + "type" and s.startswith(FILMKG_NS):
            kinds[s] = o
        elif p == _RDFS + "subClassOf":
            parents[s].add(o)
        if not isinstance(t.object, ox.Literal) or t.object.language in (None, "en"):
            facts[(s, p)].append(o)
    return _Ontology(kinds, parents, facts)


def _template_names(rule: str) -> list[str]:
    """The ``filmkg:`` local names in the template of a CONSTRUCT rule.

    >>> _template_names("CONSTRUCT { ?w filmkg:director ?a . } WHERE { ?w filmkg:x ?a }")
    ['director']
    """
    found = tokens(rule)
    upper = [tok.upper() for tok in found]
    for i in range(len(found) - 1):
        if upper[i] == "CONSTRUCT" and found[i + 1] == "{":
            close = next((j for j in range(i + 2, len(found)) if found[j] == "}"), len(found))
            template = found[i + 2 : close]
            return [m.group(1) for t in template if (m := _FILMKG_NAME.match(t))]
    return []


_FILMKG_NAME = re.compile(r"filmkg:(\w+)")


def _derived() -> set[str]:
    """The properties the rules derive (never given by a mapping): those of a rule's
    CONSTRUCT template, and the credit shortcuts the role concepts name."""
    found: set[str] = set()
    for rule in sorted((ontology_dir() / "rules").glob("*.rq")):
        found |= {FILMKG_NS + name for name in _template_names(rule.read_text(encoding="utf-8"))}
    for t in ox.parse(path=str(ontology_dir() / "vocab.ttl")):
        if t.predicate.value == FILMKG_NS + "shortcut":
            found.add(t.object.value)
    return found


def _shape_paths() -> dict[str, set[str]]:
    """Target class IRI → the filmkg properties its shapes name."""
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for t in ox.parse(path=str(shapes_file())):
        obj = t.object
        by_subject[str(t.subject)].append(
            (t.predicate.value, obj.value if isinstance(obj, ox.NamedNode) else str(obj))
        )
    paths: dict[str, set[str]] = defaultdict(set)
    for pairs in by_subject.values():
        targets = [o for p, o in pairs if p == _SH + "targetClass"]
        nodes = [o for p, o in pairs if p == _SH + "property"]
        named = {
            o
            for node in nodes
            for p, o in by_subject.get(node, [])
            if p == _SH + "path" and o.startswith(FILMKG_NS)
        }
        for target in targets:
            paths[target] |= named
    return paths


@cache
def class_properties() -> dict[str, list[ClassProperty]]:
    """Every class a mapping may make (local name) → its properties, sorted by name."""
    onto = _ontology()
    kinds = (_OWL + "ObjectProperty", _OWL + "DatatypeProperty")
    derived = _derived()
    props = [i for i, k in onto.kinds.items() if k in kinds and i not in derived]
    domain = {p: set(onto.facts.get((p, _RDFS + "domain"), [])) for p in props}
    named = _shape_paths()
    out: dict[str, list[ClassProperty]] = {}
    for cls in sorted(i for i, k in onto.kinds.items() if k == _OWL + "Class"):
        up = superclasses(cls, onto.parents)
        if any(n in up for n in _NOT_MAPPED):
            continue
        names = {p for p in props if domain[p] & up}
        names |= {p for c in up for p in named.get(c, ()) if p in domain and not domain[p]}
        local = cls[len(FILMKG_NS) :]
        need = requirements(local).required
        rows = sorted(
            ClassProperty(p[len(FILMKG_NS) :], p[len(FILMKG_NS) :] in need) for p in names
        )
        if rows:
            out[local] = rows
    return out


def _curie(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and prefix != "kg":
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _property_rows() -> list[str]:
    onto = _ontology()
    used = sorted({p.name for rows in class_properties().values() for p in rows})
    lines = ["| property | value | aligned with | meaning |", "| --- | --- | --- | --- |"]
    for name in used:
        iri = FILMKG_NS + name
        ranges = onto.facts.get((iri, _RDFS + "range"), [])
        value = ", ".join(_curie(r).removeprefix("filmkg:") for r in ranges) or "any"
        aligned = [
            _curie(o)
            for pred in (_RDFS + "subPropertyOf", _SKOS + "exactMatch", _SKOS + "closeMatch")
            for o in onto.facts.get((iri, pred), [])
        ]
        meaning = " ".join(onto.facts.get((iri, _SKOS + "definition"), [""])[0].split())
        lines.append(
            f"| `{name}` | {value} | {', '.join(aligned) or '—'} | {meaning.replace('|', '/')} |"
        )
    return lines


def property_table() -> str:
    """The Markdown of the two tables: properties per class, then what each property is.

    >>> print(property_table().splitlines()[0])
    | class | properties (**bold**: the shapes require it) |
    """
    lines = ["| class | properties (**bold**: the shapes require it) |", "| --- | --- |"]
    for cls, rows in class_properties().items():
        cells = ", ".join(f"**`{p.name}`**" if p.required else f"`{p.name}`" for p in rows)
        lines.append(f"| `{cls}` | {cells} |")
    return "\n".join([*lines, "", *_property_rows()]) + "\n"


def update_doc(path: str | Path) -> bool:
    """Rewrite the generated table between :data:`BEGIN` and :data:`END` in ``path``;
    return whether the file changed."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN + "\n")
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n{property_table()}{END}{tail}"
    if new == text:
        return False

    atomic_write_bytes(p, new.encode("utf-8"))
    return True
