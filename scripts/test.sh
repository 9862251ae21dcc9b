#!/usr/bin/env bash
# Every test, on a fresh machine that has only the Rust toolchain (the README's test command).
# Installs what the tests need when it is missing, from Debian's packages (as root, or with
# sudo): python3 (the independent re-derivations under tests/support and scripts/), DuckDB for
# python3 (pip; the census store's independent reader) and the
# PostgreSQL server and client (the store tests run on SQLite and on a throwaway PostgreSQL
# server). Then starts that server, runs `cargo test --workspace` (extra arguments are passed
# on), and stops it. A test whose tool is missing fails; none is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

# DuckDB for Python: the independent reader of the census store (tests/census_ingest.rs).
if ! python3 -c "import duckdb" >/dev/null 2>&1; then
    echo "installing: duckdb (pip)"
    python3 -m pip install --quiet duckdb==2.0.1 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages duckdb==2.0.1
fi

eval "$(tests/support/pg-throwaway.sh start)"
trap 'tests/support/pg-throwaway.sh stop' EXIT
echo "PostgreSQL for tests: $ASSESS_TEST_PG"
cargo test --workspace "$@"
