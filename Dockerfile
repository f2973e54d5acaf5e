# The PokeWatch image: the project and its locked environment, for the Prefect worker (flow runs), the
# Prefect server and the MLflow server of docker-compose.yml (one image, exact same Prefect/MLflow versions).
FROM python:3.11-slim-bookworm

# uv from its official image (pinned to the version the lock file was written with).
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    POKEWATCH_PROJECT_DIR=/app \
    POKEWATCH_HOME=/data/pokewatch \
    PREFECT_HOME=/data/prefect \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    DO_NOT_TRACK=true \
    MLFLOW_DISABLE_TELEMETRY=true

WORKDIR /app

# Dependencies first (cached while only the code changes), then the whole project: the package reads
# sql/, expectations/ and pokewatch/data/ relative to the project directory.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
    && groupadd --gid 10001 pokewatch \
    && useradd --uid 10001 --gid pokewatch --create-home --shell /usr/sbin/nologin pokewatch \
    && mkdir -p /data/pokewatch /data/prefect /mlflow/artifacts \
    && chown -R pokewatch:pokewatch /data /mlflow \
    && chmod +x docker/*.sh

USER pokewatch:pokewatch

CMD ["pokewatch", "--help"]
