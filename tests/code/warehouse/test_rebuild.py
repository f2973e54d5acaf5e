"""`pokewatch init` after the schema was dropped by hand rebuilds the whole warehouse (yoyo's records of the
dropped migrations are forgotten first), and a run against the dropped schema is one line, not a traceback."""

from pokewatch import schema
from tests.code.reliability.conftest import cli_env, run_cli


def test_init_rebuilds_a_dropped_schema_and_commands_before_it_say_so_in_one_line(settings, conn):
    conn.execute("drop schema pokewatch cascade")
    out = run_cli("signals", env=cli_env(settings))
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1 and len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "pokewatch" in lines[0]
    schema.migrate(settings)
    tables = {r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'pokewatch'")}
    assert {"prices", "signals", "runs", "landings", "signal_edges", "product_names"} <= tables
    assert conn.execute("select count(*) from pokewatch.product_names").fetchone()[0] > 28_000  # reference loaded
    assert conn.execute("select count(*) from pokewatch.latest_signals").fetchone() == (0,)
