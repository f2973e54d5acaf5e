"""MLflow: log each trained model, register it, and move the `champion` alias only on evidence."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pokewatch.settings import Settings

log = logging.getLogger(__name__)
EXPERIMENT = "pokewatch"
CHAMPION, CHALLENGER = "champion", "challenger"
EXPERIMENT_KIND_TAG, EXPERIMENT_KIND = "mlflow.experimentKind", "custom_model_development"
# Pinned so logging does not resolve the environment (saves seconds) and a loader knows what it needs.
PIP_REQUIREMENTS = ["scikit-learn", "pandas", "numpy", "bottleneck"]
# skops refuses unknown types on load; these are ours and scikit-learn's, written by this code only.
SKOPS_TRUSTED_TYPES = [
    "pokewatch.model.FairPriceModel",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.utils.validation.check_array",
    "functools.partial",
]


def mlflow_client(settings: Settings, experiment: str = EXPERIMENT):
    """Point MLflow at the configured tracking URI (default: SQLite under HOME/mlflow) and return a client.

    MLFLOW_TRACKING_URI may name a remote server (http(s)://…); MLflow itself reads
    MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) for its basic auth,
    so credentials never pass through PokeWatch's settings. Artifacts then go where that server says.
    """
    import mlflow

    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        artifact_location = None if settings.mlflow_tracking_uri else settings.mlflow_artifact_location
        # The MLflow UI opens a classic model-training experiment in its runs view (not the GenAI one).
        mlflow.create_experiment(experiment, artifact_location=artifact_location,
                                 tags={EXPERIMENT_KIND_TAG: EXPERIMENT_KIND})
    mlflow.set_experiment(experiment)
    return mlflow.MlflowClient()


OWNER_TAG = "pokewatch.process"  # host:pid of the PokeWatch process that started the run


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(owner: str) -> bool:
    """Whether the process `owner` names has ended: known only for this machine's processes."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def end_abandoned_runs(client, experiment_id: str) -> list[str]:
    """MLflow runs left RUNNING by a PokeWatch process that no longer exists (SIGKILLed, out of memory) are
    ended FAILED, with a tag that says when and by whom; they are not left RUNNING for good."""
    ended = []
    for run in client.search_runs([experiment_id], filter_string="attributes.status = 'RUNNING'"):
        owner = run.data.tags.get(OWNER_TAG)
        if owner and _gone(owner):
            client.set_tag(run.info.run_id, "pokewatch.abandoned",
                           f"its process {owner} ended without finishing (found by {_me()} at "
                           f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC)")
            client.set_terminated(run.info.run_id, status="FAILED")
            ended.append(run.info.run_id)
    if ended:
        log.warning("ended %d MLflow run(s) whose process had died as FAILED: %s", len(ended), ", ".join(ended))
    return ended


@contextlib.contextmanager
def tracked_run(settings: Settings, run_name: str, experiment: str = EXPERIMENT):
    """An MLflow run owned by this process (tagged host:pid); runs of dead PokeWatch processes are ended first."""
    import mlflow

    client = mlflow_client(settings, experiment)
    end_abandoned_runs(client, mlflow.get_experiment_by_name(experiment).experiment_id)
    with mlflow.start_run(run_name=run_name, tags={OWNER_TAG: _me()}) as run:
        yield run


def alias_for(settings: Settings, alias: str) -> str:
    """The alias of this horizon's model: `champion` for the primary horizon, `champion-30d` for another."""
    primary = settings.forecast_horizons[0]
    return alias if settings.horizon_days == primary else f"{alias}-{settings.horizon_days}d"


@dataclass
class Champion:
    version: int
    model: Any


def load_alias(settings: Settings, alias: str = CHAMPION) -> Champion | None:
    from mlflow.exceptions import MlflowException

    client = mlflow_client(settings)
    try:
        mv = client.get_model_version_by_alias(settings.model_name, alias_for(settings, alias))
    except MlflowException:
        return None
    return Champion(int(mv.version), load_version(settings.tracking_uri, settings.model_name,
                                                  int(mv.version)))


def load_version(tracking_uri: str, model_name: str, version: int):
    """The registered model of that version. A model file that cannot be read (truncated, deleted, another
    format) is one line naming the version and the way back, not the loader's traceback."""
    import mlflow
    from mlflow.exceptions import MlflowException

    mlflow.set_tracking_uri(tracking_uri)
    try:
        return mlflow.sklearn.load_model(f"models:/{model_name}/{version}")
    except MlflowException:
        raise
    except Exception as exc:
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        raise RuntimeError(
            f"the model file of {model_name} version {version} cannot be read ({type(exc).__name__}: {first}): "
            "`pokewatch model rollback` gives the champion back to the version it replaced, or `pokewatch model "
            "promote VERSION` names another") from None


