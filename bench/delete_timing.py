#!/usr/bin/python3
"""Times N certificate deletes through the API on a database of ROWS certificates (issue 9
item 13: replaced_by and lifecycle_events.related_certificate_id were unindexed, so every
delete scanned both tables for ON DELETE SET NULL).

usage: bench/delete_timing.py BINARY [ROWS] [N]     (prints figures; never pass/fail)

The rows are written straight into a freshly migrated SQLite file (fast, and only the delete
path is measured); each certificate has one lifecycle event and every tenth replaces another.
"""

import os
import pathlib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

import requests


def main():
    binary = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 27000
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    tmp = tempfile.mkdtemp(prefix="ck-delbench-")
    db = os.path.join(tmp, "b.db")
    url = "sqlite:" + db
    subprocess.run([binary, "migrate", "--db", url], check=True, capture_output=True)
    subprocess.run([binary, "user", "create", "bench", "--superuser", "--db", url], check=True, capture_output=True)
    token = subprocess.run([binary, "token", "create", "--user", "bench", "--db", url], check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with sqlite3.connect(db) as c:
        c.executemany(
            "INSERT INTO certificates (id, common_name, serial_number, serial_key, fingerprint_sha256, issuer,"
            " issuer_key, valid_from, valid_to, replaced_by, created, last_updated)"
            " VALUES (?, ?, ?, ?, ?, 'CN=Bench', 'CN=BENCH', 0, 2000000000, ?, 0, 0)",
            [(i, f"c{i}.example.com", f"{i:X}", f"{i:X}", f"{i:064X}", i - 1 if i % 10 == 0 else None)
             for i in range(1, rows + 1)])
        c.executemany(
            "INSERT INTO lifecycle_events (certificate_id, event_type, timestamp, related_certificate_id)"
            " VALUES (?, 'imported', 0, ?)", [(i, i + 1 if i < rows else None) for i in range(1, rows + 1)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = open(os.path.join(tmp, "out.log"), "w+")
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--db", url, "--quiet"],
                            stdout=out, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if "listening on" in pathlib.Path(out.name).read_text():
                break
            time.sleep(0.05)
        sess = requests.Session()
        sess.headers["Authorization"] = f"Token {token}"
        base = f"http://127.0.0.1:{port}/api/plugins/netbox-ssl/certificates/"
        ids = range(rows // 2, rows // 2 + n)
        t0 = time.perf_counter()
        for i in ids:
            r = sess.delete(f"{base}{i}/")
            assert r.status_code == 204, r.text
        t = time.perf_counter() - t0
        print(f"{binary}: {n} deletes at {rows} certificates: {t:.3f} s ({t / n * 1000:.1f} ms each)")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
