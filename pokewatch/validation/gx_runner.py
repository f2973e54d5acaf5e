"""Running a suite through Great Expectations 1.x's public API (GX is imported here only: ~6 s), and Data Docs.

One ephemeral context per state folder and process: suites are read through the context from expectations/
(never written); data source, assets, validation definitions and checkpoints live in memory; validation results
go to HOME/gx/validations and Data Docs to HOME/data_docs (an `UpdateDataDocsAction` on the checkpoint). Without
a state folder, results stay in memory and no docs are built (scoring's features and signals).

Severity overrides are applied when results are read (GX keeps a suite as written): a suite is never changed at
run time. Stored results are SUMMARY with partial lists (small pages); the rows a failed *warning* expectation
rejects beyond the partial list come from re-validating that one expectation (not stored).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import pandas as pd

from pokewatch.validation.messages import result_item
from pokewatch.validation.suites import SUITES_DIR

SITE = "pokewatch"
DATASOURCE = "pokewatch"
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 1000}
LEAN_COMPLETE = {"result_format": "COMPLETE", "exclude_unexpected_values": True,
                 "return_unexpected_index_query": False}

_lock = threading.RLock()  # two validations of one asset at once give wrong results: one at a time
_runners: dict[str, Runner] = {}


def project_config(state: Path | None) -> dict:
    """The context's whole configuration: suites from expectations/, results and docs under `state`."""
    def files(folder: Path, **extra) -> dict:
        return {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder), **extra}

    memory = {"class_name": "InMemoryStoreBackend"}
    config = {
        "config_version": 4,
        "analytics_enabled": False,
        "progress_bars": {"globally": False, "metric_calculations": False},
        "expectations_store_name": "expectations_store",
        "validation_results_store_name": "validation_results_store",
        "checkpoint_store_name": "checkpoint_store",
        "stores": {
            "expectations_store": {"class_name": "ExpectationsStore",
                                   "store_backend": files(SUITES_DIR, suppress_store_backend_id=True)},
            "validation_results_store": {"class_name": "ValidationResultsStore",
                                         "store_backend": files(state / "gx" / "validations") if state else memory},
            "checkpoint_store": {"class_name": "CheckpointStore", "store_backend": memory},
            "validation_definition_store": {"class_name": "ValidationDefinitionStore", "store_backend": memory},
        },
        "data_docs_sites": {},
    }
    if state:
        config["data_docs_sites"][SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": files(state / "data_docs"),
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    return config


class Runner:
    """One context: per suite a dataframe asset named like it, a validation definition and a checkpoint."""

    def __init__(self, state: Path | None):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        import great_expectations as gx

        self.gx = gx
        self.state = state
        self.context = gx.get_context(mode="ephemeral", project_config=project_config(state))
        self.source = self.context.data_sources.add_or_update_pandas(DATASOURCE)
        self._definitions: dict[str, Any] = {}
        self._checkpoints: dict[str, Any] = {}

    def definition(self, suite_name: str):
        if suite_name not in self._definitions:
            batches = self.source.add_dataframe_asset(name=suite_name).add_batch_definition_whole_dataframe("whole")
            self._definitions[suite_name] = self.context.validation_definitions.add(self.gx.ValidationDefinition(
                name=suite_name, data=batches, suite=self.context.suites.get(suite_name)))
        return self._definitions[suite_name]

    def checkpoint(self, suite_name: str):
        if suite_name not in self._checkpoints:
            from great_expectations.checkpoint import UpdateDataDocsAction

            actions = [UpdateDataDocsAction(name="data_docs", site_names=[SITE])] if self.state else []
            self._checkpoints[suite_name] = self.context.checkpoints.add(self.gx.Checkpoint(
                name=suite_name, validation_definitions=[self.definition(suite_name)], actions=actions,
                result_format=RESULT_FORMAT))
        return self._checkpoints[suite_name]

    def rejected_rows(self, suite_name: str, frame: pd.DataFrame, res, params: dict) -> list[int]:
        """Every row a failed expectation rejects: the partial list when it holds them all, else a re-run."""
        result = res.result or {}
        partial = result.get("partial_unexpected_index_list")
        if partial is not None and (result.get("unexpected_count") or 0) <= len(partial):
            return [int(p) for p in partial]
        batch = self.definition(suite_name).batch_definition.get_batch(batch_parameters={"dataframe": frame})
        again = batch.validate(res.expectation_config.to_domain_obj(), result_format=LEAN_COMPLETE,
                               expectation_parameters=params)
        return [int(p) for p in (again.result or {}).get("unexpected_index_list") or []]

    def docs_path(self, key) -> str | None:
        urls = self.context.get_docs_sites_urls(resource_identifier=key, site_names=[SITE])
        url = urls[0]["site_url"] if urls else None
        return url.removeprefix("file://") if url else None

    def build_docs(self) -> Path:
        self.context.build_data_docs(site_names=[SITE])
        return self.offline()

    def offline(self) -> Path:
        """GX's pages without outside requests, and PokeWatch's static index (validation/data_docs.py)."""
        from pokewatch.validation.data_docs import make_offline

        return make_offline(self.state / "data_docs", self.state / "gx" / "validations")


def runner(state: Path | None) -> Runner:
    """The process's runner for a state folder (None: results in memory, no docs)."""
    key = str(state)
    with _lock:
        if key not in _runners:
            _runners[key] = Runner(state)
        return _runners[key]


def forget(state: Path) -> None:
    """Drop a state folder's runner (the next validation opens a new context, as a new process would)."""
    with _lock:
        _runners.pop(str(state), None)


def run(suite_name: str, frame: pd.DataFrame, *, severities: dict[str, str] | None = None,
        params: dict | None = None, state: Path | None = None, run_name: str | None = None,
        sample_columns: dict[str, list[str]] | None = None, derived_columns: set[str] = frozenset()):
    """Validate a (prepared, 0..n-1 indexed) frame with a suite; returns (results, quarantine_rows, docs_path).

    quarantine_rows maps a failed *warning* expectation's name to the frame positions it rejects.
    """
    params = params or {}
    with _lock:
        gx_runner = runner(state)
        checkpoint = gx_runner.checkpoint(suite_name)
        outcome = checkpoint.run(batch_parameters={"dataframe": frame}, expectation_parameters=params,
                                 run_id=gx_runner.gx.RunIdentifier(run_name=run_name or suite_name))
        ((key, validation),) = outcome.run_results.items()
        results: list[dict[str, Any]] = []
        quarantine: dict[str, list[int]] = {}
        for res in validation.results:
            item = result_item(res, frame, severities or {}, sample_columns or {}, set(derived_columns))
            results.append(item)
            if not item["success"] and item["severity"] == "warning":
                rows = gx_runner.rejected_rows(suite_name, frame, res, params)
                if rows:
                    quarantine.setdefault(item["name"], []).extend(rows)
        docs = gx_runner.docs_path(key) if state else None
        if state:
            gx_runner.offline()
    return results, quarantine, docs


def build_docs_site(state: Path) -> Path:
    """(Re)build Data Docs from every stored validation result into STATE/data_docs; returns index.html."""
    with _lock:
        return runner(state).build_docs()
