"""The PostgreSQL statement time limit (pg_statement_timeout_ms, docs/configuration.md): a read
that runs past it is stopped and answered 503 (CK_E_TIMEOUT, SQLSTATE 57014) instead of holding
a worker thread; a write is never cut off. A table lock held by another session makes a read
wait as long as the test wants, on any machine.
"""
import subprocess
import time
import uuid

import requests

import ckapi
from conftest import CERTS, Node, apiconf, new_database, psql

LIMIT_MS = 500
HOLD_S = 4


def hold_lock(db):
    """A session that holds an exclusive lock on certificates for HOLD_S seconds."""
    p = subprocess.Popen([apiconf._psql(), "-X", "-q", "-d", db, "-c",
                          f"BEGIN; LOCK TABLE certificates IN ACCESS EXCLUSIVE MODE;"
                          f" SELECT pg_sleep({HOLD_S}); COMMIT;"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        n = psql(db, "SELECT COUNT(*) FROM pg_locks WHERE relation = 'certificates'::regclass"
                     " AND mode = 'AccessExclusiveLock' AND granted").strip()
        if n == "1":
            return p, time.monotonic()
        time.sleep(0.02)
    raise AssertionError("the lock was never granted")


def test_read_past_the_limit_is_503_write_waits(pg_url, tmp_path):
    db = new_database(pg_url, "timeout")
    apiconf.run_cli("user", "create", "admin", "--superuser", "--db", db)
    token = apiconf.run_cli("token", "create", "--user", "admin", "--db", db).strip().splitlines()[-1]
    node = Node("t", db, str(tmp_path), {"pg_statement_timeout_ms": LIMIT_MS}).start()
    h = {"Authorization": f"Token {token}"}
    try:
        assert requests.get(node.base_url + CERTS, headers=h).status_code == 200
        locker, t_lock = hold_lock(db)
        t0 = time.monotonic()
        r = requests.get(node.base_url + CERTS, headers=h, params={"q": uuid.uuid4().hex})
        elapsed = time.monotonic() - t0
        assert r.status_code == 503, r.text
        assert r.json()["detail"] == "The query took longer than the statement time limit; narrow the filter."
        assert LIMIT_MS / 1000 <= elapsed < HOLD_S - 1, elapsed
        # a write waits for the lock, however long: it is never stopped half-way
        r = requests.post(node.base_url + CERTS, headers=h, json=ckapi.cert_body("timeout.example.com"))
        assert r.status_code == 201, r.text
        assert time.monotonic() - t_lock >= HOLD_S - 0.5
        assert locker.wait(30) == 0, locker.stderr.read()
        assert requests.get(node.base_url + CERTS, headers=h).json()["count"] == 1
    finally:
        node.stop()
