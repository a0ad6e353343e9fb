"""Fuzz test of ``filmkg import`` (a fixed small budget; ``scripts/fuzz_import.py`` runs long).

Dirty sources and mistaken mappings (see ``tests/import_fuzz.py``): every run exits 0 or
2, never 5 or with a traceback, and whatever an import writes passes ``filmkg validate``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from import_fuzz import Case, cases, problems, run_case  # type: ignore[import-not-found]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_import_never_fails_internally(case: Case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_case(case, Path(tmp))
    assert problems(outcome) == [], (outcome, case)
