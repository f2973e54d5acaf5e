"""Links people follow from a Prefect artifact: Data Docs pages and MLflow runs, as URLs where a server is
configured (POKEWATCH_DATA_DOCS_URL, POKEWATCH_MLFLOW_UI_URL or an http(s) MLFLOW_TRACKING_URI), else as a
file URI or the command that opens them."""

from __future__ import annotations

from pathlib import Path

from pokewatch.settings import Settings


def data_docs(settings: Settings, page: str | None) -> str | None:
    """A markdown link to a Data Docs page (a file under HOME/data_docs)."""
    if not page:
        return None
    path = Path(page)
    site = settings.home_dir / "data_docs"
    if settings.data_docs_url and site in path.parents:
        return f"[Data Docs]({settings.data_docs_url.rstrip('/')}/{path.relative_to(site).as_posix()})"
    return f"[Data Docs]({path.resolve().as_uri()}) (open on the worker's machine, or set POKEWATCH_DATA_DOCS_URL)"


def mlflow_ui(settings: Settings) -> str | None:
    if settings.mlflow_ui_url:
        return settings.mlflow_ui_url.rstrip("/")
    uri = settings.tracking_uri
    return uri.rstrip("/") if uri.startswith(("http://", "https://")) else None


def mlflow_run(settings: Settings, experiment_id: str | None, run_id: str | None) -> str | None:
    """A markdown link to an MLflow run, or its id and how to open the default store."""
    if not run_id:
        return None
    ui = mlflow_ui(settings)
    if ui and not experiment_id:
        from pokewatch.registry import mlflow_client

        experiment_id = mlflow_client(settings).get_run(run_id).info.experiment_id
    if ui:
        return f"[MLflow run {run_id}]({ui}/#/experiments/{experiment_id}/runs/{run_id})"
    return (f"MLflow run `{run_id}` (`uv run mlflow ui --backend-store-uri {settings.tracking_uri}`, "
            "or set POKEWATCH_MLFLOW_UI_URL)")
