"""Imports into the 1M database against an empty one, same binary, same run (issue 11:
"imports that keep their speed at 1M"). For each database: `certkeeper import` of 5,000 new
certificates, then API bulk import (1 client, batches of 100) of 5,000 more. The new
certificates come from a second issuer ("Bench Import CA"), so none collides with the
database's own. The 1M database is bench/workload.py's (built once under BUILD/bench-data);
each run works on a copy.

Usage: import_scale.py BUILD_DIR. Prints figures; never fails on time.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_bench as ab  # noqa: E402
import workload as w  # noqa: E402

N = 5000


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    binary = os.path.join(build, "certkeeper")
    data = os.path.join(build, "bench-data")
    certs = os.path.join(data, "import-certs-%d" % (2 * N))
    if not os.path.exists(os.path.join(certs, "done")):
        shutil.rmtree(certs, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "api_gen.py"),
                        str(2 * N), certs, "Bench Import"], check=True)
        open(os.path.join(certs, "done"), "w").close()
    pemdir = os.path.join(certs, "pem")
    files = sorted(os.listdir(pemdir))
    pems = ab.split_pems(os.path.join(certs, "all.pem"), 2 * N)
    tmp = tempfile.mkdtemp(prefix="ck-bench-import-scale-")
    try:
        ab.log("imports into an empty and a 1M database (%d by certkeeper import, %d by API bulk import):"
               % (N, N))
        for label in ("empty", "1M"):
            db = os.path.join(tmp, "%s.db" % label)
            if label == "1M":
                shutil.copy(w.database(binary, data, "big", tmp), db)
            ab.cli(binary, "migrate", "--db", ab.db_url(db))
            p = subprocess.run([binary, "import", "--db", ab.db_url(db), *files[:N]], cwd=pemdir,
                               capture_output=True, text=True)
            m = re.search(r"imported (\d+) certificates in ([0-9.]+) s", p.stdout)
            if p.returncode or not m:
                raise RuntimeError("certkeeper import failed: %s%s" % (p.stdout, p.stderr[-2000:]))
            cli_rate = int(m.group(1)) / float(m.group(2))
            token = ab.make_token(binary, db)
            srv = ab.Server(binary, db)
            url = srv.url + ab.CERTS + "bulk-import/"
            bodies = [json.dumps([{"pem_content": x} for x in pems[i:i + 100]]).encode()
                      for i in range(N, 2 * N, 100)]
            t0 = time.monotonic()
            bad = sum(1 for b in bodies if ab.post(url, token, b) != 201)
            api_rate = N / (time.monotonic() - t0)
            srv.stop()
            ab.log("  %-5s certkeeper import %6.0f certs/s   API bulk import, 1 client %6.0f certs/s%s"
                   % (label, cli_rate, api_rate, "  (%d batches failed)" % bad if bad else ""))
            os.unlink(db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
