"""B1 nightly on the full catalogue: 35 days of history imported, yesterday's nightly run, then `pokewatch nightly`
for 2025-10-26 with collect served by a loopback tcgcsv mirror; wall time per stage and in total, Prefect's and
MLflow's overhead included, each stage next to its floor (plain COPY, bare fit, bare predict of the same rows).

Two configurations, as issue 19 sets them: the English catalogue at the primary 7-day horizon (target 30 s), and
the product's default — English and Japanese catalogues, horizons 7/30/90, every cost profile (target 45 s).
Each measured run starts from a copy of the database and home yesterday's nightly left (Prefect's and MLflow's
stores exist, as on any night but the first); the first night on a fresh home is reported once besides.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import (
    HISTORY,
    REPEATS,
    SHARED,
    drop_database,
    median,
    scratch_database,
    settings_for,
    table,
    timed,
)
from benchmarks.floors import bare_fit, bare_predict, plain_copy, training_rows
from pokewatch import db, schema
from pokewatch.landing import land_prices
from pokewatch.settings import PROJECT_DIR
from pokewatch.sources.files import read_price_history
from tests.support.mirror import load_tcgcsv_data, tcgcsv_mirror

DAY = dt.date(2025, 10, 26)
STAGES = ["collect", "validate", "grade", "train", "score", "alerts", "drift"]
CONFIGS = [  # (name, environment, target seconds)
    ("English, 7-day horizon", {"POKEWATCH_CATEGORIES": "3", "POKEWATCH_HORIZONS": "7"}, 30.0),
    ("English + Japanese, horizons 7/30/90, every profile (the default)", {}, 45.0),
]


def _template(until: dt.date = DAY) -> str:
    """A database holding the history's days before `until` (the 35 before DAY), copied for each repeat."""
    history = read_price_history(HISTORY)
    with scratch_database(keep=True) as name:
        settings = settings_for(name)
        schema.migrate(settings)
        with db.connect(settings) as conn:
            land_prices(conn, "tcgcsv", history[history["as_of"] < until])
    return name


