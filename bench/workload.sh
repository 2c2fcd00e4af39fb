#!/bin/sh
# bench/workload.sh BUILD_DIR — the varied list workload (no per-URL cache can serve it) and the
# single-query table at 100k and 1M certificates, beside nginx (bench/workload.py). Prints figures.
set -eu
build=${1:?usage: bench/workload.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$build/certkeeper" ] || { echo "missing $build/certkeeper (build first)" >&2; exit 1; }
/usr/bin/python3 "$here/workload.py" "$build"
# imports into the 1M database beside an empty one (issue 11: imports keep their speed at 1M)
exec /usr/bin/python3 "$here/import_scale.py" "$build"
