"""The analysts' example queries and the views, run on the real demo sample trained and scored for two days."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.code.sql.conftest import run_query

pytestmark = pytest.mark.slow


def raw_signals(conn, profile: str | None = "collector") -> pd.DataFrame:
    """Signals straight from the table, newest model version per card variant, profile and day (computed in
    pandas); of one profile (default: collector, the one the default views show) or all (None)."""
    cur = conn.execute(
        "select product_id, variant, as_of, model_version, market_price::float8, fair_price::float8, signal, "
        "cost_share, net_return, profile "
        "from pokewatch.signals where profile = coalesce(%s, profile)", (profile,)
    )
    frame = pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])
    frame = frame.sort_values("model_version").drop_duplicates(["product_id", "variant", "profile", "as_of"],
                                                               keep="last")
    return frame


def test_top_buy_today_ranks_todays_buys_by_gain_after_the_costs_each_signal_cleared(scored, scored_conn):
    columns, rows = run_query(scored_conn, "top_buy_today")
    assert columns[:4] == ["buy_rank", "card_name", "card_number", "set_name"]
    assert {"market_price", "fair_price", "expected_gain_usd", "confidence", "reason"} <= set(columns)
    got = pd.DataFrame(rows, columns=columns)

    signals = raw_signals(scored_conn)
    buys = signals[(signals["as_of"] == scored.days[-1]) & (signals["signal"] == "BUY")].copy()
    assert len(buys) > 0, "a collector without fees should get BUY signals on the sample"
    buys["gain"] = buys["net_return"] * buys["market_price"]
    expected = buys.sort_values(["gain", "product_id"], ascending=[False, True]).head(25)
    assert len(got) == min(25, len(buys))
    assert got["product_id"].tolist()[:5] == expected["product_id"].tolist()[:5]
    assert got["expected_gain_usd"].astype(float).tolist() == pytest.approx(expected["gain"].tolist(), abs=0.006)
    assert got["buy_rank"].is_monotonic_increasing and got["buy_rank"].iloc[0] == 1
    assert (got["as_of"] == scored.days[-1]).all()
    assert got["set_name"].notna().all()  # card names: the sample names only ~200 of its 1,252 products


def test_top_opportunities_use_the_cost_each_signal_cleared(scored, scored_conn):
    rows = scored_conn.execute(
        "select o.cost_share, s.cost_share, o.expected_gain_usd::float8, o.market_price::float8, s.net_return, "
        "o.profile from pokewatch.top_opportunities o join pokewatch.signals s "
        "using (product_id, variant, as_of, model_version, horizon_days, profile)").fetchall()
    traded = {r[0] for r in scored_conn.execute(
        "select distinct profile from pokewatch.signals where signal <> 'HOLD' and as_of = %s", (scored.days[-1],))}
    assert {r[5] for r in rows} == traded and "collector" in traded  # every profile's BUY or SELL of the day
    for shown, stored, gain, market, net, _ in rows:
        assert shown == stored and net > 0  # the fees were zeroed: a trade's net is its move beyond the band
        assert gain == pytest.approx(net * market, abs=0.006)


def test_card_history_has_every_landed_day_with_the_signals_of_the_scored_days(scored, scored_conn):
    # a card with BUY or SELL today and a price on every sample day
    product_id, variant = scored_conn.execute(
        """
        select s.product_id, s.variant from pokewatch.signals s
        where s.as_of = %s and s.signal <> 'HOLD'
        order by s.product_id, s.variant limit 1
        """, (scored.days[-1],)).fetchone()
    cur = scored_conn.execute("select * from pokewatch.card_history(%s)", (product_id,))
    columns, rows = [c.name for c in cur.description], cur.fetchall()
    assert columns[:5] == ["as_of", "card_name", "card_number", "set_name", "variant"]
    got = pd.DataFrame(rows, columns=columns)
    landed = scored_conn.execute(
        "select count(*) from pokewatch.prices where product_id = %s and source = 'tcgcsv'", (product_id,)
    ).fetchone()[0]
    assert len(got) == landed
    mine = got[got["variant"] == variant].set_index("as_of")
    assert mine.loc[scored.days[-1], "signal"] in ("BUY", "SELL")
    assert mine["signal"].notna().sum() == 2  # scored on exactly the two days
    assert set(mine.index[mine["signal"].notna()]) == set(scored.days)
    market = scored_conn.execute(
        "select market::float8 from pokewatch.prices where product_id = %s and variant = %s and as_of = %s",
        (product_id, variant, scored.days[0])).fetchone()[0]
    assert float(mine.loc[scored.days[0], "market_price"]) == market


def test_signal_mix_counts_each_days_signals(scored, scored_conn):
    columns, rows = run_query(scored_conn, "signal_mix_30d")
    assert columns[:5] == ["as_of", "signals", "buy_count", "sell_count", "hold_count"]
    got = pd.DataFrame(rows, columns=columns)
    assert set(got["profile"]) == {"collector", "seller", "flipper"}
    got = got[got["profile"] == "collector"].set_index("as_of")
    signals = raw_signals(scored_conn)
    expected = signals.groupby(["as_of", "signal"]).size().unstack(fill_value=0)
    assert list(got.index) == list(scored.days)
    for day in scored.days:
        assert got.loc[day, "buy_count"] == expected.loc[day].get("BUY", 0)
        assert got.loc[day, "sell_count"] == expected.loc[day].get("SELL", 0)
        assert got.loc[day, "hold_count"] == expected.loc[day].get("HOLD", 0)
        assert got.loc[day, "signals"] == expected.loc[day].sum()
        assert float(got.loc[day, "buy_pct"] + got.loc[day, "sell_pct"] + got.loc[day, "hold_pct"]) == (
            pytest.approx(100, abs=0.02))


def test_model_accuracy_shows_each_trained_version_with_its_decision(scored, scored_conn):
    columns, rows = run_query(scored_conn, "model_accuracy")
    assert columns[:4] == ["as_of", "model_version", "promoted", "mape_pct"]
    got = pd.DataFrame(rows, columns=columns)
    champion, rejected = scored.trained
    assert got["model_version"].tolist() == [champion.version, rejected.version]
    assert got["promoted"].tolist() == [True, False]
    assert float(got["mape_pct"].iloc[0]) == pytest.approx(champion.metrics["mape"] * 100, abs=0.005)
    assert float(got["last_price_mape_pct"].iloc[0]) == pytest.approx(
        champion.metrics["last_price_mape"] * 100, abs=0.005)
    assert float(got["band_coverage_pct"].iloc[0]) == pytest.approx(champion.metrics["band_coverage"] * 100,
                                                                     abs=0.05)
    assert "does not beat the champion" in got["reason"].iloc[1]
    worst = max((s for s in champion.slices), key=lambda s: s["mape"])
    assert got["worst_slice"].iloc[0] == f"{worst['slice']}={worst['value']}"
    assert got["mlflow_run_id"].iloc[0] == champion.metrics["mlflow_run_id"]


def test_flipped_today_lists_exactly_the_card_variants_whose_signal_changed(scored, scored_conn):
    columns, rows = run_query(scored_conn, "flipped_today")
    assert columns[:4] == ["flip", "card_name", "card_number", "set_name"]
    assert {"previous_signal", "signal", "previous_as_of", "as_of", "product_id", "variant"} <= set(columns)
    got = pd.DataFrame(rows, columns=columns)

    signals = raw_signals(scored_conn)
    before = signals[signals["as_of"] == scored.days[0]].set_index(["product_id", "variant"])["signal"]
    today = signals[signals["as_of"] == scored.days[1]].set_index(["product_id", "variant"])["signal"]
    both = pd.concat([before.rename("before"), today.rename("today")], axis=1, join="inner")
    flipped = both[both["before"] != both["today"]]
    assert set(zip(got["product_id"], got["variant"])) == set(flipped.index)
    assert (got["as_of"] == scored.days[1]).all() and (got["previous_as_of"] == scored.days[0]).all()
    assert (got["flip"] == got["previous_signal"] + " -> " + got["signal"]).all()


def test_views_agree_with_the_table(scored, scored_conn):
    signals = raw_signals(scored_conn, profile=None)
    latest = scored_conn.execute("select count(*), min(as_of), max(as_of) from pokewatch.latest_signals").fetchone()
    shown = signals[signals["profile"] == "collector"]  # the default profile
    assert latest[0] == len(shown.drop_duplicates(["product_id", "variant"]))
    scored_conn.execute("set pokewatch.profile = 'seller'")  # a session picks another profile
    sellers = scored_conn.execute("select count(*), count(distinct profile) from pokewatch.latest_signals").fetchone()
    assert sellers == (len(signals[signals["profile"] == "seller"].drop_duplicates(["product_id", "variant"])), 1)
    scored_conn.execute("reset pokewatch.profile")
    history = scored_conn.execute(
        "select count(*), count(*) filter (where signal_changed) from pokewatch.signal_history").fetchone()
    assert history[0] == len(signals)
    flips = scored_conn.execute("select count(*) from pokewatch.signal_history where as_of = %s and signal_changed "
                                "and profile = 'collector'", (scored.days[1],)).fetchone()[0]
    assert flips == len(run_query(scored_conn, "flipped_today")[1])
    top = scored_conn.execute(
        "select count(*), count(distinct signal), min(opportunity_rank) from pokewatch.top_opportunities"
    ).fetchone()
    today = signals[(signals["as_of"] == scored.days[1]) & (signals["signal"] != "HOLD")]
    assert top[0] == len(today) and top[2] == 1


def test_every_sql_example_in_the_analysts_guide_runs(scored, scored_conn):
    """docs/sql.md's examples paste and run (the alert feed's after the day's alerts are stored)."""
    import re

    from pokewatch import alerts
    from pokewatch.settings import PROJECT_DIR

    alerts.run(scored.settings, scored.days[-1])
    blocks = re.findall(r"```sql\n(.*?)```", (PROJECT_DIR / "docs" / "sql.md").read_text(), flags=re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()
                  and not all(line.lstrip().startswith("--") for line in s.strip().splitlines())]
    assert len(statements) >= 8
    ran = {}
    for statement in statements:
        cur = scored_conn.execute(statement)
        if cur.description is not None:  # set / reset pokewatch.profile return no rows
            ran[statement.split("from", 1)[-1].split()[0]] = len(cur.fetchall())
    assert ran["pokewatch.alert_feed"] > 0 and {"pokewatch.signal_track_record", "pokewatch.drift_summary"} <= set(ran)


