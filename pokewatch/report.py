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
        ["card", "product", "variant", "profile", "market", "fair", "net after costs", "confidence", "reason"],
        [[getattr(r, "card_name", None) or f"product #{r.product_id}", r.product_id, r.variant, r.profile,
          float(r.market), float(r.fair_price), share(r.net_return), float(r.confidence), r.reason]
         for r in rows.itertuples()],
    )


def _by(version: int) -> str:
    return f"with model version {version}" if version else "at the last price: no model beats it (all HOLD)"


def signals_markdown(result) -> str:
    counts = " · ".join(f"{k}: {v}" for k, v in result.counts.items())
    return (
        f"## Signals\n\n{result.rows} signals published {_by(result.model_version)} ({counts}).\n\n"
        f"### Biggest BUY\n\n{opportunities(result.top, 'BUY')}\n\n### Biggest SELL\n\n{opportunities(result.top, 'SELL')}\n"
    )


def nightly_markdown(run, results: dict, error: BaseException | None = None, links: list[str | None] = ()) -> str:
    """The run's summary; `links` (pokewatch.links: the MLflow run, Data Docs) go under its first line."""
    status = f"FAILED: {error}" if error else "succeeded"
    lines = [f"# PokeWatch nightly {run.as_of}: {status}", "", f"Run `{run.run_id}`.", ""]
    lines += [f"- {link}" for link in links if link] + ([""] if any(links) else [])
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
    if "grade" in results:
        lines += ["", track_record_markdown(results["grade"])]
    if "alerts" in results:
        lines += ["", f"**Alerts:** {results['alerts'].line()}"]
    if "drift" in results:
        lines += ["", f"**Drift:** {results['drift'].line()}"]
    return "\n".join(lines)


def share(value, signed: bool = True, digits: int = 1) -> str:
    """A fraction as a percent for people ("+4.1%", "95.0%"); "-" when there is no number."""
    if value is None or value != value:
        return "-"
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def track_record_markdown(result) -> str:
    """The live record of the versions graded this run (pokewatch.track_record.GradeResult)."""
    lines = [f"## Track record\n\n{result.line()}."]
    if result.summary:
        lines += ["", _table(
            ["kind", "model", "horizon", "profile", "signal", "graded", "hit rate", "mean net", "trade-all net",
             "always-HOLD hit rate"],
            [[r["kind"], r["model_version"], f"{r['horizon_days']}d", r["profile"], r["signal"], r["n"],
              share(r["hit_rate"], signed=False), share(r["mean_net_return"]), share(r["always_trade_mean_net_return"]),
              share(r["always_hold_hit_rate"], signed=False)] for r in result.summary])]
    return "\n".join(lines)


def alerts_markdown(result, top) -> str:
    """The day's alerts (top: rows of the alert_feed view) and each kind's follow-through."""
    lines = [f"## Alerts\n\n{result.line()}."]
    if len(top):
        lines += ["", _table(["card", "variant", "kind", "detail"],
                             [[r.card_name or f"product #{r.product_id}", r.variant, r.kind, r.detail]
                              for r in top.itertuples()])]
    stats = result.follow_through[result.follow_through["alerts"] > 0]
    if len(stats):
        lines += ["", f"What followed such alerts in the history ({result.history_from}..{result.history_to}):", "",
                  _table(["kind", "past alerts", "mean move after", "median move after", "gave back half"],
                         [[r.kind, r.alerts, share(r.mean_move), share(r.median_move),
                           share(r.gave_back_half_share, signed=False, digits=0)] for r in stats.itertuples()])]
    return "\n".join(lines)


def drift_markdown(result) -> str:
    rows = result.rows.sort_values("value", ascending=False)
    return (f"## Drift\n\n{result.line()}.\n\n"
            + _table(["measure", "name", "PSI", "drifted", "detail"],
                     [[r.measure, r.name, round(r.value, 4), "yes" if r.drifted else "", r.detail]
                      for r in rows.itertuples()]))
