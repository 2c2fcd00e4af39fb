#!/bin/sh
# Certificate parsing throughput: certkeeper's x509_parse_input vs Python `cryptography`
# on the same 10,000 generated certificates (cached in $BUILD/bench-data/). Usage: parse.sh BUILD
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
data="$build/bench-data"
certs="$data/parse-certs-10000.pem"
mkdir -p "$data"
if [ ! -s "$certs" ]; then
	echo "generating 10,000 certificates into $certs (once)..."
	/usr/bin/python3 "$here/parse_gen.py" 10000 "$certs.tmp" && mv "$certs.tmp" "$certs"
fi
c=$("$build/bench/bench_parse" "$certs")
p=$(/usr/bin/python3 "$here/parse_py.py" "$certs")
echo "$c"
echo "$p"
cr=$(echo "$c" | sed -n 's/.*= \([0-9]*\) certs\/s.*/\1/p')
pr=$(echo "$p" | sed -n 's/.*= \([0-9]*\) certs\/s.*/\1/p')
awk -v c="$cr" -v p="$pr" 'BEGIN { printf "ratio certkeeper/python: %.1fx\n", c / p }'