def test_every_shipped_query_runs_as_is_in_psql(scored, scored_conn):
    """What an analyst does first: `psql -f sql/queries/<file>.sql`. No placeholder left to fill in."""
    import shutil
    import subprocess

    from sqlalchemy.engine import make_url

    from pokewatch import db
    from pokewatch.settings import PROJECT_DIR

    psql = shutil.which("psql")
    assert psql, "psql (the PostgreSQL client) is needed: CI runs where PostgreSQL runs"
    conninfo = db.libpq_conninfo(make_url(scored.settings.database_url.get_secret_value()))
    files = sorted((PROJECT_DIR / "sql" / "queries").glob("*.sql"))
    assert len(files) >= 5
    for path in files:
        out = subprocess.run([psql, conninfo, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-f", str(path)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and not out.stderr.strip(), f"{path.name}: {out.stderr}"
        assert "row" in out.stdout.splitlines()[-1], f"{path.name}: {out.stdout[-300:]}"  # "(N rows)"
    history = str(PROJECT_DIR / "sql" / "queries" / "card_history.sql")
    charizard = subprocess.run([psql, conninfo, "-X", "-q", "-A", "-t", "-f", history],
                               capture_output=True, text=True, timeout=120).stdout.strip().splitlines()
    landed = scored_conn.execute("select count(*) from pokewatch.prices where product_id = 42382").fetchone()[0]
    assert len(charizard) == landed > 0 and all("Charizard" in line for line in charizard)
