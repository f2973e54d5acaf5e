#!/bin/sh
# prefect-worker's command: make sure the work pool, the time-zone variable, the warehouse schema and the
# deployments exist (all idempotent), then poll the `pokewatch` process pool for flow runs.
set -eu
cd "${POKEWATCH_PROJECT_DIR:-/app}"

prefect work-pool inspect pokewatch >/dev/null 2>&1 || prefect work-pool create pokewatch --type process
prefect variable set pokewatch_timezone "${POKEWATCH_TIMEZONE:-UTC}" --overwrite
pokewatch init
prefect --no-prompt deploy --all --prefect-file deployments/prefect.yaml

exec prefect worker start --pool pokewatch --type process --name "pokewatch-worker-$(hostname)" --with-healthcheck
