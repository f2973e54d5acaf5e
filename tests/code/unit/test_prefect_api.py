"""The temporary Prefect server of a CLI command boots while the command imports its flows, not before."""

import sys
from urllib.parse import urlsplit

import httpx
import psutil
from prefect.settings import PREFECT_API_URL, temporary_settings

from pokewatch.prefect_api import prefect_api

PROBE = '''
import psutil
SERVERS = {c.pid for c in psutil.Process().children() if "uvicorn" in " ".join(c.cmdline())}
'''


def _servers(port: int | None = None) -> list[psutil.Process]:
    """This process's uvicorn children (another test's Prefect harness may have one too); on `port` if given."""
    return [c for c in psutil.Process().children() if "uvicorn" in (cmd := " ".join(c.cmdline()))
            and (port is None or f"--port {port}" in cmd)]


def test_the_flows_are_imported_while_the_temporary_server_starts(tmp_path, monkeypatch):
    (tmp_path / "warm_probe.py").write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = {p.pid for p in _servers()}
    with temporary_settings(updates={PREFECT_API_URL: None}), prefect_api(("warm_probe",)) as url:
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200
        server = _servers(urlsplit(url).port)
    assert len(server) == 1 and server[0].pid not in before
    assert server[0].pid in sys.modules["warm_probe"].SERVERS  # imported after the server process started
    assert not psutil.wait_procs(server, timeout=30)[1]  # and gone with the block
