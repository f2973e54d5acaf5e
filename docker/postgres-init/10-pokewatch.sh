#!/bin/bash
# First start of the postgres container only (docker-entrypoint-initdb.d): one database each for PokeWatch,
# Prefect and MLflow, each with its own owner, plus the warehouse's writer and read-only reader roles.
# Passwords come from the container's environment (.env); none is written here.
set -euo pipefail

for var in POKEWATCH_WRITER_PASSWORD POKEWATCH_READER_PASSWORD PREFECT_DB_PASSWORD MLFLOW_DB_PASSWORD; do
  if [ -z "${!var:-}" ]; then
    echo "postgres-init: $var is empty; set it in .env" >&2
    exit 1
  fi
done

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v writer_pw="$POKEWATCH_WRITER_PASSWORD" -v reader_pw="$POKEWATCH_READER_PASSWORD" \
  -v prefect_pw="$PREFECT_DB_PASSWORD" -v mlflow_pw="$MLFLOW_DB_PASSWORD" <<'EOSQL'
create role pokewatch_writer login password :'writer_pw';
create role pokewatch_reader login password :'reader_pw';
alter role pokewatch_reader set default_transaction_read_only = on;
create role prefect login password :'prefect_pw';
create role mlflow login password :'mlflow_pw';

create database pokewatch owner pokewatch_writer;
create database prefect owner prefect;
create database mlflow owner mlflow;

-- Nobody but each owner (and the reader, on the warehouse) connects.
revoke connect on database pokewatch, prefect, mlflow from public;
grant connect on database pokewatch to pokewatch_reader;

\connect prefect
-- Prefect's PostgreSQL backend needs trigram indexes.
create extension if not exists pg_trgm;

\connect pokewatch
-- The schema exists before the first migration so the reader's grants cover every table and view the
-- writer creates later (the migrations use `create schema if not exists`).
create schema if not exists pokewatch authorization pokewatch_writer;
grant usage on schema pokewatch to pokewatch_reader;
grant select on all tables in schema pokewatch to pokewatch_reader;
alter default privileges for role pokewatch_writer in schema pokewatch grant select on tables to pokewatch_reader;
EOSQL

echo "postgres-init: databases pokewatch, prefect, mlflow and roles pokewatch_writer, pokewatch_reader ready"
