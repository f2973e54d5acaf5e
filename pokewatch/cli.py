"""The `pokewatch` command: thin wrappers over the library and the flows; heavy imports stay inside commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pokewatch import cli_ops, cli_watch
from pokewatch.cli_common import AsOf, SourceOption, as_day, console, fail, flow_api, last_landed_day, run_safely
from pokewatch.report import share
from pokewatch.settings import get_settings

app = typer.Typer(help="PokeWatch: nightly fair prices and BUY/SELL/HOLD signals for Pokémon cards.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def _prepare() -> None:
    """Before any command: state folders, and Prefect/MLflow quiet and local (env set before they are imported)."""
    get_settings()


@app.command()
def init(roles: Annotated[bool, typer.Option(
        "--roles", metavar="", help="Also create pokewatch_writer and pokewatch_reader (passwords from "
                        "POKEWATCH_WRITER_PASSWORD / POKEWATCH_READER_PASSWORD).")] = False) -> None:
    """Create or upgrade the warehouse schema (safe to run again)."""
    from pokewatch import db, schema

    settings = get_settings()
    applied = run_safely(schema.migrate, settings)
    console.print(f"warehouse ready at {db.safe_url(db.database_url(settings))}; "
                  f"applied {len(applied)} migration(s){': ' + ', '.join(applied) if applied else ''}")
    if roles:
        from pokewatch.roles import create_roles, passwords_from

        for line in run_safely(create_roles, settings, *passwords_from(settings)):
            console.print(line)


@app.command("import")
def import_(path: Annotated[Path, typer.Argument(metavar="FILE", help="Parquet or CSV in tcgcsv's price schema.")],
            category: Annotated[int, typer.Option(
                help="TCGplayer category of a file without a categoryId column (3 English, 85 Japanese).")] = 3,
            ) -> None:
    """Load price history from a file, idempotently (COPY)."""
    import time

    from pokewatch import collect, schema

    settings = get_settings()
    run_safely(schema.ensure_schema, settings)
    started = time.perf_counter()
    with console.status("importing", spinner="dots") as status:
        def step(what: str) -> None:
            status.update(f"{what} ({time.perf_counter() - started:.0f} s)")

        result = run_safely(collect.import_history, settings, path, default_category=category, step=step)
    seconds = time.perf_counter() - started
    console.print(f"imported {result.rows:,} rows over {result.days} day(s) from {path} in {seconds:.1f} s: "
                  f"{result.inserted:,} new, {result.updated:,} changed, {result.quarantined:,} quarantined by the data "
                  "contract (pokewatch.quarantine)")


@app.command("collect")
def collect_(as_of: AsOf = None,
             source: SourceOption = "tcgcsv",
             set_id: Annotated[list[str] | None, typer.Option("--set", help="Set id(s) (keyed sources).")] = None,
             product_id: Annotated[list[int] | None, typer.Option("--product", help="TCGplayer product id(s).")] = None,
             ) -> None:
    """Land one day of prices from a source (default tcgcsv, the whole catalogue)."""
    from pokewatch import collect, schema

    settings = get_settings()
    run_safely(schema.ensure_schema, settings)
    result = run_safely(collect.collect, settings, as_day(as_of), source, **run_safely(settings.source_access, source),
                        set_ids=set_id, product_ids=product_id)
    if result.skipped:
        console.print(f"skipped: {result.note}")
        return
    console.print(f"{source} {result.as_of}: {result.rows:,} rows landed ({result.inserted:,} new, {result.updated:,} changed)"
                  f" in {result.seconds:.1f} s{'; ' + result.note if result.note else ''}")


@app.command()
def backfill(start: Annotated[dt.datetime | None, typer.Option(
                 "--from", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="First day to download (YYYY-MM-DD), with --to.")] = None,
             end: Annotated[dt.datetime | None, typer.Option(
                 "--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Last day to download (YYYY-MM-DD), with --from.")] = None,
             archive_dir: Annotated[Path | None, typer.Option(metavar="DIR", help="Read local prices-YYYY-MM-DD.ppmd.7z files.")] = None,
             ) -> None:
    """Land tcgcsv's daily archives (download --from/--to, or read --archive-dir); landed days are skipped."""
    from pokewatch import backfill as backfilling
    from pokewatch import schema

    settings = get_settings()
    if not archive_dir and not (start and end):
        fail("give --from and --to (download archives) or --archive-dir (read local ones)")
    run_safely(schema.ensure_schema, settings)
    result = run_safely(backfilling.backfill, settings, as_day(start), as_day(end), archive_dir=archive_dir)
    console.print(backfilling.backfill_table(result))
    if not result.ok:
        fail("some days did not land (see the table); rerun to fetch only those")


@app.command()
def nightly(as_of: AsOf = None,
            skip_collect: Annotated[bool, typer.Option(metavar="", help="Use prices already landed.")] = False,
            source: SourceOption = "tcgcsv") -> None:
    """Run the nightly flow (collect → validate → train → score)."""
    with flow_api("flows.nightly"):
        from flows.nightly import nightly as nightly_flow

        results = run_safely(nightly_flow, as_of=as_day(as_of), skip_collect=skip_collect, source=source)
    _print_run_summary(results)


