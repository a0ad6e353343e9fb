"""The shape of the code: no import cycles among filmkg modules, and the layer contract.

Every ``import`` counts — at module top, inside functions and under ``TYPE_CHECKING`` — so
an import moved into a function to dodge a cycle still fails here. The layers are drawn in
docs/architecture.md; a module may import from its own layer's package and from the
layers below it, never from above, and the feature packages do not import each other.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: Top to bottom; a module belongs to the first (longest) prefix that matches it.
LAYERS: list[tuple[str, ...]] = [
    ("filmkg.__main__",),
    ("filmkg.cli",),
    ("filmkg.build.dist",),
    ("filmkg.extract",),
    (
        "filmkg.export",
        "filmkg.importers",
        "filmkg.network",
        "filmkg.reconcile",
        "filmkg.synth",
        "filmkg.validation",
    ),
    ("filmkg.sparql.catalogue", "filmkg.sparql.limited"),
    ("filmkg.network.analytics",),
    ("filmkg.build",),
    ("filmkg.engines",),
    ("filmkg.sparql",),
    ("filmkg.io",),
    ("filmkg.rdf",),
    ("filmkg.errors", "filmkg.resources", "filmkg"),
]


#: The layer of the feature packages, which do not import each other.
FEATURES = next(i for i, layer in enumerate(LAYERS) if "filmkg.validation" in layer)


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (``filmkg.sparql.safety``)."""
    found = {}
    for path in sorted((SRC / "filmkg").rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """module → the filmkg modules it imports anywhere in its body."""
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names
                ]
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if target.startswith("filmkg") and target != name:
                    edges[name].add(target)
    return edges


def layer_of(module: str) -> tuple[int, str]:
    """(layer index, the prefix that placed it there)."""
    return max(
        (
            (i, p)
            for i, layer in enumerate(LAYERS)
            for p in layer
            if module == p or module.startswith(p + ".")
        ),
        key=lambda ip: len(ip[1]),
    )


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_there_is_no_import_cycle() -> None:
    assert cycles(imports(modules())) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_every_module_has_a_layer() -> None:
    for module in modules():
        assert layer_of(module)[1] != "filmkg" or module == "filmkg", module


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module, targets in sorted(imports(modules()).items()):
        if module == "filmkg":  # the lazy re-exports of the public API name modules as text
            continue
        mine, my_prefix = layer_of(module)
        for target in sorted(targets):
            theirs, their_prefix = layer_of(target)
            sideways = theirs == mine == FEATURES and my_prefix != their_prefix
            if theirs < mine or sideways:
                wrong.append(f"{module} → {target}")
    assert wrong == []
