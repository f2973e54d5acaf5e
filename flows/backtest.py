"""Flow `backtest`: walk forward over a shared price history and report what the signals would have earned."""

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from flows.params import Maybe
from pokewatch import backtest as bt
from pokewatch.costs import configured
from pokewatch.settings import get_settings


@task(timeout_seconds=3600, cache_policy=NONE)
def walk_forward(dataset: str, horizons: list[int], profiles: list[str] | None, retrain_every: int,
                 path: str | None):
    settings = get_settings()
    return bt.run_backtest(settings, dataset, configured(settings, profiles), tuple(horizons), retrain_every,
                           path=Path(path) if path else None)


@flow(name="backtest", log_prints=True)
def backtest(dataset: str = "sealed", horizons: list[int] = [7, 30], profiles: Maybe[list[str]] = None,  # noqa: B006
             retrain_every: int = 30, path: Maybe[str] = None):
    """dataset: sealed | tcgcsv; path defaults to ../shared/data beside the project. Profiles default to settings."""
    result = walk_forward(dataset, list(horizons), profiles, retrain_every, path)
    text = bt.backtest_markdown(result)
    create_markdown_artifact(text, key=f"backtest-{dataset}", description=f"walk-forward backtest of {dataset}")
    print(text)
    return result
