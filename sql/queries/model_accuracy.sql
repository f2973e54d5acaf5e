-- Model accuracy over time: each trained version's held-out error beside the "price stays put" baseline,
-- its band coverage, and whether it was promoted. Shares are percents here. No parameters.

with performance as (

    select * from pokewatch.model_performance

),

final as (

    select
        as_of,
        model_version,
        promoted,
        round((mape * 100)::numeric, 2) as mape_pct,
        round((median_ape * 100)::numeric, 2) as median_ape_pct,
        round((last_price_mape * 100)::numeric, 2) as last_price_mape_pct,
        round((mape_gain_vs_last_price * 100)::numeric, 2) as gain_vs_last_price_pct_points,
        round((band_coverage * 100)::numeric, 1) as band_coverage_pct,
        round((champion_mape * 100)::numeric, 2) as champion_mape_pct,
        worst_slice,
        round((worst_slice_mape * 100)::numeric, 2) as worst_slice_mape_pct,
        test_rows,
        reason,
        mlflow_run_id

    from performance

)

select * from final
order by as_of, model_version;
