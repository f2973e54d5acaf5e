"""Warehouse set-ups shared by tests."""

# Tests of publication, views and concurrency need every kind of signal row, so they score with no fees and no
# minimum gain (`without_fees`: the cost profiles of the test's own database edited, as a user may), with the skill
# gate and the proven-edge gate off. The product never does any of it: these settings exist only here.
ZERO_COSTS = {"min_gain_dollars": 0.0}
NO_SKILL_GATE = {"min_skill": -1.0, "require_proven_edge": False}


def without_fees(settings) -> None:
    """Every cost profile of this database without fees or shipping (a test's own copy only)."""
    from pokewatch import db
    from pokewatch.costs import FEE_COLUMNS

    with db.connect(settings) as conn:
        conn.execute("update pokewatch.cost_profiles set "
                     + ", ".join(f"{c} = 0" for c in FEE_COLUMNS if c != "shipping_threshold_usd"))

SIGNALS_FROM_PRICES = """
    insert into pokewatch.signals (product_id, variant, as_of, model_version, market_price, fair_price,
                                   fair_low, fair_high, deviation_pct, signal, confidence, reason, run_id,
                                   horizon_days, profile)
    select product_id, variant, as_of, 1, market, market, market * 0.9, market * 1.1, 0,
           case product_id % 50 when 0 then 'BUY' when 1 then 'SELL' else 'HOLD' end, 0.5, 'test',
           '00000000-0000-0000-0000-000000000001', 7, 'collector'
    from pokewatch.prices where market > 0
"""


def fill_signals_from_prices(conn) -> None:
    """One signal per landed price (2 % BUY, 2 % SELL): a month of realistic rows for views and plans."""
    conn.execute(SIGNALS_FROM_PRICES)


def assert_reader_refused(conn, statement: str) -> None:
    """The reader is refused twice: its sessions are read-only by default, and when a session turns that off its
    privileges still refuse (`conn`: a session logged in as pokewatch_reader)."""
    import psycopg
    import pytest

    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute(statement)
    conn.rollback()
    conn.execute("set default_transaction_read_only = off")
    conn.commit()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
