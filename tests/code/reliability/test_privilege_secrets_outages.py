"""Least privilege, secrets that never leak, and clear failures when a part (database, MLflow, Prefect) is down."""

from __future__ import annotations

import asyncio
import os
import time

import psycopg
import pytest

from pokewatch import db, roles
from tests.code.sql.test_roles import login
from tests.support.warehouse import assert_reader_refused

from .conftest import (
    DAY,
    DB_PASSWORD,
    FAKE_PPT_KEY,
    FAKE_TCG_KEY,
    champion,
    cli_env,
    closed_port,
    run_cli,
    snapshot,
    with_password,
)

DENIED = (psycopg.errors.InsufficientPrivilege,)


@pytest.fixture
def with_roles(demo_settings):
    roles.create_roles(demo_settings, DB_PASSWORD, DB_PASSWORD)
    return demo_settings


@pytest.mark.parametrize("statement", [
    "insert into pokewatch.sets (set_id, name) values (424242, 'x')", "update pokewatch.prices set market = 0",
    "delete from pokewatch.signals", "truncate pokewatch.runs", "drop table pokewatch.cards",
    "alter table pokewatch.prices add column x int", "create table pokewatch.x (x int)", "drop schema pokewatch cascade",
    "create index x on pokewatch.prices (market)", "comment on table pokewatch.cards is 'x'"])
def test_the_reader_cannot_write_or_change_anything(with_roles, statement):
    with login(with_roles, roles.READER) as conn:
        assert_reader_refused(conn, statement)


@pytest.mark.parametrize("statement", [
    "drop table pokewatch.signals", "drop schema pokewatch cascade", "alter table pokewatch.cards add column x int",
    "alter table pokewatch.prices drop column market", "create table pokewatch.x (x int)", "truncate pokewatch.prices",
    "create or replace view pokewatch.latest_signals as select 1 as x", "drop view pokewatch.latest_signals"])
def test_the_writer_cannot_drop_or_alter_the_schema(with_roles, statement):
    with login(with_roles, roles.WRITER) as conn:
        with pytest.raises(DENIED):
            conn.execute(statement)
    with db.connect(with_roles) as conn:  # still all there
        assert conn.execute("select count(*) from pokewatch.prices").fetchone()[0] > 60_000


