#!/bin/sh
# bench/workload.sh BUILD_DIR — the varied list workload (no per-URL cache can serve it) and the
# single-query table at 100k and 1M certificates, beside nginx (bench/workload.py). Prints figures.
set -eu
build=${1:?usage: bench/workload.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$build/certkeeper" ] || { echo "missing $build/certkeeper (build first)" >&2; exit 1; }
exec /usr/bin/python3 "$here/workload.py" "$build"
