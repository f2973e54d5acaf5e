"""One line for a failure of a part PokeWatch talks to (PostgreSQL, MLflow, migrations): which part refused, what
it said (not a wrapper's noise), and what to do where PokeWatch knows. The CLI prints it; `runs.error` keeps it."""

from __future__ import annotations

import os
import re

from pokewatch.masking import mask_secrets

# The parts, by the module their exceptions come from.
PARTS = {"psycopg": "PostgreSQL", "sqlalchemy": "PostgreSQL", "mlflow": "MLflow", "yoyo": "migrations"}
# SQLAlchemy's prefix when a flush fails inside a query; the reason is on the next line.
_NOISE = ("(raised as a result of",)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^\"')]+)")


def part_of(exc: BaseException) -> str | None:
    return PARTS.get(type(exc).__module__.split(".")[0])


def _first_line(text: str) -> str | None:
    return next((line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(_NOISE)),
                None)


def _schema_gone(exc: BaseException) -> str | None:
    import psycopg

    if isinstance(exc, (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName)) and "pokewatch" in str(exc):
        return (f"the warehouse schema pokewatch is gone or incomplete ({_first_line(str(exc))}): run `pokewatch init` "
                "as its owner to rebuild it, then import or backfill the history")
    return None


def _mlflow_unreachable(line: str) -> str | None:
    """MLflow's 'Max retries exceeded' line, shortened to the URL and the reason, with the bound PokeWatch set."""
    if "Max retries exceeded" not in line:
        return None
    url = line.split(" failed with exception")[0].removeprefix("API request to ")
    reason = _ERRNO.search(line)
    retries = int(os.environ.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "7"))
    timeout = os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")
    return (f"cannot reach {url}: {reason.group(1).strip() if reason else 'no answer'}; gave up after "
            f"{retries + 1} tries of up to {timeout} s (MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_TIMEOUT "
            "set how long to wait)")


def describe(exc: BaseException) -> str:
    """The one line for `exc`, masked; a part's failure is 'Part refused: …'."""
    part = part_of(exc)
    text = str(exc)
    if part is None:
        return mask_secrets(text or type(exc).__name__)
    gone = _schema_gone(exc)
    if gone:
        return mask_secrets(gone)
    line = _first_line(text) or type(exc).__name__
    line = _mlflow_unreachable(line) or line
    if part == "MLflow" and re.search(r"read-?only", line):
        line += ": the tracking store refuses writes; check its permissions, free space and MLFLOW_TRACKING_URI"
    return mask_secrets(f"{part} refused: {line} ({type(exc).__name__})")
