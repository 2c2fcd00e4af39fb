#!/bin/sh
# bench/pg.sh BUILD_DIR — PostgreSQL beside SQLite (migrate-data, imports, the varied workload and
# the single-query table) and 1 vs 2 nodes behind nginx (bench/pg_bench.py). Prints figures.
set -eu
build=${1:?usage: bench/pg.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$build/certkeeper" ] || { echo "missing $build/certkeeper (build first)" >&2; exit 1; }
exec /usr/bin/python3 "$here/pg_bench.py" "$build"
