#!/bin/sh
# bench/api.sh BUILD_DIR — REST API figures (bench/api_bench.py): bulk import rate through
# the API and `certkeeper import`; wrk on the certificate list at 100k and 1M certificates
# next to nginx serving the same body (the ceiling). Prints figures; never fails on time.
# Env: BENCH_SCALE (default 1 = 100k/1M certificates), BENCH_DURATION (default 10s),
# BENCH_CONNS (default 50), BENCH_API_CLIENTS (default 4).
set -eu
build=${1:?usage: bench/api.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$build/certkeeper" ] || { echo "missing $build/certkeeper (build first)" >&2; exit 1; }
exec /usr/bin/python3 "$here/api_bench.py" "$build"
