"""Sign-in throttling on a server of its own (throttling is per client address, and the shared
test server must keep accepting 127.0.0.1): ten failures within five minutes lock the address
out with 429 — even for the right password — and the answer names no user or password."""
import os
import signal
import tempfile

import requests

from conftest import _start, new_db_url, run_cli


def test_ten_failures_then_429():
    tmp = tempfile.mkdtemp(prefix="ck-throttle-")
    db = new_db_url(tmp, "throttle")
    run_cli("user", "create", "bob", "--db", db)
    run_cli("user", "password", "bob", "--db", db, stdin="right-password-1\n")
    proc, base, _ = _start(tmp, db)
    try:
        login = base + "/api/auth/login/"
        for _ in range(10):
            r = requests.post(login, json={"username": "bob", "password": "wrong"})
            assert r.status_code == 401
        r = requests.post(login, json={"username": "bob", "password": "right-password-1"})
        assert r.status_code == 429, r.text
        assert "Too many failed sign-in attempts" in r.json()["detail"]
        # other paths still answer
        assert requests.get(base + "/api/status/").status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
