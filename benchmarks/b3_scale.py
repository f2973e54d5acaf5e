"""B3 scale: the catalogue replicated to 10× (new product ids, real price series) through train + score + publish:
time ratio to 1× and peak RSS, each size in its own process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pandas as pd

from benchmarks.common import HISTORY, REPEATS, median, scratch_database, settings_for, table
from pokewatch import db, schema
from pokewatch.landing import land_prices
from pokewatch.settings import PROJECT_DIR
from pokewatch.sources.files import read_price_history

DAY = dt.date(2025, 10, 26)
PEAK_RSS_TARGET_MIB = 3 * 1024  # issue 19: 10× the catalogue in ≤ 3 GiB
ID_STRIDE = 100_000_000  # copy k of product p gets id p + k × stride: real series, new ids

WORKER = """
import datetime as dt, json, resource, sys, time, uuid
from pokewatch.settings import Settings
from pokewatch import scoring, train
settings = Settings(home=sys.argv[2], database_url=sys.argv[1]).prepare()
day = dt.date.fromisoformat(sys.argv[3])
t0 = time.perf_counter(); trained = train.train(settings, day); t1 = time.perf_counter()
scored = scoring.score(settings, scoring.request(settings, day, uuid.uuid4())); t2 = time.perf_counter()
print(json.dumps({"train": t1 - t0, "score": t2 - t1 - scored.publish_seconds, "publish": scored.publish_seconds,
                  "total": t2 - t0, "rows": scored.rows,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def replicate(history: pd.DataFrame, times: int) -> pd.DataFrame:
    return pd.concat([history.assign(product_id=history["product_id"] + k * ID_STRIDE) for k in range(times)],
                     ignore_index=True)


def _measure(factor: int, history: pd.DataFrame) -> list[dict]:
    results = []
    with scratch_database() as name:
        settings = settings_for(name)
        schema.migrate(settings)
        with db.connect(settings) as conn:
            land_prices(conn, "tcgcsv", replicate(history, factor))
        for i in range(REPEATS):
            home = settings.home / f"run{i}"  # a fresh MLflow store each time: every run trains the first model
            out = subprocess.run(
                [sys.executable, "-c", WORKER, settings.database_url.get_secret_value(), str(home), str(DAY)],
                cwd=PROJECT_DIR, check=True, capture_output=True, text=True)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def run(factor: int = 10) -> tuple[str, dict]:
    history = read_price_history(HISTORY)
    one, big = _measure(1, history), _measure(factor, history)
    rows = []
    for key in ("train", "score", "publish", "total"):
        a, b = median([r[key] for r in one]), median([r[key] for r in big])
        rows.append([key, a, b, b / a])
    rss1, rssn = median([r["peak_rss_mib"] for r in one]), median([r["peak_rss_mib"] for r in big])
    rows.append(["peak RSS (MiB)", rss1, rssn, rssn / rss1])
    rows.append(["series scored", one[0]["rows"], big[0]["rows"], big[0]["rows"] / one[0]["rows"]])
    text = table(["B3 scale", "1× (s)", f"{factor}× (s)", "ratio"], rows)
    ratio = rows[3][3]
    text += (f"\n\nTargets: time ratio ≤ {factor}× ({'met' if ratio <= factor else 'MISSED'}: {ratio:.2f}×), "
             f"peak RSS ≤ {PEAK_RSS_TARGET_MIB:,} MiB ({'met' if rssn <= PEAK_RSS_TARGET_MIB else 'MISSED'}: "
             f"{rssn:,.0f} MiB).")
    return text, {"ratio": ratio, "peak_rss_mib": rssn}
