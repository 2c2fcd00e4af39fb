"""PostgreSQL beside SQLite, and 1 vs 2 nodes on PostgreSQL (run by bench/pg.sh BUILD_DIR).

Why: issue 12 asks for the list, filter and import figures on both engines in one run, and for
what a second node buys. Everything here runs in one process, one after the other, on the
same machine state:

(a) `certkeeper migrate-data` of the bench's SQLite database (bench/workload.py's cache) into a
    fresh PostgreSQL database: seconds, rows/s, and its verification (row counts and a checksum
    per table, done by the command itself);
(b) import rates into a fresh database of each engine: POST certificates/bulk-import/ in
    batches of 100 with 1 and 4 clients;
(c) the varied list workload and the single-query table (bench/workload.py) on each engine;
(d) on PostgreSQL, the varied workload through nginx in front of 1 node, then 2 nodes.

The PostgreSQL server is a throw-away one (scripts/pg-temp) started durable (fsync on, as
SQLite's WAL is) unless PG_BENCH_FAST=1; PG_BENCH_KEEP=1 leaves it running with its databases
(for EXPLAIN afterwards; stop it with scripts/pg-temp stop DIR). Environment as bench/workload.py (WORKLOAD_SCALES,
BENCH_DURATION, BENCH_CONNS, WORKLOAD_WRITES_PER_S) and BENCH_SCALE. Prints figures; never
fails on time.
"""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_bench as ab  # noqa: E402
import workload as wl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PROXY_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
daemon off;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/cb; proxy_temp_path {tmp}/px; fastcgi_temp_path {tmp}/fc;
  uwsgi_temp_path {tmp}/uw; scgi_temp_path {tmp}/sc;
  upstream certkeeper {{ {servers} keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://certkeeper;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }}
  }}
}}
"""


class PgServer:
    """A throw-away PostgreSQL (scripts/pg-temp) with one database per call of new_db()."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pg")
        os.chmod(tmp, 0o755)
        env = dict(os.environ)
        if os.environ.get("PG_BENCH_FAST") != "1":
            env["PG_TEMP_DURABLE"] = "1"
        out = subprocess.run([os.path.join(ROOT, "scripts", "pg-temp"), "start", self.dir], env=env,
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError("pg-temp: " + out.stderr)
        self.url = out.stdout.strip()
        self.n = 0

    def new_db(self):
        self.n += 1
        name = "bench%d" % self.n
        self.psql("CREATE DATABASE %s" % name)
        return re.sub(r"^postgresql:///[^?]*", "postgresql:///" + name, self.url)

    def psql(self, sql, url=None):
        host = re.search(r"host=([^&]+)", self.url).group(1)
        db = re.match(r"^postgresql:///([^?]*)", url or self.url).group(1)
        cmd = ["psql", "-h", host, "-U", "certkeeper", "-d", db, "-Atq", "-c", sql]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-temp"), "stop", self.dir], capture_output=True)


def migrate_data(binary, sqlite_db, pg, label):
    url = pg.new_db()
    t0 = time.monotonic()
    p = subprocess.run([binary, "migrate-data", "--from", "sqlite:" + sqlite_db, "--to", url],
                       capture_output=True, text=True)
    secs = time.monotonic() - t0
    certs = int(wl.sqlite_rows(sqlite_db, "SELECT count(*) FROM certificates")[0][0])
    if p.returncode:
        ab.log("  %-4s migrate-data FAILED (exit %d): %s" % (label, p.returncode, (p.stdout + p.stderr)[-1500:]))
        return None
    last = [l for l in (p.stdout + p.stderr).splitlines() if l.strip()]  # every copied/verify line
    ab.log("  %-4s migrate-data sqlite -> postgres: %d certificates in %.1f s (%.0f certificates/s)"
           % (label, certs, secs, certs / secs))
    for l in last:
        ab.log("         | " + l)
    return url


def nodes_workload(binary, url, sample_db, nodes, label, tmp):
    """The varied workload through nginx in front of `nodes` servers on one database."""
    token = ab.make_token(binary, url)
    s = wl.samples(sample_db)
    script = os.path.join(tmp, "nodes-%s-%d.lua" % (label, nodes))
    with open(script, "w") as f:
        f.write(wl.LUA % {"token": token, "cns": wl.lua_list(s["cns"]), "sans": wl.lua_list(s["sans"]),
                          "serials": wl.lua_list(s["serials"]), "tenants": wl.lua_list(s["tenants"]),
                          "path": ab.CERTS})
    # Every connection comes from nginx's address: lift the per-address cap above nginx's pool
    # (docs/security.md "Behind a proxy").
    servers = [ab.Server(binary, url, env={"CERTKEEPER_MAX_CONNECTIONS_PER_IP": "1024"}) for _ in range(nodes)]
    ntmp = os.path.join(tmp, "proxy-%s-%d" % (label, nodes))
    os.makedirs(ntmp)
    port = ab.free_port()
    conf = os.path.join(ntmp, "nginx.conf")
    ups = " ".join("server %s;" % srv.url.replace("http://", "") for srv in servers)
    open(conf, "w").write(PROXY_CONF.format(tmp=ntmp, port=port, servers=ups))
    ngx = subprocess.Popen(["nginx", "-p", ntmp, "-c", conf], stderr=subprocess.DEVNULL)
    try:
        base = "http://127.0.0.1:%d" % port
        for _ in range(100):
            try:
                ab.fetch(base + ab.CERTS + "?limit=1", token)
                break
            except OSError:
                time.sleep(0.1)
        ab.wrk(base + ab.CERTS + "?limit=50", token, "2s")  # warm-up
        res = wl.run_wrk(base + ab.CERTS, script)
        ab.log("  %-4s postgres, %d node%s behind nginx: %8.1f req/s  p50 %8.2f ms  p99 %8.2f ms  timeouts %d"
               "  non-2xx %d" % (label, nodes, "s" if nodes > 1 else " ", res["rps"], res["p50"], res["p99"],
                                 res["timeouts"], res["non2xx"]))
    finally:
        ngx.send_signal(signal.SIGQUIT)
        try:
            ngx.wait(30)
        except subprocess.TimeoutExpired:
            ngx.kill()
        for srv in servers:
            srv.stop()


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    binary = os.path.join(build, "certkeeper")
    data = os.path.join(build, "bench-data")
    os.makedirs(data, exist_ok=True)
    for tool in ("wrk", "nginx", "sqlite3", "psql"):
        if not shutil.which(tool):
            ab.log("pg bench: %s not installed (scripts/install-deps)" % tool)
            return 1
    tmp = tempfile.mkdtemp(prefix="ck-bench-pg-")
    open(os.path.join(tmp, "empty.lua"), "w").close()
    pg = PgServer(tmp)
    try:
        ab.log("PostgreSQL beside SQLite (PostgreSQL %s, %s):"
               % (pg.psql("SHOW server_version").strip(),
                  "fsync on" if os.environ.get("PG_BENCH_FAST") != "1" else "fsync off"))
        certs = ab.gen_certs(data, ab.N_DB)
        pems = ab.split_pems(os.path.join(certs, "all.pem"), ab.N_API)
        ab.log("(b) import rate, %d certificates, fresh database:" % len(pems))
        for engine, new_db in (("sqlite", None), ("postgres", pg.new_db)):
            for clients in (1, ab.CLIENTS):
                rate = ab.api_import(binary, tmp, pems, clients, new_db)
                ab.log("  %-8s API bulk-import/ (batches of %d), %d client%s: %8.0f certificates/s"
                       % (engine, ab.BULK, clients, "s" if clients > 1 else " ", rate))
        for scale in wl.SCALES:
            src = wl.database(binary, data, scale, tmp)
            n = ab.N_DB if scale == "small" else ab.N_BIG
            label = "%dM" % (n // 10**6) if n >= 10**6 else "%dk" % (n // 1000)
            db = os.path.join(tmp, "run-%s.db" % scale)
            shutil.copy(src, db)
            ab.log("(a) %s: moving the SQLite database to PostgreSQL" % label)
            url = migrate_data(binary, db, pg, label)
            ab.log("(c) %s varied workload and single queries, wrk -t2 -c%d -d%s, writer at %g/s:"
                   % (label, wl.CONNS, wl.DURATION, wl.WRITES_PER_S))
            ab.log("  -- sqlite")
            wl.workload(binary, db, label, tmp)
            if url:
                ab.log("  -- postgres")
                # the SQLite run above imported certificates into db: take the deep offset and
                # the PATCHed ids from PostgreSQL's own rows
                top = int(pg.psql("SELECT max(id) FROM certificates", url).strip())
                wl.workload(binary, url, label, tmp, sample_db=db, top=top)
                ab.log("(d) %s nodes on PostgreSQL:" % label)
                for nodes in (1, 2):
                    nodes_workload(binary, url, db, nodes, label, tmp)
            os.unlink(db)
    finally:
        if os.environ.get("PG_BENCH_KEEP") == "1":
            ab.log("PostgreSQL kept running (PG_BENCH_KEEP=1): %s ; stop: scripts/pg-temp stop %s ; then rm -r %s"
                   % (pg.url, pg.dir, tmp))
        else:
            pg.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    random.seed()
    sys.exit(main())