# The demo runs the nightly on its sample's last day and one horizon before it, so the first day's signals are
# graded by the second run (the track record) and both days have alerts.
DEMO_DAYS_BEFORE_LAST = (7, 0)


@app.command()
def demo() -> None:
    """Load the shipped real sample and run the nightly job on two of its days, offline: signals, a graded track
    record, alerts and the drift watch."""
    from pokewatch.demo import sample_last_day

    settings = get_settings()
    console.print(f"PokeWatch demo: state in {settings.home_dir}")
    last = sample_last_day()
    with flow_api("flows.nightly"):  # one temporary Prefect server for both runs
        from flows.nightly import nightly as nightly_flow

        for days_before in DEMO_DAYS_BEFORE_LAST:
            day = last - dt.timedelta(days=days_before)
            console.print(f"nightly for {day}")
            results = run_safely(nightly_flow, demo=True, as_of=day)
            _print_run_summary(results)
    horizons = settings.forecast_horizons  # 7, 30, 90 unless POKEWATCH_HORIZONS says otherwise
    for profile, horizon in [(p, horizons[0]) for p in settings.profiles] + [
            (settings.default_profile, h) for h in horizons[1:]]:
        signals(limit=5, signal=None, set_name=None, min_price=None, card=None, output="table", profile=profile,
                horizon=horizon)
    cli_watch.edges()
    cli_watch.track_record(rebuild=False, as_of=None, source="tcgcsv")
    cli_watch.alerts(as_of=None, kind=None, card=None, limit=10)


def _print_run_summary(results: dict) -> None:
    table = Table(title="nightly run")
    table.add_column("stage")
    table.add_column("result")
    if "collect" in results:
        c = results["collect"]
        table.add_row("collect", f"{c.rows:,} rows ({'skipped: unchanged' if getattr(c, 'skipped', False) else 'landed'})")
    if "validate" in results:
        table.add_row("validate", results["validate"].summary())
    for key in [k for k in results if k.startswith("train")]:
        t, m = results[key], results[key].metrics
        at = f"{int(m['horizon_days'])}d"
        kept = f"kept champion v{t.champion_version}" if t.champion_version else "not promoted (no champion)"
        table.add_row(f"train {at}", f"version {t.version} {'promoted' if t.promoted else kept}: {t.reason}")
        table.add_row(f"skill {at}", f"held-out MAPE {m['mape']:.3%} vs last price {m['last_price_mape']:.3%} on the "
                      f"same {m['skill_n']:,} rows: skill {m['skill'] * 100:+.3f} pts, "
                      f"{get_settings().skill_level:.0%} interval {m['skill_low'] * 100:+.3f}..{m['skill_high'] * 100:+.3f}")
    for key in [k for k in results if k.startswith("score")]:
        s = results[key]
        by = f"model v{s.model_version}" if s.model_version else "last price (no model has an edge)"
        table.add_row(key.replace("_", " "), f"{s.rows:,} signals by {by}: "
                      + ", ".join(f"{k} {v:,}" for k, v in s.counts.items()))
    for stage in ("grade", "alerts", "drift"):
        if stage in results:
            table.add_row(stage, results[stage].line())
    console.print(table)


@app.command()
def signals(limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 20,
            signal: Annotated[str | None, typer.Option(help="BUY, SELL or HOLD.")] = None,
            set_name: Annotated[str | None, typer.Option("--set", help="Set name contains this text.")] = None,
            min_price: Annotated[float | None, typer.Option(help="Minimum market price ($).")] = None,
            card: Annotated[str | None, typer.Option(
                help='A card by name, number or the seed\'s id: "charizard ex 201/165", sv2a_151_charizard_ex___201_165.'
            )] = None,
            output: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
            profile: Annotated[str | None, typer.Option(
                help="Cost profile: collector, seller, flipper (pokewatch.cost_profiles); default: "
                     "POKEWATCH_DEFAULT_PROFILE.")] = None,
            horizon: Annotated[int | None, typer.Option(
                min=1, help="Days ahead (one of the horizons forecast); default: the first of POKEWATCH_HORIZONS."
            )] = None) -> None:
    """Latest signals for a cost profile, biggest deviations first; net = return after that profile's costs if the
    price reaches the fair price."""
    from pokewatch.queries import latest_signals

    if signal and signal.upper() not in ("BUY", "SELL", "HOLD"):
        fail(f"--signal must be BUY, SELL or HOLD, not {signal!r}")
    if output not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {output!r}")
    rows = run_safely(latest_signals, get_settings(), limit=limit, signal=signal and signal.upper(),
                      set_name=set_name, min_price=min_price, card=card, profile=profile, horizon=horizon)
    rows = rows.round({"deviation_pct": 2, "confidence": 3, "net_return": 4}).assign(
        as_of=rows["as_of"].astype(str))  # ISO days
    if output == "csv":
        typer.echo(rows.to_csv(index=False), nl=False)
        return
    if output == "json":
        typer.echo(rows.to_json(orient="records", indent=2, force_ascii=False))
        return
    shown = f"{rows['profile'].iloc[0]}, {rows['horizon_days'].iloc[0]} days" if len(rows) else profile or "default"
    older = len(rows) and not rows["is_current"].all()  # never mix days silently: say which rows are older
    table = Table(title=f"latest signals: {shown} ({len(rows)} shown)", caption=(
        "older: the series was not scored on the newest day (no market price that day); its last signal is shown"
        if older else None))
    for column in ("card", "set", "variant", "day", "market", "fair", "net", "signal", "conf"):
        table.add_column(column, overflow="fold")
    colour = {"BUY": "green", "SELL": "red", "HOLD": "dim"}
    for r in rows.itertuples():
        name = r.card_name if isinstance(r.card_name, str) else f"product #{r.product_id}"
        table.add_row(
            name, str(r.set_name or ""), r.variant, r.as_of + ("" if r.is_current else " [yellow]older[/]"),
            f"${r.market_price:,.2f}", f"${r.fair_price:,.2f}", share(r.net_return),
            f"[{colour[r.signal]}]{r.signal}[/]", f"{r.confidence:.2f}",
        )
    console.print(table)


