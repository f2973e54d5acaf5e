"""The nightly's shared read of the landed history: the same rows as the database, and only inside its block."""

import datetime as dt

import pandas as pd

from pokewatch import db, demo, history

DAY = dt.date(2025, 10, 26)


def test_reads_inside_a_shared_window_equal_the_database_and_stop_at_its_end(settings, conn):
    demo.load_sample(settings)
    with db.connect(settings) as c:
        direct = {days: history.load_history(c, DAY, days) for days in (30, 7)}
        products = sorted(direct[30]["product_id"].unique())[:5]
        direct_some = history.load_history(c, DAY, 7, product_ids=products)
        with history.shared_window():
            widest = history.load_history(c, DAY, 30)
            # prices change behind the block's back: it does not look again, so this read must come from the window
            conn.execute("delete from pokewatch.prices where as_of > %s", (DAY - dt.timedelta(days=7),))
            conn.commit()
            wider = history.load_history(c, DAY, 60)  # wider than the first window: from the database, not kept
            shared_7 = history.load_history(c, DAY, 7)
            shared_some = history.load_history(c, DAY, 7, product_ids=products)
        after = history.load_history(c, DAY, 7)
    pd.testing.assert_frame_equal(widest, direct[30])
    pd.testing.assert_frame_equal(shared_7, direct[7])
    pd.testing.assert_frame_equal(shared_some, direct_some)
    assert len(direct[7]) > 0 and set(direct_some["product_id"]) == set(products)
    assert after.empty  # outside the block every read asks the database
    assert len(wider) and wider["as_of"].max() <= DAY - dt.timedelta(days=7)


def test_what_is_derived_from_the_prices_is_computed_once_inside_the_block_only():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    with history.shared_window():
        assert [history.shared(("features", DAY), compute) for _ in range(3)] == [1, 1, 1]
        assert history.shared(("features", DAY + dt.timedelta(days=1)), compute) == 2  # another key
    assert history.shared(("features", DAY), compute) == 3  # outside: computed each time
    assert history.shared(("features", DAY), compute) == 4
