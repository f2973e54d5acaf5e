"""`pokewatch alerts`, `pokewatch track-record` and `pokewatch edges`: the movers of a day, how past signals did,
and which signal classes have earned the right to publish."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pokewatch.cli_common import AsOf, SourceOption, as_day, console, fail, last_landed_day, run_safely
from pokewatch.report import share
from pokewatch.settings import get_settings


def alerts(as_of: AsOf = None,
           kind: Annotated[str | None, typer.Option(help="One kind, e.g. rise_7d, high_90d, stale_market.")] = None,
           card: Annotated[str | None, typer.Option(help="A card by name, number or the seed's id.")] = None,
           limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 20) -> None:
    """Movers and alerts of a day (default: the newest), with what such alerts did next in the history."""
    from pokewatch.alerts import KINDS
    from pokewatch.queries import alert_feed

    if kind and kind not in KINDS:
        fail(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    rows = run_safely(alert_feed, get_settings(), as_day(as_of), kind=kind, card=card, limit=limit)
    if rows.empty:
        console.print("no alerts" + (f" on {as_day(as_of)}" if as_of else " yet: run the nightly (or the demo)"))
        return
    table = Table(title=f"alerts on {rows['as_of'].iloc[0]} ({len(rows)} shown)")
    for column in ("card", "variant", "kind", "detail", "past alerts", "move after", "gave back half"):
        table.add_column(column, overflow="fold")
    for r in rows.itertuples():
        table.add_row(r.card_name or f"product #{r.product_id}", r.variant, r.kind, r.detail,
                      f"{r.kind_history_alerts or 0:,}", share(r.kind_mean_move_after),
                      share(r.kind_gave_back_half_share, signed=False))
    console.print(table)
    console.print("move after: mean market move 14 days after past alerts of the kind; gave back half: share of "
                  "those moves that lost half of it within those days.", highlight=False)


def track_record(rebuild: Annotated[bool, typer.Option(
                     "--rebuild", metavar="", help="Walk forward over the landed history and store every decision, graded, as "
                                       "kind 'backtest' (after import or backfill).")] = False,
                 as_of: AsOf = None, source: SourceOption = "tcgcsv") -> None:
    """How past signals did once their horizon ended, beside always-BUY and always-HOLD on the same days."""
    from pokewatch import db
    from pokewatch import track_record as record

    settings = get_settings()
    if rebuild:
        from pokewatch.backtest import store_warehouse_edges

        day = as_day(as_of) or run_safely(last_landed_day, settings, source)
        result = run_safely(store_warehouse_edges, settings, day, source)
        graded = sum(len(d) for d in result.decisions)
        console.print(f"walk-forward over {result.days}: {graded:,} decisions graded and stored as backtest "
                      f"({result.retrains} fits, {result.seconds:.0f} s)")

    def read():
        with db.connect(settings) as conn:
            return record.record(conn)

    print_record(run_safely(read))


def print_record(rows: list[dict]) -> None:
    if not rows:
        console.print("no graded signals yet: a signal is graded once its horizon has ended on a landed day "
                      "(or run `pokewatch track-record --rebuild` after importing history)")
        return
    table = Table(title="track record (all price bands; returns after each profile's costs)")
    for column in ("kind", "model", "horizon", "profile", "signal", "graded", "days", "hit rate", "mean net",
                   "median net", "trade-all net", "always-HOLD hit"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["kind"], str(r["model_version"]), f"{r['horizon_days']}d", r["profile"],
                      r["signal"], f"{r['n']:,}", str(r["days"]), share(r["hit_rate"], signed=False),
                      share(r["mean_net_return"]), share(r["median_net_return"]),
                      share(r["always_trade_mean_net_return"]),
                      share(r["always_hold_hit_rate"], signed=False))
    console.print(table)


def edges() -> None:
    """Each signal class's walk-forward record (horizon × cost profile × BUY/SELL): proven or not, and its numbers."""
    from pokewatch.queries import class_edges

    print_edges(run_safely(class_edges, get_settings()))


def print_edges(rows) -> None:
    if rows.empty:
        console.print("no walk-forward record yet: every BUY/SELL class publishes HOLD until `pokewatch backtest "
                      "--store` (or a promotion) measures one")
        return
    table = Table(title="signal classes: walk-forward record after each profile's costs (publishes only if proven)")
    for column in ("horizon", "profile", "class", "trades", "blocks", "hit rate", "mean net", "median net",
                   "90 % interval", "vs trading all", "proven"):
        table.add_column(column)
    for r in rows.itertuples():
        interval = f"{share(r.mean_low)}..{share(r.mean_high)}" if r.trades else "-"
        table.add_row(f"{r.horizon_days}d", r.profile, r.signal, f"{r.trades:,}", str(r.blocks),
                      share(r.hit_rate, signed=False) if r.trades else "-", share(r.mean_return) if r.trades else "-",
                      share(r.median_return) if r.trades else "-", interval,
                      share(r.excess_vs_trade_all) if r.trades else "-",
                      "[green]yes[/]" if r.proven else "no")
    console.print(table)
