"""SQLite: the trigram index is written once per transaction (migration 9). Rows wait in
certificates_fts_pending until their transaction commits; certkeeper's commit indexes them,
and the open of a database indexes what raw SQL writers (the sqlite3 shell) left queued.
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
    now = int(time.time())
    with sqlite3.connect(path) as con:
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
    run_cli("migrate", "--db", url)  # every open drains the queue
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


def test_api_write_is_indexed_by_its_commit():
    tmp = tempfile.mkdtemp(prefix="ck-fts-")
    url = new_db_url(tmp, "fts")
    path = url[len("sqlite:"):]
    run_cli("user", "create", "admin", "--superuser", "--db", url)
    token = run_cli("token", "create", "--user", "admin", "--db", url).strip().splitlines()[-1]
    proc, base, _ = _start(tmp, url)
    try:
        s = requests.Session()
        s.headers["Authorization"] = f"Token {token}"
        r = s.post(base + CERTS, json=cert_body("apizq.example.com"))
        assert r.status_code == 201, r.text
        assert q(path, "SELECT COUNT(*) FROM certificates_fts_pending") == [(0,)]
        assert search(path, "apizq") == ["apizq.example.com"]
        assert [c["common_name"] for c in s.get(base + CERTS, params={"q": "apizq"}).json()["results"]] \
            == ["apizq.example.com"]
        integrity(path)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
