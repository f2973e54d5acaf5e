-- A run whose process was killed stays 'running' for good unless someone notices: the next run, holding the
-- writer lock (so no other run can be writing), marks such rows 'abandoned' with the time it found them.
-- depends: 0008_signal_edges

alter table pokewatch.runs drop constraint runs_status_check;
alter table pokewatch.runs add constraint runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'skipped', 'abandoned'));
comment on column pokewatch.runs.status is
    'running, succeeded, failed, skipped (nothing new to run) or abandoned (its process ended without finishing; marked by the next run).';
