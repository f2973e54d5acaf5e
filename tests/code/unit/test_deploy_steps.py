"""The deployments' pull step: the worker's POKEWATCH_PROJECT_DIR, else the directory recorded at deploy time, else
one line that says what to set (a run without it failed inside a temporary directory with a ScriptError)."""

import os

import pytest

from pokewatch.deploy_steps import set_project_directory
from pokewatch.settings import PROJECT_DIR


@pytest.fixture(autouse=True)
def back_to_cwd(monkeypatch):
    monkeypatch.delenv("POKEWATCH_PROJECT_DIR", raising=False)
    here = os.getcwd()
    yield
    os.chdir(here)


def test_the_recorded_directory_is_used_when_the_worker_sets_none(tmp_path):
    os.chdir(tmp_path)
    assert set_project_directory(f"{PROJECT_DIR}\n") == {"directory": str(PROJECT_DIR)}
    assert os.getcwd() == str(PROJECT_DIR)


def test_the_workers_variable_wins_over_the_recorded_directory(tmp_path, monkeypatch):
    (tmp_path / "flows").mkdir()
    monkeypatch.setenv("POKEWATCH_PROJECT_DIR", str(tmp_path))
    assert set_project_directory(str(PROJECT_DIR)) == {"directory": str(tmp_path)}


@pytest.mark.parametrize("recorded", ["", "/nonexistent/pokewatch"])
def test_no_project_directory_is_one_line_saying_what_to_set(recorded, tmp_path):
    os.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="set POKEWATCH_PROJECT_DIR on the worker") as info:
        set_project_directory(recorded)
    assert "\n" not in str(info.value) and os.getcwd() == str(tmp_path)
