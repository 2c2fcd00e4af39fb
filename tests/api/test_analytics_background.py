"""The analytics summary never makes a request wait for a rescan after a write (issue 11): on a
server of its own with CERTKEEPER_ANALYTICS_SYNC_MS=0 (every recomputation goes to the
background, as it does at 1M certificates where one takes seconds), the first request after a
write is answered from the kept summary — so it still shows the old total — and a background
pass makes the write visible within a bounded time."""
import os
import signal
import tempfile
import time

import requests

from ckapi import cert_body
from conftest import new_db_url, _start, run_cli

CERTS = "/api/plugins/netbox-ssl/certificates/"
SUMMARY = "/api/plugins/netbox-ssl/analytics/summary/"
VISIBLE_WITHIN_S = 10


def test_summary_after_write_served_at_once_then_refreshed(monkeypatch):
    tmp = tempfile.mkdtemp(prefix="ck-analytics-")
    db = url = new_db_url(tmp, "a")
    run_cli("user", "create", "admin", "--superuser", "--db", url)
    token = run_cli("token", "create", "--user", "admin", "--db", url).strip().splitlines()[-1]
    monkeypatch.setenv("CERTKEEPER_ANALYTICS_SYNC_MS", "0")
    proc, base, _ = _start(tmp, db)
    s = requests.Session()
    s.headers["Authorization"] = f"Token {token}"
    try:
        assert s.get(base + SUMMARY).json()["total"] == 0  # first: computed inline
        assert s.post(base + CERTS, json=cert_body("bg-a.example.com")).status_code == 201
        # the write made the kept summary stale: served as it was, recomputation queued
        assert s.get(base + SUMMARY).json()["total"] == 0
        deadline = time.monotonic() + VISIBLE_WITHIN_S
        total = 0
        while total != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
            total = s.get(base + SUMMARY).json()["total"]
        assert total == 1
        # a tenant filter has its own kept summary and its own refresh
        assert s.get(base + SUMMARY, params={"tenant_id": 7}).json()["total"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
