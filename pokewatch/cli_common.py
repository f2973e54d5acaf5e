"""What every `pokewatch` command shares: the consoles, the day option, and one clear line for a known failure."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err = Console(stderr=True)

AsOf = Annotated[dt.datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Day to run for (YYYY-MM-DD).")]

SourceOption = Annotated[str, typer.Option(metavar="SOURCE", help="Price source: tcgcsv, pokemonpricetracker or "
                                                                  "pokemontcg.")]


def as_day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def fail(message: str) -> None:
    from pokewatch.masking import mask_secrets

    err.print(f"[bold red]error:[/] {escape(mask_secrets(message))}", soft_wrap=True, highlight=False)
    raise typer.Exit(1)


def _known_errors() -> tuple[type[BaseException], ...]:
    from pokewatch.db import DatabaseUnavailable
    from pokewatch.sources.base import SourceError

    return (DatabaseUnavailable, SourceError, RuntimeError, ValueError, FileNotFoundError)


def run_safely(fn, *args, **kwargs):
    """Run a command body; a known failure becomes one clear line and exit code 1, not a traceback."""
    try:
        return fn(*args, **kwargs)
    except _known_errors() as exc:
        fail(str(exc) or type(exc).__name__)
    except Exception as exc:
        from pokewatch.errors import describe, part_of

        if part_of(exc) is None:
            raise
        fail(describe(exc))


@contextlib.contextmanager
def flow_api(*flow_modules: str):
    """The Prefect API the command's flows report to (pokewatch.prefect_api): the configured one or a temporary
    server that ends with the command, started while `flow_modules` are imported; failing to start it is one
    line."""
    from pokewatch.prefect_api import prefect_api

    with contextlib.ExitStack() as stack:
        yield run_safely(stack.enter_context, prefect_api(flow_modules))


def last_landed_day(settings, source: str | None = None) -> dt.date:
    """The newest landed day (of one source when given): what commands without --as-of work on."""
    from pokewatch import db

    with db.connect(settings) as conn:
        day = conn.execute("select max(as_of) from pokewatch.landings where source = coalesce(%s, source)",
                           (source,)).fetchone()[0]
    if day is None:
        raise ValueError("nothing is landed yet: import, backfill or collect prices first")
    return day
