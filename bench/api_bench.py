"""REST API benchmarks (run by bench/api.sh BUILD_DIR). Prints figures; never fails on time.

(a) import rate: POST certificates/bulk-import/ in batches of 100 (one client, then several
    client threads), and `certkeeper import` (CLI, batches of 500), each into a fresh database.
(b) wrk -t2 -c50 on GET certificates/?limit=50 and ?status=active&limit=50 over the database
    the CLI built (BENCH_SCALE x 100,000 certificates), next to nginx serving the very same
    response body as a static file (the ceiling), with the ratio.
(c) the same at BENCH_SCALE x 1,000,000 certificates: the 100k rows replicated with the sqlite3
    CLI in one transaction (new fingerprints/serials; the real schema, migrated by certkeeper).

Environment: BENCH_SCALE (default 1), BENCH_DURATION (wrk duration, default 10s),
BENCH_CONNS (default 50), BENCH_API_CLIENTS (client threads for bulk import, default 4).
Data is cached under BUILD/bench-data/. Throw-away keys only (bench/api_gen.py).
"""
import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = "/api/plugins/netbox-ssl/certificates/"
QUERIES = [("list", "?limit=50"), ("status=active", "?status=active&limit=50")]


def env_num(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return float(default)


SCALE = env_num("BENCH_SCALE", 1)
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNS = int(env_num("BENCH_CONNS", 50))
CLIENTS = int(env_num("BENCH_API_CLIENTS", 4))
N_DB = max(1000, int(100000 * SCALE))
N_BIG = max(10 * N_DB, int(1000000 * SCALE))
N_API = max(1000, int(20000 * SCALE))
BULK = 100


def log(msg):
    print(msg, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gen_certs(data, n):
    out = os.path.join(data, "api-certs-v2-%d" % n)
    if not os.path.exists(os.path.join(out, "done")):
        log("generating %d certificates into %s (once)..." % (n, out))
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "api_gen.py"), str(n), out], check=True)
        open(os.path.join(out, "done"), "w").close()
    return out


def split_pems(path, n):
    text = open(path).read()
    parts = text.split("-----END CERTIFICATE-----\n")
    return [p + "-----END CERTIFICATE-----\n" for p in parts[:n]]


def cli(binary, *args, check=True):
    p = subprocess.run([binary, *args], capture_output=True, text=True)
    if check and p.returncode:
        raise RuntimeError("certkeeper %s: %s%s" % (" ".join(args), p.stdout, p.stderr))
    return p


def db_url(db):
    """A database URL for certkeeper --db: a plain path means an SQLite file."""
    return db if re.match(r"^(sqlite:|postgres(ql)?://)", db) else "sqlite:" + db


def make_token(binary, db):
    cli(binary, "user", "create", "bench", "--superuser", "--db", db_url(db), check=False)
    out = cli(binary, "token", "create", "--user", "bench", "--db", db_url(db)).stdout
    return out.strip().splitlines()[-1]


