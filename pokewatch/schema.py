"""The warehouse's shape: migrations and views from sql/ (applied by `pokewatch init`), the shipped reference
data, and the check writers make that the warehouse is there (they never migrate)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from pokewatch.catalogue import load_reference
from pokewatch.db import SCHEMA, connect, database_url, libpq_conninfo, unavailable
from pokewatch.settings import PROJECT_DIR, Settings

SQL_DIR = PROJECT_DIR / "sql"


def _views() -> list[Path]:
    """sql/views/*.sql in an order that creates what a view reads first (a `-- requires: a, b` line names it)."""
    files = {f.stem: f for f in sorted((SQL_DIR / "views").glob("*.sql"))}
    needs = {name: {r.strip() for line in f.read_text().splitlines() if line.startswith("-- requires:")
                    for r in line.removeprefix("-- requires:").split(",") if r.strip()}
             for name, f in files.items()}
    ordered: list[Path] = []
    while needs:
        ready = sorted(n for n, wanted in needs.items() if not wanted - {p.stem for p in ordered})
        if not ready:
            raise RuntimeError(f"sql/views: circular or missing `-- requires:` among {', '.join(sorted(needs))}")
        ordered += [files[n] for n in ready]
        for n in ready:
            del needs[n]
    return ordered


def _functions() -> list[Path]:
    return sorted((SQL_DIR / "functions").glob("*.sql"))


def migrate(settings: Settings) -> list[str]:
    """Apply pending migrations in sql/migrations, (re)create the views and functions, load the reference data.
    Safe to run again.

    A warehouse schema dropped by hand (`drop schema pokewatch cascade`) leaves yoyo's records behind: they are
    forgotten first, so the whole warehouse is rebuilt.
    """
    from yoyo import get_backend, read_migrations

    url = database_url(settings)
    try:
        backend = get_backend(libpq_conninfo(url).replace("postgresql://", "postgresql+psycopg://", 1))
    except psycopg.OperationalError as exc:  # the same clear line as connect(), never a traceback
        raise unavailable(url, exc) from None
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
        for function in _functions():
            conn.execute(function.read_text())
        load_reference(conn)  # names and sets shipped with PokeWatch (pokewatch/data/reference)
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
    functions = {f.stem for f in _functions()}
    defined = {r[0] for r in conn.execute(
        "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = %s",
        (SCHEMA,))}
    missing += sorted(f"function {f}" for f in functions - defined)
    try:
        with conn.transaction():
            applied = {r[0] for r in conn.execute("select migration_id from _yoyo_migration")}
    except (psycopg.errors.UndefinedTable, psycopg.errors.InsufficientPrivilege):
        return missing
    wanted = {m.stem for m in (SQL_DIR / "migrations").glob("*.sql") if not m.stem.endswith(".rollback")}
    return sorted(f"migration {m}" for m in wanted - applied) + missing
