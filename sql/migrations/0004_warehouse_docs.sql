-- The analysts' warehouse: model metrics per training run, indexes for dashboard filters, and a comment on
-- every table and column of 0001 (views carry their own comments in sql/views/). See docs/sql.md.
-- depends: 0001_warehouse

-- Metrics of every trained model version (champion or not), overall and by slice, one value per row.
create table pokewatch.model_metrics (
    as_of            date not null,
    model_version    integer not null,
    mlflow_run_id    text not null,
    promoted         boolean not null,
    reason           text not null,
    metric           text not null,
    slice_dimension  text not null default 'overall',
    slice_value      text not null default 'all',
    value            double precision,
    recorded_at      timestamptz not null default now(),
    primary key (as_of, model_version, metric, slice_dimension, slice_value)
);
create index model_metrics_version_idx on pokewatch.model_metrics (model_version);

-- Dashboard filters: a card's (or a set's) price history; card search by name.
create index prices_product_as_of_idx on pokewatch.prices (product_id, as_of);
create index prices_set_as_of_idx on pokewatch.prices (set_id, as_of);
create index cards_lower_name_idx on pokewatch.cards (lower(name) text_pattern_ops);

comment on schema pokewatch is
    'PokeWatch warehouse: daily card prices (tcgcsv / TCGplayer), fair-price model signals and run logs. Analysts read the views; see docs/sql.md.';

comment on table pokewatch.sets is 'Pokémon TCG sets (TCGplayer groups), one row per set; reference data refreshed on every landing.';
comment on column pokewatch.sets.set_id is 'TCGplayer group id of the set (primary key).';
comment on column pokewatch.sets.name is 'Set name as TCGplayer shows it, e.g. "SV08: Surging Sparks".';
comment on column pokewatch.sets.abbreviation is 'Short set code, e.g. "SSP"; null when TCGplayer has none.';
comment on column pokewatch.sets.series is 'Series the set belongs to, when known (e.g. "Scarlet & Violet").';
comment on column pokewatch.sets.release_date is 'Release date of the set (published date on TCGplayer).';
comment on column pokewatch.sets.modified_on is 'When TCGplayer last modified the set''s metadata.';
comment on column pokewatch.sets.updated_at is 'When PokeWatch last changed this row.';

comment on table pokewatch.cards is 'Cards and sealed products (TCGplayer products), one row per product; every priced product has a row (names may be null until its reference data arrives).';
comment on column pokewatch.cards.product_id is 'TCGplayer product id (primary key); joins to prices and signals.';
comment on column pokewatch.cards.set_id is 'Set of the product (pokewatch.sets.set_id).';
comment on column pokewatch.cards.name is 'Product name as TCGplayer shows it, e.g. "Pikachu ex - 238/191".';
comment on column pokewatch.cards.clean_name is 'Name without punctuation, for search.';
comment on column pokewatch.cards.number is 'Collector number within the set, e.g. "238/191"; null for sealed products.';
comment on column pokewatch.cards.rarity is 'Rarity, e.g. "Special Illustration Rare"; null for sealed products.';
comment on column pokewatch.cards.card_type is 'Card type (e.g. "Lightning") when TCGplayer provides it.';
comment on column pokewatch.cards.updated_at is 'When PokeWatch last changed this row.';

comment on table pokewatch.prices is 'Daily prices, one row per source, product, printing variant and day; landed whole days at a time (see pokewatch.landings). US dollars.';
comment on column pokewatch.prices.source is 'Where the price came from: "tcgcsv" (TCGplayer prices via tcgcsv.com) or another configured source.';
comment on column pokewatch.prices.product_id is 'TCGplayer product id (pokewatch.cards.product_id).';
comment on column pokewatch.prices.variant is 'Printing variant (TCGplayer subTypeName), e.g. "Normal", "Holofoil", "Reverse Holofoil".';
comment on column pokewatch.prices.as_of is 'Day the price is for (the source''s publication day).';
comment on column pokewatch.prices.set_id is 'Set of the product on that day (pokewatch.sets.set_id).';
comment on column pokewatch.prices.low is 'Lowest listing price, USD.';
comment on column pokewatch.prices.mid is 'Mid listing price, USD.';
comment on column pokewatch.prices.high is 'Highest listing price, USD.';
comment on column pokewatch.prices.market is 'TCGplayer market price (recent sales), USD; the price the model predicts and signals compare against.';
comment on column pokewatch.prices.direct_low is 'Lowest TCGplayer Direct listing, USD; often null.';
comment on column pokewatch.prices.collected_at is 'When PokeWatch landed or last changed this row.';

comment on table pokewatch.landings is 'Completed landings: a (source, day) is here only once all its prices are in pokewatch.prices; training and scoring use landed days only.';
comment on column pokewatch.landings.source is 'Price source (as in pokewatch.prices.source).';
comment on column pokewatch.landings.as_of is 'Day landed.';
comment on column pokewatch.landings.rows is 'Price rows landed for the day.';
comment on column pokewatch.landings.sets is 'Distinct sets among those rows.';
comment on column pokewatch.landings.last_updated is 'The source''s own "last updated" stamp, used to skip unchanged days.';
comment on column pokewatch.landings.landed_at is 'When the landing completed (last time, if landed again).';

