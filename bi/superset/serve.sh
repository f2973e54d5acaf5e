#!/usr/bin/env bash
# Serve the PokeWatch dashboard with Apache Superset: install its venv (install.sh), prepare the Superset home
# and load the dashboard (load.py --init), then run Superset on ${SUPERSET_BIND:-127.0.0.1}:${SUPERSET_PORT:-8088}.
#
#   POKEWATCH_READER_URL=postgresql://pokewatch_reader:PASSWORD@127.0.0.1:5432/pokewatch \
#   SUPERSET_ADMIN_PASSWORD=... bash bi/superset/serve.sh
#
# Then open http://127.0.0.1:8088/superset/dashboard/pokewatch/ and log in as admin. Superset's own state lives in
# ${POKEWATCH_SUPERSET_HOME:-$HOME/.cache/pokewatch/superset-home}, with a SECRET_KEY kept there unless
# SUPERSET_SECRET_KEY is set (it encrypts the stored reader password: keep it with the home).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${POKEWATCH_READER_URL:?set POKEWATCH_READER_URL=postgresql://pokewatch_reader:PASSWORD@HOST:5432/pokewatch}"
: "${SUPERSET_ADMIN_PASSWORD:?set SUPERSET_ADMIN_PASSWORD (the password of the Superset user admin)}"

export SUPERSET_CONFIG_PATH="$here/superset_config.py"
export POKEWATCH_SUPERSET_HOME="${POKEWATCH_SUPERSET_HOME:-$HOME/.cache/pokewatch/superset-home}"
mkdir -p "$POKEWATCH_SUPERSET_HOME"
if [ -z "${SUPERSET_SECRET_KEY:-}" ]; then
  key="$POKEWATCH_SUPERSET_HOME/secret_key"
  [ -s "$key" ] || (umask 077 && python3 -c "import secrets; print(secrets.token_urlsafe(42))" > "$key")
  SUPERSET_SECRET_KEY="$(cat "$key")"
  export SUPERSET_SECRET_KEY
fi

python="$(bash "$here/install.sh" | tail -n 1)"
"$python" "$here/load.py" --init
exec "$python" -m gunicorn --bind "${SUPERSET_BIND:-127.0.0.1}:${SUPERSET_PORT:-8088}" --workers 1 --threads 8 \
  --timeout 120 "superset.app:create_app()"
