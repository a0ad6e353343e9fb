#!/usr/bin/env bash
# Kill `filmkg import --into` with SIGKILL at many random moments (default 200) and check
# after each that the store is exactly as before or exactly as after a clean import, and
# that the next import succeeds and leaves nothing beside the store. The test suite runs
# the same test with 14 kills (tests/importers/test_import_faults.py). Usage:
#   bash scripts/soak_import_kills.sh [KILLS]
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
[ -x "$python" ] || python=python3
FILMKG_KILLS="${1:-200}" exec "$python" -m pytest -q -s -p no:cacheprovider \
  tests/importers/test_import_faults.py -k sigkill