@app.command()
def status() -> None:
    """Last runs, the champion model, and what the warehouse holds."""
    from pokewatch import db
    from pokewatch.queries import warehouse_status

    info = run_safely(warehouse_status, get_settings())
    table = Table(title="last runs")
    for column in ("as_of", "status", "started", "seconds", "model", "error"):
        table.add_column(column)
    for r in info["runs"]:
        table.add_row(str(r["as_of"]), r["status"], str(r["started_at"])[:19], f"{r['seconds'] or 0:.1f}",
                      str(r["model_version"] or ""), (r["error"] or "")[:80])
    console.print(table)
    counts = Table(title="warehouse", show_header=False)
    for key, value in info["counts"].items():
        counts.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value or "-"))
    console.print(counts)
    console.print(f"champion: {info['champion'] or 'none'} | database: {db.safe_url(db.database_url(get_settings()))}")
    if info["warning"]:
        console.print(f"[yellow]warning:[/] {info['warning']}", highlight=False)
    cli_watch.print_record(info["track_record"])
    console.print(info["alerts"] or "no alerts yet", highlight=False)


@app.command()
def validate(as_of: AsOf = None, source: SourceOption = "tcgcsv") -> None:
    """Run the price contract (Great Expectations) on a landed day, alone."""
    from pokewatch import validation

    day = as_day(as_of) or dt.date.today()

    def check():
        from pokewatch import db, landing

        with db.connect(get_settings()) as conn:
            if not landing.is_landed(conn, source, day):
                raise ValueError(f"{day} is not landed from {source}: collect, import or backfill it first "
                                 "(`pokewatch status` shows the last landed day)")
        try:
            return validation.validate_prices(get_settings(), day, source=source)
        except validation.ValidationFailed as exc:
            console.print(exc.report.markdown())  # the table first, then the one line (run_safely)
            raise

    report = run_safely(check)
    console.print(report.markdown())
    console.print(report.summary())
    if report.data_docs_path:
        console.print(f"Data Docs: {report.data_docs_path}")


@app.command()
def backtest(dataset: Annotated[str, typer.Option(help="sealed (610 days) or tcgcsv (36 days).")] = "sealed",
             path: Annotated[Path | None, typer.Option(metavar="FILE", help="Parquet to read (default: ../shared/data).")] = None,
             horizon: Annotated[list[int] | None, typer.Option(help="Forward horizons in days.")] = None,
             profile: Annotated[list[str] | None, typer.Option(
                 help="Cost profile(s) to decide for (pokewatch.cost_profiles); default: POKEWATCH_PROFILES.")] = None,
             retrain_every: int = 30,
             store: Annotated[bool, typer.Option(
                 metavar="", help="Walk forward over the warehouse's landed history instead, and store each BUY/SELL class's "
                      "record in pokewatch.signal_edges (what scoring publishes by).")] = False,
             as_of: AsOf = None) -> None:
    """Walk forward day by day: signals from what was known that day, returns after costs vs baselines."""
    from pokewatch import backtest as backtesting
    from pokewatch.costs import configured

    settings = get_settings()
    if store:
        day = as_day(as_of) or run_safely(last_landed_day, settings)
        result = run_safely(backtesting.store_warehouse_edges, settings, day, horizons=horizon, profiles=profile)
    else:
        profiles = run_safely(configured, settings, profile)
        result = run_safely(backtesting.run_backtest, settings, dataset, profiles, horizons=tuple(horizon or (7, 30)),
                            retrain_every=retrain_every, path=path)
    typer.echo(backtesting.backtest_markdown(result))


app.command("alerts")(cli_watch.alerts)
app.command("edges")(cli_watch.edges)
app.command("track-record")(cli_watch.track_record)


app.command("serve")(cli_ops.serve)
app.command("schedule")(cli_ops.schedule)
app.add_typer(cli_ops.model_app, name="model")


if __name__ == "__main__":
    app()
