"""What people read about a run: Prefect artifacts (markdown, tables) and CLI summaries."""

from __future__ import annotations


def _table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value).replace("|", "\\|")


def collect_markdown(result) -> str:
    fields = ["source", "as_of", "rows", "inserted", "updated", "skipped", "seconds"]
    return "## Collect\n\n" + _table(fields, [[getattr(result, f, "") for f in fields]])


def decision_table(result) -> list[dict]:
    """The champion/challenger decision as rows for a Prefect table artifact."""
    m = result.metrics
    rows = [{"metric": k, "value": round(v, 5) if isinstance(v, float) else v} for k, v in m.items()]
    rows.insert(0, {"metric": "decision", "value": "promoted to champion" if result.promoted else "not promoted"})
    rows.insert(1, {"metric": "reason", "value": result.reason})
    rows.insert(2, {"metric": "model_version", "value": result.version})
    return rows


def opportunities(top, signal: str, n: int = 5) -> str:
    rows = top[top["signal"] == signal].head(n)
    if rows.empty:
        return f"No {signal} signals."
    return _table(
        ["card", "product", "variant", "market", "fair", "confidence", "reason"],
        [[getattr(r, "card_name", None) or f"product #{r.product_id}", r.product_id, r.variant, float(r.market),
          float(r.fair_price), float(r.confidence), r.reason] for r in rows.itertuples()],
    )


def _by(version: int) -> str:
    return f"with model version {version}" if version else "at the last price: no model beats it (all HOLD)"


def signals_markdown(result) -> str:
    counts = " · ".join(f"{k}: {v}" for k, v in result.counts.items())
    return (
        f"## Signals\n\n{result.rows} signals published {_by(result.model_version)} ({counts}).\n\n"
        f"### Biggest BUY\n\n{opportunities(result.top, 'BUY')}\n\n### Biggest SELL\n\n{opportunities(result.top, 'SELL')}\n"
    )


def nightly_markdown(run, results: dict, error: BaseException | None = None) -> str:
    status = f"FAILED: {error}" if error else "succeeded"
    lines = [f"# PokeWatch nightly {run.as_of}: {status}", "", f"Run `{run.run_id}`.", ""]
    lines.append(_table(["stage", "rows", "seconds"],
                        [[name, s.get("rows"), s.get("seconds")] for name, s in run.stages.items()]))
    if "validate" in results:
        v = results["validate"]
        lines += ["", f"**Validation:** {v.summary()}"]
    if "train" in results:
        t = results["train"]
        lines += ["", f"**Model:** version {t.version}, {'promoted' if t.promoted else 'not promoted'}: {t.reason}"]
    if "score" in results:
        lines += ["", signals_markdown(results["score"])]
    return "\n".join(lines)
