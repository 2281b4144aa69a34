#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a fresh PostgreSQL cluster on loopback,
# then removes the cluster. PostgreSQL refuses to run as root, so as root the server runs
# as the `postgres` system user that Debian's package creates.
set -euo pipefail

initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
bindir=$(dirname "$(readlink -f "$initdb")")
[ -x "$bindir/pg_ctl" ] || bindir=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")

datadir=$(mktemp -d /tmp/flexsync-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$datadir"
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$datadir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$datadir"
}
trap cleanup EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$datadir/data" -A trust -U flexsync -E UTF8 >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w \
  -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
"${as_owner[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U flexsync flexsync_test

export DATABASE_URL="postgresql+psycopg://flexsync@127.0.0.1:$port/flexsync_test"
"$@"
