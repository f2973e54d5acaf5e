-- The ranking gate: does the model order the day's universe by what happens next? Each walk-forward stores, per
-- horizon, the mean over decision days of the Spearman correlation between predicted and realised return, with
-- its block-bootstrap interval. Signals publish their rank (return_rank_pct) only while the newest record of
-- their horizon is proven (POKEWATCH_MIN_SPEARMAN, 0.10, and an interval above zero).
-- depends: 0013_cost_profiles

create table pokewatch.ranking_skill (
    measured_at    timestamptz not null default now(),
    horizon_days   integer not null check (horizon_days > 0),
    dataset        text not null,
    history_days   text not null,
    spearman       double precision,
    spearman_low   double precision,
    spearman_high  double precision,
    days           integer not null,
    proven         boolean not null,
    summary        text not null,
    mlflow_run_id  text,
    primary key (measured_at, horizon_days)
);

comment on table pokewatch.ranking_skill is
    'Walk-forward ranking skill per horizon: the daily Spearman between predicted and realised return. Signals carry return_rank_pct only while the newest record of their horizon is proven.';
comment on column pokewatch.ranking_skill.measured_at is 'When the walk-forward ran.';
comment on column pokewatch.ranking_skill.horizon_days is 'Forecast horizon, days.';
comment on column pokewatch.ranking_skill.dataset is 'History it ran on: warehouse (landed prices) or a shared file.';
comment on column pokewatch.ranking_skill.history_days is 'First..last day of that history.';
comment on column pokewatch.ranking_skill.spearman is 'Mean over decision days of the Spearman correlation between predicted and realised return.';
comment on column pokewatch.ranking_skill.spearman_low is 'Lower end of its block-bootstrap interval (90 % by default; blocks as long as the horizon).';
comment on column pokewatch.ranking_skill.spearman_high is 'Upper end of that interval.';
comment on column pokewatch.ranking_skill.days is 'Decision days with at least 20 series.';
comment on column pokewatch.ranking_skill.proven is 'spearman >= POKEWATCH_MIN_SPEARMAN and spearman_low > 0: ranks are published.';
comment on column pokewatch.ranking_skill.summary is 'The record in words.';
comment on column pokewatch.ranking_skill.mlflow_run_id is 'MLflow run of the walk-forward (experiment pokewatch-backtest).';
