"""Hostile input: bombs, remote resources and canaries (issue 7).

Each bomb is generated on the fly and must be refused with a clean one-line error well
within the 5 s time-out (pytest-timeout stops a hang; a crash would end the subprocess).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from filmkg.errors import ForbiddenOperationError, InputLimitError
from filmkg.loading import parse_bytes

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _rdfxml(dtd: str, value: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{dtd}\n]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF}"><rdf:Description rdf:about="https://e.org/s">'
        f"<rdf:value>{value}</rdf:value></rdf:Description></rdf:RDF>\n"
    ).encode()


@pytest.mark.timeout(5)
def test_rdfxml_billion_laughs_is_refused() -> None:
    dtd = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = _rdfxml(dtd, "&lol9;")  # 3 GB once expanded
    assert len(bomb) < 1200
    with pytest.raises(InputLimitError, match="XML entities would expand to 3,000,000,000 bytes"):
        parse_bytes(bomb, fmt="rdfxml", path="laughs.rdf")


@pytest.mark.timeout(5)
def test_rdfxml_quadratic_blowup_is_refused() -> None:
    # one large entity used many times: no nesting, but 50 kB expanding to 500 MB
    bomb = _rdfxml(f'<!ENTITY a "{"x" * 50_000}">', "&a;" * 10_000)
    with pytest.raises(InputLimitError) as info:
        parse_bytes(bomb, fmt="rdfxml", path="quadratic.rdf")
    assert str(info.value).startswith(
        "quadratic.rdf: XML entities would expand to 500,000,000 bytes;"
    )
    assert "FILMKG_MAX_XML_ENTITY_EXPANSION" in str(info.value)


@pytest.mark.timeout(5)
def test_rdfxml_external_entity_is_refused() -> None:
    bomb = _rdfxml('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;")
    with pytest.raises(
        ForbiddenOperationError, match=r"^x.rdf:3: external XML entity &x; is refused"
    ):
        parse_bytes(bomb, fmt="rdfxml", path="x.rdf")


@pytest.mark.timeout(5)
@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_long_line_bomb_is_refused(fmt: str) -> None:
    bomb = b'<https://e.org/s> <https://e.org/p> "' + b"a" * 4_000_000 + b'" .\n'
    with pytest.raises(InputLimitError) as info:
        parse_bytes(bomb, fmt=fmt, path=f"long.{fmt}")
    assert str(info.value).startswith(
        f"long.{fmt}:1: line of 4,000,040 bytes is longer than allowed;"
    )


@pytest.mark.timeout(5)
@pytest.mark.parametrize("depth", [123, 3_500, 1_000_000])
@pytest.mark.parametrize(
    ("fmt", "opening", "closing"),
    [("ttl", "(", ")"), ("ttl", "[ <https://e.org/p> ", "]"), ("trig", "(", ")")],
)
def test_turtle_nesting_bomb_is_refused(fmt: str, opening: str, closing: str, depth: int) -> None:
    bomb = f"<https://e.org/s> <https://e.org/p> {opening * depth}1{closing * depth} .".encode()
    if fmt == "trig":
        bomb = b"<https://e.org/g> { " + bomb + b" }"
    with pytest.raises(
        InputLimitError, match=r"^deep\.\w+:1: nesting deeper than 100 levels; limit 100"
    ):
        parse_bytes(bomb, fmt=fmt, path=f"deep.{fmt}")


_JSON_LD_BOMB = textwrap.dedent(
    """
    import sys
    from filmkg.errors import InputLimitError
    from filmkg.loading import parse_bytes
    depth, kind = int(sys.argv[1]), sys.argv[2]
    if kind == "object":
        body = b'"https://e.org/p": {' * depth + b'"@id": "https://e.org/o"' + b"}" * depth
    else:
        body = b'"https://e.org/p": ' + b"[" * depth + b"1" + b"]" * depth
    bomb = b'{"@id": "https://e.org/s", ' + body + b"}"
    try:
        parse_bytes(bomb, fmt="jsonld", path="deep.jsonld")
    except InputLimitError as exc:
        print(exc)
    """
)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("depth", [3_500, 100_000])
@pytest.mark.parametrize("kind", ["object", "array"])
def test_json_ld_nesting_bomb_is_refused_without_a_crash(depth: int, kind: str) -> None:
    # pyoxigraph's JSON-LD parser segfaults at ~3,500 levels: run it in a child process
    # so that a regression fails this test instead of killing the test run
    done = subprocess.run(
        [sys.executable, "-c", _JSON_LD_BOMB, str(depth), kind],
        capture_output=True,
        text=True,
        timeout=9,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deep.jsonld:1: nesting deeper than 100 levels; limit 100")


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    ("name", "bomb"),
    [
        (
            "deep.jsonld",
            b'{"@id": "https://e.org/s", "https://e.org/p": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        ),
        ("deep.ttl", b"<https://e.org/s> <https://e.org/p> " + b"(" * 5000 + b")" * 5000 + b" ."),
        ("long.nt", b'<https://e.org/s> <https://e.org/p> "' + b"a" * 2_000_000 + b'" .\n'),
    ],
)
def test_bulk_load_checks_the_limits_too(tmp_path: Path, name: str, bomb: bytes) -> None:
    from filmkg.store import KnowledgeGraph

    path = tmp_path / name
    path.write_bytes(bomb)
    kg = KnowledgeGraph(tmp_path / "store")
    with pytest.raises(InputLimitError, match=f"^{path}:1: "):
        kg.bulk_load(path, graph="https://e.org/g")
    assert len(kg) == 0
