-- signal_class_edges: one row per signal class (horizon x cost profile x BUY/SELL): its newest walk-forward record,
-- the one scoring publishes by. A class whose record is not proven publishes HOLD with the summary as reason.
drop view if exists pokewatch.signal_class_edges cascade;

create view pokewatch.signal_class_edges as

with edges as (

    select * from pokewatch.signal_edges

),

newest as (

    select distinct on (horizon_days, profile, signal) *
    from edges
    order by horizon_days, profile, signal, measured_at desc

),

final as (

    select
        horizon_days,
        profile,
        signal,
        proven,
        trades,
        blocks,
        hit_rate,
        mean_return,
        median_return,
        mean_low,
        mean_high,
        excess_vs_buy_all as excess_vs_trade_all,
        excess_low,
        summary,
        dataset,
        history_days,
        measured_at,
        mlflow_run_id

    from newest

)

select * from final;

comment on view pokewatch.signal_class_edges is
    'Each signal class''s newest walk-forward record (horizon x cost profile x BUY/SELL): whether it may publish BUY/SELL (proven) and its numbers. Returns are shares after the profile''s costs.';
comment on column pokewatch.signal_class_edges.horizon_days is 'Forecast horizon of the class, days.';
comment on column pokewatch.signal_class_edges.profile is 'Cost profile (pokewatch.cost_profiles).';
comment on column pokewatch.signal_class_edges.signal is 'BUY or SELL.';
comment on column pokewatch.signal_class_edges.proven is 'True: the class publishes its BUY/SELL; false: its rows say HOLD with the summary.';
comment on column pokewatch.signal_class_edges.trades is 'Walk-forward trades of the class.';
comment on column pokewatch.signal_class_edges.blocks is 'Non-overlapping horizon-long blocks of decision days holding those trades (at least POKEWATCH_EDGE_MIN_BLOCKS to be proven).';
comment on column pokewatch.signal_class_edges.hit_rate is 'Share of trades with a positive net return.';
comment on column pokewatch.signal_class_edges.mean_return is 'Mean net return per trade after the profile''s costs (always-HOLD earns 0).';
comment on column pokewatch.signal_class_edges.median_return is 'Median net return per trade after costs.';
comment on column pokewatch.signal_class_edges.mean_low is 'Lower end of the block-bootstrap interval of mean_return (90 % by default).';
comment on column pokewatch.signal_class_edges.mean_high is 'Upper end of that interval.';
comment on column pokewatch.signal_class_edges.excess_vs_trade_all is 'Mean net return over making the same trade on every card the same days.';
comment on column pokewatch.signal_class_edges.excess_low is 'Lower end of the block-bootstrap interval of excess_vs_trade_all.';
comment on column pokewatch.signal_class_edges.summary is 'The record in words: the reason a gated signal row quotes.';
comment on column pokewatch.signal_class_edges.dataset is 'History the walk-forward ran on (warehouse, or a shared file).';
comment on column pokewatch.signal_class_edges.history_days is 'First..last day of that history.';
comment on column pokewatch.signal_class_edges.measured_at is 'When the walk-forward ran.';
comment on column pokewatch.signal_class_edges.mlflow_run_id is 'MLflow run of the walk-forward (experiment pokewatch-backtest).';
