"""The suites of the data contract, as kept in expectations/ (reviewable JSON, read by GX through its context).

Every expectation carries a severity (GX 1.x's own ``severity`` field): ``critical`` stops the run, ``warning``
quarantines the rows it rejects, ``info`` only reports. Settings.validation_severity overrides them per
expectation name (``meta.name``) when results are read; the suites themselves are never changed at run time.
"""

from __future__ import annotations

import json
from functools import lru_cache

from pokewatch.settings import PROJECT_DIR

SUITES_DIR = PROJECT_DIR / "expectations" / "gx" / "expectations"
SUITES = ("daily_prices", "features", "signals")
SEVERITIES = ("critical", "warning", "info")


@lru_cache
def suite_json(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text())


def meta_for(suite: str, name: str) -> dict:
    """The `meta` of the first expectation called `name` (where a suite keeps its thresholds' settings)."""
    for exp in suite_json(suite)["expectations"]:
        if exp.get("meta", {}).get("name") == name:
            return exp["meta"]
    return {}


def checked(severities: dict[str, str] | None) -> dict[str, str]:
    """Severity overrides, refused unless each is critical, warning or info."""
    for key, value in (severities or {}).items():
        if value not in SEVERITIES:
            raise ValueError(f"severity for {key!r} must be one of {', '.join(SEVERITIES)}, got {value!r}")
    return dict(severities or {})
