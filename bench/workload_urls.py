"""The varied workload's URLs one at a time (issue 11: where the time of the varied workload
goes). Draws N URLs with bench/workload.py's distribution (fixed seed, so two binaries get the
same URLs), times each uncached (list cache off) with a PATCH before every 5th, and prints the
median / p90 / max, the time per kind of request and the slowest URLs, then the analytics
summary right after a write (first and median of 7).

Usage: workload_urls.py BINARY DB [N [SAMPLE_DB]]. DB is used in place (the run writes a few
PATCHes and a token): pass a scratch copy. DB may be a PostgreSQL URL; SAMPLE_DB is then the
SQLite file holding the same rows (the values to look up are drawn from it). Prints figures;
never fails on time.
"""
import os
import random
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_bench as ab  # noqa: E402
import workload as w  # noqa: E402

STATUSES = ["active", "expired", "revoked", "replaced", "pending"]
ORDERINGS = ["common_name", "-common_name", "valid_to", "-valid_to", "created", "-created", "-id"]


def url(rng, s):
    """One request of workload.py's Lua script, and its kind."""
    p = ["limit=50", "offset=%d" % (rng.randint(0, 100) * 50)]
    r = rng.random()
    esc = urllib.parse.quote
    if r < 0.1:
        return p + ["q=" + esc(rng.choice(s["cns"]))], "q"
    if r < 0.2:
        return p + ["san=" + esc(rng.choice(s["sans"]))], "san"
    if r < 0.3:
        return ["serial_number=" + esc(rng.choice(s["serials"]))], "serial"
    kind = []
    if rng.random() < 0.5:
        p.append("status=" + rng.choice(STATUSES))
        kind.append("status")
    if rng.random() < 0.4:
        p.append("tenant_id=" + rng.choice(s["tenants"]))
        kind.append("tenant")
    if rng.random() < 0.3:
        p.append("common_name__ic=" + esc(rng.choice(s["cns"])))
        kind.append("cn__ic")
    if rng.random() < 0.3:
        p.append("valid_to__lt=%04d-%02d-%02d" % (rng.randint(2025, 2028), rng.randint(1, 12), rng.randint(1, 28)))
        kind.append("valid_to__lt")
    if rng.random() < 0.6:
        p.append("ordering=" + rng.choice(ORDERINGS))
        kind.append("ordering")
    return p, "+".join(kind) or "plain"


def main():
    binary, db = os.path.abspath(sys.argv[1]), sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    random.seed(7)
    token = ab.make_token(binary, db)
    sample_db = sys.argv[4] if len(sys.argv) > 4 else db
    s = w.samples(sample_db)
    top = int(w.sqlite_rows(sample_db, "SELECT max(id) FROM certificates")[0][0])
    rng = random.Random(11)
    urls = [url(rng, s) for _ in range(n)]
    srv = ab.Server(binary, db, env={"CERTKEEPER_LIST_CACHE": "0"})
    try:
        wr = w.Writer(srv.url, token, top, 1, [])
        ab.fetch(srv.url + w.CERTS + "?limit=1", token)  # connection warm-up
        times, by_kind = [], {}
        for i, (params, kind) in enumerate(urls):
            if i % 5 == 0:
                wr.call("PATCH", "%s%d/" % (w.CERTS, random.randint(1, top)), {"comments": "urls write"})
            path = w.CERTS + "?" + "&".join(params)
            ms, count = w.get_ms(srv.url + path, token)
            times.append((ms, path, count))
            for k in kind.split("+"):
                by_kind.setdefault(k, []).append(ms)
        ms = sorted(t[0] for t in times)
        print("%d workload URLs one at a time (ms): median %.1f, p90 %.1f, max %.1f, total %.0f; load %.1f"
              % (n, statistics.median(ms), ms[int(0.9 * len(ms))], ms[-1], sum(ms), os.getloadavg()[0]))
        for k, v in sorted(by_kind.items(), key=lambda kv: -sum(kv[1])):
            print("  %-14s n=%3d median %7.1f max %7.1f sum %8.0f" % (k, len(v), statistics.median(v), max(v), sum(v)))
        print("  slowest:")
        for ms_, path, count in sorted(times, reverse=True)[:12]:
            print("  %8.1f  count=%-8s %s" % (ms_, count, path[len(w.CERTS):]))
        st = []
        for _ in range(7):
            wr.call("PATCH", "%s%d/" % (w.CERTS, random.randint(1, top)), {"comments": "summary write"})
            st.append(w.get_ms(srv.url + w.SUMMARY, token)[0])
        print("analytics summary after a write (ms): first %.1f, median %.1f, max %.1f; load %.1f"
              % (st[0], statistics.median(st), max(st), os.getloadavg()[0]))
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
