"""The public API: ``filmkg.__all__``, docs/api.md and the error hierarchy stay in step."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import filmkg
from filmkg import errors

REPO = Path(__file__).resolve().parents[1]
API_DOC = REPO / "docs" / "api.md"


def documented_names() -> set[str]:
    return set(re.findall(r"^\| `(\w+)` \|", API_DOC.read_text(encoding="utf-8"), re.M))


def test_docs_api_lists_exactly_the_public_api() -> None:
    assert documented_names() == set(filmkg.__all__) - {"__version__"}


def test_docs_api_names_the_right_module() -> None:
    rows = re.findall(r"^\| `(\w+)` \| `([\w.]+)` \|", API_DOC.read_text(encoding="utf-8"), re.M)
    assert rows
    for name, module in rows:
        assert filmkg._EXPORTS[name] == module, name


@pytest.mark.parametrize("name", sorted(set(filmkg.__all__) - {"__version__"}))
def test_every_public_name_resolves(name: str) -> None:
    obj = getattr(filmkg, name)
    assert getattr(obj, "__module__", filmkg._EXPORTS[name]) == filmkg._EXPORTS[name]


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'KnowledgeGrap'"):
        filmkg.KnowledgeGrap  # noqa: B018


def error_classes() -> list[type[errors.FilmKGError]]:
    return [
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, errors.FilmKGError)
    ]


def test_every_error_class_is_exported_with_a_documented_exit_code() -> None:
    for cls in error_classes():
        assert cls.__name__ in errors.__all__, cls
        assert cls.exit_code in errors.EXIT_CODES, cls
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} not drawn in the hierarchy"


def test_a_user_cause_never_exits_5() -> None:
    five = {cls.__name__ for cls in error_classes() if cls.exit_code == 5}
    assert five == {"FilmKGError", "InternalError"}


def test_unsupported_shapes_is_a_usage_error() -> None:
    assert issubclass(errors.UnsupportedShapesError, errors.UsageError)
    assert errors.UnsupportedShapesError("sh:uniqueLang").exit_code == 2


def test_no_public_error_class_lives_outside_errors() -> None:
    """One hierarchy: a module may keep a private subclass, never a public one."""
    stray = []
    for path in sorted((REPO / "src" / "filmkg").rglob("*.py")):
        if path.name == "errors.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {ast.unparse(b) for b in node.bases}
                if any(b.endswith(("Error", "Exception")) for b in bases):
                    stray.append(f"{path.relative_to(REPO)}:{node.name}")
    assert stray == []
