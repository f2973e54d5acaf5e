"""What every benchmark needs: a scratch database, the real data, repeats and a markdown table."""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from pokewatch import db
from pokewatch.settings import PROJECT_DIR, Settings

SHARED = Path(os.environ.get("POKEWATCH_SHARED_DIR", PROJECT_DIR.parent / "shared"))
HISTORY = SHARED / "data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet"
RESULTS = PROJECT_DIR / "benchmarks" / "results"
REPEATS = int(os.environ.get("POKEWATCH_BENCH_REPEATS", "3"))


def server_url() -> str:
    """The PostgreSQL server to create scratch databases on (POKEWATCH_BENCH_DATABASE_URL, the test one, or embedded)."""
    for name in ("POKEWATCH_BENCH_DATABASE_URL", "POKEWATCH_TEST_DATABASE_URL", "POKEWATCH_DATABASE_URL"):
        if os.environ.get(name):
            return os.environ[name]
    home = PROJECT_DIR / ".pokewatch" / "bench-embedded"
    home.mkdir(parents=True, exist_ok=True)
    return db.database_url(Settings(home=home)).render_as_string(hide_password=False)


def _admin() -> psycopg.Connection:
    return psycopg.connect(db.libpq_conninfo(make_url(server_url()).set(database="postgres")), autocommit=True)


@contextlib.contextmanager
def scratch_database(template: str | None = None, keep: bool = False) -> Iterator[str]:
    """A new database (optionally a copy of `template`), dropped afterwards; yields its name."""
    name = f"pokewatch_bench_{uuid.uuid4().hex[:10]}"
    with _admin() as conn:
        conn.execute(f"create database {name}" + (f" template {template}" if template else ""))
    try:
        yield name
    finally:
        if not keep:
            with _admin() as conn:
                conn.execute(f"drop database if exists {name} with (force)")


def settings_for(database: str, home: Path | None = None, **overrides) -> Settings:
    url = make_url(server_url()).set(database=database).render_as_string(hide_password=False)
    home = home or Path(tempfile.mkdtemp(prefix="pokewatch-bench-"))
    return Settings(home=home, database_url=url, **overrides).prepare()


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(f"drop database if exists {name} with (force)")


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(headers: list[str], rows: list[list]) -> str:
    def cell(v):
        if isinstance(v, float):
            return f"{v:,.2f}" if abs(v) >= 0.01 or v == 0 else f"{v:.4f}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
