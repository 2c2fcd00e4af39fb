"""The single-query filter table of bench/workload.py on its own (issue 11: every seed filter,
q, san, serial, fingerprint, tag, tenant, ordering and deep-offset query, uncached, each timed
right after a write: first, median and max of 7).

Usage: filter_table.py BINARY DB [LABEL]. DB is copied first (the run writes); the copy is
removed afterwards. With BENCH_TABLE_INPLACE=1 the run writes to DB itself (a scratch copy:
a 1M database takes a while to copy, and the server migrates it when it is older). The samples are drawn with a fixed seed, so two binaries are timed on the
same queries. Prints figures; never fails on time.
"""
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_bench as ab  # noqa: E402
import workload as w  # noqa: E402


def main():
    binary, src = os.path.abspath(sys.argv[1]), sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else os.path.basename(src)
    random.seed(7)
    tmp = tempfile.mkdtemp(prefix="ck-bench-table-")
    inplace = os.environ.get("BENCH_TABLE_INPLACE") == "1"
    db = src if inplace else os.path.join(tmp, "run.db")
    try:
        if not inplace:
            shutil.copy(src, db)
        token = ab.make_token(binary, db)
        s = w.samples(db)
        top = int(w.sqlite_rows(db, "SELECT max(id) FROM certificates")[0][0])
        srv = ab.Server(binary, db, env={"CERTKEEPER_LIST_CACHE": "0"})
        try:
            print("%s: single queries, list cache off, each right after a write (ms): first / median / max of 7"
                  % label, flush=True)
            for name, first, med, worst, count in w.filter_table(srv, token, s, top):
                print("  %-38s %9.1f %9.1f %9.1f   count=%s" % (name, first, med, worst, count), flush=True)
        finally:
            srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
