"""The `pokewatch` command on both catalogues, as a person runs it: cards found by name or the seed's id, names and
unnamed counts in `status`, and a day the source does not serve refused in one line with nothing landed."""

from __future__ import annotations

import json

from pokewatch import db
from tests.code.reliability.conftest import cli_env, run_cli, snapshot


def test_signals_finds_a_card_by_english_name_and_a_japanese_one_by_the_seed_s_id(trained_settings):
    env = cli_env(trained_settings)
    english = run_cli("signals", "--card", "charizard 004/102", "--format", "json", env=env)
    assert english.returncode == 0, english.stderr
    rows = json.loads(english.stdout)
    assert rows and {r["product_id"] for r in rows} == {42382}  # Base Set Charizard, every variant scored
    assert {r["card_name"] for r in rows} == {"Charizard"}
    assert {r["as_of"] for r in rows} == {"2025-10-26"}  # ISO days, not timestamps
    assert all(r["deviation_pct"] == round(r["deviation_pct"], 2) for r in rows)
    japanese = run_cli("signals", "--card", "sv4a_shiny_treasure_ex_mew_ex___347_190", "--format", "json", env=env)
    assert japanese.returncode == 0, japanese.stderr
    rows = json.loads(japanese.stdout)
    assert rows and {(r["product_id"], r["card_name"]) for r in rows} == {(567746, "ミュウex")}
    nothing = run_cli("signals", "--card", "no such card anywhere", "--format", "json", env=env)
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == []


def test_signals_of_each_cost_profile_and_the_class_records_behind_them(trained_settings):
    env = cli_env(trained_settings)
    default = json.loads(run_cli("signals", "--limit", "50", "--format", "json", env=env).stdout)
    seller = run_cli("signals", "--profile", "seller", "--limit", "50", "--format", "json", env=env)
    assert seller.returncode == 0, seller.stderr
    rows = json.loads(seller.stdout)
    assert {r["profile"] for r in default} == {"collector"} and {r["profile"] for r in rows} == {"seller"}
    assert {r["signal"] for r in rows} <= {"SELL", "HOLD"} and {r["signal"] for r in default} <= {"BUY", "HOLD"}
    assert all(r["net_return"] == round(r["net_return"], 4) for r in rows)
    unknown = run_cli("signals", "--profile", "nobody", env=env)
    lines = [line for line in unknown.stderr.splitlines() if line.strip()]
    assert unknown.returncode == 1 and len(lines) == 1 and "Traceback" not in unknown.stderr
    assert lines[0] == "error: unknown cost profile(s) nobody: pokewatch.cost_profiles holds collector, flipper, seller"
    empty = run_cli("edges", env=env)
    assert empty.returncode == 0 and "no walk-forward record yet" in empty.stdout
    from pokewatch.edge import ClassEdge, save_edges

    with db.connect(trained_settings) as conn:
        save_edges(conn, [ClassEdge(7, "BUY", "collector", 812, 9, 0.61, 0.021, 0.012, 0.004, 0.037, 0.011, 0.002,
                                    True, "proven")], "test", "2025-01-01..2025-10-26", None)
    table = run_cli("edges", env=cli_env(trained_settings, COLUMNS="200"))
    row = next(line for line in table.stdout.splitlines() if "collector" in line)
    assert [c.strip() for c in row.split("│")[1:-1]] == [
        "7d", "collector", "BUY", "812", "9", "61.0%", "+2.1%", "+1.2%", "+0.4%..+3.7%", "+1.1%", "yes"]


def test_status_counts_the_products_no_source_names(trained_settings):
    with db.connect(trained_settings) as conn:
        expected = conn.execute(
            "select count(*) from pokewatch.cards k where not exists (select 1 from pokewatch.catalogue c "
            "where c.product_id = k.product_id and c.card_name is not null)").fetchone()[0]
        products = conn.execute("select count(*) from pokewatch.cards").fetchone()[0]
    assert 0 < expected < 0.1 * products  # the shipped reference names more than 90 % of the demo's products
    out = run_cli("status", env=cli_env(trained_settings))
    assert out.returncode == 0, out.stderr
    shown = next(line for line in out.stdout.splitlines() if "unnamed products" in line)
    assert shown.split("│")[2].strip() == f"{expected:,}"  # the warehouse table: one row per count


def test_collect_for_a_day_the_source_does_not_serve_is_one_line_and_lands_nothing(demo_settings,
                                                                                   small_tcgcsv_mirror):
    before = snapshot(demo_settings)
    out = run_cli("collect", "--as-of", "2025-10-01",
                  env=cli_env(demo_settings, POKEWATCH_TCGCSV_BASE_URL=small_tcgcsv_mirror.url))
    assert out.returncode == 1
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "tcgcsv serves 2025-10-26" in lines[0] and "not 2025-10-01" in lines[0] and "nothing landed" in lines[0]
    assert snapshot(demo_settings) == before


def test_a_backtest_on_a_history_too_short_says_how_much_it_needs_in_one_line(settings, shared_dir):
    japanese_day = shared_dir / "data/tcgcsv_japan/tcgcsv_prices_cat85_pokemon_japan_2025-09-21.parquet"
    out = run_cli("backtest", "--dataset", "tcgcsv", "--path", str(japanese_day), env=cli_env(settings))
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1 and len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "1 day(s), 2025-09-21..2025-09-21 of history; a 7-day walk-forward backtest needs at least 22" in lines[0]
    empty = run_cli("backtest", "--store", env=cli_env(settings))
    assert empty.returncode == 1 and "nothing is landed yet" in empty.stderr and "Traceback" not in empty.stderr


def test_validating_a_day_that_is_not_landed_says_so_in_one_line(settings):
    out = run_cli("validate", "--as-of", "2030-01-01", env=cli_env(settings))
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1 and len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "2030-01-01 is not landed from tcgcsv" in lines[0] and not out.stdout.strip()
    assert run_cli("signals", "--limit", "-1", env=cli_env(settings)).returncode == 2  # refused before any query


def test_a_series_not_scored_on_the_newest_day_is_marked_older_never_mixed_silently(trained_settings):
    """Issue 17: `latest_signals` mixed 616 signals of the day before with 1,246 new ones without a word. A series
    whose newest signal is older than the newest scored day says so: `is_current` false, and the CLI marks it."""
    env = cli_env(trained_settings)
    with db.connect(trained_settings) as conn:  # Charizard's signals are a day older than every other card's
        conn.execute("update pokewatch.signals set as_of = as_of - 1 where product_id = 42382")
    table = run_cli("signals", "--card", "charizard 004/102", env={**env, "COLUMNS": "200"})
    assert table.returncode == 0, table.stderr
    assert "2025-10-25 older" in table.stdout and "not scored on the newest day" in table.stdout, table.stdout
    rows = json.loads(run_cli("signals", "--card", "charizard 004/102", "--format", "json", env=env).stdout)
    assert rows and {(r["as_of"], r["is_current"]) for r in rows} == {("2025-10-25", False)}
    others = json.loads(run_cli("signals", "--format", "json", "--limit", "50", env=env).stdout)
    assert others and all(r["is_current"] for r in others if r["product_id"] != 42382)
    current = run_cli("signals", "--card", "sv4a_shiny_treasure_ex_mew_ex___347_190", env={**env, "COLUMNS": "200"})
    assert current.returncode == 0 and "2025-10-26" in current.stdout and "older" not in current.stdout
