#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server for tests (PostgreSQL refuses to run as root;
# the server runs as an unprivileged user `pgtest`, created if missing).
#
#   tests/support/pg-throwaway.sh start [PORT]   prints: export ASSESS_TEST_PG=postgres://postgres@127.0.0.1:PORT/postgres
#   tests/support/pg-throwaway.sh stop           stops the server started last and removes its files
#
# Needs the PostgreSQL server binaries (Debian: postgresql; found under /usr/lib/postgresql).
set -euo pipefail
STATE=${TMPDIR:-/tmp}/assess-pg-throwaway
cmd=${1:-start}

pgbin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$dir" ]; then
        echo "PostgreSQL server binaries not found (install the postgresql package)" >&2
        exit 1
    fi
    echo "$dir"
}

# PostgreSQL refuses to run as root: as root the server runs as `pgtest`, otherwise as the
# user who runs the tests.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u pgtest -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
    BIN=$(pgbin)
    PORT=${2:-$(free_port)}
    D=$(mktemp -d)
    if [ "$(id -u)" = 0 ]; then
        id -u pgtest >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin pgtest
        chown pgtest "$D"
    fi
    as_owner "$BIN/initdb" -D "$D/data" -U postgres --auth=trust >"$D/initdb.log" 2>&1
    # A test server: no durability (fsync, full-page writes) and the smallest WAL that works,
    # so that a run's hundreds of short-lived databases do not fill a small CI disk.
    as_owner "$BIN/pg_ctl" -D "$D/data" -l "$D/log" -w \
        -o "-p $PORT -k $D -c listen_addresses=127.0.0.1 -c max_connections=200 \
            -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
            -c wal_level=minimal -c max_wal_senders=0 -c min_wal_size=32MB -c max_wal_size=64MB" \
        start >/dev/null
    echo "$D $PORT" >"$STATE"
    echo "export ASSESS_TEST_PG=postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
stop)
    [ -f "$STATE" ] || exit 0
    read -r D PORT <"$STATE"
    as_owner "$(pgbin)/pg_ctl" -D "$D/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$D" "$STATE"
    ;;
*)
    echo "usage: $0 start [PORT] | stop" >&2
    exit 2
    ;;
esac
