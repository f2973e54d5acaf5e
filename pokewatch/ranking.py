"""The ranking gate: a signal carries its rank in the day's universe (return_rank_pct) only while the walk-forward
shows the model orders that universe by what happens next — the mean daily Spearman between predicted and realised
return at least `min_spearman`, with its block-bootstrap interval above zero (pokewatch.ranking_skill)."""

from __future__ import annotations

COLUMNS = ["horizon_days", "dataset", "history_days", "spearman", "spearman_low", "spearman_high", "days", "proven",
           "summary", "mlflow_run_id"]


def record(accuracy: dict, min_spearman: float) -> tuple[bool, str]:
    """Whether one horizon's walk-forward ranks well enough to publish ranks, and why, in words."""
    h, rho, low, high = accuracy["horizon"], accuracy["spearman"], accuracy["spearman_low"], accuracy["spearman_high"]
    if not accuracy.get("spearman_days"):
        return False, f"no ranking skill at {h} days: no decision day with 20 series to rank"
    numbers = (f"daily Spearman {rho:+.3f} (90% interval {low:+.3f}..{high:+.3f}) over "
               f"{accuracy['spearman_days']} walk-forward days")
    proven = rho >= min_spearman and low > 0
    verdict = "ranking skill" if proven else f"no ranking skill (needs >= {min_spearman:.2f} with the interval above 0)"
    return proven, f"{verdict} at {h} days: {numbers}"


def save(conn, accuracy: list[dict], dataset: str, history_days: str, mlflow_run_id: str | None,
         min_spearman: float) -> int:
    """Store each horizon's ranking record of one walk-forward (in the caller's transaction)."""
    rows = []
    for a in accuracy:
        proven, summary = record(a, min_spearman)
        rows.append((a["horizon"], dataset, history_days, _number(a["spearman"]), _number(a["spearman_low"]),
                     _number(a["spearman_high"]), int(a.get("spearman_days") or 0), proven, summary, mlflow_run_id))
    with conn.cursor() as cur:
        cur.executemany(f"insert into pokewatch.ranking_skill ({', '.join(COLUMNS)}) "
                        f"values ({', '.join(['%s'] * len(COLUMNS))})", rows)
    return len(rows)


def load(conn, horizon: int) -> tuple[bool, str]:
    """The newest ranking record at this horizon: (proven, summary); no record is not proven."""
    row = conn.execute("select proven, summary from pokewatch.ranking_skill where horizon_days = %s "
                       "order by measured_at desc limit 1", (horizon,)).fetchone()
    return (bool(row[0]), row[1]) if row else (False, f"no ranking skill at {horizon} days: no walk-forward record")


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)
