-- alert_feed: every alert with the card's name and set, and what alerts of its kind did next in the history
-- (the follow-through computed on the same run day).
-- requires: catalogue
drop view if exists pokewatch.alert_feed cascade;

create view pokewatch.alert_feed as

with alerts as (

    select * from pokewatch.alerts

),

follow_through as (

    select * from pokewatch.alert_follow_through

),

catalogue as (

    select product_id, card_name, card_number, set_name, language
    from pokewatch.catalogue

),

final as (

    select
        alerts.as_of,
        alerts.product_id,
        alerts.variant,
        catalogue.card_name,
        catalogue.card_number,
        catalogue.set_name,
        catalogue.language,
        alerts.kind,
        alerts.market_price,
        alerts.reference_price,
        alerts.change_pct,
        alerts.detail,
        follow_through.alerts as kind_history_alerts,
        follow_through.mean_move as kind_mean_move_after,
        follow_through.median_move as kind_median_move_after,
        follow_through.gave_back_half_share as kind_gave_back_half_share,
        follow_through.days_after as kind_days_after

    from alerts
    left join catalogue on catalogue.product_id = alerts.product_id
    left join follow_through
        on follow_through.as_of = alerts.as_of and follow_through.kind = alerts.kind

)

select * from final;

comment on view pokewatch.alert_feed is
    'Movers and alerts with names: one row per card variant, day and alert kind, beside what alerts of that kind did in the following days of the landed history. Filter on as_of for a day''s feed.';
comment on column pokewatch.alert_feed.as_of is 'Day of the alert.';
comment on column pokewatch.alert_feed.product_id is 'TCGplayer product id.';
comment on column pokewatch.alert_feed.variant is 'Printing variant, e.g. "Holofoil".';
comment on column pokewatch.alert_feed.card_name is 'Card or sealed product name; null if unknown.';
comment on column pokewatch.alert_feed.card_number is 'Number within the set.';
comment on column pokewatch.alert_feed.set_name is 'Set name.';
comment on column pokewatch.alert_feed.language is 'en or ja.';
comment on column pokewatch.alert_feed.kind is 'rise_1d, drop_1d, rise_7d, drop_7d, rise_30d, drop_30d, high_30d, low_30d, high_90d, low_90d, stale_market or thin_market (see pokewatch.alerts.kind).';
comment on column pokewatch.alert_feed.market_price is 'Market price on the day, USD.';
comment on column pokewatch.alert_feed.reference_price is 'Price compared with: N days before, the previous high or low, or the lowest ask.';
comment on column pokewatch.alert_feed.change_pct is 'Change against the reference, percent.';
comment on column pokewatch.alert_feed.detail is 'The alert in words.';
comment on column pokewatch.alert_feed.kind_history_alerts is 'Alerts of this kind in the history with kind_days_after days after them (the follow-through sample).';
comment on column pokewatch.alert_feed.kind_mean_move_after is 'Mean market move kind_days_after days after such alerts (0.05 = +5 %).';
comment on column pokewatch.alert_feed.kind_median_move_after is 'Median of that move.';
comment on column pokewatch.alert_feed.kind_gave_back_half_share is 'Share of such moves that gave back at least half within kind_days_after days (null for stale and thin markets).';
comment on column pokewatch.alert_feed.kind_days_after is 'Days after the alert the follow-through looks at.';
