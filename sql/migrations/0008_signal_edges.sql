-- The walk-forward record of each signal class (horizon × BUY/SELL at a cost): a class publishes BUY/SELL only
-- while its newest record here is proven (pokewatch/edge.py). Written by `pokewatch backtest --store` and by the
-- train stage when a model is promoted.
-- depends: 0007_catalogues

create table pokewatch.signal_edges (
    measured_at        timestamptz not null default now(),
    dataset            text not null,
    history_days       text not null,
    horizon_days       integer not null,
    signal             text not null check (signal in ('BUY', 'SELL')),
    cost_share         double precision not null,
    trades             integer not null,
    blocks             integer not null,
    hit_rate           double precision,
    mean_return        double precision,
    median_return      double precision,
    mean_low           double precision,
    mean_high          double precision,
    excess_vs_buy_all  double precision,
    excess_low         double precision,
    proven             boolean not null,
    summary            text not null,
    mlflow_run_id      text,
    primary key (measured_at, horizon_days, signal, cost_share)
);

comment on table pokewatch.signal_edges is
    'Walk-forward record of each signal class (horizon x BUY/SELL at a cost share). Scoring publishes a class''s BUY/SELL only while its newest record is proven; otherwise HOLD with the summary as the reason.';
comment on column pokewatch.signal_edges.measured_at is 'When the walk-forward ran.';
comment on column pokewatch.signal_edges.dataset is 'History it ran on: warehouse (landed prices) or a shared file.';
comment on column pokewatch.signal_edges.history_days is 'First..last day of that history.';
comment on column pokewatch.signal_edges.horizon_days is 'Forecast horizon of the class, days.';
comment on column pokewatch.signal_edges.signal is 'BUY or SELL.';
comment on column pokewatch.signal_edges.cost_share is 'Round-trip cost the trades paid, share of the price.';
comment on column pokewatch.signal_edges.trades is 'Walk-forward trades of the class.';
comment on column pokewatch.signal_edges.blocks is 'Non-overlapping horizon-long blocks of decision days holding those trades.';
comment on column pokewatch.signal_edges.hit_rate is 'Share of trades with a positive net return.';
comment on column pokewatch.signal_edges.mean_return is 'Mean net return per trade after costs (always-HOLD earns 0).';
comment on column pokewatch.signal_edges.median_return is 'Median net return per trade after costs.';
comment on column pokewatch.signal_edges.mean_low is 'Lower end of the block-bootstrap interval of mean_return (90 % by default).';
comment on column pokewatch.signal_edges.mean_high is 'Upper end of that interval.';
comment on column pokewatch.signal_edges.excess_vs_buy_all is 'Mean net return over always-BUY (BUY) or always-SELL (SELL) on the same days.';
comment on column pokewatch.signal_edges.excess_low is 'Lower end of the block-bootstrap interval of excess_vs_buy_all.';
comment on column pokewatch.signal_edges.proven is 'At least edge_min_blocks blocks, mean_low > 0 and excess_low > 0.';
comment on column pokewatch.signal_edges.summary is 'The record in words: the reason a signal row quotes.';
comment on column pokewatch.signal_edges.mlflow_run_id is 'MLflow run of the backtest (experiment pokewatch-backtest).';
