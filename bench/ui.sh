#!/bin/sh
# bench/ui.sh BUILD_DIR — page times of the web UI on the largest inventory the API benchmark
# built (BUILD_DIR/bench-data/api-v2-*.db, run bench/api.sh first): ms from navigation to
# content for each main page. Prints figures; never fails on time.
set -eu
build=${1:?usage: bench/ui.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
src=$(ls -S "$build"/bench-data/api-v2-*.db 2>/dev/null | head -n 1 || true)
if [ -z "$src" ] || [ ! -f "$repo/web/dist/index.html" ] || [ ! -x /usr/bin/chromium ]; then
  echo "ui: skipped (needs $build/bench-data/api-v2-*.db from bench/api.sh, web/dist and chromium)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cp "$src" "$tmp/ui.db"
db="sqlite:$tmp/ui.db"
"$build/certkeeper" user create uibench --superuser --db "$db" >/dev/null
printf 'uibench-password\n' | "$build/certkeeper" user password uibench --db "$db" >/dev/null
token=$("$build/certkeeper" token create --user uibench --db "$db" | tail -n 1)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/certkeeper" serve --listen "127.0.0.1:$port" --db "$db" --web-root "$repo/web/dist" --quiet \
  >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "listening on" "$tmp/serve.log" && break; sleep 0.2; done
rows=$(sqlite3 "$tmp/ui.db" 'SELECT COUNT(*) FROM certificates')
echo "ui: inventory of $rows certificates ($(basename "$src"))"
CK_URL="http://127.0.0.1:$port" CK_TOKEN="$token" CK_USERNAME=uibench CK_PASSWORD=uibench-password \
  CK_TMP="$tmp" node "$here/ui_pages.mjs"
