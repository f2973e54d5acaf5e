"""What PostgreSQL refuses reaches the user as one line naming the part, never a traceback (issue 17)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from pokewatch import db
from tests.code.reliability.conftest import cli_env, run_cli
from tests.conftest import HISTORY_PARQUET, _admin

NOBODY = "pw_no_privileges"  # not pokewatch_*: the roles tests list those


@pytest.fixture
def nobody(settings, server_url):
    """A login role with no privilege on the warehouse."""
    with _admin(server_url) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = %s", (NOBODY,)).fetchone():
            conn.execute(f"create role {NOBODY} login")
    url = make_url(settings.database_url.get_secret_value()).set(username=NOBODY)
    yield settings.model_copy(update={"database_url": SecretStr(url.render_as_string(hide_password=False))})
    with _admin(server_url) as conn:
        conn.execute(f"drop role if exists {NOBODY}")


@pytest.mark.parametrize("command", [["status"], ["signals"], ["validate", "--as-of", "2025-10-26"]])
def test_a_role_without_privileges_gets_one_line(nobody, command):
    out = run_cli(*command, env=cli_env(nobody))
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert len(lines) == 1 and "permission denied" in lines[0], out.stderr
    with db.connect(nobody) as conn:  # the role is real and logs in: only the privileges are missing
        assert conn.execute("select current_user").fetchone() == (NOBODY,)


@pytest.mark.parametrize("command", [["import", str(HISTORY_PARQUET)], ["init"]])
def test_import_and_init_as_a_role_without_privileges_get_one_line(nobody, command):
    """Issue 17: the tester's list also had `import` and `init` as a role without privileges."""
    out = run_cli(*command, env=cli_env(nobody))
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert len(lines) == 1 and ("permission denied" in lines[0] or "must be owner" in lines[0]), out.stderr


def test_a_statement_timeout_is_one_line(trained_settings):
    """Issue 17: a `statement_timeout` (set by a DBA, here through libpq's PGOPTIONS) cancels a query."""
    out = run_cli("signals", env=cli_env(trained_settings, PGOPTIONS="-c statement_timeout=1"))
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert len(lines) == 1 and "statement timeout" in lines[0], out.stderr