@lru_cache(maxsize=1)
def code_version() -> str:
    """The git commit the code runs from (a checkout), else the installed package's version."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    from pokewatch.settings import PROJECT_DIR

    if (PROJECT_DIR / ".git").exists():
        done = subprocess.run(["git", "-C", str(PROJECT_DIR), "rev-parse", "HEAD"], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.strip()
    try:
        return f"pokewatch {version('pokewatch')}"
    except PackageNotFoundError:
        return "unknown"


def training_dataset(frame, origin: dict[str, str], name: str):
    """The rows a model was fitted on as an MLflow dataset (schema, profile, digest; the rows stay in PostgreSQL),
    its source described by `origin` (table, price source, days)."""
    import mlflow
    from mlflow.data.code_dataset_source import CodeDatasetSource

    dataset = mlflow.data.from_pandas(frame, source=CodeDatasetSource(origin), name=name, targets="target")
    # MLflow infers the schema's `required` flags value by value in Python (2.7 s for the demo's 20 k fit rows, a
    # minute for the full catalogue's 400 k); the same schema, column by column, set on its cached property.
    dataset.__dict__["schema"] = frame_schema(frame)
    return dataset


def frame_schema(frame):
    """The MLflow schema of a numeric/boolean/text frame, as mlflow.types.utils infers it, computed per column."""
    from mlflow.types import ColSpec, DataType, Schema

    kinds = {("f", 8): DataType.double, ("f", 4): DataType.float, ("i", 8): DataType.long,
             ("i", 4): DataType.integer, ("b", 1): DataType.boolean}
    return Schema([ColSpec(kinds.get((frame[c].dtype.kind, getattr(frame[c].dtype, "itemsize", 0)), DataType.string), c,
                           required=bool(frame[c].notna().all())) for c in frame.columns])


def identical_champion(settings: Settings, digest: str) -> int | None:
    """The champion's version when it was fitted on the same rows (dataset digest) by the same code, else None."""
    from mlflow.exceptions import MlflowException

    client = mlflow_client(settings)
    try:
        champion = client.get_model_version_by_alias(settings.model_name, alias_for(settings, CHAMPION))
        run = client.get_run(champion.run_id)
    except MlflowException:
        return None
    digests = {d.dataset.digest for d in run.inputs.dataset_inputs}
    same_code = run.data.tags.get("mlflow.source.git.commit") == code_version()
    return int(champion.version) if digest in digests and same_code else None


def log_and_register(settings: Settings, model, params: dict, metrics: dict, slices: list[dict],
                     example, tags: dict[str, str], figures: dict | None = None, dataset=None) -> tuple[int, str]:
    """One MLflow run: params, metrics, slice table, lineage (commit, tags, the training dataset), the model with
    signature; registered as challenger."""
    import mlflow
    from mlflow.models import infer_signature

    with tracked_run(settings, f"train {tags.get('as_of', '')}") as run:
        mlflow.log_params(params)
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v == v})
        mlflow.set_tags({"mlflow.source.git.commit": code_version(), **tags})
        if dataset is not None:
            mlflow.log_input(dataset, context="training")
        mlflow.log_text(json.dumps(slices, indent=2), "slice_metrics.json")
        for name, figure in (figures or {}).items():
            mlflow.log_figure(figure, f"plots/{name}.png")
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(example, model.predict(example)),
            pip_requirements=PIP_REQUIREMENTS,
            skops_trusted_types=SKOPS_TRUSTED_TYPES,
            registered_model_name=settings.model_name,
        )
        version = int(info.registered_model_version)
    mlflow_client(settings).set_registered_model_alias(settings.model_name, alias_for(settings, CHALLENGER), version)
    return version, run.info.run_id


def record_decision(settings: Settings, version: int, promote: bool, reason: str) -> None:
    client = mlflow_client(settings)
    client.set_model_version_tag(settings.model_name, str(version), "decision", "champion" if promote else "rejected")
    client.set_model_version_tag(settings.model_name, str(version), "decision_reason", reason)
    if promote:
        set_champion(settings, version, reason)


def set_champion(settings: Settings, version: int, reason: str) -> int | None:
    """Move the champion alias, remembering the one it replaces (for rollback). Returns the previous version."""
    from mlflow.exceptions import MlflowException

    client = mlflow_client(settings)
    client.get_model_version(settings.model_name, str(version))  # fails clearly if the version does not exist
    try:
        previous = int(client.get_model_version_by_alias(settings.model_name, alias_for(settings, CHAMPION)).version)
    except MlflowException:
        previous = None
    client.set_registered_model_alias(settings.model_name, alias_for(settings, CHAMPION), version)
    if previous is not None and previous != version:
        client.set_model_version_tag(settings.model_name, str(version), "replaced_champion", str(previous))
    client.set_model_version_tag(settings.model_name, str(version), "champion_reason", reason)
    log.info("champion is now version %s (%s)", version, reason)
    return previous


def rollback_champion(settings: Settings) -> tuple[int, int]:
    """Give the champion alias back to the version the current champion replaced."""
    client = mlflow_client(settings)
    current = client.get_model_version_by_alias(settings.model_name, alias_for(settings, CHAMPION))
    previous = current.tags.get("replaced_champion")
    if not previous:
        raise RuntimeError(f"champion version {current.version} replaced no earlier champion: nothing to roll back to")
    client.set_registered_model_alias(settings.model_name, alias_for(settings, CHAMPION), int(previous))
    client.set_model_version_tag(settings.model_name, current.version, "rolled_back", "true")
    return int(current.version), int(previous)
