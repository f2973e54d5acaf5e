"""The one settings object: the only place PokeWatch reads its environment."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
# sql/, expectations/ and deployments/ live beside the package in a checkout; an installed wheel carries them
# inside the package (pokewatch/_project/, see pyproject.toml).
PROJECT_DIR = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "sql").is_dir() else PACKAGE_DIR / "_project"
# Where prices can come from: tcgcsv (the whole catalogue, no key) and two keyed APIs.
Source = Literal["tcgcsv", "pokemonpricetracker", "pokemontcg"]  # a choice in the Prefect UI's run form
SOURCES: tuple[str, ...] = get_args(Source)
# TCGplayer categories PokeWatch knows, and their language: 3 = Pokémon (English), 85 = Pokémon Japan.
LANGUAGES = {3: "en", 85: "ja"}


# Forecast when POKEWATCH_HORIZONS is not set (horizon_days first): a week, a month, a quarter (issue 15).
DEFAULT_HORIZONS = (7, 30, 90)


class Settings(BaseSettings):
    """Everything PokeWatch can be configured with (env prefix ``POKEWATCH_``, optional ``.env``)."""

    model_config = SettingsConfigDict(env_prefix="POKEWATCH_", env_file=".env", extra="ignore")

    home: Path = Field(Path(".pokewatch"), description="State folder: embedded database, MLflow, Prefect, raw bodies.")
    database_url: SecretStr | None = Field(
        None, description="SQLAlchemy URL of a PostgreSQL database; unset means the embedded PostgreSQL in HOME/pg."
    )
    tcgcsv_base_url: str = "https://tcgcsv.com"
    categories: Annotated[list[int], NoDecode] = Field(
        [3, 85], description="TCGplayer categories to collect, import and score: 3 English, 85 Japanese (e.g. 3,85)")
    ppt_base_url: str = "https://www.pokemonpricetracker.com/api/v2"
    ppt_api_key: SecretStr | None = Field(None, validation_alias="POKEMON_PRICE_API_KEY")
    pokemontcg_base_url: str = "https://api.pokemontcg.io/v2"
    pokemontcg_api_key: SecretStr | None = Field(None, validation_alias="POKEMONTCG_API_KEY")
    writer_password: SecretStr | None = None
    reader_password: SecretStr | None = None
    http_timeout_seconds: float = 30.0
    http_concurrency: int = 4
    http_max_attempts: int = 5
    http_max_retry_seconds: float = 120.0
    # A day the source has not published yet (or a source down after its own retries): try again this many
    # times, this long apart, before the nightly ends skipped.
    source_retries: int = Field(6, ge=0)
    source_retry_delay_seconds: float = Field(1800.0, ge=0)
    mlflow_tracking_uri: str | None = Field(None, validation_alias="MLFLOW_TRACKING_URI")
    model_name: str = "pokewatch-fair-price"
    horizon_days: int = 7
    # Every horizon gets its own champion (aliases champion / champion-30d …, one registered model) and signals.
    horizons: Annotated[list[int] | None, NoDecode] = Field(
        None, description="Forecast horizons in days, e.g. 7,30,90 (the first is the one views show); empty = "
                          "horizon_days, then 30 and 90")
    holdout_days: int = 7
    max_mape: float = 0.20
    min_coverage: float = 0.80
    band_level: float = 0.80
    min_band_coverage: float = 0.75
    max_band_coverage: float = 0.85
    champion_margin: float = 0.0
    # Skill gate: a model is promoted only when it beats "last price" on the same held-out rows: the lower end of
    # the bootstrap interval (skill_level) of last-price MAPE − model MAPE (in MAPE points) must exceed min_skill.
    min_skill: float = 0.0
    skill_level: float = Field(0.90, gt=0, lt=1)
    # A BUY/SELL class (horizon × cost profile) publishes only while its walk-forward record is proven
    # over at least edge_min_blocks non-overlapping horizon-long blocks of decision days (pokewatch/edge.py).
    require_proven_edge: bool = True
    edge_min_blocks: int = Field(4, ge=1)
    # Ranks (signals.return_rank_pct) publish only while the walk-forward's daily Spearman is at least this, with
    # its interval above zero (pokewatch.ranking_skill).
    min_spearman: float = 0.10
    slice_tolerance: float = 0.02
    # Cost profiles (rows of pokewatch.cost_profiles) every series is decided for, and the one latest_signals shows.
    profiles: Annotated[list[str], NoDecode] = Field(
        ["collector", "seller", "flipper"], description="Cost profiles to score (names in pokewatch.cost_profiles)")
    default_profile: str = "collector"
    min_gain_dollars: float = 1.0
    min_history_days: int = 7
    min_price: float = 0.25
    max_flat_share: float = 0.9
    max_train_rows: int = 400_000
    random_seed: int = 42
    # The walk-forward record a new champion stores follows a stable sample of products when the warehouse's days ×
    # series exceed this (pokewatch.backtest.bounded_sample: ~1.1 KB of memory each).
    walk_forward_max_cells: int = Field(1_500_000, ge=1)
    threads: int | None = Field(None, ge=1, description="Threads scikit-learn fits and predicts with; empty = the "
                                "cores this process may use less one, at least 1 (pokewatch/threads.py)")
    lock_timeout_seconds: float = 30.0
    task_runner: Literal["thread", "dask"] = Field(
        "thread", description="thread (one machine) or dask (POKEWATCH_DASK_ADDRESS, else a local cluster)")
    dask_address: str | None = None
    dask_workers: int = Field(2, ge=1)
    partition_size: int = Field(100_000, ge=1)  # series per scoring partition: the whole catalogue (~43k) is one
    # Warnings quarantine a few bad rows; more than this share of a category's day stops the run (the feed changed).
    # Alerts (pokewatch/alerts.py): a move of at least this share over 1, 7 or 30 days, on cards of at least this
    # price; and the drift watch's threshold on the population stability index (pokewatch/drift.py).
    alert_move_share: float = Field(0.20, gt=0)
    alert_min_price: float = Field(5.0, ge=0)
    drift_psi_threshold: float = Field(0.25, gt=0)
    max_quarantine_share: float = Field(0.02, ge=0, le=1)
    validation_severity: Annotated[dict[str, Literal["critical", "warning", "info"]], NoDecode] = Field(
        default_factory=dict, description="Severity overrides by expectation name: name=warning,name2=info (or JSON)")
    timezone: str = "UTC"
    data_docs_url: str | None = Field(None, description="Where HOME/data_docs is served; artifacts link to it")
    mlflow_ui_url: str | None = Field(None, description="The MLflow UI artifacts link runs to (default: an http(s) "
                                                        "MLFLOW_TRACKING_URI)")

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value):
        """`3,85` as POKEWATCH_CATEGORIES gives it; only the categories PokeWatch knows."""
        items = [int(v) for v in str(value).replace(" ", "").split(",") if v] if isinstance(value, str) else value
        unknown = [c for c in items or [] if int(c) not in LANGUAGES]
        if unknown or not items:
            raise ValueError(f"categories must be some of {', '.join(map(str, LANGUAGES))}, got {value!r}")
        return sorted({int(c) for c in items})

    @field_validator("horizons", mode="before")
    @classmethod
    def _horizons(cls, value):
        """`7,30,90` as POKEWATCH_HORIZONS gives it: positive, distinct, in the order given."""
        if value is None or value == "":
            return None
        items = [int(v) for v in value.replace(" ", "").split(",") if v] if isinstance(value, str) else list(value)
        if not items or any(h <= 0 for h in items):
            raise ValueError(f"horizons must be positive days, e.g. 7,30,90, got {value!r}")
        return list(dict.fromkeys(items))

    @property
    def compute_threads(self) -> int:
        from pokewatch.threads import default_threads

        return self.threads or default_threads()

    @property
    def forecast_horizons(self) -> list[int]:
        """The horizons forecast and published; the first is the primary one (views, the run's model version)."""
        if self.horizons:
            return list(self.horizons)
        return [self.horizon_days] + [h for h in DEFAULT_HORIZONS if h != self.horizon_days]

    def with_horizons(self, horizons: list[int] | None) -> Settings:
        """These settings forecasting `horizons` (a run's own choice; the first is primary); None: unchanged."""
        if not horizons:
            return self
        return self.model_copy(update={"horizons": [int(h) for h in horizons], "horizon_days": int(horizons[0])})

    def for_horizon(self, horizon: int) -> Settings:
        """These settings for one horizon: what training, scoring and the walk-forward read as horizon_days."""
        return self.model_copy(update={"horizon_days": int(horizon), "horizons": self.forecast_horizons})

    @field_validator("profiles", mode="before")
    @classmethod
    def _profiles(cls, value):
        """`collector,flipper` as POKEWATCH_PROFILES gives it."""
        items = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else list(value or [])
        if not items:
            raise ValueError("profiles must name at least one cost profile, e.g. collector,seller,flipper")
        return list(dict.fromkeys(items))

    @model_validator(mode="after")
    def _default_profile(self):
        if self.horizons:
            self.horizon_days = self.horizons[0]
        if self.default_profile not in self.profiles:
            raise ValueError(f"default_profile {self.default_profile!r} is not among profiles "
                             f"({', '.join(self.profiles)})")
        return self

    @field_validator("validation_severity", mode="before")
    @classmethod
    def _severities(cls, value):
        """`name=warning,name2=info` or a JSON object, as POKEWATCH_VALIDATION_SEVERITY gives it."""
        if not isinstance(value, str):
            return value or {}
        text = value.strip()
        if text.startswith("{"):
            return json.loads(text)
        pairs = [part.partition("=") for part in text.split(",") if part.strip()]
        return {key.strip(): severity.strip() for key, _, severity in pairs}

    def source_access(self, source: str) -> dict:
        """Base URL and API key (plain text, for the request header only) of a price source."""
        check_source(source)
        urls = dict(zip(SOURCES, (self.tcgcsv_base_url, self.ppt_base_url, self.pokemontcg_base_url)))
        keys = {"pokemonpricetracker": self.ppt_api_key, "pokemontcg": self.pokemontcg_api_key}
        key = keys.get(source)
        return {"base_url": urls[source], "api_key": key.get_secret_value() if key else None}

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def tracking_uri(self) -> str:
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{self.home_dir / 'mlflow' / 'mlflow.db'}"

    @property
    def mlflow_artifact_location(self) -> str:
        return (self.home_dir / "mlflow" / "artifacts").as_uri()

    def prepare(self) -> Settings:
        """Create the state folders and quiet Prefect's and MLflow's telemetry (before they are imported)."""
        for sub in ("mlflow", "prefect", "raw", "data_docs"):
            (self.home_dir / sub).mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PREFECT_HOME", str(self.home_dir / "prefect"))
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        os.environ.setdefault("DO_NOT_TRACK", "true")
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        # An MLflow server that is down: a bounded wait (3 tries, 20 s each, ~1 min) then one clear line, not
        # MLflow's default 7 retries with backoff (about 5 minutes). Set either variable to choose otherwise.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
        return self


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: use one of {', '.join(SOURCES)}")
    return source


@lru_cache
def get_settings() -> Settings:
    return Settings().prepare()
