#!/usr/bin/env bash
# The whole test suite, as a new user runs it: installs what it needs, then lint, types, tests.
#   bash scripts/test.sh [pytest args…]
set -euo pipefail
cd "$(dirname "$0")/.."

# Outside a virtualenv, make and use ./.venv (never pip-install into the system Python).
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi

python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Browser tests need Debian's chromium (never `playwright install`). Install it when we
# can (root), else say so. (Pictures need no Graphviz: matplotlib draws them.)
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]}; run: sudo apt-get install ${need[*]} (browser tests will be skipped)" >&2
  fi
fi

echo "== ruff"; python -m ruff check .
python -m ruff format --check .
echo "== mypy"; python -m mypy
echo "== pytest"; python -m pytest "$@"
