"""What a validation says: the report of one suite run, and the one-line failure a person reads."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any


class ValidationFailed(RuntimeError):
    """A critical expectation failed; the message names the dataset, the expectation(s) and sample bad values."""

    def __init__(self, message: str, report: ValidationReport):
        super().__init__(message)
        self.report = report


@dataclass
class ValidationReport:
    dataset: str
    as_of: dt.date | None
    rows: int
    passed: bool
    results: list[dict[str, Any]]
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    data_docs_path: str | None = None
    seconds: float = 0.0
    # Frame positions (0-based, in the validated frame) of the rows a warning expectation rejects.
    quarantine_rows: dict[str, list[int]] = field(default_factory=dict, repr=False)

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r["success"]]

    @property
    def critical_failures(self) -> list[dict[str, Any]]:
        return [r for r in self.failures if r["severity"] == "critical"]

    def summary(self) -> str:
        day = f" for {self.as_of}" if self.as_of else ""
        failed = self.failures
        verdict = "passed" if self.passed else f"FAILED ({len(self.critical_failures)} critical)"
        text = f"{self.dataset}{day}: {self.rows:,} rows, {len(self.results)} expectations, {verdict}"
        if failed and self.passed:
            text += f", {len(failed)} non-critical failed"
        if self.quarantined:
            reasons = ", ".join(f"{k}: {v:,}" for k, v in self.quarantine_reasons.items())
            text += f"; {self.quarantined:,} rows quarantined ({reasons})"
        else:
            text += "; 0 rows quarantined"
        return text + f" in {self.seconds:.1f} s"

    def markdown(self, docs_link: str | None = None) -> str:
        """The report as markdown; `docs_link` (pokewatch.links.data_docs) replaces the bare Data Docs path."""
        lines = [
            f"### Validation: {self.dataset}" + (f" {self.as_of}" if self.as_of else ""),
            "",
            self.summary(),
            "",
            "| expectation | severity | result | observed |",
            "|---|---|---|---|",
        ]
        for r in self.results:
            mark = "pass" if r["success"] else "**FAIL**"
            observed = " ".join(str(r["observed"]).split())  # a newline would end the table's row
            observed = (observed if len(observed) <= 160 else observed[:157] + "...").replace("|", "\\|")
            lines.append(f"| `{r['expectation']}` | {r['severity']} | {mark} | {observed} |")
        if docs_link or self.data_docs_path:
            lines += ["", docs_link or f"Data Docs: `{self.data_docs_path}`"]
        return "\n".join(lines) + "\n"


def finish(dataset: str, as_of: dt.date | None, rows: int, results: list[dict], quarantine: dict[str, list[int]],
           docs: str | None, started: float) -> ValidationReport:
    """The report of a suite run; raises ValidationFailed when a critical expectation failed."""
    critical = [r for r in results if not r["success"] and r["severity"] == "critical"]
    distinct = set()
    for positions in quarantine.values():
        distinct.update(positions)
    report = ValidationReport(
        dataset=dataset,
        as_of=as_of,
        rows=rows,
        passed=not critical,
        results=results,
        quarantined=len(distinct),
        quarantine_reasons={k: len(set(v)) for k, v in quarantine.items()},
        data_docs_path=docs,
        seconds=time.perf_counter() - started,
        quarantine_rows={k: sorted(set(v)) for k, v in quarantine.items()},
    )
    if critical:
        raise ValidationFailed(failure_message(report, critical), report)
    return report


def combine(reports: list[ValidationReport], started: float) -> ValidationReport:
    """One day's report from its categories' reports (one report stays as it is)."""
    if len(reports) == 1:
        return reports[0]
    first = reports[0]
    results = [{**r, "expectation": f"{rep.dataset.rsplit(' ', 1)[-1].rstrip(')')}: {r['expectation']}"}
               for rep in reports for r in rep.results]
    reasons: dict[str, int] = {}
    for rep in reports:
        for name, n in rep.quarantine_reasons.items():
            reasons[name] = reasons.get(name, 0) + n
    return ValidationReport(
        dataset="daily prices", as_of=first.as_of, rows=sum(r.rows for r in reports), passed=True, results=results,
        quarantined=sum(r.quarantined for r in reports), quarantine_reasons=reasons,
        data_docs_path=next((r.data_docs_path for r in reports if r.data_docs_path), None),
        seconds=time.perf_counter() - started,
    )


def failure_message(report: ValidationReport, critical: list[dict]) -> str:
    day = f" for {report.as_of}" if report.as_of else ""
    # A broken schema makes the value checks of the same column unevaluable: name the cause first.
    evaluated = [r for r in critical if not r["error"]] or critical
    evaluated.sort(key=lambda r: r["type"] not in ("expect_column_to_exist", "expect_column_values_to_be_in_type_list"))
    parts = []
    for r in evaluated:
        if r["type"] == "expect_column_to_exist":
            text = f"{r['expectation']}: column {r['column']!r} is missing ({'; '.join(r['sample'])})"
        elif r["unexpected_count"]:
            n = r["unexpected_count"]
            text = f"{r['expectation']}: {n:,} row{'s' if n != 1 else ''}"
            if r["sample"]:
                text += ", e.g. " + "; ".join(r["sample"])
        elif r["error"]:
            text = f"{r['expectation']}: {r['error']}"
        else:
            text = f"{r['expectation']}: observed {r['observed']}"
        parts.append(text)
    noun = "expectation" if len(parts) == 1 else "expectations"
    message = f"{report.dataset}{day} failed critical {noun} " + " | ".join(parts)
    skipped = len(critical) - len(evaluated)
    if skipped:
        message += f" (and {skipped} more that could not be evaluated)"
    return message
