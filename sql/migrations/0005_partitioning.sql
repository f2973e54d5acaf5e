-- Warehouse ready for years: `prices` and `signals` range-partitioned by month on as_of (declarative
-- partitioning), so a day's reads and writes touch one month's table and old months can be detached or
-- archived whole. No default partition: a default partition holding a month's rows would make creating that
-- month's partition later fail. Monthly partitions (pokewatch.prices_2025_10, …) are created ahead by
-- pokewatch.ensure_month_partition, called from pokewatch/partitions.py by landing, publication and the
-- flows. See docs/scaling.md.
-- depends: 0001_warehouse 0002_quarantine 0003_sources 0004_warehouse_docs

-- Views read these tables: drop them all; db.migrate re-creates every view from sql/views/ right after.
do $$
declare v record;
begin
    for v in select viewname from pg_views where schemaname = 'pokewatch' loop
        execute format('drop view if exists pokewatch.%I cascade', v.viewname);
    end loop;
end $$;

-- Creates one month's partition of prices or signals unless it exists; returns its name, or null if it was
-- there already. SECURITY DEFINER: the writer role may add a month (and nothing else) without owning the
-- tables. An advisory lock serialises concurrent callers; an existing partition costs no lock at all.
create function pokewatch.ensure_month_partition(parent text, month date) returns text
language plpgsql security definer set search_path = pg_catalog as $$
declare
    first_day date := date_trunc('month', month)::date;
    name text;
begin
    if parent not in ('prices', 'signals') then
        raise exception 'only pokewatch.prices and pokewatch.signals are partitioned by month, not %', parent;
    end if;
    name := format('%s_%s', parent, to_char(first_day, 'YYYY_MM'));
    if to_regclass(format('pokewatch.%I', name)) is not null then
        return null;
    end if;
    perform pg_advisory_xact_lock(hashtext('pokewatch.ensure_month_partition'));
    if to_regclass(format('pokewatch.%I', name)) is not null then
        return null;
    end if;
    execute format('create table pokewatch.%I partition of pokewatch.%I for values from (%L) to (%L)',
                   name, parent, first_day, (first_day + interval '1 month')::date);
    execute format('comment on table pokewatch.%I is %L', name,
                   format('Partition of pokewatch.%s for %s (as_of in [%s, %s)).', parent,
                          to_char(first_day, 'YYYY-MM'), first_day, (first_day + interval '1 month')::date));
    return name;
end $$;

comment on function pokewatch.ensure_month_partition(text, date) is
    'Create the monthly partition of pokewatch.prices or pokewatch.signals holding `month` unless it exists; returns its name, or null if it existed.';

-- Moves one table's rows into a new partitioned table of the same shape: same columns, defaults, checks,
-- primary key and index names, column and table comments (0004's) and grants.
create function pg_temp.partition_by_month(tbl text, key_columns text, index_ddl text[]) returns void
language plpgsql as $$
declare
    old text := tbl || '_unpartitioned';
    idx record;
    acl record;
    ddl text;
    m date;
begin
    execute format('alter table pokewatch.%I rename to %I', tbl, old);
    -- The new table takes the old index names (plans and tests know them): the old ones move aside.
    for idx in select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid
               where i.indrelid = format('pokewatch.%I', old)::regclass loop
        execute format('alter index pokewatch.%I rename to %I', idx.relname, 'old_' || idx.relname);
    end loop;
    execute format('create table pokewatch.%I (like pokewatch.%I including defaults including constraints '
                   'including comments including storage) partition by range (as_of)', tbl, old);
    execute format('alter table pokewatch.%I add primary key (%s)', tbl, key_columns);
    foreach ddl in array index_ddl loop
        execute ddl;
    end loop;
    execute format('comment on table pokewatch.%I is %L', tbl,
                   obj_description(format('pokewatch.%I', old)::regclass, 'pg_class'));
    for acl in select a.privilege_type, a.grantee from pg_class c, aclexplode(c.relacl) a
               where c.oid = format('pokewatch.%I', old)::regclass and a.grantee <> c.relowner loop
        execute format('grant %s on pokewatch.%I to %s', acl.privilege_type, tbl,
                       case when acl.grantee = 0 then 'public' else quote_ident(acl.grantee::regrole::text) end);
    end loop;
    -- One partition per month that holds rows, then the rows.
    for m in execute format('select distinct date_trunc(''month'', as_of)::date from pokewatch.%I', old) loop
        perform pokewatch.ensure_month_partition(tbl, m);
    end loop;
    execute format('insert into pokewatch.%I select * from pokewatch.%I', tbl, old);
    execute format('drop table pokewatch.%I', old);
end $$;

-- Index names and columns as 0001 and 0004 created them (primary keys include as_of, as partitioning needs).
do $$ begin perform pg_temp.partition_by_month('prices', 'source, product_id, variant, as_of', array[
    'create index prices_as_of_idx on pokewatch.prices (as_of)',
    'create index prices_product_as_of_idx on pokewatch.prices (product_id, as_of)',
    'create index prices_set_as_of_idx on pokewatch.prices (set_id, as_of)'
]); end $$;
do $$ begin perform pg_temp.partition_by_month('signals', 'product_id, variant, as_of, model_version', array[
    'create index signals_as_of_signal_idx on pokewatch.signals (as_of, signal)'
]); end $$;

comment on table pokewatch.prices is
    'Daily prices, one row per source, product, printing variant and day; landed whole days at a time (see pokewatch.landings). US dollars. Partitioned by month of as_of (pokewatch.prices_YYYY_MM).';
comment on table pokewatch.signals is
    'Model output: per card variant, day and model version, the fair price, its band and a BUY/SELL/HOLD signal. A day''s set for a model version is replaced in one transaction: readers see all of it or none. Partitioned by month of as_of (pokewatch.signals_YYYY_MM).';
