-- Cost profiles: costs are not one number. A collector who keeps a card pays only the buyer's side, a seller who
-- holds one pays the seller's fees whether it sells now or later, a flipper pays both. Each profile is a fee model
-- (percent + fixed + shipping by price band) that users may edit; every signal, walk-forward record and graded
-- outcome now names the profile (and horizon) it was decided for. Rows from before keep their flat cost under a
-- 'legacy N%' profile name.
-- depends: 0012_drift

create table pokewatch.cost_profiles (
    profile                    text primary key,
    trade                      text not null check (trade in ('buy_to_keep', 'buy_to_resell', 'sell_held')),
    description                text not null,
    buyer_fee_share            double precision not null default 0 check (buyer_fee_share >= 0),
    buyer_fixed_usd            double precision not null default 0 check (buyer_fixed_usd >= 0),
    buyer_shipping_below_usd   double precision not null default 0 check (buyer_shipping_below_usd >= 0),
    buyer_shipping_above_usd   double precision not null default 0 check (buyer_shipping_above_usd >= 0),
    seller_fee_share           double precision not null default 0 check (seller_fee_share >= 0 and seller_fee_share < 1),
    seller_fixed_usd           double precision not null default 0 check (seller_fixed_usd >= 0),
    seller_shipping_below_usd  double precision not null default 0 check (seller_shipping_below_usd >= 0),
    seller_shipping_above_usd  double precision not null default 0 check (seller_shipping_above_usd >= 0),
    shipping_threshold_usd     double precision not null default 20 check (shipping_threshold_usd >= 0),
    fee_sources                text not null,
    updated_at                 timestamptz not null default now()
);

comment on table pokewatch.cost_profiles is
    'Who a signal is for, and what a trade costs them (a fee model by price). Seeded with collector, seller and flipper; edit the fees or add profiles (a profile is scored when POKEWATCH_PROFILES names it).';
comment on column pokewatch.cost_profiles.profile is 'Profile name, e.g. collector.';
comment on column pokewatch.cost_profiles.trade is 'What its signal means. buy_to_keep: BUY = buy now rather than in N days (only buyer costs count). buy_to_resell: BUY = buy now and resell in N days (both sides'' costs). sell_held: SELL = sell a card you hold now rather than in N days (seller costs apply either way).';
comment on column pokewatch.cost_profiles.description is 'Who the profile is, in words.';
comment on column pokewatch.cost_profiles.buyer_fee_share is 'Buyer-side fees as a share of the price (e.g. sales tax; 0 by default because it varies by state).';
comment on column pokewatch.cost_profiles.buyer_fixed_usd is 'Buyer-side fixed cost per purchase, USD.';
comment on column pokewatch.cost_profiles.buyer_shipping_below_usd is 'Shipping the buyer pays on a card priced under shipping_threshold_usd, USD.';
comment on column pokewatch.cost_profiles.buyer_shipping_above_usd is 'Shipping the buyer pays on a card priced at or above shipping_threshold_usd (tracked), USD.';
comment on column pokewatch.cost_profiles.seller_fee_share is 'Seller fees as a share of the sale price: marketplace commission + payment processing.';
comment on column pokewatch.cost_profiles.seller_fixed_usd is 'Seller fixed fee per sale (payment processing), USD.';
comment on column pokewatch.cost_profiles.seller_shipping_below_usd is 'Postage the seller pays on a card priced under shipping_threshold_usd (plain envelope), USD.';
comment on column pokewatch.cost_profiles.seller_shipping_above_usd is 'Postage the seller pays at or above shipping_threshold_usd (tracked), USD.';
comment on column pokewatch.cost_profiles.shipping_threshold_usd is 'Price from which shipping is tracked (the above rates apply), USD.';
comment on column pokewatch.cost_profiles.fee_sources is 'Where each fee comes from, so a user can check and update it.';
comment on column pokewatch.cost_profiles.updated_at is 'When the row was last written.';

insert into pokewatch.cost_profiles (profile, trade, description, buyer_shipping_below_usd, buyer_shipping_above_usd,
                                     seller_fee_share, seller_fixed_usd, seller_shipping_below_usd,
                                     seller_shipping_above_usd, fee_sources) values
    ('collector', 'buy_to_keep',
     'Wants the card and keeps it: BUY means buy now rather than in N days. Pays shipping on the purchase, never a resale fee.',
     1.00, 4.50, 0, 0, 0, 0,
     'Buyer shipping: typical TCGplayer seller shipping for a single card, about $1 in a plain envelope under $20 and $4-5 tracked above (issue 15 research; sellers set their own rates). Sales tax varies by state: 0 here, set buyer_fee_share for yours.'),
    ('seller', 'sell_held',
     'Holds the card: SELL means sell now rather than in N days. Seller fees are paid either way, so mostly the forecast''s uncertainty stands in the way.',
     0, 0, 0.1325, 0.30, 1.00, 4.50,
     'TCGplayer seller fee schedule: marketplace commission 10.75 % (10.25 % at higher seller levels) + payment processing 2.5 % + $0.30 per order. Postage: about $1 plain envelope under $20, $4-5 tracked above (issue 15 research).'),
    ('flipper', 'buy_to_resell',
     'Buys to resell: BUY must clear the purchase''s shipping and the resale''s fees and postage.',
     1.00, 4.50, 0.1325, 0.30, 1.00, 4.50,
     'Buyer shipping as collector; seller commission 10.75 % + processing 2.5 % + $0.30 and postage as seller (TCGplayer seller fee schedule; issue 15 research).');

