"""The Prefect API a CLI command's flows report to. With PREFECT_API_URL set, that server; without it, a temporary
server for this command only, started the way Prefect starts its own ephemeral one but tied to this process: on
Linux the kernel ends it when the command dies (PR_SET_PDEATHSIG), so a SIGKILLed `pokewatch nightly` leaves no
server listening (Prefect's own one outlived its parent by minutes, holding ~240 MB)."""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Runs in the child before exec: ask the kernel for SIGTERM when the parent ends (Linux only)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _import(modules: tuple[str, ...]) -> None:
    for module in modules:
        importlib.import_module(module)


def _start(timeout: float, warm_up: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """Start the server, import the `warm_up` modules while it boots (the two use a core each), wait for it."""
    import httpx
    import prefect

    port, parent = _free_port(), os.getpid()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
         "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "error",
         "--lifespan", "on"],
        env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
             "PREFECT__SERVER_FINAL": "1"},
        preexec_fn=lambda: _die_with_parent(parent), stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout
    try:
        _import(warm_up)
    except BaseException:
        process.kill()
        raise
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/health", timeout=2).status_code == 200:
                    return process, url
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s "
                       "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")


@contextlib.contextmanager
def prefect_api(warm_up: tuple[str, ...] = ()) -> Iterator[str | None]:
    """The configured Prefect API, or a temporary one for the block's duration (yielded: its URL). The `warm_up`
    modules (the command's flows) are imported before the block either way; with a temporary server, while it
    starts (8-15 s, as long as importing a flow's stack: the command pays the longer of the two, not both)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    if PREFECT_API_URL.value():
        _import(warm_up)
        yield PREFECT_API_URL.value()
        return
    process, url = _start(float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()), warm_up)
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
