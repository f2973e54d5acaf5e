"""The installed package works on its own: the wheel (pokewatch + flows, with sql/, expectations/ and
deployments/ inside it) installed into a scratch virtual environment, run from outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from pokewatch.settings import PROJECT_DIR

pytestmark = pytest.mark.slow


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of the scratch venv, the wheel): built and installed once for the module."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([*_uv(), "build", "--wheel", "--out-dir", str(work / "dist"), str(PROJECT_DIR)], check=True,
                   capture_output=True, text=True, timeout=300)
    wheel = next((work / "dist").glob("pokewatch-*.whl"))
    venv = work / "venv"
    subprocess.run([*_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120)
    subprocess.run([*_uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
                   check=True, capture_output=True, text=True, timeout=900)
    return venv / "bin", wheel


def _run(bin_dir, *args, env=None, cwd):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("POKEWATCH_", "VIRTUAL_ENV", "PYTHONPATH"))}
    return subprocess.run([str(bin_dir / "pokewatch"), *args], cwd=cwd, env={**clean, **(env or {})},
                          capture_output=True, text=True, timeout=300)


def test_the_wheel_carries_the_flows_sql_suites_and_deployments(installed):
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("flows/nightly.py", "pokewatch/cli.py", "pokewatch/_project/sql/migrations/0001_warehouse.sql",
                 "pokewatch/_project/sql/views/latest_signals.sql",
                 "pokewatch/_project/expectations/gx/expectations/daily_prices.json",
                 "pokewatch/_project/deployments/prefect.yaml", "pokewatch/data/demo_prices.parquet"):
        assert path in names, path


def test_installed_commands_answer_outside_the_checkout(installed, tmp_path):
    bin_dir, _ = installed
    for args in (["--help"], ["nightly", "--help"]):
        out = _run(bin_dir, *args, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "Usage" in out.stdout
    assert "--skip-collect" in _run(bin_dir, "nightly", "--help", cwd=tmp_path).stdout


def test_installed_init_builds_the_warehouse_from_the_sql_it_carries(installed, tmp_path, database_url):
    bin_dir, _ = installed
    out = _run(bin_dir, "init", cwd=tmp_path, env={"POKEWATCH_DATABASE_URL": database_url,
                                                   "POKEWATCH_HOME": str(tmp_path / "home")})
    assert out.returncode == 0, out.stderr
    assert "warehouse ready" in out.stdout
