"""The docker-compose stack, the image and the deployments file, read as files (no Docker engine needed).

`docker-compose config -q` (a real parse and schema check) runs when the binary is installed
(`apt-get install -y docker-compose`); the other checks always run.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from pokewatch.settings import PROJECT_DIR, Settings

COMPOSE = PROJECT_DIR / "docker-compose.yml"
DOCKERFILE = PROJECT_DIR / "Dockerfile"
ENV_EXAMPLE = PROJECT_DIR / ".env.example"
PREFECT_YAML = PROJECT_DIR / "deployments" / "prefect.yaml"
INIT_DIR = PROJECT_DIR / "docker" / "postgres-init"

SERVICES = {"postgres", "prefect-server", "prefect-worker", "mlflow", "metabase", "superset"}
# What the worker (and so every flow run) cannot do without.
WORKER_REQUIRED_ENV = {
    "PREFECT_API_URL", "POKEWATCH_DATABASE_URL", "POKEWATCH_HOME", "POKEWATCH_PROJECT_DIR", "MLFLOW_TRACKING_URI",
    "POKEWATCH_TIMEZONE", "POKEWATCH_WRITER_PASSWORD",
}
# Read by the code or the deployment files but not Settings fields.
EXTRA_KNOWN_ENV = {"POKEWATCH_PROJECT_DIR", "POKEWATCH_VALIDATION_SEVERITY"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: str(v) for k, v in env.items()}


def _defaults(text: str) -> str:
    """`${NAME:-default}` → default, `${NAME:?msg}` / `${NAME}` → NAME (what an empty .env would give)."""
    return re.sub(r"\$\{([A-Z0-9_]+)(?::-([^}]*)|:\?[^}]*)?\}", lambda m: m.group(2) if m.group(2) is not None
                  else m.group(1), text)


def settings_env_names() -> set[str]:
    """Every environment variable Settings reads: POKEWATCH_<FIELD>, or the field's alias."""
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"POKEWATCH_{name.upper()}")
    return names


def code_env_names() -> set[str]:
    """POKEWATCH_* names the code reads from os.environ directly (outside Settings)."""
    found = set()
    for path in [*(PROJECT_DIR / "pokewatch").rglob("*.py"), *(PROJECT_DIR / "flows").glob("*.py")]:
        found |= set(re.findall(r"\"(POKEWATCH_[A-Z0-9_]+)\"", path.read_text()))
    return found


