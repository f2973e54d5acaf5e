"""Quarantine, beside landing: price rows a warning expectation rejected move out of `prices` into
`pokewatch.quarantine` (the row as jsonb, the expectations it failed, the run), in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import psycopg


def quarantine_rows(conn: psycopg.Connection, frame: pd.DataFrame, rejected: dict[str, list[int]], as_of: dt.date,
                    source: str, run_id: uuid.UUID | None) -> int:
    """Move the rows at the `rejected` frame positions (expectation name → positions) out of prices.

    All or nothing: its own transaction on an autocommit connection, a savepoint inside the caller's.
    Returns the number of rows moved.
    """
    reasons: dict[int, list[str]] = {}
    for name, positions in rejected.items():
        for pos in positions:
            reasons.setdefault(pos, []).append(name)
    positions = sorted(reasons)
    keys = frame.iloc[positions][["product_id", "variant"]]
    with conn.transaction():
        conn.execute(
            "create temp table if not exists quarantine_keys (product_id bigint, variant text, expectation text, "
            "expectations text[]) on commit drop"
        )
        conn.execute("truncate quarantine_keys")
        with conn.cursor().copy("copy quarantine_keys (product_id, variant, expectation, expectations) from stdin") as copy:
            for pos, product_id, variant in zip(positions, keys["product_id"], keys["variant"]):
                copy.write_row((int(product_id), variant, reasons[pos][0], reasons[pos]))
        conn.execute(
            """
            insert into pokewatch.quarantine as q
                (source, as_of, product_id, variant, expectation, expectations, run_id, row)
            select p.source, p.as_of, p.product_id, p.variant, k.expectation, k.expectations, %s, to_jsonb(p)
            from pokewatch.prices p
            join quarantine_keys k using (product_id, variant)
            where p.source = %s and p.as_of = %s
            on conflict (source, as_of, product_id, variant) do update
            set expectation = excluded.expectation, expectations = excluded.expectations,
                run_id = excluded.run_id, row = excluded.row, quarantined_at = now()
            """,
            (run_id, source, as_of),
        )
        moved = conn.execute(
            """
            delete from pokewatch.prices p using quarantine_keys k
            where p.source = %s and p.as_of = %s and p.product_id = k.product_id and p.variant = k.variant
            """,
            (source, as_of),
        ).rowcount
    return moved
