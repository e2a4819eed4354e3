#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory (as the bootstrap
# superuser, which nothing else uses): creates Gongguan's roles (../roles.sql) and gives each
# login its password from the environment (infra/.env).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f /gongguan/roles.sql
for pair in \
  "gongguan_owner:$GONGGUAN_OWNER_DB_PASSWORD" \
  "gongguan_lifecycle:$LIFECYCLE_API_DB_PASSWORD" \
  "gongguan_projector:$PROJECTOR_DB_PASSWORD" \
  "gongguan_reporting:$REPORTING_API_DB_PASSWORD" \
  "gongguan_audit:$AUDIT_API_DB_PASSWORD"; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="${pair%%:*}" -v password="${pair#*:}" \
    -c "alter role :\"role\" password :'password'"
done
