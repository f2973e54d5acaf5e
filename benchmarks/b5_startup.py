"""B5 start-up: `pokewatch --help`, `pokewatch signals` and `pokewatch status` wall time (no GX/MLflow/Prefect or
scikit-learn on those paths)."""

from __future__ import annotations

import os
import subprocess
import sys

from benchmarks.common import REPEATS, median, scratch_database, settings_for, table, timed
from pokewatch import schema
from pokewatch.settings import PROJECT_DIR

HEAVY = ("great_expectations", "mlflow", "prefect", "sklearn")


def _run(args: list[str], env: dict) -> None:
    subprocess.run([sys.executable, "-m", "pokewatch.cli", *args], check=True, env=env, cwd=PROJECT_DIR,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _imported(args: list[str], env: dict) -> list[str]:
    """Which heavy packages a command imports (python -X importtime would be noisier)."""
    code = ("import sys, runpy; sys.argv=['pokewatch', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('pokewatch.cli', run_name='__main__')\nexcept SystemExit: pass\n"
            f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=PROJECT_DIR, capture_output=True, text=True)
    line = next(x for x in out.stderr.splitlines() if x.startswith("HEAVY:"))
    return [m for m in line.removeprefix("HEAVY:").split(",") if m]


def run() -> tuple[str, dict]:
    rows, figures = [], {}
    with scratch_database() as name:
        settings = settings_for(name)
        schema.migrate(settings)
        env = {**os.environ, "POKEWATCH_DATABASE_URL": settings.database_url.get_secret_value(),
               "POKEWATCH_HOME": str(settings.home)}
        for args in (["--help"], ["signals", "--limit", "5"], ["status"]):
            times = [timed(lambda: _run(args, env))[0] for _ in range(max(REPEATS, 5))]
            heavy = _imported(args, env)
            label = "pokewatch " + " ".join(args)
            figures[label] = median(times)
            rows.append([label, median(times), "≤ 1.5 s", "met" if median(times) <= 1.5 else "MISSED",
                         ", ".join(heavy) or "none"])
    return table(["B5 start-up", "seconds (median)", "target", "", "heavy imports"], rows), figures
