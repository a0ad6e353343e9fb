"""The shape of src/filmkg that the architecture issue asks for, held by tests.

The engine layer (``filmkg.engines``) is the only code that constructs a pyoxigraph store,
an rdflib dataset or a SPARQLWrapper and the only code that reads a ``.store`` attribute;
fixed SPARQL lives in ``.rq`` files (no SPARQL text in a string of a ``.py`` file outside
the engine layer; docstrings may show examples); one module defines the SPARQL tokenizer;
no function is longer than 80 lines; an import inside a function says why in a comment.

Each rule is a small AST check over the sources; each check is first shown to find a
planted offence, so a rule that cannot fail would fail its own test.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "filmkg"
ENGINES = SRC / "engines"
RAW_CONSTRUCTORS = {"Store", "Dataset", "ConjunctiveGraph", "SPARQLWrapper"}
SPARQL_TEXT = re.compile(
    r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE)\b[^\"']*\{|\bWHERE\s*\{", re.S
)
TOKENIZER = re.compile(r"TOKEN", re.I)
MAX_LINES = 80


def sources(*, outside_engines: bool = False) -> Iterator[tuple[str, str]]:
    """(path relative to src/filmkg, text) of every module, or of those outside engines/."""
    for path in sorted(SRC.rglob("*.py")):
        if outside_engines and ENGINES in path.parents:
            continue
        yield str(path.relative_to(SRC)), path.read_text(encoding="utf-8")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def raw_constructions(text: str) -> list[int]:
    """Lines that call ``Store(…)``, ``Dataset(…)``, ``ConjunctiveGraph(…)``, ``SPARQLWrapper(…)``."""
    tree = ast.parse(text)
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and _name(n.func) in RAW_CONSTRUCTORS
    ]


def store_reads(text: str) -> list[int]:
    """Lines that read an attribute named ``store``."""
    tree = ast.parse(text)
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and n.attr == "store" and isinstance(n.ctx, ast.Load)
    ]


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant):
            found.add(id(n.value))
    return found


def sparql_strings(text: str) -> list[int]:
    """Lines of string constants (not docstrings or other bare strings) holding SPARQL text."""
    tree = ast.parse(text)
    bare = _docstrings(tree)
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in bare
        and SPARQL_TEXT.search(n.value)
    ]


def defines_tokenizer(text: str) -> bool:
    """Whether a module-level name with TOKEN in it is bound to ``re.compile(…)``."""
    for n in ast.parse(text).body:
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call):
            names = [t.id for t in n.targets if isinstance(t, ast.Name)]
            if _name(n.value.func) == "compile" and any(TOKENIZER.search(x) for x in names):
                return True
    return False


def long_functions(text: str) -> list[tuple[str, int]]:
    """(name, length) of every function longer than :data:`MAX_LINES` lines."""
    return [
        (n.name, (n.end_lineno or n.lineno) - n.lineno + 1)
        for n in ast.walk(ast.parse(text))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        and (n.end_lineno or n.lineno) - n.lineno + 1 > MAX_LINES
    ]


def uncommented_local_imports(text: str) -> list[int]:
    """Lines of imports inside a function with no comment on the line or the two above."""
    lines = text.splitlines()
    found = []
    for f in ast.walk(ast.parse(text)):
        if not isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for n in ast.walk(f):
            if isinstance(n, ast.Import | ast.ImportFrom):
                near = lines[max(n.lineno - 3, f.lineno) : n.end_lineno or n.lineno]
                if not any("#" in line for line in near):
                    found.append(n.lineno)
    return sorted(set(found))


PLANTED = """
import re
_TOKEN = re.compile(r"x")
def f(kg):
    import json
    q = "SELECT ?s WHERE { ?s ?p ?o }"
    return Store(), kg.store
"""


def test_the_checks_find_planted_offences() -> None:
    assert raw_constructions(PLANTED) == [7]
    assert store_reads(PLANTED) == [7]
    assert sparql_strings(PLANTED) == [6]
    assert defines_tokenizer(PLANTED)
    assert uncommented_local_imports(PLANTED) == [5]
    assert long_functions("def g():\n" + "    x = 1\n" * MAX_LINES) == [("g", MAX_LINES + 1)]
    assert not sparql_strings('"""SELECT ?s WHERE { ?s ?p ?o }"""\n')  # a docstring
    commented = "def f():\n    # heavy: only here\n    import json\n"
    assert not uncommented_local_imports(commented)


@pytest.mark.parametrize(
    ("check", "what"),
    [
        (raw_constructions, "constructs a store, dataset or SPARQLWrapper"),
        (store_reads, "reads a .store attribute"),
        (sparql_strings, "holds SPARQL text in a string (move it to a .rq file)"),
    ],
    ids=["raw-constructors", "store-reads", "sparql-in-py"],
)
def test_only_the_engine_layer(check: object, what: str) -> None:
    assert callable(check)
    offences = [
        f"{path}:{line}" for path, text in sources(outside_engines=True) for line in check(text)
    ]
    assert not offences, f"outside filmkg/engines, code that {what}: {offences}"


def test_one_tokenizer() -> None:
    defining = [path for path, text in sources() if defines_tokenizer(text)]
    assert defining == ["sparql/tokenizer.py"]


def test_no_function_is_longer_than_80_lines() -> None:
    offences = [(path, *f) for path, text in sources() for f in long_functions(text)]
    assert not offences


def test_imports_inside_functions_say_why() -> None:
    offences = [f"{p}:{line}" for p, text in sources() for line in uncommented_local_imports(text)]
    assert not offences, f"an import inside a function needs a comment saying why: {offences}"
