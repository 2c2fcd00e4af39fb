"""SQLite: the trigram index is written behind the writers (store_deferred_index_drain).
Inserted and changed certificates wait in certificates_fts_pending; the server's
"search-index" job indexes the queue every second, `certkeeper migrate` at once. A queued
certificate is found by `q` before it is indexed (searches check queued rows directly).
The index stays consistent through updates and deletes of queued and indexed rows (FTS5's
own integrity check). PostgreSQL has no such queue (pg_trgm indexes are plain indexes)."""
import signal
import sqlite3
import tempfile
import time

import pytest
import requests

from ckapi import CERTS, cert_body
from conftest import ENGINE, _start, new_db_url, run_cli

pytestmark = pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's FTS5 trigram index only")


def q(path, sql, *args):
    with sqlite3.connect(path) as con:
        return con.execute(sql, args).fetchall()


def raw_insert(path, n):
    with sqlite3.connect(path) as con:
        raw_insert_on(con, n)


def raw_insert_on(con, n):
    now = int(time.time())
    con.execute(
        "INSERT INTO certificates (common_name, serial_number, serial_key, fingerprint_sha256, issuer,"
        " issuer_key, valid_from, valid_to, created, last_updated) VALUES (?, ?, ?, ?, 'CN=Raw CA',"
        " 'cn=raw ca', ?, ?, ?, ?)", (f"rawzq{n}.example", f"R{n}", f"R{n}", f"FPRAW{n}", now, now + 86400, now, now))


def search(path, term):
    return [r[0] for r in q(path, "SELECT c.common_name FROM certificates_fts f JOIN certificates c"
                                  " ON c.id = f.rowid WHERE certificates_fts MATCH ? ORDER BY 1", f'"{term}"')]


def integrity(path):
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO certificates_fts(certificates_fts) VALUES ('integrity-check')")


def test_raw_rows_indexed_at_open_and_consistent():
    tmp = tempfile.mkdtemp(prefix="ck-fts-")
    url = new_db_url(tmp, "fts")
    path = url[len("sqlite:"):]
    run_cli("migrate", "--db", url)
    for n in range(3):
        raw_insert(path, n)
    assert q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(3,)]
    assert search(path, "rawzq") == []  # queued, not yet indexed
    # a queued row deleted and another changed before they were ever indexed
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM certificates WHERE common_name = 'rawzq0.example'")
        con.execute("UPDATE certificates SET common_name = 'rawzq1b.example' WHERE common_name = 'rawzq1.example'")
    run_cli("migrate", "--db", url)  # migrate empties the queue
    assert q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(0,)]
    assert search(path, "rawzq") == ["rawzq1b.example", "rawzq2.example"]
    integrity(path)
    # indexed rows changed and deleted: old terms leave the index at once
    with sqlite3.connect(path) as con:
        con.execute("UPDATE certificates SET common_name = 'rawzq2c.example' WHERE common_name = 'rawzq2.example'")
        con.execute("DELETE FROM certificates WHERE common_name = 'rawzq1b.example'")
    assert search(path, "rawzq") == []  # the changed row is queued again
    run_cli("migrate", "--db", url)
    assert search(path, "rawzq") == ["rawzq2c.example"]
    integrity(path)


def wait_for(cond, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def test_queued_rows_are_found_then_indexed_by_the_server():
    tmp = tempfile.mkdtemp(prefix="ck-fts-")
    url = new_db_url(tmp, "fts")
    path = url[len("sqlite:"):]
    run_cli("user", "create", "admin", "--superuser", "--db", url)
    token = run_cli("token", "create", "--user", "admin", "--db", url).strip().splitlines()[-1]
    proc, base, _ = _start(tmp, url)
    try:
        s = requests.Session()
        s.headers["Authorization"] = f"Token {token}"

        def found(term):
            r = s.get(base + CERTS, params={"q": term})
            assert r.status_code == 200, r.text
            return sorted(c["common_name"] for c in r.json()["results"])

        r = s.post(base + CERTS, json=cert_body("apizq.example.com"))
        assert r.status_code == 201, r.text
        assert found("apizq") == ["apizq.example.com"]  # queued or indexed: found either way
        assert wait_for(lambda: q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(0,)])
        assert search(path, "apizq") == ["apizq.example.com"]
        # While another writer holds the write lock the job cannot index, so rows stay
        # queued: `q` (and `__ic`) still find them, and only them.
        hold = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            hold.execute("BEGIN IMMEDIATE")
            for n in range(3):
                raw_insert_on(hold, n)
            hold.execute("COMMIT")
            hold.execute("BEGIN IMMEDIATE")  # keeps the job from draining the queue
            assert q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(3,)]
            assert search(path, "rawzq") == []
            assert found("rawzq") == ["rawzq0.example", "rawzq1.example", "rawzq2.example"]
            assert found("rawzq1") == ["rawzq1.example"]
            assert found("apizq") == ["apizq.example.com"]
            r = s.get(base + CERTS, params={"common_name__ic": "RAWZQ2"})
            assert [c["common_name"] for c in r.json()["results"]] == ["rawzq2.example"]
        finally:
            hold.execute("ROLLBACK")
            hold.close()
        assert wait_for(lambda: q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(0,)])
        assert search(path, "rawzq") == ["rawzq0.example", "rawzq1.example", "rawzq2.example"]
        assert found("rawzq1") == ["rawzq1.example"]
        integrity(path)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


def test_migrate_indexes_a_large_queue_in_batches():
    """More queued rows than one batch (5,000): migrate indexes all of them."""
    tmp = tempfile.mkdtemp(prefix="ck-fts-")
    url = new_db_url(tmp, "fts")
    path = url[len("sqlite:"):]
    run_cli("migrate", "--db", url)
    with sqlite3.connect(path) as con:
        for n in range(12001):
            raw_insert_on(con, n)
    assert q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(12001,)]
    out = run_cli("migrate", "--db", url)
    assert "Indexed 12001 queued certificate(s) for search." in out
    assert q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(0,)]
    def matches(term):
        return q(path, "SELECT COUNT(*) FROM certificates_fts WHERE certificates_fts MATCH ?",
                 f'common_name : "{term}"')
    assert matches("rawzq") == [(12001,)]  # every batch, the last one short
    assert matches("rawzq1200") == [(2,)]  # 1200 and 12000
    integrity(path)