class Server:
    """certkeeper serve on a free loopback port; stop() sends SIGTERM and waits."""

    def __init__(self, binary, db, threads=None, stderr_path=None, env=None):
        args = [binary, "serve", "--listen", "127.0.0.1:0", "--db", db_url(db), "--quiet"]
        if threads:
            args += ["--threads", str(threads)]
        self.err = open(stderr_path or os.devnull, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, text=True,
                                     env={**os.environ, **(env or {})})
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (http://[0-9.:]+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("server did not start: %r" % line)
        self.url = m.group(1)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.err.close()
        return rc


def post(url, token, body):
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": "Token " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        r.read()
        return r.status


def api_import(binary, tmp, pems, clients, new_db=None):
    """Bulk-imports pems into a fresh database with `clients` threads; returns certs/s.
    new_db: a function returning the URL of a fresh database (default: an SQLite file in tmp)."""
    db = os.path.join(tmp, "api-%d.db" % clients) if new_db is None else new_db()
    cli(binary, "migrate", "--db", db_url(db))
    token = make_token(binary, db)
    srv = Server(binary, db)
    bodies = [json.dumps([{"pem_content": p} for p in pems[i:i + BULK]]).encode()
              for i in range(0, len(pems), BULK)]
    url = srv.url + CERTS + "bulk-import/"
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(clients) as ex:
        codes = list(ex.map(lambda b: post(url, token, b), bodies))
    dt = time.monotonic() - t0
    srv.stop()
    bad = [c for c in codes if c != 201]
    if bad:
        log("  (%d batches failed)" % len(bad))
    return len(pems) / dt


def cli_import(binary, db, pemdir, n):
    """`certkeeper import` of the first n files of pemdir into db; returns (count, seconds)."""
    files = sorted(f for f in os.listdir(pemdir) if f.endswith(".pem"))[:n]
    total, secs = 0, 0.0
    for i in range(0, len(files), 20000):  # stay far below ARG_MAX
        p = subprocess.run([binary, "import", "--db", db_url(db), *files[i:i + 20000]],
                           cwd=pemdir, capture_output=True, text=True)
        m = re.search(r"imported (\d+) certificates in ([0-9.]+) s", p.stdout)
        if p.returncode or not m:
            raise RuntimeError("certkeeper import failed: %s%s" % (p.stdout, p.stderr[-2000:]))
        total += int(m.group(1))
        secs += float(m.group(2))
    return total, secs


VARIETY_SQL = """
BEGIN;
INSERT OR IGNORE INTO tenants (id, name, slug, description, comments, custom_fields, created, last_updated)
  VALUES (1, 'Bench One', 'bench-one', '', '', '{}', 0, 0), (2, 'Bench Two', 'bench-two', '', '', '{}', 0, 0);
INSERT OR IGNORE INTO tags (id, name, slug, color, description, created, last_updated)
  VALUES (1, 'prod', 'prod', 'ff0000', '', 0, 0), (2, 'edge', 'edge', '00ff00', '', 0, 0);
UPDATE certificates SET tenant_id = 1 + (id % 2) WHERE id % 3 = 0;
UPDATE certificates SET status = CASE id % 10 WHEN 1 THEN 'revoked' WHEN 2 THEN 'replaced' ELSE 'active' END;
INSERT OR IGNORE INTO tagged_items (tag_id, object_type, object_id)
  SELECT 1 + (id % 2), 'netbox_ssl.certificate', id FROM certificates WHERE id % 7 = 0;
COMMIT;
"""


def add_variety(db):
    """Some tenants, tags and statuses so that FK rendering, tags and the status filter work."""
    p = subprocess.run(["sqlite3", db], input=VARIETY_SQL, capture_output=True, text=True)
    if p.returncode:
        log("  (variety SQL failed: %s)" % p.stderr.strip())


def replicate(db, times):
    """Adds `times` copies of every certificate (and its tags) in one transaction."""
    cols = [l.split("|")[1] for l in subprocess.run(
        ["sqlite3", db, "PRAGMA table_info(certificates)"], capture_output=True, text=True,
        check=True).stdout.splitlines()]
    top = int(subprocess.run(["sqlite3", db, "SELECT max(id) FROM certificates"],
                             capture_output=True, text=True, check=True).stdout.strip())
    sql = ["PRAGMA synchronous=OFF;", "PRAGMA cache_size=-1000000;", "BEGIN;"]
    for k in range(1, times + 1):
        sel = []
        for c in cols:
            if c == "id":
                sel.append("id + %d" % (k * top))
            elif c in ("fingerprint_sha256", "serial_key", "serial_number"):
                sel.append("%s || ':R%d'" % (c, k))
            elif c == "common_name":
                sel.append("'r%d.' || common_name" % k)
            else:
                sel.append(c)
        sql.append("INSERT INTO certificates (%s) SELECT %s FROM certificates WHERE id <= %d;"
                   % (", ".join(cols), ", ".join(sel), top))
        sql.append("INSERT INTO tagged_items (tag_id, object_type, object_id) SELECT tag_id, object_type,"
                   " object_id + %d FROM tagged_items WHERE object_type = 'netbox_ssl.certificate'"
                   " AND object_id <= %d;" % (k * top, top))
    sql.append("COMMIT;")
    subprocess.run(["sqlite3", db], input="\n".join(sql), text=True, check=True)


def to_ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", v)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def wrk(url, token=None, duration=DURATION):
    """Runs wrk; returns (req/s, p50 ms, p99 ms, errors text)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        if token:
            f.write('wrk.headers["Authorization"] = "Token %s"\n' % token)
        script = f.name
    p = subprocess.run(["wrk", "-t2", "-c%d" % CONNS, "-d" + duration, "--latency", "-s", script, url],
                       capture_output=True, text=True)
    os.unlink(script)
    out = p.stdout
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errs = "; ".join(l.strip() for l in out.splitlines() if "Non-2xx" in l or "Socket errors" in l)
    return (float(rps.group(1)) if rps else 0.0, to_ms(p50.group(1)) if p50 else float("nan"),
            to_ms(p99.group(1)) if p99 else float("nan"), errs)


NGINX_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/cb; proxy_temp_path {tmp}/px; fastcgi_temp_path {tmp}/fc;
  uwsgi_temp_path {tmp}/uw; scgi_temp_path {tmp}/sc;
  keepalive_requests 1000000;
  server {{ listen 127.0.0.1:{port}; root {tmp}/www; default_type application/json; }}
}}
"""


class Nginx:
    def __init__(self, tmp):
        self.tmp = tmp
        os.makedirs(os.path.join(tmp, "www"), exist_ok=True)
        os.chmod(tmp, 0o755)
        self.port = free_port()
        conf = os.path.join(tmp, "nginx.conf")
        open(conf, "w").write(NGINX_CONF.format(tmp=tmp, port=self.port))
        self.proc = subprocess.Popen(["nginx", "-p", tmp, "-c", conf], stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def serve(self, name, body):
        path = os.path.join(self.tmp, "www", name)
        open(path, "wb").write(body)
        os.chmod(path, 0o644)
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def fetch(url, token):
    req = urllib.request.Request(url, headers={"Authorization": "Token " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def bench_lists(binary, db, label, tmp, rows):
    """wrk on each query: certkeeper as configured (list cache on), the same with
    CERTKEEPER_LIST_CACHE=0 (every request rendered: the render path), and nginx."""
    token = make_token(binary, db)
    srv = Server(binary, db)
    ngx = Nginx(os.path.join(tmp, "nginx-" + label))
    try:
        bodies = {}
        for name, qs in QUERIES:
            url = srv.url + CERTS + qs
            bodies[name] = fetch(url, token)
            wrk(url, token, "2s")  # warm-up: page cache, prepared statements
            rows.append([label, name, json.loads(bodies[name])["count"], len(bodies[name]), wrk(url, token)])
        srv.stop()
        srv = Server(binary, db, env={"CERTKEEPER_LIST_CACHE": "0"})
        for row, (name, qs) in zip(rows[-len(QUERIES):], QUERIES):
            url = srv.url + CERTS + qs
            wrk(url, token, "2s")
            row.append(wrk(url, token))
            row.append(wrk(ngx.serve(name.replace("=", "-") + ".json", bodies[name])))
            log_row(row)
    finally:
        ngx.stop()
        rc = srv.stop()
        if rc:
            log("  (server exited with %d)" % rc)


def log_row(row):
    label, name, count, size, c, r, n = row
    log("  %-4s %-14s count=%-8d body=%6d B\n"
        "       certkeeper        %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  = %4.1f%% of nginx%s\n"
        "       render (no cache) %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  = %4.1f%% of nginx%s\n"
        "       nginx static      %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms"
        % (label, name, count, size, c[0], c[1], c[2], pct(c, n), errs(c), r[0], r[1], r[2], pct(r, n), errs(r),
           n[0], n[1], n[2]))


def pct(a, n):
    return 100.0 * a[0] / n[0] if n[0] else 0.0


def errs(x):
    return "  [" + x[3] + "]" if x[3] else ""


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    binary = os.path.join(build, "certkeeper")
    data = os.path.join(build, "bench-data")
    os.makedirs(data, exist_ok=True)
    for tool in ("wrk", "nginx", "sqlite3"):
        if not shutil.which(tool):
            log("api bench: %s not installed (scripts/install-deps)" % tool)
            return 1
    certs = gen_certs(data, N_DB)
    pems = split_pems(os.path.join(certs, "all.pem"), N_API)
    tmp = tempfile.mkdtemp(prefix="ck-bench-api-")
    rows = []
    try:
        log("(a) import rate, %d certificates each, fresh database:" % N_API)
        seq = api_import(binary, tmp, pems, 1)
        log("  API bulk-import/ (batches of %d), 1 client:  %8.0f certificates/s" % (BULK, seq))
        par = api_import(binary, tmp, pems, CLIENTS)
        log("  API bulk-import/ (batches of %d), %d clients: %8.0f certificates/s" % (BULK, CLIENTS, par))
        db = os.path.join(tmp, "db-%d.db" % N_DB)
        n, secs = cli_import(binary, db, os.path.join(certs, "pem"), N_DB)
        log("  certkeeper import (batches of 500), %d files: %8.0f certificates/s (%.1f s)"
            % (n, n / secs, secs))
        add_variety(db)
        log("(b) GET lists at %d certificates, wrk -t2 -c%d -d%s (nginx: same body, static file):"
            % (N_DB, CONNS, DURATION))
        bench_lists(binary, db, "%dk" % (N_DB // 1000), tmp, rows)
        big = os.path.join(data, "api-v2-%d.db" % N_BIG)
        if not os.path.exists(big):
            log("building the %d-certificate database (sqlite3, one transaction; cached)..." % N_BIG)
            t0 = time.monotonic()
            shutil.copy(db, big + ".tmp")
            replicate(big + ".tmp", N_BIG // N_DB - 1)
            os.rename(big + ".tmp", big)
            log("  built in %.0f s" % (time.monotonic() - t0))
        log("(c) GET lists at %d certificates:" % N_BIG)
        bench_lists(binary, big, "%dM" % (N_BIG // 1000000) if N_BIG >= 1000000 else "%dk" % (N_BIG // 1000),
                    tmp, rows)
        log("summary (goal: >= 30%% of nginx, p99 < 20 ms at %d connections):" % CONNS)
        log("  %-5s %-14s %10s %9s %10s %9s %10s" % ("rows", "query", "certkeeper", "p99 ms", "render", "p99 ms", "nginx"))
        for label, name, count, size, c, r, n in rows:
            log("  %-5s %-14s %9.1f%% %9.2f %9.1f%% %9.2f %10.0f" % (label, name, pct(c, n), c[2], pct(r, n), r[2], n[0]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
