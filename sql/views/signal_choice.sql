-- signal_choice: the cost profile and horizon the default views show (latest_signals, card_history, the shipped
-- queries): the session's own choice if it made one, else pokewatch.signal_defaults (written from settings).
--   set pokewatch.profile = 'flipper';  set pokewatch.horizon_days = '30';
drop view if exists pokewatch.signal_choice cascade;

create view pokewatch.signal_choice as

with defaults as (

    select profile, horizon_days from pokewatch.signal_defaults

),

final as (

    select
        coalesce(nullif(current_setting('pokewatch.profile', true), ''), defaults.profile) as profile,
        coalesce(nullif(current_setting('pokewatch.horizon_days', true), '')::integer, defaults.horizon_days)
            as horizon_days

    from defaults

)

select * from final;

comment on view pokewatch.signal_choice is
    'The cost profile and horizon default views show: the session''s pokewatch.profile / pokewatch.horizon_days if set, else pokewatch.signal_defaults.';
comment on column pokewatch.signal_choice.profile is 'Cost profile shown (pokewatch.cost_profiles).';
comment on column pokewatch.signal_choice.horizon_days is 'Horizon shown, days.';
