"""The named queries' golden answers (tests/golden/<query>.json), shared by the tests that
run the catalogue on one engine or on several: every declared example is one case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from filmkg.sparql import catalogue as queries

GOLDEN = Path(__file__).resolve().parent / "golden"
CATALOGUE = queries.catalogue()
#: (query name, parameters) of every example of every named query, as pytest params.
CASES = [
    pytest.param(name, params, id=f"{name}[{i}]")
    for name, nq in CATALOGUE.items()
    for i, params in enumerate(nq.examples or ({},))
]


def golden_cases(name: str) -> list[dict[str, Any]]:
    """Every golden case of one named query: ``params``, ``variables``, ``rows``."""
    cases: list[dict[str, Any]] = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    return cases


def golden_case(name: str, params: object) -> dict[str, Any]:
    """The golden case of one named query for these parameters."""
    return next(case for case in golden_cases(name) if case["params"] == params)
