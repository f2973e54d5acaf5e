"""B1 nightly on the full catalogue: 35 days of history imported, then `pokewatch nightly` for 2025-10-26 with
collect served by a loopback tcgcsv mirror; wall time per stage and in total, Prefect's and MLflow's overhead included.
"""

from __future__ import annotations

import datetime as dt
import os
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
from pokewatch import db, schema
from pokewatch.landing import land_prices
from pokewatch.settings import PROJECT_DIR
from pokewatch.sources.files import read_price_history
from tests.support.mirror import load_tcgcsv_data, tcgcsv_mirror

DAY = dt.date(2025, 10, 26)
STAGES = ["collect", "validate", "train", "score", "publish"]


def _template() -> str:
    """A database holding the 35 days before DAY, copied for each repeat."""
    history = read_price_history(HISTORY)
    with scratch_database(keep=True) as name:
        settings = settings_for(name)
        schema.migrate(settings)
        with db.connect(settings) as conn:
            land_prices(conn, "tcgcsv", history[history["as_of"] < DAY])
    return name


def _one_run(template: str, mirror_url: str) -> dict:
    with scratch_database(template=template) as name:
        home = Path(tempfile.mkdtemp(prefix="pokewatch-b1-"))
        settings = settings_for(name, home=home)
        env = {**os.environ, "POKEWATCH_DATABASE_URL": settings.database_url.get_secret_value(),
               "POKEWATCH_HOME": str(home), "POKEWATCH_TCGCSV_BASE_URL": mirror_url}
        env.pop("PREFECT_API_URL", None)  # Prefect's temporary server: its start-up is part of the cost
        seconds, _ = timed(lambda: subprocess.run(
            [sys.executable, "-m", "pokewatch.cli", "nightly", "--as-of", str(DAY)], env=env, cwd=PROJECT_DIR,
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with db.connect(settings) as conn:
            row = conn.execute(
                "select " + ", ".join(f"{s}_seconds, {s}_rows" for s in STAGES)
                + ", extract(epoch from finished_at - started_at)::float8 from pokewatch.runs where status = 'succeeded'"
            ).fetchone()
    out = {"total": seconds, "flow": row[-1]}
    for i, stage in enumerate(STAGES):
        out[stage], out[f"{stage}_rows"] = row[2 * i], row[2 * i + 1]
    return out


def run() -> tuple[str, dict]:
    template = _template()
    try:
        data = load_tcgcsv_data(SHARED, Path(tempfile.mkdtemp(prefix="pokewatch-b1-archive-")))
        with tcgcsv_mirror(data) as mirror:
            runs = [_one_run(template, mirror.url) for _ in range(REPEATS)]
    finally:
        drop_database(template)
    rows = []
    for stage in STAGES:
        rows.append([stage, runs[0][f"{stage}_rows"] or 0, median([r[stage] for r in runs])])
    stage_sum = sum(median([r[s] for r in runs]) for s in STAGES if s != "publish")  # publish is inside score
    flow, total = median([r["flow"] for r in runs]), median([r["total"] for r in runs])
    rows.append(["stages (publish inside score)", "", stage_sum])
    rows.append(["flow run (runs table)", "", flow])
    rows.append(["whole command (process, Prefect server, MLflow)", "", total])
    text = table(["B1 nightly, full catalogue", "rows", "seconds (median)"], rows)
    text += (f"\n\nTarget (issue 19) ≤ 30 s in total: {'met' if total <= 30 else 'MISSED'} ({total:.1f} s). "
             f"Overhead outside the stages: {total - stage_sum:.1f} s ({(total - stage_sum) / total:.0%}).")
    return text, {"total": total, **{s: median([r[s] for r in runs]) for s in STAGES}}
