"""Realistic list workload at 100k and 1M certificates (run by bench/workload.sh BUILD_DIR).
Prints figures; never fails on time.

Why: a per-URL micro-cache makes a repeated URL look fast; users send varied URLs. Here every
request is different, so no per-URL cache can answer it:

(a) varied workload: wrk with a Lua script that builds each request from random parts (offset
    0-5,000, status, tenant_id, common_name__ic, valid_to__lt, ordering, and ~10 % each of
    q=, san= and serial_number= look-ups of real values), while a writer thread imports new
    certificates and PATCHes existing ones at ~20/s; nginx serves a page of the same size in
    the same run (the ceiling). Timeouts (wrk --timeout 5s) are counted.
(b) a table of single queries (every seed filter, q, san, serial, fingerprint, tag, tenant,
    ordering, deep offset, the analytics summary) on a server with the list cache off: each
    timed right after a write, first and median of 7.

Databases come from bench/api_bench.py's cache under BUILD/bench-data (100k certificates
imported by the CLI; 1M replicated from them with the sqlite3 CLI). Environment:
BENCH_DURATION (default 10s), BENCH_CONNS (default 50), WORKLOAD_SCALES (default "small big": BENCH_SCALE x 100k and x 1M certificates),
WORKLOAD_WRITES_PER_S (default 20). Throw-away keys only.
"""
import datetime
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_bench as ab  # noqa: E402  (shared: Server, Nginx, wrk parsing, data cache)

CERTS = ab.CERTS
SUMMARY = "/api/plugins/netbox-ssl/analytics/summary/"
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNS = int(ab.env_num("BENCH_CONNS", 50))
WRITES_PER_S = ab.env_num("WORKLOAD_WRITES_PER_S", 20)
SCALES = os.environ.get("WORKLOAD_SCALES", "small big").split()  # small: BENCH_SCALE x 100k, big: x 1M
SAMPLE = 200  # real values of each kind the Lua script draws from


