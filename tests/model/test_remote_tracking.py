"""MLFLOW_TRACKING_URI pointing at a real `mlflow server` subprocess.

Plain server and a server with basic auth (credentials from MLFLOW_TRACKING_USERNAME/PASSWORD, read by MLflow
itself; `mlflow[auth]` is in the dev group). A server that does not start is a failure, never a skip.
"""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from pokewatch import registry
from pokewatch.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path, auth: bool):
    port = _free_port()
    ini = tmp_path / "basic_auth.ini"
    ini.write_text(
        "[mlflow]\ndefault_permission = READ\n"
        f"database_uri = sqlite:///{tmp_path / 'auth.db'}\n"
        "admin_username = admin\nadmin_password = pokewatch-test-password-1\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    env = {**os.environ, "MLFLOW_AUTH_CONFIG_PATH": str(ini), "MLFLOW_DISABLE_TELEMETRY": "true",
           "MLFLOW_FLASK_SERVER_SECRET_KEY": "pokewatch-test-csrf-key"}  # basic auth's CSRF protection needs one
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", *(["--app-name", "basic-auth"] if auth else []), "--host", "127.0.0.1",
         "--port", str(port), "--backend-store-uri", f"sqlite:///{tmp_path / 'mlflow.db'}",
         "--artifacts-destination", str(tmp_path / "artifacts"), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a slow, shared machine: wait longer, never skip
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"mlflow server exited with {proc.returncode} before answering /health")
            time.sleep(1)
        else:
            pytest.fail("mlflow server did not answer /health within 300 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def plain_server(tmp_path):
    yield from _start(tmp_path, auth=False)


@pytest.fixture
def auth_server(tmp_path):
    yield from _start(tmp_path, auth=True)


@pytest.mark.slow
def test_remote_server_gets_runs_and_proxied_artifacts(plain_server, tmp_path, monkeypatch):
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", plain_server)
    settings = Settings(home=tmp_path / "home").prepare()
    client = registry.mlflow_client(settings, "pokewatch-remote-test")
    with mlflow.start_run() as run:
        mlflow.log_metric("mape", 0.03)
        mlflow.log_text("hello", "note.txt")
    assert client.get_run(run.info.run_id).data.metrics["mape"] == 0.03
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["note.txt"]


@pytest.mark.slow
def test_remote_server_with_credentials_from_the_environment(auth_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", auth_server)
    settings = Settings(home=tmp_path / "home").prepare()
    assert settings.tracking_uri == auth_server

    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "admin")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "wrong")
    with pytest.raises(Exception, match="(?i)401|unauthori|credentials|permission"):
        registry.mlflow_client(settings)

    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "pokewatch-test-password-1")
    import mlflow

    client = registry.mlflow_client(settings)
    with mlflow.start_run() as run:
        mlflow.log_metric("mape", 0.03)
        mlflow.log_text("hello", "note.txt")
    assert client.get_run(run.info.run_id).data.metrics["mape"] == 0.03
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["note.txt"]
