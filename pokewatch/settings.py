"""The one settings object: the only place PokeWatch reads its environment."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# sql/, expectations/ and the demo sample live beside the package in the project tree.
PROJECT_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything PokeWatch can be configured with (env prefix ``POKEWATCH_``, optional ``.env``)."""

    model_config = SettingsConfigDict(env_prefix="POKEWATCH_", env_file=".env", extra="ignore")

    home: Path = Field(Path(".pokewatch"), description="State folder: embedded database, MLflow, Prefect, raw bodies.")
    database_url: SecretStr | None = Field(
        None, description="SQLAlchemy URL of a PostgreSQL database; unset means the embedded PostgreSQL in HOME/pg."
    )
    tcgcsv_base_url: str = "https://tcgcsv.com"
    tcgcsv_category: int = 3
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
    mlflow_tracking_uri: str | None = Field(None, validation_alias="MLFLOW_TRACKING_URI")
    model_name: str = "pokewatch-fair-price"
    horizon_days: int = 7
    holdout_days: int = 7
    max_mape: float = 0.20
    min_coverage: float = 0.80
    band_level: float = 0.80
    min_band_coverage: float = 0.75
    max_band_coverage: float = 0.85
    champion_margin: float = 0.0
    slice_tolerance: float = 0.02
    round_trip_cost: float = 0.25
    min_gain_dollars: float = 1.0
    min_history_days: int = 7
    min_price: float = 0.25
    max_flat_share: float = 0.9
    max_train_rows: int = 400_000
    random_seed: int = 42
    lock_timeout_seconds: float = 30.0
    task_runner: str = Field("thread", description="thread (one machine) or dask (POKEWATCH_DASK_ADDRESS or local)")
    dask_address: str | None = None
    dask_workers: int = 2
    partition_size: int = 100_000  # series per scoring partition: the whole catalogue (~43k) is one
    validation_severity: str | None = Field(None, description="Override severities: name=critical|warning,…")
    timezone: str = "UTC"

    def source_access(self, source: str) -> dict:
        """Base URL and API key (plain text, for the request header only) of a price source."""
        urls = {"tcgcsv": self.tcgcsv_base_url, "pokemonpricetracker": self.ppt_base_url,
                "pokemontcg": self.pokemontcg_base_url}
        keys = {"pokemonpricetracker": self.ppt_api_key, "pokemontcg": self.pokemontcg_api_key}
        if source not in urls:
            raise ValueError(f"unknown source {source!r}: use one of {', '.join(urls)}")
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
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings().prepare()
