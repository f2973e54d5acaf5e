"""The BI reader can only read; the flows' writer can only read and write rows. Logged in as each role."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import psycopg
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from pokewatch import db, roles, schema
from pokewatch.publish import publish_signals
from pokewatch.settings import Settings
from tests.support.warehouse import assert_reader_refused

DAY = dt.date(2025, 10, 26)
DENIED = (psycopg.errors.InsufficientPrivilege,)


def login(settings: Settings, role: str) -> psycopg.Connection:
    """A session logged in as the role (the server trusts local logins; any password is accepted)."""
    url = make_url(settings.database_url.get_secret_value()).set(username=role, password="unused")
    return psycopg.connect(db.libpq_conninfo(url), autocommit=True)


def as_role(settings: Settings, role: str) -> Settings:
    url = make_url(settings.database_url.get_secret_value()).set(username=role)
    return settings.model_copy(update={"database_url": SecretStr(url.render_as_string(hide_password=False))})


@pytest.fixture
def with_roles(settings, conn):
    conn.execute("insert into pokewatch.sets (set_id, name) values (1, 'Base Set')")
    conn.execute("insert into pokewatch.cards (product_id, set_id, name) values (10, 1, 'Pikachu')")
    conn.commit()
    done = roles.create_roles(settings, "writer-password", "reader-password")
    assert len(done) == 3
    return settings


def test_create_roles_is_idempotent_and_never_shows_a_password(settings):
    first = roles.create_roles(settings, "writer-secret-1", "reader-secret-1")
    again = roles.create_roles(settings, "writer-secret-2", None)
    text = " ".join(first + again)
    assert "secret" not in text
    assert "pokewatch_writer: kept, password set" in again[0] and again[1] == "role pokewatch_reader: kept"
    with db.connect(settings) as conn:
        attrs = conn.execute(
            "select rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole from pg_roles "
            "where rolname like 'pokewatch\\_%%' order by 1").fetchall()
        stored = conn.execute("select rolpassword from pg_authid where rolname = 'pokewatch_writer'").fetchone()[0]
    assert attrs == [("pokewatch_reader", True, False, False, False), ("pokewatch_writer", True, False, False, False)]
    assert stored.startswith("SCRAM-SHA-256$")  # hashed before it left the client


@pytest.mark.parametrize("statement", [
    "insert into pokewatch.sets (set_id, name) values (2, 'Jungle')",
    "update pokewatch.cards set name = 'Raichu'",
    "delete from pokewatch.cards",
    "truncate pokewatch.prices",
    "create table pokewatch.mine (x int)",
    "create view pokewatch.mine as select 1 as x",
    "create table public.mine (x int)",
    "create temp table mine (x int)",
    "create schema mine",
    "drop view pokewatch.latest_signals",
    "alter table pokewatch.cards add column x int",
    "comment on table pokewatch.cards is 'mine'",
    "create index mine on pokewatch.cards (name)",
])
def test_the_reader_cannot_change_or_create_anything(with_roles, statement):
    with login(with_roles, roles.READER) as conn:
        assert_reader_refused(conn, statement)


def test_the_reader_reads_every_table_and_view_even_after_init_recreates_the_views(with_roles):
    schema.migrate(with_roles)  # drops and re-creates every view: default privileges must cover them again
    with db.connect(with_roles) as owner:
        relations = [r[0] for r in owner.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'pokewatch' and c.relkind in ('r', 'p', 'v') order by 1").fetchall()]
    assert {"latest_signals", "top_opportunities", "model_metrics", "signals"} <= set(relations)
    with login(with_roles, roles.READER) as conn:
        for relation in relations:
            conn.execute(f"select * from pokewatch.{relation} limit 1").fetchall()
        assert conn.execute("select name from pokewatch.cards").fetchone() == ("Pikachu",)


def test_a_table_created_later_is_readable_and_writable_without_granting_again(with_roles):
    with db.connect(with_roles) as owner:
        owner.execute("create table pokewatch.later (x int)")
        owner.execute("insert into pokewatch.later values (1)")
    with login(with_roles, roles.WRITER) as writer:
        writer.execute("insert into pokewatch.later values (2)")
    with login(with_roles, roles.READER) as reader:
        assert reader.execute("select count(*) from pokewatch.later").fetchone() == (2,)


@pytest.mark.parametrize("statement", [
    "drop table pokewatch.signals",
    "alter table pokewatch.signals add column x int",
    "alter table pokewatch.signals drop constraint signals_signal_check",
    "truncate pokewatch.signals",
    "create table pokewatch.mine (x int)",
    "create view pokewatch.mine as select 1 as x",
    "create index mine on pokewatch.signals (reason)",
    "drop view pokewatch.latest_signals",
    "create schema mine",
    "create table public.mine (x int)",
])
def test_the_writer_cannot_drop_alter_or_create_in_the_schema(with_roles, statement):
    with login(with_roles, roles.WRITER) as conn:
        with pytest.raises(DENIED):
            conn.execute(statement)


def test_the_writer_does_what_the_flows_do(with_roles):
    """Row reads and writes, a temp staging table, and the atomic publication itself."""
    with login(with_roles, roles.WRITER) as conn:
        conn.execute("insert into pokewatch.sets (set_id, name) values (2, 'Jungle')")
        conn.execute("update pokewatch.cards set name = 'Pikachu (Base)' where product_id = 10")
        conn.execute("delete from pokewatch.sets where set_id = 2")
        conn.execute("create temp table scratch (x int)")
    import pandas as pd

    frame = pd.DataFrame({
        "product_id": [10], "variant": "Normal", "as_of": DAY, "model_version": 1, "market_price": 9.0,
        "fair_price": 10.0, "fair_low": 8.0, "fair_high": 12.0, "deviation_pct": -10.0, "signal": "HOLD",
        "confidence": 0.5, "reason": "within fair band", "run_id": str(uuid.uuid4()), "cost_share": 0.25, "horizon_days": 7, "profile": "collector", "net_return": -0.25,
    })
    writer = as_role(with_roles, roles.WRITER)
    with db.connect(writer) as conn:
        assert conn.execute("select current_user").fetchone() == (roles.WRITER,)
        assert publish_signals(conn, frame, DAY, 1) == 1
    with login(with_roles, roles.READER) as reader:
        assert reader.execute("select card_name, signal from pokewatch.latest_signals").fetchall() == [
            ("Pikachu (Base)", "HOLD")]


def test_a_role_created_without_a_password_cannot_log_in_until_it_has_one(settings):
    role = "pw_no_password_yet"  # not pokewatch_*: other tests list those
    with db.connect(settings, autocommit=True) as conn:
        conn.execute(f"drop role if exists {role}")
        said = roles._ensure_role(conn, role, None)
        can_login = "select rolcanlogin from pg_roles where rolname = %s"
        assert said.startswith(f"role {role}: created, cannot log in until it has a password")
        assert conn.execute(can_login, (role,)).fetchone() == (False,)
        assert roles._ensure_role(conn, role, "secret") == f"role {role}: kept, password set"
        assert conn.execute(can_login, (role,)).fetchone() == (True,)
        conn.execute(f"drop role {role}")


def test_every_reader_session_is_read_only(with_roles):
    with login(with_roles, roles.READER) as reader:
        assert reader.execute("show default_transaction_read_only").fetchone() == ("on",)


def test_passwords_come_from_the_environment_when_settings_lack_them(settings, monkeypatch):
    monkeypatch.setenv("POKEWATCH_WRITER_PASSWORD", "w")
    monkeypatch.delenv("POKEWATCH_READER_PASSWORD", raising=False)
    assert roles.passwords_from(settings) == ("w", None)


def test_the_writer_imports_a_real_file_without_migration_rights(with_roles, shared_dir, tmp_path):
    """`import` as the documented writer role: the schema is only checked (never migrated: no yoyo_lock), the
    months' partitions come from the function the writer may call, the writer lock is an advisory lock."""
    from pokewatch.collect import import_history

    day = pd.read_parquet(shared_dir / "data/tcgcsv_japan/tcgcsv_prices_cat85_pokemon_japan_2025-09-21.parquet")
    day.head(300).to_parquet(tmp_path / "day.parquet")
    writer = as_role(with_roles, roles.WRITER)
    schema.ensure_schema(writer)
    assert import_history(writer, tmp_path / "day.parquet").rows == 300
    with login(with_roles, roles.READER) as reader:
        assert reader.execute("select count(*) from pokewatch.landed_prices").fetchone() == (300,)