def test_services_images_and_commands(compose):
    services = compose["services"]
    assert SERVICES <= set(services)
    for name in ("prefect-server", "prefect-worker", "mlflow"):
        assert services[name]["build"]["context"] == ".", f"{name} runs the project's image"
        assert services[name]["image"] == services["prefect-worker"]["image"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["metabase"]["image"].startswith("metabase/metabase:")
    assert services["prefect-server"]["command"][:3] == ["prefect", "server", "start"]
    mlflow = " ".join(services["mlflow"]["command"])
    assert mlflow.startswith("mlflow server") and "--workers=1" in mlflow
    assert "--backend-store-uri=postgresql+psycopg://mlflow:" in mlflow and "@postgres:5432/mlflow" in mlflow
    assert "--artifacts-destination=/mlflow/artifacts" in mlflow and "--serve-artifacts" in mlflow
    assert "mlflow:5000" in mlflow, "the worker's Host header must pass MLflow's host check"


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies(compose):
    services = compose["services"]
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
    expected = {
        "prefect-server": {"postgres"},
        "mlflow": {"postgres"},
        "metabase": {"postgres"},
        "superset": {"postgres"},
        "prefect-worker": {"postgres", "prefect-server", "mlflow"},
    }
    for name, needs in expected.items():
        depends = services[name]["depends_on"]
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        assert set(depends) == needs, name
        assert all(d["condition"] == "service_healthy" for d in depends.values()), name
    assert "4200/api/health" in " ".join(services["prefect-server"]["healthcheck"]["test"])
    assert "5000/health" in " ".join(services["mlflow"]["healthcheck"]["test"])
    assert "--with-healthcheck" in (PROJECT_DIR / "docker" / "worker-start.sh").read_text()


def test_ports_are_published_on_loopback_only_by_default(compose):
    published = 0
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert isinstance(port, str), f"{name}: write ports as HOST_IP:HOST:CONTAINER strings"
            host_ip = _defaults(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"
            published += 1
    assert published == 5  # postgres, prefect UI/API, MLflow, Metabase, Superset; the worker publishes nothing
    assert not compose["services"]["prefect-worker"].get("ports")


def test_volumes_persist_state(compose):
    services = compose["services"]
    declared = set(compose["volumes"])

    def mounts(name):
        return {v.split(":")[0]: v.split(":")[1] for v in services[name]["volumes"]}

    assert mounts("postgres")["postgres-data"] == "/var/lib/postgresql/data"
    assert mounts("postgres")["./docker/postgres-init"] == "/docker-entrypoint-initdb.d"
    assert mounts("mlflow")["mlflow-artifacts"] == "/mlflow/artifacts"
    assert mounts("prefect-worker")["pokewatch-home"] == _env(services["prefect-worker"])["POKEWATCH_HOME"]
    assert mounts("prefect-server")["prefect-home"] == "/data/prefect"
    assert mounts("metabase")["metabase-data"] == "/metabase-data"
    named = {src for s in services.values() for src in (v.split(":")[0] for v in s.get("volumes", []))
             if not src.startswith(".")}
    assert named == declared


def test_databases_and_roles(compose):
    services = compose["services"]
    server_db = _env(services["prefect-server"])["PREFECT_API_DATABASE_CONNECTION_URL"]
    assert server_db.startswith("postgresql+asyncpg://prefect:") and server_db.endswith("@postgres:5432/prefect")
    worker_db = _env(services["prefect-worker"])["POKEWATCH_DATABASE_URL"]
    assert worker_db.startswith("postgresql+psycopg://pokewatch_writer:${POKEWATCH_WRITER_PASSWORD")
    assert worker_db.endswith("@postgres:5432/pokewatch")
    init = "\n".join(p.read_text() for p in sorted(INIT_DIR.iterdir()))
    for statement in ("create database pokewatch", "create database prefect", "create database mlflow",
                      "create role pokewatch_writer login password :'writer_pw'",
                      "create role pokewatch_reader login password :'reader_pw'",
                      "create extension if not exists pg_trgm",
                      "grant select on tables to pokewatch_reader"):
        assert statement in init, statement
    postgres_env = _env(services["postgres"])
    for name in ("POKEWATCH_WRITER_PASSWORD", "POKEWATCH_READER_PASSWORD", "PREFECT_DB_PASSWORD",
                 "MLFLOW_DB_PASSWORD", "POSTGRES_PASSWORD"):
        assert postgres_env[name] == f"${{{name}:?set {name} in .env}}"


def test_worker_gets_every_setting_it_needs(compose):
    worker = _env(compose["services"]["prefect-worker"])
    assert WORKER_REQUIRED_ENV <= set(worker), WORKER_REQUIRED_ENV - set(worker)
    assert worker["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert worker["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert worker["POKEWATCH_PROJECT_DIR"] == "/app"
    known = settings_env_names() | EXTRA_KNOWN_ENV
    assert {"POKEWATCH_DATABASE_URL", "POKEWATCH_HOME", "POKEWATCH_TIMEZONE", "MLFLOW_TRACKING_URI"} <= known
    # No typo: every POKEWATCH_*/API-key name given to the worker is one the code reads.
    ours = {n for n in worker if n.startswith("POKEWATCH_") or n.endswith("_API_KEY") or n.startswith("MLFLOW_")}
    ours -= {"MLFLOW_DISABLE_TELEMETRY"}
    assert ours <= known, f"not read by PokeWatch: {sorted(ours - known)}"
    # Names the code reads outside Settings are known here (so a new one is a conscious decision).
    assert code_env_names() <= known | {"POKEWATCH_WRITER_PASSWORD", "POKEWATCH_READER_PASSWORD"}


def test_env_example_covers_every_required_variable():
    compose_text = COMPOSE.read_text()
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", compose_text))
    example = {line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text().splitlines()
               if line and not line.startswith("#")}
    assert required <= example, required - example
    assert required >= {"POSTGRES_PASSWORD", "POKEWATCH_WRITER_PASSWORD", "POKEWATCH_READER_PASSWORD",
                        "PREFECT_DB_PASSWORD", "MLFLOW_DB_PASSWORD"}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if "PASSWORD=" in line and not line.startswith("#"):
            assert line.split("=", 1)[1].startswith("change-me"), f"placeholder only: {line}"
    assert ".env" in (PROJECT_DIR / ".gitignore").read_text().split()
    assert ".env" in (PROJECT_DIR / ".dockerignore").read_text().split()


def test_dockerfile_builds_with_uv_as_non_root():
    text = DOCKERFILE.read_text()
    instructions = [line.split(None, 1) for line in text.splitlines() if line.strip() and not line.startswith("#")]
    keywords = [i[0].upper() for i in instructions]
    assert "COPY --from=ghcr.io/astral-sh/uv:" in text
    assert "uv sync --frozen --no-dev" in text
    assert any(k == "COPY" and i[1].strip() == ". ." for k, i in zip(keywords, instructions)), "copy the whole repo"
    users = [i[1].strip() for k, i in zip(keywords, instructions) if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must end as a non-root user"
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    assert "POKEWATCH_PROJECT_DIR=/app" in text and "WORKDIR /app" in text
    ignored = (PROJECT_DIR / ".dockerignore").read_text().split()
    assert {".venv", ".git", ".pokewatch"} <= set(ignored)
    # What the package reads relative to the project directory must reach the image.
    for needed in ("sql", "expectations", "pokewatch", "flows", "deployments", "docker"):
        assert needed not in ignored


def test_deployments_file():
    spec = yaml.safe_load(PREFECT_YAML.read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert set(deployments) == {"nightly", "backfill", "train", "score", "backtest"}
    for name, d in deployments.items():
        assert d["entrypoint"] == f"flows/{name}.py:{name}"
        assert d["work_pool"]["name"] == "pokewatch"
        assert d["enforce_parameter_schema"] is True
        assert "pokewatch" in d["tags"] and d["description"]
    nightly = deployments["nightly"]
    assert nightly["schedules"] == [{"cron": "0 3 * * *", "timezone": "{{ prefect.variables.pokewatch_timezone }}",
                                     "active": True}]
    assert all(not deployments[n]["schedules"] for n in ("backfill", "train", "score", "backtest"))
    assert nightly["concurrency_limit"] == 1 and deployments["backfill"]["concurrency_limit"] == 1
    # the project directory, recorded at deploy time, is where a flow run changes to (POKEWATCH_PROJECT_DIR wins)
    (build,) = spec["build"]
    assert build["prefect.deployments.steps.run_shell_script"]["id"] == "deployed-from"
    assert spec["pull"] == [{"pokewatch.deploy_steps.set_project_directory":
                             {"recorded": "{{ deployed-from.stdout }}"}}]
    assert all(deployments[n]["schedules"] is None for n in ("backfill", "train", "score", "backtest"))  # no warning
    assert nightly["parameters"]["demo"] is False and nightly["parameters"]["source"] == "tcgcsv"


def test_every_flow_parameter_has_a_type_in_the_run_form():
    """Issue 18: an optional parameter (`dt.date | None`) reached Prefect's run form as anyOf [date, null], shown as
    a blank type ("Property is type None"). Each deployment's parameters have one type, and the deployment sends
    no explicit null (which enforce_parameter_schema would then refuse)."""
    import importlib

    import jsonschema
    from prefect.utilities.callables import parameter_schema

    spec = yaml.safe_load(PREFECT_YAML.read_text())
    for d in spec["deployments"]:
        path, name = d["entrypoint"].split(":")
        module = path.removesuffix(".py").replace("/", ".")
        schema = parameter_schema(getattr(importlib.import_module(module), name).fn).model_dump()
        for parameter, prop in schema["properties"].items():
            assert "anyOf" not in prop and prop.get("type"), (d["name"], parameter, prop)
        # what the deployment sends passes its own schema (required parameters come with each run)
        jsonschema.validate(d.get("parameters") or {}, {**schema, "required": []})
    schema = parameter_schema(importlib.import_module("flows.nightly").nightly.fn).model_dump()
    assert not jsonschema.Draft202012Validator(schema).is_valid({"as_of": None})  # the form leaves empty out
    nightly = schema["properties"]
    assert {k: nightly["as_of"][k] for k in ("default", "format", "type")} == {"default": None, "format": "date",
                                                                             "type": "string"}
    assert nightly["as_of"]["description"].startswith("Day to run for; empty means the day before")
    assert nightly["horizons"]["type"] == "array" and nightly["min_gain_dollars"]["type"] == "number"


def test_serve_builds_the_same_deployments():
    from flows.serve import deployment_specs, deployments

    built = {d.name: d for d in deployments("Europe/Paris")}
    present = {s["name"] for s in deployment_specs()
               if (PROJECT_DIR / s["entrypoint"].split(":")[0]).exists()}
    assert set(built) == present and {"nightly", "train", "score"} <= present
    nightly = built["nightly"]
    assert nightly.concurrency_limit == 1 and nightly.enforce_parameter_schema
    (schedule,) = nightly.schedules
    assert schedule.schedule.cron == "0 3 * * *" and schedule.schedule.timezone == "Europe/Paris" and schedule.active
    assert nightly.parameters["demo"] is False
    assert not built["train"].schedules


def test_docker_compose_config_parses(tmp_path):
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install -y docker-compose); YAML checks above ran")
    result = subprocess.run([binary, "--env-file", str(ENV_EXAMPLE), "config", "-q"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    resolved = subprocess.run([binary, "--env-file", str(ENV_EXAMPLE), "config"], cwd=PROJECT_DIR,
                              capture_output=True, text=True, timeout=120, check=True).stdout
    ports = [p for s in yaml.safe_load(resolved)["services"].values() for p in s.get("ports", [])]
    host_ips = [p["host_ip"] if isinstance(p, dict) else p.split(":")[0] for p in ports]
    assert len(host_ips) == 5 and set(host_ips) == {"127.0.0.1"}, ports
    # An empty .env must stop `up` with a clear message instead of starting with blank passwords.
    (tmp_path / "empty.env").write_text("")
    missing = subprocess.run([binary, "--env-file", str(tmp_path / "empty.env"), "config", "-q"],
                             cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
                             env={"PATH": "/usr/bin:/bin"})
    assert missing.returncode != 0 and "set POSTGRES_PASSWORD in .env" in missing.stderr + missing.stdout


def test_shell_scripts_parse():
    for script in [*INIT_DIR.glob("*.sh"), PROJECT_DIR / "docker" / "worker-start.sh"]:
        assert subprocess.run(["bash", "-n", str(script)]).returncode == 0, script
        assert script.stat().st_mode & 0o111, f"{script} must be executable"
