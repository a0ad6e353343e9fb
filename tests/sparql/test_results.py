"""QueryResult: plain values, the table, the W3C formats, the notebook view."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import BNode, Literal, URIRef

from filmkg.errors import UsageError
from filmkg.sparql.results import QueryResult, boolean_result, compact, plain_value

XSD = "http://www.w3.org/2001/XMLSchema#"
NS = "{http://www.w3.org/2005/sparql-results#}"

ROW = (
    URIRef("https://w3id.org/filmkg/id/person/tom-hanks"),
    Literal('<b>Tom</b> & "Hanks"'),
    Literal("2024-11-15", datatype=URIRef(XSD + "date")),
    None,
)
RESULT = QueryResult(("who", "name", "date", "missing"), [ROW])


def test_as_dicts_leaves_out_unbound() -> None:
    assert RESULT.as_dicts()[0].keys() == {"who", "name", "date"}


def test_html_escapes_data() -> None:
    html = RESULT._repr_html_()
    assert "<b>Tom</b>" not in html
    assert "&lt;b&gt;Tom&lt;/b&gt; &amp; &quot;Hanks&quot;" in html
    assert "kg:person/tom-hanks" in html


def test_table_shows_control_characters_visibly() -> None:
    table = QueryResult(("x",), [(Literal("a\nb\tc"),)]).to_table()
    assert table.splitlines()[-1] == "a\\nb\\tc"


def test_json_round_trips_every_kind_of_term() -> None:
    result = QueryResult(
        ("i", "b", "s", "l", "t"),
        [
            (
                URIRef("https://e.org/a"),
                BNode("b0"),
                Literal("x"),
                Literal("y", lang="en"),
                Literal("1", datatype=URIRef(XSD + "integer")),
            )
        ],
    )
    binding = json.loads(result.to_json())["results"]["bindings"][0]
    assert binding == {
        "i": {"type": "uri", "value": "https://e.org/a"},
        "b": {"type": "bnode", "value": "b0"},
        "s": {"type": "literal", "value": "x"},
        "l": {"type": "literal", "value": "y", "xml:lang": "en"},
        "t": {"type": "literal", "value": "1", "datatype": XSD + "integer"},
    }


def test_xml_escapes_and_parses() -> None:
    root = ET.fromstring(RESULT.to_xml())
    literal = next(root.iter(f"{NS}literal"))
    assert literal.text == '<b>Tom</b> & "Hanks"'


def test_xml_refuses_what_xml_cannot_hold() -> None:
    with pytest.raises(UsageError, match=r"XML 1\.0 cannot represent"):
        QueryResult(("x",), [(Literal("a\x01b"),)]).to_xml()


def test_tsv_escapes_tabs_and_newlines() -> None:
    tsv = QueryResult(("x",), [(Literal("a\tb\nc"),)]).to_tsv()
    assert tsv == '?x\n"a\\tb\\nc"\n'


def test_boolean_results() -> None:
    root = ET.fromstring(boolean_result(False, "xml"))
    assert next(root.iter(f"{NS}boolean")).text == "false"
    assert boolean_result(True, "csv") == "_askResult\r\ntrue\r\n"


def test_plain_values_and_compact_names() -> None:
    assert plain_value(Literal("042", datatype=URIRef(XSD + "integer"))) == 42
    assert plain_value(Literal("true", datatype=URIRef(XSD + "boolean"))) is True
    assert compact("http://www.wikidata.org/prop/direct/P57") == "wdt:P57"
    assert compact("https://e.org/x") == "<https://e.org/x>"


def test_unknown_format() -> None:
    with pytest.raises(UsageError, match="unknown result format"):
        RESULT.serialize("yaml")  # type: ignore[arg-type]
