"""Two certkeeper binaries side by side in one run (bench/compare.sh BUILD_DIR).

Why: a refactoring (issue 10: the write path moved into domain/, SQL into store/) must not make
the hot paths slower. Each measurement runs on both binaries back to back, alternating which
goes first, on the same machine state, so that the load of the moment weighs on both:

  - API bulk import: POST certificates/bulk-import/ in batches of 100, 1 client and 4 clients,
    into a fresh database (certificates/s);
  - `certkeeper import` of N files into a fresh database (certificates/s);
  - the list render path: wrk on GET certificates/?limit=50 with the list cache off
    (CERTKEEPER_LIST_CACHE=0, every request rendered), over the database the CLI built (req/s).

Environment: BENCH_BEFORE (the other binary; required), BENCH_SCALE (default 0.1: 10,000
certificates for the CLI import and the list, 2,000 for the API import), BENCH_DURATION,
BENCH_CONNS as in api_bench.py. Prints figures; never fails on time.
"""
import os
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("BENCH_SCALE", "0.1")
import api_bench as ab  # noqa: E402


def list_render(binary, db):
    token = ab.make_token(binary, db)
    srv = ab.Server(binary, db, env={"CERTKEEPER_LIST_CACHE": "0"})
    try:
        url = srv.url + ab.CERTS + "?limit=50"
        ab.fetch(url, token)
        ab.wrk(url, token, "2s")  # warm-up
        return ab.wrk(url, token)
    finally:
        srv.stop()


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    after = os.path.join(build, "certkeeper")
    before = os.environ.get("BENCH_BEFORE")
    if not before or not os.access(before, os.X_OK):
        ab.log("compare bench: set BENCH_BEFORE to the other certkeeper binary")
        return 1
    data = os.path.join(build, "bench-data")
    os.makedirs(data, exist_ok=True)
    certs = ab.gen_certs(data, ab.N_DB)
    pems = ab.split_pems(os.path.join(certs, "all.pem"), ab.N_API)
    bins = [("before", os.path.abspath(before)), ("after", after)]
    res = {name: {} for name, _ in bins}
    tmp = tempfile.mkdtemp(prefix="ck-bench-compare-")
    try:
        for step, (name, binary) in enumerate(bins + bins[::-1]):
            # Two rounds, the second in reverse order; each figure is the better of the two.
            d = os.path.join(tmp, "%s-%d" % (name, step))
            os.makedirs(d)
            r = res[name]
            api1 = ab.api_import(binary, d, pems, 1)
            api4 = ab.api_import(binary, d, pems, ab.CLIENTS)
            db = os.path.join(d, "cli.db")
            n, secs = ab.cli_import(binary, db, os.path.join(certs, "pem"), ab.N_DB)
            ab.add_variety(db)
            rps = list_render(binary, db)
            ab.log("  round %d %-6s api1 %7.0f/s  api%d %7.0f/s  cli %7.0f/s  list %7.0f req/s p99 %.2f ms"
                   % (step // 2 + 1, name, api1, ab.CLIENTS, api4, n / secs, rps[0], rps[2]))
            r["api1"] = max(r.get("api1", 0), api1)
            r["api4"] = max(r.get("api4", 0), api4)
            r["cli"] = max(r.get("cli", 0), n / secs)
            if rps[0] > r.get("list", (0,))[0]:
                r["list"] = rps
        ab.log("summary (best of two rounds; before = %s):" % bins[0][1])
        ab.log("  %-40s %12s %12s %8s" % ("measure", "before", "after", "after/before"))
        rows = [("API bulk import, 1 client (certs/s)", "api1"),
                ("API bulk import, %d clients (certs/s)" % ab.CLIENTS, "api4"),
                ("certkeeper import, %d files (certs/s)" % ab.N_DB, "cli")]
        for label, key in rows:
            b, a = res["before"][key], res["after"][key]
            ab.log("  %-40s %12.0f %12.0f %7.0f%%" % (label, b, a, 100.0 * a / b if b else 0))
        b, a = res["before"]["list"], res["after"]["list"]
        ab.log("  %-40s %12.0f %12.0f %7.0f%%" % ("list render ?limit=50, no cache (req/s)", b[0], a[0],
                                                 100.0 * a[0] / b[0] if b[0] else 0))
        ab.log("  %-40s %12.2f %12.2f" % ("list render p99 (ms)", b[2], a[2]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
