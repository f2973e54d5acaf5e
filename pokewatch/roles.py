"""Database roles: `pokewatch_writer` for the flows, `pokewatch_reader` for BI tools. Idempotent.

Roles are cluster-wide; privileges are per database, so `create_roles` is run against each warehouse
database (after `migrate`, as the schema's owner). Passwords are sent already SCRAM-hashed, never printed.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql

from pokewatch import db
from pokewatch.settings import Settings

WRITER = "pokewatch_writer"
READER = "pokewatch_reader"


def passwords_from(settings: Settings) -> tuple[str | None, str | None]:
    """Writer and reader passwords: Settings fields if the Settings has them, else the environment."""
    found = []
    for field, env in (("writer_password", "POKEWATCH_WRITER_PASSWORD"),
                       ("reader_password", "POKEWATCH_READER_PASSWORD")):
        value = getattr(settings, field, None)
        if value is not None and hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        found.append(value if value is not None else (os.environ.get(env) or None))
    return found[0], found[1]


PASSWORD_VARIABLES = {WRITER: "POKEWATCH_WRITER_PASSWORD", READER: "POKEWATCH_READER_PASSWORD"}


def _ensure_role(conn: psycopg.Connection, role: str, password: str | None) -> str:
    """The role, with no power beyond logging in; it may log in only once it has a password (never a login role
    without one: on a server that asks for passwords it could not log in, on one that trusts it anyone could)."""
    row = conn.execute("select rolcanlogin, rolsuper or rolcreatedb or rolcreaterole or rolreplication "
                       "or rolbypassrls or not rolinherit from pg_roles where rolname = %s", (role,)).fetchone()
    action = "kept"
    if row is None:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
            action = "created"
        except psycopg.errors.DuplicateObject:  # another session created it just now
            pass
    if row is None or row[1]:
        # Whatever it was before: nothing more than logging in (no superuser, createdb, createrole, replication).
        conn.execute(sql.SQL("alter role {} nosuperuser nocreatedb nocreaterole noreplication nobypassrls "
                             "inherit").format(sql.Identifier(role)))
    if password is not None:
        hashed = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
        conn.execute(sql.SQL("alter role {} login password {}").format(sql.Identifier(role), sql.Literal(hashed)))
        action += ", password set"
    elif not (row and row[0]):
        action += (f", cannot log in until it has a password: set {PASSWORD_VARIABLES.get(role, 'its password')} and run "
                   "`pokewatch init --roles` again")
    return f"role {role}: {action}"


def create_roles(settings: Settings, writer_password: str | None = None,
                 reader_password: str | None = None) -> list[str]:
    """Create or update both roles and grant them exactly what they need on this database; returns what it did.

    writer: connect and temporary tables on the database, usage on schema pokewatch, select/insert/update/
    delete on its tables, usage on its sequences (and the same on future ones). No create, drop, alter,
    truncate. reader: connect, usage on schema pokewatch, select on its tables and views (and future ones).
    Nothing else: temporary tables and create on schema public are revoked from PUBLIC on this database.
    A None password leaves an existing password as it is; a role created without one cannot log in (NOLOGIN)
    until it gets one. The reader's sessions are read-only by default.
    """
    done: list[str] = []
    with db.connect(settings) as conn:
        database = conn.info.dbname
        owner = conn.execute("select nspowner::regrole::text from pg_namespace where nspname = %s",
                             (db.SCHEMA,)).fetchone()
        if owner is None:
            raise RuntimeError("schema pokewatch does not exist: run `pokewatch init` first")
        owner = owner[0]
        done.append(_ensure_role(conn, WRITER, writer_password))
        done.append(_ensure_role(conn, READER, reader_password))
        # Every session of the reader is read-only, whatever the tool connecting (BI, psql) asks for.
        conn.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(sql.Identifier(READER)))

        ident = sql.Identifier
        grants = [
            # PUBLIC may create temporary tables on every new database; here only the writer may.
            sql.SQL("revoke temporary on database {} from public").format(ident(database)),
            sql.SQL("revoke create on schema public from public"),
            sql.SQL("revoke all on schema {} from public").format(ident(db.SCHEMA)),
            sql.SQL("grant connect, temporary on database {} to {}").format(ident(database), ident(WRITER)),
            sql.SQL("grant connect on database {} to {}").format(ident(database), ident(READER)),
            sql.SQL("grant usage on schema {} to {}, {}").format(ident(db.SCHEMA), ident(WRITER), ident(READER)),
            sql.SQL("grant select, insert, update, delete on all tables in schema {} to {}")
            .format(ident(db.SCHEMA), ident(WRITER)),
            sql.SQL("grant usage on all sequences in schema {} to {}").format(ident(db.SCHEMA), ident(WRITER)),
            sql.SQL("grant select on all tables in schema {} to {}").format(ident(db.SCHEMA), ident(READER)),
            # Tables and views the owner creates later (new migrations, views re-created on every init).
            sql.SQL("alter default privileges for role {} in schema {} grant select, insert, update, delete "
                    "on tables to {}").format(ident(owner), ident(db.SCHEMA), ident(WRITER)),
            sql.SQL("alter default privileges for role {} in schema {} grant usage on sequences to {}")
            .format(ident(owner), ident(db.SCHEMA), ident(WRITER)),
            sql.SQL("alter default privileges for role {} in schema {} grant select on tables to {}")
            .format(ident(owner), ident(db.SCHEMA), ident(READER)),
        ]
        for statement in grants:
            conn.execute(statement)
        done.append(f"database {database}: {WRITER} may read and write the pokewatch tables, "
                    f"{READER} may read them (views included); default privileges set for objects {owner} creates")
    return done