-- The profile and horizon `latest_signals` shows unless a session says otherwise (set pokewatch.profile /
-- pokewatch.horizon_days); written from settings by every publication.
create table pokewatch.signal_defaults (
    id            boolean primary key default true check (id),
    profile       text not null,
    horizon_days  integer not null check (horizon_days > 0),
    updated_at    timestamptz not null default now()
);
insert into pokewatch.signal_defaults (profile, horizon_days) values ('collector', 7);
comment on table pokewatch.signal_defaults is
    'One row: the cost profile and horizon latest_signals shows by default (POKEWATCH_DEFAULT_PROFILE, POKEWATCH_HORIZON_DAYS at the last publication). A session can pick others: set pokewatch.profile = ''flipper''.';
comment on column pokewatch.signal_defaults.id is 'Always true: the table holds one row.';
comment on column pokewatch.signal_defaults.profile is 'Default cost profile.';
comment on column pokewatch.signal_defaults.horizon_days is 'Default horizon, days.';
comment on column pokewatch.signal_defaults.updated_at is 'When the defaults were last written.';

-- Signals: one row per product, variant, day, model version, horizon and profile.
update pokewatch.signals set horizon_days = 7 where horizon_days is null;
alter table pokewatch.signals alter column horizon_days set not null;
alter table pokewatch.signals add column profile text;
update pokewatch.signals set profile = case when cost_share is null then 'legacy'
                                            else 'legacy ' || round((cost_share * 100)::numeric) || '%' end;
alter table pokewatch.signals alter column profile set not null;
alter table pokewatch.signals drop constraint if exists signals_cost_share_check;
alter table pokewatch.signals add column net_return double precision;
update pokewatch.signals
    set net_return = abs(fair_price - market_price) / nullif(market_price, 0) - cost_share
    where cost_share is not null;
alter table pokewatch.signals add column return_rank_pct double precision
    check (return_rank_pct is null or (return_rank_pct > 0 and return_rank_pct <= 1));
alter table pokewatch.signals drop constraint signals_pkey;
alter table pokewatch.signals add primary key (product_id, variant, as_of, model_version, horizon_days, profile);
comment on column pokewatch.signals.profile is
    'Cost profile the decision was made for (pokewatch.cost_profiles); legacy N% = a flat round-trip cost from before profiles.';
comment on column pokewatch.signals.horizon_days is 'Days ahead the fair price forecasts (the signal''s horizon).';
comment on column pokewatch.signals.cost_share is
    'The profile''s costs at the fair price, in return points: gross return (fair vs market, in the trade''s direction) minus net_return.';
comment on column pokewatch.signals.return_rank_pct is
    'Percentile (0..1] of the series'' expected return (fair / market - 1) among the day''s scored series of this horizon and profile: 1 = the largest expected rise; null on rows from before ranks were stored.';
comment on column pokewatch.signals.net_return is
    'Net return of the profile''s trade (BUY or SELL) if the price reaches fair_price in horizon_days, after its costs: the gain every view shows.';

-- Walk-forward records per horizon x profile x signal.
alter table pokewatch.signal_edges add column profile text;
update pokewatch.signal_edges set profile = 'legacy ' || round((cost_share * 100)::numeric) || '%';
alter table pokewatch.signal_edges alter column profile set not null;
alter table pokewatch.signal_edges drop constraint signal_edges_pkey;
alter table pokewatch.signal_edges alter column cost_share drop not null;
alter table pokewatch.signal_edges add primary key (measured_at, horizon_days, signal, profile);
comment on column pokewatch.signal_edges.profile is 'Cost profile whose fees the trades paid (pokewatch.cost_profiles).';
comment on column pokewatch.signal_edges.cost_share is 'Flat round-trip cost of a legacy record; null for a profile''s record (its fees depend on the price).';

-- Graded outcomes per profile; trade_return is what the profile's trade would have made on that card, so the
-- "do it on everything" baseline and HOLD's hit are the same arithmetic as the trade.
alter table pokewatch.signal_outcomes add column profile text;
update pokewatch.signal_outcomes set profile = 'legacy ' || round((cost_share * 100)::numeric) || '%';
alter table pokewatch.signal_outcomes alter column profile set not null;
alter table pokewatch.signal_outcomes add column trade_return double precision;
update pokewatch.signal_outcomes set trade_return = market_move - cost_share;
alter table pokewatch.signal_outcomes alter column trade_return set not null;
alter table pokewatch.signal_outcomes drop constraint if exists signal_outcomes_cost_share_check;
alter table pokewatch.signal_outcomes drop constraint signal_outcomes_pkey;
alter table pokewatch.signal_outcomes alter column cost_share drop not null;
alter table pokewatch.signal_outcomes add primary key (kind, product_id, variant, as_of, model_version, horizon_days, profile);
comment on column pokewatch.signal_outcomes.profile is 'Cost profile the signal was decided for.';
comment on column pokewatch.signal_outcomes.cost_share is 'The profile''s costs the signal stored, in return points at its fair price.';
comment on column pokewatch.signal_outcomes.trade_return is 'Net return the profile''s trade (BUY for collector/flipper, SELL for seller; a legacy profile: BUY) would have made at realised_price, after its costs.';
comment on column pokewatch.signal_outcomes.net_return is 'BUY/SELL: the net return of the trade made (a legacy SELL: the move avoided less its flat cost); HOLD: null (no trade).';
comment on column pokewatch.signal_outcomes.hit is 'BUY/SELL: net_return > 0. HOLD: trade_return <= 0 (the trade would not have paid).';
