#!/usr/bin/env bash
# Apache Superset (and Playwright, to drive Debian's headless Chromium) in a virtual environment of its own,
# outside the repository: Superset is a BI tool beside PokeWatch, never one of its dependencies.
# Idempotent: a venv with this Superset, Playwright and psycopg2 is reused as it is. Prints its python last.
#
#   bash bi/superset/install.sh            # venv at ${POKEWATCH_SUPERSET_VENV:-$HOME/.cache/pokewatch/superset-venv}
#
# Chromium itself comes from Debian (apt-get install -y chromium chromium-driver): no browser is downloaded.
set -euo pipefail

VENV="${POKEWATCH_SUPERSET_VENV:-$HOME/.cache/pokewatch/superset-venv}"
PY="$VENV/bin/python"
VERSION=6.1.0
# 6.1.0 needs rich, cachetools and flask-caching 2.3.1 beside it (its own pins leave them out or too new).
PACKAGES=("apache-superset==$VERSION" rich cachetools flask-caching==2.3.1 psycopg2-binary playwright)
READY="import importlib.metadata as m, playwright, psycopg2; assert m.version('apache-superset') == '$VERSION'"

if [ -x "$PY" ] && "$PY" -c "$READY" >/dev/null 2>&1; then
  echo "$PY"
  exit 0
fi

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv
fi
mkdir -p "$(dirname "$VENV")"
# A local Python 3.11 (never a downloaded one).
uv venv --quiet --allow-existing --python 3.11 --python-preference only-system "$VENV" >&2
uv pip install --quiet --python "$PY" "${PACKAGES[@]}" >&2
"$PY" -c "$READY; import superset" >&2
echo "$PY"
