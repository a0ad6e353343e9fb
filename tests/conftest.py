"""Shared fixtures (the real servers live in tests/servers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.project import load_project
from filmkg.store import KnowledgeGraph
from servers import misbehaving, oxigraph

__all__ = ["misbehaving", "oxigraph", "project_kg"]

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def project_kg() -> KnowledgeGraph:
    """The project graph (ontology, vocabularies, data, derived shortcuts). Do not mutate."""
    return load_project()