comment on table pokewatch.runs is 'One row per nightly (or backfill) run: status, per-stage rows and seconds, the model version used and the train decision.';
comment on column pokewatch.runs.run_id is 'PokeWatch run id (primary key); signals carry it.';
comment on column pokewatch.runs.flow_run_id is 'Prefect flow run id, when run by Prefect.';
comment on column pokewatch.runs.as_of is 'Day the run was for.';
comment on column pokewatch.runs.status is 'running, succeeded, failed or skipped.';
comment on column pokewatch.runs.started_at is 'When the run started.';
comment on column pokewatch.runs.finished_at is 'When the run finished; null while running (or if it died).';
comment on column pokewatch.runs.collect_rows is 'Price rows collected.';
comment on column pokewatch.runs.collect_seconds is 'Seconds spent collecting.';
comment on column pokewatch.runs.validate_rows is 'Rows validated.';
comment on column pokewatch.runs.validate_seconds is 'Seconds spent validating.';
comment on column pokewatch.runs.train_rows is 'Rows the model was fitted on.';
comment on column pokewatch.runs.train_seconds is 'Seconds spent training and evaluating.';
comment on column pokewatch.runs.score_rows is 'Series scored.';
comment on column pokewatch.runs.score_seconds is 'Seconds spent scoring.';
comment on column pokewatch.runs.publish_rows is 'Signals published.';
comment on column pokewatch.runs.publish_seconds is 'Seconds spent publishing.';
comment on column pokewatch.runs.model_version is 'Model version (MLflow registry) whose signals the run published.';
comment on column pokewatch.runs.decision is 'Train decision: whether the new model was promoted, and why.';
comment on column pokewatch.runs.error is 'Why the run failed, if it did.';

comment on table pokewatch.signals is 'Model output: per card variant, day and model version, the fair price, its band and a BUY/SELL/HOLD signal. A day''s set for a model version is replaced in one transaction: readers see all of it or none.';
comment on column pokewatch.signals.product_id is 'TCGplayer product id (pokewatch.cards.product_id).';
comment on column pokewatch.signals.variant is 'Printing variant, e.g. "Holofoil".';
comment on column pokewatch.signals.as_of is 'Day the signal is for (prices up to and including this day).';
comment on column pokewatch.signals.model_version is 'Model version (MLflow registry) that produced the signal.';
comment on column pokewatch.signals.market_price is 'TCGplayer market price on as_of, USD.';
comment on column pokewatch.signals.fair_price is 'Model fair price (expected market price a week ahead), USD.';
comment on column pokewatch.signals.fair_low is 'Lower end of the calibrated fair-price band (80 % by default), USD.';
comment on column pokewatch.signals.fair_high is 'Upper end of the calibrated fair-price band, USD.';
comment on column pokewatch.signals.deviation_pct is 'How far the market is from fair, in percent: (market - fair) / fair * 100; negative = under-priced.';
comment on column pokewatch.signals.signal is 'BUY (market below the band and the gain clears costs), SELL (above, same test) or HOLD.';
comment on column pokewatch.signals.confidence is 'Confidence in the signal, 0 to 1 (distance outside the band and history length).';
comment on column pokewatch.signals.reason is 'Plain-language reason for the signal, e.g. "thin market: 3 days of history".';
comment on column pokewatch.signals.run_id is 'PokeWatch run that published the signal (pokewatch.runs.run_id).';
comment on column pokewatch.signals.scored_at is 'When the signal was written.';

comment on table pokewatch.model_metrics is 'Held-out metrics of every trained model version, overall (slice_dimension = ''overall'') and by slice (price_band, variant, set_age). One value per row; pokewatch.model_performance pivots the overall ones.';
comment on column pokewatch.model_metrics.as_of is 'Day the model was trained for.';
comment on column pokewatch.model_metrics.model_version is 'Model version in the MLflow registry.';
comment on column pokewatch.model_metrics.mlflow_run_id is 'MLflow run id holding the model, its parameters and artefacts.';
comment on column pokewatch.model_metrics.promoted is 'Whether this version became the champion (the model that scores).';
comment on column pokewatch.model_metrics.reason is 'Why it was promoted or not (the number that decided).';
comment on column pokewatch.model_metrics.metric is 'Metric name: mape, median_ape, band_coverage, coverage, n, <baseline>_mape, champion_mape, ...';
comment on column pokewatch.model_metrics.slice_dimension is '''overall'' for whole-test-set metrics, else the slice: price_band, variant or set_age.';
comment on column pokewatch.model_metrics.slice_value is '''all'' for overall metrics, else the slice''s value, e.g. "$5-$20" or "Holofoil".';
comment on column pokewatch.model_metrics.value is 'The metric''s value (shares as fractions: 0.12 = 12 %); null when undefined (NaN).';
comment on column pokewatch.model_metrics.recorded_at is 'When the row was written.';
