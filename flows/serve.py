"""Serve every PokeWatch deployment from this process: Prefect without a work pool or a worker.

`serve_all()` reads deployments/prefect.yaml (the one list of deployments: names, entrypoints, schedules,
tags, defaults, concurrency limits), builds each with `flow.to_deployment(...)` and hands them to
`prefect.serve(...)`, which registers them with the Prefect API (PREFECT_API_URL, or a temporary local
server) and runs their scheduled and manual runs in subprocesses of this one until stopped (Ctrl-C).

The nightly cron is read in POKEWATCH_TIMEZONE here (the worker path reads the Prefect variable
`pokewatch_timezone` instead; keep them the same). A deployment whose flow file is missing is skipped with
a warning, so one unfinished flow does not stop the others from being served.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path
from typing import Any

import yaml

from pokewatch.settings import PROJECT_DIR, get_settings

PREFECT_YAML = PROJECT_DIR / "deployments" / "prefect.yaml"
log = logging.getLogger(__name__)


def deployment_specs(path: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The `deployments:` entries of prefect.yaml, as written."""
    return list(yaml.safe_load(path.read_text())["deployments"])


def _module_name(entrypoint: str) -> str:
    """`flows/nightly.py:nightly` → `flows.nightly` (flows ship in the wheel beside pokewatch)."""
    return ".".join(Path(entrypoint.partition(":")[0]).with_suffix("").parts)


def _load_flow(entrypoint: str):
    """The flow object an entrypoint names, imported as a module (flows.nightly)."""
    return getattr(importlib.import_module(_module_name(entrypoint)), entrypoint.partition(":")[2])


def _schedules(spec: dict[str, Any], timezone: str) -> list | None:
    """The spec's cron schedules in `timezone`; None for a manual deployment (an empty list makes Prefect warn)."""
    from prefect.schedules import Cron

    return [Cron(s["cron"], timezone=timezone, active=s.get("active", True)) for s in spec.get("schedules") or []
            if s.get("cron")] or None


def deployments(timezone: str | None = None, path: Path = PREFECT_YAML, skip_missing: bool = True) -> list:
    """One RunnerDeployment per prefect.yaml entry whose flow can be imported (for `prefect.serve`)."""
    timezone = timezone or get_settings().timezone
    built = []
    for spec in deployment_specs(path):
        module = _module_name(spec["entrypoint"])
        if skip_missing and importlib.util.find_spec(module) is None:
            log.warning("not serving %s: module %s does not exist yet", spec["name"], module)
            continue
        flow = _load_flow(spec["entrypoint"])
        built.append(flow.to_deployment(
            name=spec["name"],
            description=spec.get("description"),
            tags=spec.get("tags"),
            parameters={k: v for k, v in (spec.get("parameters") or {}).items()},
            schedules=_schedules(spec, timezone),
            concurrency_limit=spec.get("concurrency_limit"),
            enforce_parameter_schema=spec.get("enforce_parameter_schema", True),
        ))
    return built


def serve_all(limit: int | None = None, timezone: str | None = None) -> None:
    """Register and serve every deployment until interrupted; `limit` caps concurrent runs in this process."""
    from prefect import serve

    built = deployments(timezone)
    if not built:
        raise RuntimeError(f"no deployment in {PREFECT_YAML} could be loaded")
    serve(*built, limit=limit)


if __name__ == "__main__":
    serve_all()
