"""Strict, bounded, network-free loading (filmkg.io.loading and filmkg.io.limits)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from filmkg.errors import (
    ForbiddenOperationError,
    InputLimitError,
    ParseError,
    SourceNotFoundError,
    UsageError,
)
from filmkg.io.limits import ENV_VARS, Limits
from filmkg.io.loading import check_input, format_for, parse_bytes, parse_file

TRIPLE = b'<https://e.org/s> <https://e.org/p> "o" .\n'


def test_parse_file_reads_a_turtle_file(tmp_path: Path) -> None:
    path = tmp_path / "film.ttl"
    path.write_text('@prefix e: <https://e.org/> .\ne:s e:p ( 1 2 [ e:q "x" ] ) .\n')
    quads = parse_file(path)
    assert len(quads) == 8
    assert {q.subject for q in quads if q.predicate == ox.NamedNode("https://e.org/p")} == {
        ox.NamedNode("https://e.org/s")
    }


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix e: <https://e.org/> .\ne:s e:p "unterminated .\n')
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert (info.value.path, info.value.line) == (str(path), 2)
    assert info.value.column is not None
    assert str(info.value).startswith(f"{path}:2:")


def test_rdfxml_error_gets_a_line_though_pyoxigraph_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "bad.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:e="https://e.org/">\n'
        '  <rdf:Description rdf:about="https://e.org/a"><e:p>1</e:p></rdf:Description>\n'
        '  <rdf:Description rdf:aboutEach="https://e.org/b"/>\n'
        "</rdf:RDF>\n"
    )
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert info.value.line == 5
    assert "aboutEach" in info.value.message


def test_empty_input_is_refused_unless_allowed() -> None:
    with pytest.raises(ParseError, match=r"^x.nt: the file is empty"):
        parse_bytes(b" \n", fmt="nt", path="x.nt")
    # RDF 1.1: an empty document (W3C test nt-syntax-file-01) is a valid, empty graph
    assert parse_bytes(b"", fmt="nt", allow_empty=True) == []
    assert parse_bytes(b"# only a comment\n", fmt="ttl") == []


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="no such file"):
        parse_file(tmp_path / "nope.ttl")
    with pytest.raises(SourceNotFoundError, match="is a directory"):
        parse_file(tmp_path, fmt="ttl")


def test_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(ParseError, match="known extension or format name"):
        format_for("film.docx")


def test_relative_iri_without_base_is_a_located_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_bytes(b"<s> <p> <o> .", fmt="ttl", path="rel.ttl")
    assert info.value.line == 1


# -- limits --------------------------------------------------------------------------------


def test_limits_defaults_are_documented() -> None:
    limits = Limits()
    assert limits.max_input_bytes == 256 * 1024 * 1024
    assert limits.max_line_bytes == 1024 * 1024
    assert limits.max_nesting_depth == 100
    assert limits.max_xml_entity_expansion == 16 * 1024 * 1024
    assert limits.query_timeout_s == 30.0
    assert limits.max_rows == 100_000
    security = (Path(__file__).parents[2] / "SECURITY.md").read_text()
    for var in ENV_VARS.values():
        assert var in security


def test_limits_from_env_with_units() -> None:
    env = {
        "FILMKG_MAX_INPUT_BYTES": "1G",
        "FILMKG_MAX_LINE_BYTES": "64k",
        "FILMKG_MAX_NESTING_DEPTH": "12",
        "FILMKG_MAX_XML_ENTITY_EXPANSION": "0",
        "FILMKG_QUERY_TIMEOUT": "0.5",
        "FILMKG_MAX_ROWS": "7",
    }
    assert Limits.from_env(env) == Limits(1024**3, 64 * 1024, 12, 0, 0.5, 7)


@pytest.mark.parametrize(
    ("var", "value"),
    [("FILMKG_MAX_ROWS", "lots"), ("FILMKG_QUERY_TIMEOUT", "-1"), ("FILMKG_MAX_INPUT_BYTES", "1T")],
)
def test_bad_limit_in_env_is_a_usage_error(var: str, value: str) -> None:
    with pytest.raises(UsageError, match=var):
        Limits.from_env({var: value})


def test_env_var_raises_a_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = b"<https://e.org/s> <https://e.org/p> " + b"(" * 150 + b")" * 150 + b" ."
    with pytest.raises(InputLimitError):
        parse_bytes(deep, fmt="ttl")
    monkeypatch.setenv("FILMKG_MAX_NESTING_DEPTH", "200")
    assert len(parse_bytes(deep, fmt="ttl")) == 299


def test_explicit_limits_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMKG_MAX_LINE_BYTES", "10")
    with pytest.raises(InputLimitError):
        parse_bytes(TRIPLE, fmt="nt")
    assert parse_bytes(TRIPLE, fmt="nt", limits=Limits()) != []


def test_input_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    path.write_bytes(b"".join(TRIPLE.replace(b'"o"', b'"%03d"' % i) for i in range(100)))
    with pytest.raises(InputLimitError) as info:
        parse_file(path, limits=Limits(max_input_bytes=1000))
    message = str(info.value)
    assert message.startswith(f"{path}: file of 4,400 bytes is larger than allowed;")
    assert "FILMKG_MAX_INPUT_BYTES" in message
    assert "\n" not in message
    assert len(parse_file(path, limits=Limits(max_input_bytes=4400))) == 100


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_line_length_limit_names_the_line(eol: bytes) -> None:
    long_line = b'<https://e.org/s> <https://e.org/p> "' + b"x" * 300 + b'" .'
    data = eol.join([TRIPLE.strip(), TRIPLE.strip(), long_line, TRIPLE.strip()])
    limits = Limits(max_line_bytes=200)
    with pytest.raises(
        InputLimitError, match=r"^<input>:3: line of 340 bytes is longer than allowed; limit 200"
    ):
        check_input(data, fmt=ox.RdfFormat.N_TRIPLES, limits=limits)
    assert len(parse_bytes(data, fmt="nt", limits=Limits(max_line_bytes=340))) == 4


def test_line_length_limit_accepts_many_short_lines_and_a_line_at_the_limit() -> None:
    line = b'<https://e.org/s> <https://e.org/p> "' + b"y" * 60 + b'" .'
    assert len(line) == 100
    data = b"\n".join([TRIPLE.strip()] * 50 + [line] + [TRIPLE.strip()] * 50)
    check_input(data, fmt=ox.RdfFormat.N_QUADS, limits=Limits(max_line_bytes=100))
    with pytest.raises(InputLimitError, match="<input>:51:"):
        check_input(data, fmt=ox.RdfFormat.N_QUADS, limits=Limits(max_line_bytes=99))


def test_line_length_is_not_limited_for_turtle() -> None:
    data = b'<https://e.org/s> <https://e.org/p> "' + b"x" * 5000 + b'" .'
    assert len(parse_bytes(data, fmt="ttl", limits=Limits(max_line_bytes=100))) == 1


@pytest.mark.parametrize(
    ("fmt", "opening", "closing"),
    [
        ("ttl", b"(", b")"),
        ("ttl", b"[ <https://e.org/p> ", b"]"),
        ("trig", b"(", b")"),
    ],
)
def test_turtle_depth_at_the_limit_loads_and_one_deeper_fails(
    fmt: str, opening: bytes, closing: bytes
) -> None:
    def nested(depth: int) -> bytes:
        return (
            b"<https://e.org/s> <https://e.org/p> "
            + opening * depth
            + b"1"
            + closing * depth
            + b" ."
        )

    limits = Limits(max_nesting_depth=10)
    assert parse_bytes(nested(10), fmt=fmt, limits=limits)
    with pytest.raises(InputLimitError, match="nesting deeper than 10 levels"):
        parse_bytes(nested(11), fmt=fmt, limits=limits)


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    data = (
        b"@prefix e: <https://e.org/(((> .\n"
        b"# ((((((((((((((((((((\n"
        b'e:s e:p "((((((((((((", \'[[[[[[[[[[[[[[\', """ ((((((((( \\" ((((((((( """,\n'
        b"  '''[[[[[[[[[[[[''' , e:a\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\( , ( ( 1 ) ) .\n"
    )
    assert len(parse_bytes(data, fmt="ttl", limits=Limits(max_nesting_depth=2))) == 10


def test_json_ld_depth_counts_arrays_and_objects_not_strings() -> None:
    def nested(depth: int) -> bytes:
        return (
            b'{"@id": "https://e.org/s", "https://e.org/p": '
            + b"[" * depth
            + b'"[[[{{{"'
            + b"]" * depth
            + b"}"
        )

    limits = Limits(max_nesting_depth=5)
    assert len(parse_bytes(nested(4), fmt="jsonld", limits=limits)) == 1
    with pytest.raises(InputLimitError, match="nesting deeper than 5 levels"):
        parse_bytes(nested(5), fmt="jsonld", limits=limits)


def test_json_ld_remote_context_is_refused_naming_the_url() -> None:
    data = b'{"@context": "https://schema.org/", "@id": "https://e.org/s", "name": "x"}'
    with pytest.raises(ForbiddenOperationError) as info:
        parse_bytes(data, fmt="jsonld", path="film.jsonld")
    message = str(info.value)
    assert message.startswith("film.jsonld: JSON-LD @context <https://schema.org/> is not fetched")
    assert "inline the context" in message


def test_json_ld_with_inline_context_loads() -> None:
    data = (
        b'{"@context": {"name": "https://schema.org/name"}, "@id": "https://e.org/s", "name": "x"}'
    )
    (quad,) = parse_bytes(data, fmt="jsonld")
    assert quad.predicate == ox.NamedNode("https://schema.org/name")


XML = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{dtd}\n]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    '<rdf:Description rdf:about="&ex;s"><rdf:value>{body}</rdf:value></rdf:Description>\n'
    "</rdf:RDF>\n"
)


def test_rdfxml_namespace_entities_like_protege_writes_load() -> None:
    data = XML.format(dtd='<!ENTITY ex "https://e.org/" >', body="&ex;v").encode()
    (quad,) = parse_bytes(data, fmt="rdfxml")
    assert quad.subject == ox.NamedNode("https://e.org/s")
    assert quad.object == ox.Literal("https://e.org/v")


def test_rdfxml_entities_can_be_refused_altogether() -> None:
    data = XML.format(dtd='<!ENTITY ex "https://e.org/" >', body="v").encode()
    with pytest.raises(InputLimitError, match=r"^<input>:3: XML entity declarations are refused"):
        parse_bytes(data, fmt="rdfxml", limits=Limits(max_xml_entity_expansion=0))


def test_rdfxml_entity_expansion_is_counted_through_nested_entities() -> None:
    dtd = '<!ENTITY ex "https://e.org/"> <!ENTITY a "&ex;&ex;&ex;&ex;">'  # &a; is 4 x 14 bytes
    data = XML.format(dtd=dtd, body="&a;" * 10).encode()
    growth = 14 + 10 * 56  # one &ex; in the subject, ten &a; in the value
    assert parse_bytes(data, fmt="rdfxml", limits=Limits(max_xml_entity_expansion=growth))
    with pytest.raises(InputLimitError, match=f"would expand to {growth:,} bytes"):
        parse_bytes(data, fmt="rdfxml", limits=Limits(max_xml_entity_expansion=growth - 1))


@pytest.mark.parametrize(
    ("dtd", "error", "match"),
    [
        (
            '<!ENTITY ex SYSTEM "file:///etc/passwd">',
            ForbiddenOperationError,
            "external XML entity &ex;",
        ),
        (
            '<!ENTITY ex PUBLIC "-//x" "https://e.org/x.dtd">',
            ForbiddenOperationError,
            "external XML entity",
        ),
        ('<!ENTITY % p "x"> <!ENTITY ex "y">', ForbiddenOperationError, "parameter entity %p;"),
        ('<!ENTITY ex "&b;"> <!ENTITY b "&ex;">', InputLimitError, "refers to itself"),
        ("<!ENTITY ex \n\n unparseable>", InputLimitError, "could be checked"),
    ],
)
def test_rdfxml_dangerous_entities_are_refused(
    dtd: str, error: type[Exception], match: str
) -> None:
    data = XML.format(dtd=dtd, body="&ex;").encode()
    with pytest.raises(error, match=match):
        parse_bytes(data, fmt="rdfxml")


@pytest.mark.parametrize(
    ("fmt", "template", "outer"),
    [
        ("ttl", "<https://e.org/s> <https://e.org/p> {} .", 0),
        ("jsonld", '{{"@id": "https://e.org/s", "https://e.org/p": [{}]}}', 2),
    ],
)
def test_depth_is_exact_across_the_scan_chunks(fmt: str, template: str, outer: int) -> None:
    # 2,000 lists exactly 100 deep (400 kB of brackets, several scan chunks)
    opening, closing = ("(", ")") if fmt == "ttl" else ("[", "]")
    data = template.format(", ".join([opening * 100 + "1" + closing * 100] * 2000)).encode()
    check_input(data, fmt=format_for("x", fmt), limits=Limits(max_nesting_depth=100 + outer))
    with pytest.raises(InputLimitError):
        check_input(data, fmt=format_for("x", fmt), limits=Limits(max_nesting_depth=99 + outer))
