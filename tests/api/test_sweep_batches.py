"""A write issued while the status sweep works through many certificates completes quickly
(issue 11 item 5): the sweep commits in batches that stop after DOM_SWEEP_BUDGET_US of work,
so the write lock is free between them, and the compliance reports it refreshes are computed
outside its write transaction. Before, a batch held the lock for 500 certificates whatever
they cost, and the reports for their whole duration (at 1M certificates: writes answered
"database is busy" after 5 s). Own server and database; both engines."""
import os
import re
import signal
import subprocess
import tempfile
import time

import requests

from ckapi import cert_body
from conftest import BIN, ENGINE, _start, db_exec, new_db_url, run_cli

CERTS = "/api/plugins/netbox-ssl/certificates/"
ROWS = 5000              # certificates the sweep expires
WRITE_MAX_S = 1.0        # the slowest write allowed during the sweep
MIN_WRITES = 3           # writes that must overlap the sweep for the test to mean anything
DOM_SWEEP_BATCH = 500    # domain/lifecycle.h


def expired_rows_sql(n, now):
    cols = ("common_name, serial_number, serial_key, fingerprint_sha256, issuer, issuer_key,"
            " valid_from, valid_to, status, created, last_updated")
    # expired 10 days ago: the sweep expires them; archiving waits auto_archive_after_days (90)
    vals = (f"'sweep' || i || '.example', 'S' || i, 'S' || i, 'FP' || i, 'CN=Sweep CA', 'cn=sweep ca',"
            f" {now - 60 * 86400}, {now - 10 * 86400}, 'active', {now}, {now}")
    if ENGINE == "sqlite":
        return (f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})"
                f" INSERT INTO certificates ({cols}) SELECT {vals} FROM n")
    return f"INSERT INTO certificates ({cols}) SELECT {vals} FROM generate_series(1, {n}) i"


def test_write_during_a_long_sweep_is_not_blocked(monkeypatch):
    tmp = tempfile.mkdtemp(prefix="ck-sweep-")
    url = new_db_url(tmp, "sweep")
    run_cli("user", "create", "admin", "--superuser", "--db", url)
    token = run_cli("token", "create", "--user", "admin", "--db", url).strip().splitlines()[-1]
    db_exec(url, expired_rows_sql(ROWS, int(time.time())))
    monkeypatch.setenv("CERTKEEPER_SWEEP_INTERVAL_S", "0")  # only the sweep below runs
    proc, base, _ = _start(tmp, url)
    s = requests.Session()
    s.headers["Authorization"] = f"Token {token}"
    try:
        r = s.post(base + CERTS, json=cert_body("sweep-writer.example.com"))
        assert r.status_code == 201, r.text
        target = f"{base}{CERTS}{r.json()['id']}/"
        sweep = subprocess.Popen([BIN, "sweep", "--stats", "--db", url], stdout=subprocess.PIPE, text=True)
        took = []
        while sweep.poll() is None and len(took) < 10000:
            t = time.monotonic()
            r = s.patch(target, json={"comments": f"w{len(took)}"})
            took.append(time.monotonic() - t)
            assert r.status_code == 200, r.text
            time.sleep(0.02)
        out = sweep.communicate(timeout=600)[0]
        assert sweep.returncode == 0, out
        assert out.startswith(f"expired {ROWS}, archived 0\n"), out
        batches = int(re.search(r"batches (\d+)", out).group(1))
        assert batches >= ROWS // DOM_SWEEP_BATCH
        assert len(took) >= MIN_WRITES, f"the sweep ended before {MIN_WRITES} writes: {out}"
        assert max(took) < WRITE_MAX_S, (max(took), out)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