def sqlite_rows(db, sql):
    out = subprocess.run(["sqlite3", "-separator", "\t", db, sql], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def samples(db):
    """Real values to look up: common-name fragments, SAN entries, serials, fingerprints."""
    top = int(sqlite_rows(db, "SELECT max(id) FROM certificates")[0][0])
    ids = ",".join(str(random.randint(1, top)) for _ in range(SAMPLE * 2))
    rows = sqlite_rows(db, "SELECT common_name, sans, serial_number, fingerprint_sha256 FROM certificates"
                           " WHERE id IN (%s) LIMIT %d" % (ids, SAMPLE))
    cns, sans, serials, fps = [], [], [], []
    for cn, san, serial, fp in rows:
        # a part of the name a user would search for: the end of its longest label (the
        # service name). The first label was used until session 3, but in the 1M database
        # it is the replica marker "r1".."r9" for 90% of the rows: 2-character searches
        # matching 100k rows each, which no trigram index serves (the filter table times
        # one such search on its own row, "q (2 characters)").
        cns.append(max(cn.split("."), key=len)[-5:])
        sans.extend(json.loads(san)[:1] or [cn])
        serials.append(serial)
        fps.append(fp)
    tenants = [r[0] for r in sqlite_rows(db, "SELECT id FROM tenants ORDER BY id LIMIT 20")]
    return {"cns": cns, "sans": sans, "serials": serials, "fps": fps, "tenants": tenants or ["1"]}


def lua_list(values):
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


LUA = """
wrk.headers["Authorization"] = "Token %(token)s"
local cns, sans, serials, tenants = %(cns)s, %(sans)s, %(serials)s, %(tenants)s
local statuses = {"active", "expired", "revoked", "replaced", "pending"}
local orderings = {"common_name", "-common_name", "valid_to", "-valid_to", "created", "-created", "-id"}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
function init(args) math.randomseed(os.time() * 1000 + (tid or 0) * 7919) end
local function pick(t) return t[math.random(#t)] end
local function esc(s) return (s:gsub("[^%%w%%-._~]", function(c) return string.format("%%%%%%02X", string.byte(c)) end)) end
function request()
  local p = {"limit=50", "offset=" .. (math.random(0, 100) * 50)}
  local r = math.random()
  if r < 0.1 then p[#p + 1] = "q=" .. esc(pick(cns))
  elseif r < 0.2 then p[#p + 1] = "san=" .. esc(pick(sans))
  elseif r < 0.3 then p = {"serial_number=" .. esc(pick(serials))}
  else
    if math.random() < 0.5 then p[#p + 1] = "status=" .. pick(statuses) end
    if math.random() < 0.4 then p[#p + 1] = "tenant_id=" .. pick(tenants) end
    if math.random() < 0.3 then p[#p + 1] = "common_name__ic=" .. esc(pick(cns)) end
    if math.random() < 0.3 then
      p[#p + 1] = string.format("valid_to__lt=%%04d-%%02d-%%02d", math.random(2025, 2028), math.random(1, 12), math.random(1, 28))
    end
    if math.random() < 0.6 then p[#p + 1] = "ordering=" .. pick(orderings) end
  end
  return wrk.format("GET", "%(path)s?" .. table.concat(p, "&"))
end
"""


def run_wrk(url, script, duration=DURATION):
    p = subprocess.run(["wrk", "-t2", "-c%d" % CONNS, "-d" + duration, "--timeout", "5s", "--latency",
                        "-s", script, url], capture_output=True, text=True)
    out = p.stdout
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    timeouts = re.search(r"timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": float(rps.group(1)) if rps else 0.0,
            "p50": ab.to_ms(p50.group(1)) if p50 else float("nan"),
            "p99": ab.to_ms(p99.group(1)) if p99 else float("nan"),
            "timeouts": int(timeouts.group(1)) if timeouts else 0,
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "requests": int(total.group(1)) if total else 0}


def fresh_pems(n, seed):
    """n new leaf certificates (throw-away EC key) whose serials the bench data never uses."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    ca = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Workload Bench CA %d" % seed)])
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    out = []
    for i in range(n):
        host = "w%d-%06d.workload.example" % (seed, i)
        c = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
             .issuer_name(ca).public_key(key.public_key()).serial_number(random.getrandbits(120) | 1 << 120)
             .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=90))
             .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
             .sign(key, hashes.SHA256()))
        out.append(c.public_bytes(serialization.Encoding.PEM).decode())
    return out


class Writer(threading.Thread):
    """Imports a new certificate or PATCHes an existing one, alternately, at `rate` per second."""

    def __init__(self, base, token, top_id, rate, pems):
        super().__init__(daemon=True)
        self.base, self.token, self.top, self.rate, self.pems = base, token, top_id, rate, pems
        self.stop_flag = threading.Event()
        self.done, self.failed, self.lat = 0, 0, []

    def call(self, method, path, body):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method=method, headers={
            "Authorization": "Token " + self.token, "Content-Type": "application/json"})
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
            self.done += 1
        except (urllib.error.URLError, OSError):
            self.failed += 1
        self.lat.append((time.monotonic() - t0) * 1000)

    def run(self):
        i = 0
        next_at = time.monotonic()
        while not self.stop_flag.is_set():
            if i % 2 == 0 and self.pems:
                self.call("POST", CERTS + "import/", {"pem_content": self.pems.pop()})
            else:
                self.call("PATCH", "%s%d/" % (CERTS, random.randint(1, self.top)),
                          {"comments": "workload write %d" % i})
            i += 1
            next_at += 1.0 / self.rate
            self.stop_flag.wait(max(0.0, next_at - time.monotonic()))


def get_ms(url, token):
    t0 = time.monotonic()
    try:
        body = ab.fetch(url, token)
    except urllib.error.HTTPError as e:
        return (time.monotonic() - t0) * 1000, "HTTP %d" % e.code
    except OSError as e:
        return (time.monotonic() - t0) * 1000, str(e)
    return (time.monotonic() - t0) * 1000, json.loads(body).get("count", "")


def filter_table(srv, token, s, top):
    """Each query timed right after a write (so no cache of any kind can be warm for it)."""
    in30 = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    q = {
        "status=active": "status=active",
        "valid_to__lt (seed)": "valid_to__lt=" + in30,
        "tenant_id": "tenant_id=" + s["tenants"][0],
        "common_name__ic": "common_name__ic=" + s["cns"][0],
        "q (common name part)": "q=" + s["cns"][1],
        "q (2 characters)": "q=" + s["cns"][1][:2],
        "san": "san=" + s["sans"][2],
        "serial_number (exact)": "serial_number=" + s["serials"][3],
        "serial_number (no colons)": "serial_number=" + s["serials"][3].replace(":", ""),
        "fingerprint_sha256": "fingerprint_sha256=" + s["fps"][4],
        "tag=prod": "tag=prod",
        "tenant_id + ordering=common_name": "tenant_id=%s&ordering=common_name" % s["tenants"][0],
        "status=revoked&ordering=-created": "status=revoked&ordering=-created",
        "ordering=-valid_to": "ordering=-valid_to",
        "offset=900000": "offset=%d" % min(900000, max(0, top - 100)),
        "expiring_soon=true": "expiring_soon=true",
        "issuer__ic": "issuer__ic=bench",
        "algorithm=ecdsa&status=active": "algorithm=ecdsa&status=active",
    }
    rows = []
    paths = [(name, CERTS + "?" + qs + "&limit=50") for name, qs in q.items()]
    # following `next` from a deep page: the link carries a keyset cursor (docs/api.md), so it
    # costs a page however deep (the deep page itself is fetched once, untimed)
    deep = min(900000, max(0, top - 100))
    nxt = None
    for _ in range(5):  # a deep offset can meet the statement time limit on a loaded machine
        try:
            nxt = json.loads(ab.fetch(srv.url + CERTS + "?limit=50&offset=%d" % deep, token)).get("next")
            break
        except (urllib.error.HTTPError, OSError):
            time.sleep(1)
    if nxt:
        paths.append(("next link of offset=%d" % deep, nxt[len(srv.url):] if nxt.startswith(srv.url) else nxt))
    paths.append(("analytics summary", SUMMARY))
    w = Writer(srv.url, token, top, 1, [])
    for name, path in paths:
        times, count = [], None
        for _ in range(7):
            w.call("PATCH", "%s%d/" % (CERTS, random.randint(1, top)), {"comments": "table write"})
            ms, count = get_ms(srv.url + path.replace(" ", "%20"), token)
            times.append(ms)
        rows.append((name, times[0], statistics.median(times), max(times), count))
    return rows


def workload(binary, db, label, tmp, sample_db=None, top=None):
    """sample_db: the SQLite file holding the same rows as db (when db is a PostgreSQL URL);
    top: db's max(id) when sample_db has more rows (pg_bench: the SQLite run imported some)."""
    token = ab.make_token(binary, db)
    s = samples(sample_db or db)
    top = top or int(sqlite_rows(sample_db or db, "SELECT max(id) FROM certificates")[0][0])
    script = os.path.join(tmp, "workload-%s.lua" % label)
    with open(script, "w") as f:
        f.write(LUA % {"token": token, "cns": lua_list(s["cns"]), "sans": lua_list(s["sans"]),
                       "serials": lua_list(s["serials"]), "tenants": lua_list(s["tenants"]), "path": CERTS})
    pems = fresh_pems(int(WRITES_PER_S * 30) + 50, random.randint(1, 10**9))
    srv = ab.Server(binary, db)
    ngx = ab.Nginx(os.path.join(tmp, "nginx-" + label))
    rss = None
    try:
        page = ab.fetch(srv.url + CERTS + "?limit=50&offset=50&ordering=-valid_to", token)
        nurl = ngx.serve("page.json", page)
        ab.wrk(srv.url + CERTS + "?limit=50", token, "2s")  # warm-up
        writer = Writer(srv.url, token, top, WRITES_PER_S, pems)
        writer.start()
        res = run_wrk(srv.url + CERTS, script)
        writer.stop_flag.set()
        writer.join()
        rss = rss_mb(srv.proc.pid)
        ng = run_wrk(nurl, os.path.join(tmp, "empty.lua"))
        ab.log("  %-4s varied workload  %8.1f req/s  p50 %8.2f ms  p99 %8.2f ms  timeouts %d  non-2xx %d"
               "  (%d requests) = %.1f%% of nginx" % (label, res["rps"], res["p50"], res["p99"], res["timeouts"],
                                                      res["non2xx"], res["requests"], 100 * res["rps"] / max(ng["rps"], 1)))
        ab.log("       writer: %d writes done, %d failed, median %.1f ms, max %.1f ms; server RSS after: %s MB"
               % (writer.done, writer.failed, statistics.median(writer.lat) if writer.lat else float("nan"),
                  max(writer.lat) if writer.lat else float("nan"), rss))
        ab.log("       nginx (page of %d B) %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms" % (len(page), ng["rps"], ng["p50"], ng["p99"]))
        srv.stop()
        srv = ab.Server(binary, db, env={"CERTKEEPER_LIST_CACHE": "0"})
        ab.log("  %-4s single queries, list cache off, each right after a write (ms): first / median / max of 7"
               % label)
        for name, first, med, worst, count in filter_table(srv, token, s, top):
            ab.log("       %-34s %9.1f %9.1f %9.1f   count=%s" % (name, first, med, worst, count))
    finally:
        ngx.stop()
        rc = srv.stop()
        if rc:
            ab.log("  (server exited with %d)" % rc)


def rss_mb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def database(binary, data, label, tmp):
    """The cached bench database for label ("small" or "big"); built once like bench/api_bench.py."""
    small = os.path.join(data, "workload-%d.db" % ab.N_DB)
    if not os.path.exists(small):
        certs = ab.gen_certs(data, ab.N_DB)
        ab.log("building the %d-certificate database (certkeeper import; cached)..." % ab.N_DB)
        ab.cli_import(binary, small + ".tmp", os.path.join(certs, "pem"), ab.N_DB)
        ab.add_variety(small + ".tmp")
        os.rename(small + ".tmp", small)
    if label == "small":
        return small
    big = os.path.join(data, "workload-%d.db" % ab.N_BIG)
    if not os.path.exists(big):
        ab.log("building the %d-certificate database (sqlite3, one transaction; cached)..." % ab.N_BIG)
        shutil.copy(small, big + ".tmp")
        ab.replicate(big + ".tmp", ab.N_BIG // ab.N_DB - 1)
        os.rename(big + ".tmp", big)
    return big


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    binary = os.path.join(build, "certkeeper")
    data = os.path.join(build, "bench-data")
    os.makedirs(data, exist_ok=True)
    for tool in ("wrk", "nginx", "sqlite3"):
        if not shutil.which(tool):
            ab.log("workload bench: %s not installed (scripts/install-deps)" % tool)
            return 1
    tmp = tempfile.mkdtemp(prefix="ck-bench-workload-")
    open(os.path.join(tmp, "empty.lua"), "w").close()
    try:
        ab.log("varied list workload, wrk -t2 -c%d -d%s --timeout 5s, writer at %g/s:" % (CONNS, DURATION, WRITES_PER_S))
        for label in SCALES:
            src = database(binary, data, label, tmp)
            db = os.path.join(tmp, "run-%s.db" % label)  # the run writes: work on a copy
            shutil.copy(src, db)
            n = ab.N_DB if label == "small" else ab.N_BIG
            workload(binary, db, "%dM" % (n // 10**6) if n >= 10**6 else "%dk" % (n // 1000), tmp)
            os.unlink(db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