def _nightly(database: str, home: Path, extra: dict, *args: str) -> float:
    settings = settings_for(database, home=home)
    env = {**os.environ, **extra, "POKEWATCH_DATABASE_URL": settings.database_url.get_secret_value(),
           "POKEWATCH_HOME": str(home), "PREFECT_HOME": str(home / "prefect")}
    env.pop("PREFECT_API_URL", None)  # Prefect's temporary server: its start-up is part of the cost
    seconds, _ = timed(lambda: subprocess.run(
        [sys.executable, "-m", "pokewatch.cli", "nightly", *args], env=env, cwd=PROJECT_DIR, check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return seconds


def _stages(database: str) -> dict:
    with db.connect(settings_for(database)) as conn:
        row = conn.execute(
            "select " + ", ".join(f"coalesce({s}_seconds, 0), coalesce({s}_rows, 0)" for s in STAGES)
            + ", extract(epoch from finished_at - started_at)::float8 from pokewatch.runs "
              "where status = 'succeeded' and as_of = %s", (DAY,)).fetchone()
    out = {"flow": row[-1]}
    for i, stage in enumerate(STAGES):
        out[stage], out[f"{stage}_rows"] = row[2 * i], row[2 * i + 1]
    return out


def _floors(database: str, extra: dict) -> dict:
    """The same rows as the last measured run, with nothing around them."""
    settings = settings_for(database)
    with db.connect(settings) as conn:
        day = db.copy_out(conn, "select * from pokewatch.prices where as_of = %s", (DAY,))
        signals = db.copy_out(conn, "select * from pokewatch.signals where as_of = %s", (DAY,))
    rows = training_rows(settings, DAY)
    fit_seconds, regressor = bare_fit(rows, settings.compute_threads)  # the threads the nightly fits with
    horizons = len(extra.get("POKEWATCH_HORIZONS", "7,30,90").split(","))
    return {
        "collect": (len(day), plain_copy(settings, day, "pokewatch.prices", list(day.columns))),
        "fit": (len(rows.fit_y), fit_seconds),
        "predict": (len(rows.today_x) * horizons, bare_predict(regressor, rows, settings.compute_threads) * horizons),
        "publish": (len(signals), plain_copy(settings, signals, "pokewatch.signals", list(signals.columns))),
    }


def _config(template: str, extra: dict) -> tuple[list[dict], dict, float]:
    """Yesterday's nightly once, then REPEATS measured nights from copies of its database and home."""
    with scratch_database(template=template, keep=True) as yesterday:
        home = Path(tempfile.mkdtemp(prefix="pokewatch-b1-"))
        _nightly(yesterday, home, extra, "--as-of", str(DAY - dt.timedelta(days=1)), "--skip-collect")
    runs, first_night = [], 0.0
    try:
        for i in range(REPEATS + 1):
            with scratch_database(template=yesterday if i else template) as name:
                night = Path(tempfile.mkdtemp(prefix="pokewatch-b1-"))
                if i:
                    shutil.copytree(home, night, dirs_exist_ok=True)
                seconds = _nightly(name, night, extra, "--as-of", str(DAY))
                if not i:  # a fresh home and no yesterday: the first night ever
                    first_night = seconds
                    continue
                runs.append({"total": seconds, **_stages(name)})
                if i == REPEATS:
                    floors = _floors(name, extra)
    finally:
        drop_database(yesterday)
    return runs, floors, first_night


def _section(name: str, target: float, runs: list[dict], floors: dict, first_night: float) -> str:
    m = {k: median([r[k] for r in runs]) for k in runs[0]}
    floor_of = {"collect": ("plain COPY of the day's rows", floors["collect"]),
                "train": ("bare fit of the primary horizon's rows, on the nightly's threads", floors["fit"]),
                "score": ("bare predict of the day's rows per horizon + plain COPY of the signals",
                          (floors["publish"][0], floors["predict"][1] + floors["publish"][1]))}
    rows = []
    for stage in STAGES:
        what, (n, seconds) = floor_of.get(stage, ("", (None, None)))
        rows.append([stage, int(m[f"{stage}_rows"]), m[stage], what, n if n is not None else "",
                     seconds if seconds is not None else "", f"{m[stage] / seconds:.1f}×" if seconds else ""])
    stage_sum = sum(m[s] for s in STAGES)
    rows.append(["stages", "", stage_sum, "", "", "", ""])
    rows.append(["flow run (runs table)", "", m["flow"], "", "", "", ""])
    rows.append(["whole command (process, Prefect server, MLflow)", "", m["total"], "", "", "", ""])
    text = f"**{name}**\n\n" + table(["stage", "rows", "seconds (median)", "floor", "floor rows", "floor seconds",
                                      "× floor"], rows)
    text += (f"\n\nTarget ≤ {target:.0f} s in total: {'met' if m['total'] <= target else 'MISSED'} "
             f"({m['total']:.1f} s). Outside the stages: {m['total'] - stage_sum:.1f} s "
             f"({(m['total'] - stage_sum) / m['total']:.0%}). The first night on a fresh home (no Prefect or MLflow "
             f"store yet, no yesterday): {first_night:.1f} s.")
    return text


def run() -> tuple[str, dict]:
    template = _template()
    sections, out = [], {}
    try:
        data = load_tcgcsv_data(SHARED, Path(tempfile.mkdtemp(prefix="pokewatch-b1-archive-")))
        with tcgcsv_mirror(data) as mirror:
            for name, extra, target in CONFIGS:
                runs, floors, first_night = _config(template, {**extra, "POKEWATCH_TCGCSV_BASE_URL": mirror.url})
                sections.append(_section(name, target, runs, floors, first_night))
                out[name] = median([r["total"] for r in runs])
    finally:
        drop_database(template)
    return "B1 nightly, full catalogue\n\n" + "\n\n".join(sections), out
