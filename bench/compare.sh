#!/bin/sh
# bench/compare.sh BUILD_DIR — BUILD_DIR's certkeeper beside another binary (BENCH_BEFORE), each
# measurement on both back to back (bench/compare.py). Skipped when BENCH_BEFORE is not set, e.g.
#   git worktree add /tmp/before REF && (cd /tmp/before && make build)
#   BENCH_BEFORE=/tmp/before/build/certkeeper make bench
set -eu
build=${1:?usage: bench/compare.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${BENCH_BEFORE:-}" ]; then
	echo "compare: skipped (set BENCH_BEFORE to another certkeeper binary to compare)"
	exit 0
fi
exec /usr/bin/python3 "$here/compare.py" "$build"
