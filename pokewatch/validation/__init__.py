"""The data contract: Great Expectations suites (expectations/) for daily prices, features and signals.

One job a module: `suites` (the suites and their severities), `gx_runner` (running a suite through GX, Data
Docs), `messages` (what a person reads about a result), `price_frame` (price rows made ready for the suite),
`prices` (the daily price contract, on a frame or a landed day), `model_frames` (features and signals),
`report` (ValidationReport, ValidationFailed). Quarantine lives beside landing (pokewatch.quarantine).
`great_expectations` costs ~6 s to import, so it is imported only when a suite runs.
"""

from pokewatch.validation.model_frames import validate_features, validate_signals
from pokewatch.validation.prices import validate_price_frame, validate_prices
from pokewatch.validation.report import ValidationFailed, ValidationReport

__all__ = ["ValidationFailed", "ValidationReport", "build_data_docs", "validate_features", "validate_price_frame",
           "validate_prices", "validate_signals"]


def build_data_docs(settings):
    """(Re)build GX Data Docs from the stored validation results into HOME/data_docs; returns index.html."""
    from pokewatch.validation.gx_runner import build_docs_site

    return build_docs_site(settings.home_dir)
