-- Every signal stores the cost its decision used, so views compute gains from the same number the signal rule
-- cleared (a BI chart never contradicts a signal). Rows published before this migration have no stored cost.
-- depends: 0005_partitioning

alter table pokewatch.signals add column cost_share double precision
    check (cost_share is null or cost_share >= 0);

comment on column pokewatch.signals.cost_share is
    'Costs the decision had to clear (fees + shipping) as a share of the market price, e.g. 0.25; null on rows published before costs were stored.';
