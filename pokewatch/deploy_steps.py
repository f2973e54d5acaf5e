"""Prefect pull step for PokeWatch's deployments (deployments/prefect.yaml): where a flow run finds the code."""

from __future__ import annotations

import os
from pathlib import Path


def set_project_directory(recorded: str = "") -> dict[str, str]:
    """Change into the project directory: POKEWATCH_PROJECT_DIR on the worker when set, else the directory
    `prefect deploy` ran in (recorded at deploy time). Neither holding flows/ is one line that says what to set,
    before the run starts, instead of a ScriptError from a temporary directory."""
    chosen = os.environ.get("POKEWATCH_PROJECT_DIR") or recorded.strip()
    if not chosen or not (Path(chosen) / "flows").is_dir():
        where = f"{chosen!r} has no flows/ folder" if chosen else "no project directory was recorded"
        raise RuntimeError(f"cannot find PokeWatch's flows: {where}; set POKEWATCH_PROJECT_DIR on the worker to "
                           "the project directory (the one with flows/ and deployments/), or deploy again from it")
    os.chdir(chosen)
    return {"directory": chosen}
