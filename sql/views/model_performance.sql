-- model_performance: one row per trained model version (MLflow run), its overall held-out metrics beside
-- the naive baselines, the promotion decision, its worst slice, and its live error once its forecasts ended.
drop view if exists pokewatch.model_performance cascade;

create view pokewatch.model_performance as

with metrics as (

    select * from pokewatch.model_metrics

),

overall as (

    select
        as_of,
        model_version,
        mlflow_run_id,
        promoted,
        reason,
        max(value) filter (where metric = 'mape') as mape,
        max(value) filter (where metric = 'median_ape') as median_ape,
        max(value) filter (where metric = 'band_coverage') as band_coverage,
        max(value) filter (where metric = 'coverage') as coverage,
        max(value) filter (where metric = 'n') as test_rows,
        max(value) filter (where metric = 'last_price_mape') as last_price_mape,
        max(value) filter (where metric = 'rolling_median_7_mape') as rolling_median_7_mape,
        max(value) filter (where metric = 'seed_mean_3_mape') as seed_mean_3_mape,
        max(value) filter (where metric = 'champion_mape') as champion_mape,
        max(value) filter (where metric = 'skill_low') as skill_low,
        max(value) filter (where metric = 'skill_high') as skill_high,
        max(recorded_at) as recorded_at

    from metrics
    where slice_dimension = 'overall'
    group by as_of, model_version, mlflow_run_id, promoted, reason

),

worst_slice as (

    select distinct on (as_of, model_version)
        as_of,
        model_version,
        slice_dimension || '=' || slice_value as worst_slice,
        value as worst_slice_mape

    from metrics
    where slice_dimension <> 'overall' and metric = 'mape' and value is not null
    order by as_of, model_version, value desc

),

forecasts as (

    -- forecasts the model published whose horizon has ended (pokewatch.signal_outcomes, graded nightly): one per
    -- series, day and horizon, however many cost profiles decided on it
    select distinct on (product_id, variant, as_of, model_version, horizon_days)
        model_version, fair_price, market_price, realised_price, end_day

    from pokewatch.signal_outcomes
    where kind = 'live' and model_version > 0 and fair_price is not null and realised_price > 0
    order by product_id, variant, as_of, model_version, horizon_days

),

live as (

    select
        model_version,
        count(*) as live_rows,
        avg(abs(fair_price - realised_price) / realised_price)::float8 as live_mape,
        avg(abs(market_price - realised_price) / realised_price)::float8 as live_last_price_mape,
        max(end_day) as live_through

    from forecasts
    group by model_version

),

final as (

    select
        overall.as_of,
        overall.model_version,
        overall.mlflow_run_id,
        overall.promoted,
        overall.reason,
        overall.mape,
        overall.median_ape,
        overall.band_coverage,
        overall.coverage,
        overall.test_rows::bigint as test_rows,
        overall.last_price_mape,
        overall.rolling_median_7_mape,
        overall.seed_mean_3_mape,
        overall.champion_mape,
        overall.last_price_mape - overall.mape as mape_gain_vs_last_price,
        overall.skill_low as mape_gain_low,
        overall.skill_high as mape_gain_high,
        worst_slice.worst_slice,
        worst_slice.worst_slice_mape,
        live.live_rows,
        live.live_mape,
        live.live_last_price_mape,
        live.live_last_price_mape - live.live_mape as live_mape_gain_vs_last_price,
        live.live_through,
        overall.recorded_at

    from overall
    left join worst_slice
        on worst_slice.as_of = overall.as_of and worst_slice.model_version = overall.model_version
    left join live
        on live.model_version = overall.model_version

)

select * from final;

comment on view pokewatch.model_performance is
    'One row per trained model version: overall held-out metrics (shares as fractions: 0.12 = 12 %), the naive baselines on the same rows, the promotion decision and the worst slice. From pokewatch.model_metrics.';
comment on column pokewatch.model_performance.as_of is 'Day the model was trained for.';
comment on column pokewatch.model_performance.model_version is 'Model version in the MLflow registry.';
comment on column pokewatch.model_performance.mlflow_run_id is 'MLflow run id.';
comment on column pokewatch.model_performance.promoted is 'Whether it became the champion.';
comment on column pokewatch.model_performance.reason is 'Why it was promoted or not.';
comment on column pokewatch.model_performance.mape is 'Mean absolute percentage error of the fair price vs the market price a week later, held-out days.';
comment on column pokewatch.model_performance.median_ape is 'Median absolute percentage error, held-out days.';
comment on column pokewatch.model_performance.band_coverage is 'Share of held-out prices inside the fair band (target: the band level, 0.80).';
comment on column pokewatch.model_performance.coverage is 'Share of the day''s priced series the model could score.';
comment on column pokewatch.model_performance.test_rows is 'Held-out rows the metrics are over.';
comment on column pokewatch.model_performance.last_price_mape is 'MAPE of the naive baseline "price stays where it is".';
comment on column pokewatch.model_performance.rolling_median_7_mape is 'MAPE of the 7-day rolling median baseline.';
comment on column pokewatch.model_performance.seed_mean_3_mape is 'MAPE of the 3-day mean baseline.';
comment on column pokewatch.model_performance.champion_mape is 'MAPE of the then champion on the same rows; null for the first model.';
comment on column pokewatch.model_performance.mape_gain_vs_last_price is 'last_price_mape - mape: how much better than doing nothing (positive = better).';
comment on column pokewatch.model_performance.mape_gain_low is 'Lower end of the bootstrap interval (90 % by default, whole series resampled) of mape_gain_vs_last_price; a model is promoted only when it is above zero (the skill gate).';
comment on column pokewatch.model_performance.mape_gain_high is 'Upper end of the same interval.';
comment on column pokewatch.model_performance.worst_slice is 'Slice with the highest MAPE, e.g. "price_band=<$1".';
comment on column pokewatch.model_performance.worst_slice_mape is 'MAPE on that slice.';
comment on column pokewatch.model_performance.live_rows is 'Published forecasts of this version graded so far (their horizon ended on a landed day); null until then.';
comment on column pokewatch.model_performance.live_mape is 'Live MAPE: |fair price - price at the horizon''s end| / that price, over live_rows. Compare with mape (held out at training).';
comment on column pokewatch.model_performance.live_last_price_mape is 'MAPE of "price stays where it is" on the same live rows.';
comment on column pokewatch.model_performance.live_mape_gain_vs_last_price is 'live_last_price_mape - live_mape (positive = the model beat the last price live).';
comment on column pokewatch.model_performance.live_through is 'Last end day graded.';
comment on column pokewatch.model_performance.recorded_at is 'When the metrics were written.';
