#!/bin/sh
# bench/http.sh BUILD_DIR — the HTTP layer's ceiling: wrk against bench_http_hello (fixed
# 20 KB JSON body, keep-alive). Prints req/s and latency; never fails on a figure.
# Env: THREADS (server workers, default cores), DURATION (default 5s), CONNS (default 50).
set -eu
build=${1:?usage: bench/http.sh BUILD_DIR}
bin="$build/bench/bench_http_hello"
[ -x "$bin" ] || { echo "missing $bin (build the bench targets first)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed (scripts/install-deps)" >&2; exit 1; }

out=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
"$bin" 127.0.0.1:0 "${THREADS:-0}" >"$out" &
pid=$!
i=0
while ! grep -q '^port ' "$out"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "server did not start" >&2; exit 1; }
	sleep 0.05
done
port=$(sed -n 's/^port //p' "$out")

echo "http layer: GET / -> 20 KB JSON, wrk -t2 -c${CONNS:-50} -d${DURATION:-5s}, keep-alive"
wrk -t2 -c"${CONNS:-50}" -d"${DURATION:-5s}" --latency "http://127.0.0.1:$port/" |
	awk '/Latency  /{print "latency avg " $2 ", stdev " $3 ", max " $4}
	     /^ +50%/{print "latency p50 " $2} /^ +99%/{print "latency p99 " $2}
	     /Requests\/sec/{print "req/s " $2} /Transfer\/sec/{print "transfer/s " $2}
	     /Socket errors|Non-2xx/{print}'
kill -TERM "$pid"
wait "$pid" || true