def test_connection_passwords_are_never_printed(demo_settings):
    good = with_password(demo_settings.database_url.get_secret_value(), DB_PASSWORD)
    bad = with_password(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere", DB_PASSWORD)
    for url, args, ok in ((good, ("status",), True), (bad, ("status",), False), (bad, ("init",), False),
                          (bad, ("signals",), False), (bad, ("validate", "--as-of", str(DAY)), False)):
        done = run_cli(*args, env=cli_env(demo_settings, POKEWATCH_DATABASE_URL=url), timeout=300)
        output = done.stdout + done.stderr
        assert (done.returncode == 0) == ok, output[-2000:]
        assert DB_PASSWORD not in output, (args, output[-2000:])
        if not ok:
            assert "cannot connect to PostgreSQL" in output and "***" in output, output[-2000:]
            assert "Traceback" not in output, output[-3000:]


def _walk_text(folder) -> str:
    chunks = []
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                chunks.append(fh.read().decode("utf-8", "replace"))
    return "\n".join(chunks)


def test_no_secret_reaches_logs_artifacts_mlflow_or_runs(trained_settings, prefect_server, monkeypatch, capfd):
    """The whole nightly job (demo) with fake API keys and a database password for the writer role."""
    from prefect.client.orchestration import get_client

    from flows.nightly import nightly
    from pokewatch.settings import get_settings

    s = trained_settings
    roles.create_roles(s, DB_PASSWORD, DB_PASSWORD)
    url = with_password(s.database_url.get_secret_value(), DB_PASSWORD, user=roles.WRITER)
    monkeypatch.setenv("POKEWATCH_DATABASE_URL", url)
    monkeypatch.setenv("POKEWATCH_HOME", str(s.home))
    monkeypatch.setenv("POKEMON_PRICE_API_KEY", FAKE_PPT_KEY)
    monkeypatch.setenv("POKEMONTCG_API_KEY", FAKE_TCG_KEY)
    get_settings.cache_clear()
    try:
        results = nightly(demo=True)
        assert results["score"].rows > 1000
        with db.connect(s) as owner:  # a critical defect: the failed run's error is recorded too
            owner.execute("update pokewatch.prices set market = -5 where as_of = %s and product_id = "
                          "(select min(product_id) from pokewatch.prices where as_of = %s)", (DAY, DAY))
        with pytest.raises(Exception, match="market"):
            nightly(as_of=DAY, skip_collect=True)
    finally:
        get_settings.cache_clear()
    out, err = capfd.readouterr()

    async def prefect_text() -> str:
        async with get_client() as client:
            logs = await client.read_logs(limit=200)
            artifacts = await client.read_artifacts(limit=200)
            runs = await client.read_flow_runs(limit=50)
        return "\n".join([*(l.message for l in logs), *(str(a.data) + str(a.description) for a in artifacts),
                          *(str(r.parameters) + str(r.state) for r in runs)])

    prefect = asyncio.run(prefect_text())
    assert "nightly-summary" in prefect or "PokeWatch nightly" in prefect  # we really read the artifacts
    with db.connect(s) as conn:
        errors = " ".join(r[0] or "" for r in conn.execute("select error from pokewatch.runs").fetchall())
    assert "market" in errors
    mlflow = _walk_text(s.home / "mlflow")  # the SQLite store (params, tags, metrics) and every artifact file
    assert "fit_rows" in mlflow
    for where, text in (("stdout", out), ("stderr", err), ("prefect logs/artifacts", prefect),
                        ("runs.error", errors), ("mlflow", mlflow)):
        for secret in (FAKE_PPT_KEY, FAKE_TCG_KEY, DB_PASSWORD):
            assert secret not in text, f"{secret[:8]}… leaked into {where}"


def test_database_down_is_a_clear_failure(demo_settings, prefect_server):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/pokewatch"
    for args in (("status",), ("nightly", "--as-of", str(DAY), "--skip-collect")):
        done = run_cli(*args, env=cli_env(demo_settings, POKEWATCH_DATABASE_URL=url, PREFECT_API_URL=prefect_server))
        assert done.returncode == 1, done.stderr[-3000:]
        last = " ".join(done.stderr.strip().split("error:")[-1].split())
        assert last.startswith("cannot connect to PostgreSQL at postgresql+psycopg://postgres@127.0.0.1:"), done.stderr


def test_prefect_api_unreachable_is_a_clear_failure_and_writes_nothing(trained_settings):
    s = trained_settings
    before = snapshot(s)
    with db.connect(s) as conn:
        runs = conn.execute("select count(*) from pokewatch.runs").fetchone()[0]
    env = cli_env(s, PREFECT_API_URL=f"http://127.0.0.1:{closed_port()}/api")
    done = run_cli("nightly", "--as-of", str(DAY), "--skip-collect", env=env, timeout=900)
    assert done.returncode != 0
    tail = " ".join(done.stderr.strip().split("error:")[-1].split())
    assert tail.startswith("Failed to reach API at http://127.0.0.1:"), done.stderr[-3000:]
    assert snapshot(s) == before
    with db.connect(s) as conn:
        assert conn.execute("select count(*) from pokewatch.runs").fetchone()[0] == runs
    assert champion(s) is not None


SECRET_FORMS = {  # issue 17: each form reached Prefect's database (flow-run state, logs, events)
    "userinfo with a raw @": "postgresql+psycopg://postgres:Raw@Pw-{secret}@127.0.0.1:{port}/pokewatch",
    "?password=": "postgresql+psycopg://postgres@127.0.0.1:{port}/pokewatch?password={secret}",
    "libpq sslpassword": "postgresql+psycopg://postgres@127.0.0.1:{port}/pokewatch?sslpassword={secret}",
}


def test_a_password_in_any_url_form_never_reaches_the_cli_or_prefects_database(demo_settings, prefect_server,
                                                                               monkeypatch):
    """A nightly that cannot connect, once per form; then Prefect's own SQLite database (states, logs, events,
    artifacts) is read byte for byte, as is the CLI's output for the same URLs."""
    import sqlite3

    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
    from sqlalchemy.engine import make_url as sa_url

    from flows.nightly import nightly
    from pokewatch.settings import get_settings

    port, failed = closed_port(), []
    secrets = {form: f"S3cret{i}x{DB_PASSWORD}" for i, form in enumerate(SECRET_FORMS)}
    for form, template in SECRET_FORMS.items():
        url = template.format(secret=secrets[form], port=port)
        monkeypatch.setenv("POKEWATCH_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            state = nightly(as_of=DAY, skip_collect=True, return_state=True)
        finally:
            get_settings.cache_clear()
        why = "has a raw '@' in its user or password" if "raw @" in form else "cannot connect to PostgreSQL"
        assert state.is_failed() and why in state.message, (form, state.message)
        failed.append(str(state.state_details.flow_run_id))
        done = run_cli("status", env=cli_env(demo_settings, POKEWATCH_DATABASE_URL=url), timeout=300)
        assert done.returncode == 1 and why in " ".join(done.stderr.split()), done.stderr[-2000:]
        assert secrets[form] not in done.stdout + done.stderr, form
    path = sa_url(PREFECT_SERVER_DATABASE_CONNECTION_URL.value()).database
    deadline = time.monotonic() + 60  # events are written by the server in batches: wait for ours
    while True:
        with sqlite3.connect(path) as store:
            seen = {r[0] for r in store.execute("select resource ->> '$.\"prefect.resource.id\"' from events "
                                                "where event = 'prefect.flow-run.Failed'")}
        if {f"prefect.flow-run.{i}" for i in failed} <= seen or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert {f"prefect.flow-run.{i}" for i in failed} <= seen, "the failed runs' events were never written"
    stored = b"".join(open(p, "rb").read() for p in (path, f"{path}-wal") if os.path.exists(p))
    assert b"cannot connect to PostgreSQL" in stored and b"raw '@'" in stored  # the failures are recorded, masked
    for form, secret in secrets.items():
        assert secret.encode() not in stored, f"the {form} password is stored in Prefect's database"
