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

# Browser tests need Debian's chromium (never `playwright install`); the real-store tests
# need Debian's Virtuoso (virtuoso-t, isql-vt). Install them when we can (root), else say so.
# (Pictures need no Graphviz: matplotlib draws them.)
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 \
  || need+=(virtuoso-opensource-7-bin)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]}; run: sudo apt-get install ${need[*]} (their tests will be skipped)" >&2
  fi
fi

# Comunica (a read-only SPARQL endpoint over files) from npm, pinned, into ./.tools
# (git-ignored); nothing is fetched when the pinned version is already there.
comunica_version=4.5.0  # keep in step with COMUNICA_VERSION in tests/servers.py
comunica_pkg=.tools/node_modules/@comunica/query-sparql-file/package.json
if ! grep -q "\"version\": \"$comunica_version\"" "$comunica_pkg" 2>/dev/null; then
  if command -v npm >/dev/null 2>&1; then
    echo "installing Comunica $comunica_version into .tools/"
    mkdir -p .tools
    npm install --prefix .tools --no-audit --no-fund --no-save --loglevel=error \
      "@comunica/query-sparql-file@$comunica_version" >/dev/null \
      || echo "warning: npm could not install Comunica (its tests will be skipped)" >&2
  else
    echo "warning: npm is missing; install Node.js and npm (the Comunica tests will be skipped)" >&2
  fi
fi

# What is installed now must run: a server test that cannot start fails instead of skipping.
if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 \
  && [ -x .tools/node_modules/.bin/comunica-sparql-file-http ] && command -v node >/dev/null 2>&1; then
  export FILMKG_REQUIRE_SERVERS=1
fi

echo "== ruff"; python -m ruff check .
python -m ruff format --check .
echo "== mypy"; python -m mypy
echo "== pytest"; python -m pytest "$@"
