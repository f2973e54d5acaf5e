"""The temporary Prefect server of a CLI command boots while the command imports its flows, not before."""

import sys

import httpx
import psutil
from prefect.settings import PREFECT_API_URL, temporary_settings

from pokewatch.prefect_api import prefect_api

PROBE = '''
import psutil
SERVER_RUNNING = any("uvicorn" in " ".join(c.cmdline()) for c in psutil.Process().children())
'''


def test_the_flows_are_imported_while_the_temporary_server_starts(tmp_path, monkeypatch):
    (tmp_path / "warm_probe.py").write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    with temporary_settings(updates={PREFECT_API_URL: None}), prefect_api(("warm_probe",)) as url:
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200
        server = [c for c in psutil.Process().children() if "uvicorn" in " ".join(c.cmdline())]
    assert sys.modules["warm_probe"].SERVER_RUNNING  # imported after the server process started
    assert len(server) == 1 and not psutil.wait_procs(server, timeout=30)[1]  # and gone with the block
