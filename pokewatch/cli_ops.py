"""`pokewatch serve`, `pokewatch schedule` and `pokewatch model promote|rollback`: running the deployments, what
runs next, and moving the champion alias by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from pokewatch.cli_common import console, flow_api, run_safely
from pokewatch.settings import get_settings

model_app = typer.Typer(help="Move the champion alias by hand.", no_args_is_help=True)


def serve(limit: Annotated[int | None, typer.Option(help="Most runs at once.")] = None) -> None:
    """Serve every deployment from this process (schedules included): Prefect without a work pool."""
    with flow_api("flows.serve"):
        from flows.serve import serve_all

        run_safely(serve_all, limit=limit)


def schedule(n: Annotated[int, typer.Option("-n", help="How many runs to list.")] = 10) -> None:
    """What Prefect runs next (needs PREFECT_API_URL pointing at a server with the deployments)."""
    from pokewatch.schedule import next_runs

    runs = run_safely(next_runs, n)
    if not runs:
        console.print("nothing scheduled")
    for r in runs:
        console.print(f"{r['scheduled']:%Y-%m-%d %H:%M %Z}  {r['deployment']}  {r['state']}  {r['flow_run']}")


@model_app.command("promote")
def model_promote(version: int, reason: str = "promoted by hand") -> None:
    """Make VERSION the champion."""
    from pokewatch import registry

    previous = run_safely(registry.set_champion, get_settings(), version, reason)
    console.print(f"champion: version {version} (was {previous or 'none'})")


@model_app.command("rollback")
def model_rollback() -> None:
    """Give the champion alias back to the version the current champion replaced."""
    from pokewatch import registry

    current, previous = run_safely(registry.rollback_champion, get_settings())
    console.print(f"champion: version {previous} (rolled back from {current})")
