"""`certkeeper migrate-data`: a SQLite installation built through the API (tenant, tags,
certificates with a chain, a Janus renewal — replaced_by points at a newer row — assignments,
a compliance policy, the changelog) copied to PostgreSQL and back to a new SQLite file: every
table equal (row by row, JSON compared parsed), ids kept, the next id never reused; a
non-empty target refused unless --replace; usage errors exit 2."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import uuid

import pytest

import ckcerts
from conftest import BIN, ENGINE, Client, _start, run_cli, sanitizer_report

PG = os.environ.get("CK_TEST_PG_URL")
pytestmark = [
    pytest.mark.skipif(not PG, reason="CK_TEST_PG_URL not set (scripts/run-tests starts PostgreSQL)"),
    # SQLite → PostgreSQL → SQLite by design: it uses both engines in either pass, so it runs once
    pytest.mark.skipif(ENGINE == "postgres", reason="engine pair test: runs in the SQLite pass"),
]

PLUGIN = "/api/plugins/netbox-ssl/"


def pg_database():
    """A fresh, empty PostgreSQL database on the test server; returns its URL."""
    name = "ck_md_" + uuid.uuid4().hex[:12]
    base, _, query = PG.partition("?")
    subprocess.run(["psql", PG, "-qAt", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return f"postgresql:///{name}?{query}"


def migrate_data(*args):
    p = subprocess.run([BIN, "migrate-data", *args], capture_output=True, text=True, timeout=300)
    assert not sanitizer_report(p.stderr), p.stderr
    return p


@pytest.fixture(scope="module")
def source():
    """A SQLite database filled through a real server, then the server stopped."""
    tmp = tempfile.mkdtemp(prefix="ck-md-")
    db = os.path.join(tmp, "src.db")
    run_cli("user", "create", "admin", "--superuser", "--db", f"sqlite:{db}")
    token = run_cli("token", "create", "--user", "admin", "--db", f"sqlite:{db}").strip().splitlines()[-1]
    proc, base, err_path = _start(tmp, f"sqlite:{db}")
    api = Client(base, token)
    try:
        tenant = api.post("/api/tenancy/tenants/", json={"name": "Migrate T", "slug": "migrate-t"}).json()
        tag = api.post("/api/extras/tags/", json={"name": "mig", "slug": "mig"}).json()
        old = api.post(PLUGIN + "certificates/import/", json={
            "pem_content": ckcerts.pem(ckcerts.make_chain(cn="old.migrate.example")[:2]),
            "tenant": tenant["id"]}).json()
        assert "id" in old, old
        r = api.patch(f"{PLUGIN}certificates/{old['id']}/", json={
            "tags": [tag["id"]], "comments": "ünïcödé 'quotes' \"double\" \\ back"})
        assert r.status_code == 200, r.text
        dev = api.post("/api/dcim/devices/", json={"name": "mig-dev", "tenant": tenant["id"]}).json()
        r = api.post(PLUGIN + "assignments/", json={"certificate": old["id"], "assigned_object_type": "dcim.device",
                                                    "assigned_object_id": dev["id"]})
        assert r.status_code == 201, r.text
        new_pem = ckcerts.pem(ckcerts.make_cert(cn="old.migrate.example")[0])
        r = api.post(f"{PLUGIN}certificates/{old['id']}/renew/", json={"pem_content": new_pem})
        assert r.status_code in (200, 201), r.text
        r = api.post(PLUGIN + "compliance-policies/", json={"name": "mig-min-key", "policy_type": "min_key_size",
                                                            "parameters": {"min_bits": 2048}})
        assert r.status_code == 201, r.text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    # the server was stopped within a second of its last write, before its search-index job
    # ran: `migrate` indexes what is still queued, as an operator would
    run_cli("migrate", "--db", f"sqlite:{db}")
    yield db
    shutil.rmtree(tmp, ignore_errors=True)


def tables(db):
    con = sqlite3.connect(db)
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'schema_migrations' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        # the trigram index's own tables: their segment layout depends on how rows were
        # grouped into transactions (one segment per commit); compared by search below
        " AND name NOT LIKE 'certificates_fts%' ORDER BY name")]
    out = {}
    for n in names:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({n})")]
        rows = []
        order = "1, 2" if len(cols) > 1 else "1"  # certificates_fts_pending has one column
        for row in con.execute(f"SELECT * FROM {n} ORDER BY {order}"):
            vals = []
            for v in row:
                if isinstance(v, str) and v[:1] in "{[":
                    try:
                        v = json.loads(v)
                    except ValueError:
                        pass
                vals.append(v)
            rows.append(vals)
        out[n] = (cols, rows)
    con.close()
    return out


def test_round_trip_sqlite_postgres_sqlite(source, tmp_path):
    pg = pg_database()
    p = migrate_data("--from", f"sqlite:{source}", "--to", pg)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "every table has equal rows and checksums" in p.stdout
    assert "DIFFERENT" not in p.stdout
    # the PostgreSQL target was vacuumed and analysed before the command returned: a server
    # started on it plans with statistics from its first request
    assert "prepared the target for reads" in p.stdout
    done = subprocess.run(["psql", pg, "-qAt", "-c",
                           "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"
                           " FROM pg_stat_user_tables WHERE relname = 'certificates'"],
                          check=True, capture_output=True, text=True).stdout.strip()
    assert done == "t"
    back = str(tmp_path / "back.db")
    p = migrate_data("--from", pg, "--to", f"sqlite:{back}")
    assert p.returncode == 0, p.stdout + p.stderr
    a, b = tables(source), tables(back)
    assert a.keys() == b.keys()
    assert a["certificates"][1] and a["object_changes"][1] and a["assignments"][1]
    for name in a:
        assert a[name] == b[name], name
    # the trigram index finds the same certificates in both
    def search(db, term):
        with sqlite3.connect(db) as con:
            return con.execute("SELECT rowid FROM certificates_fts WHERE certificates_fts MATCH ?"
                               " ORDER BY rowid", (term,)).fetchall()
    for term in ('"exa"', '"migrate"', '"CN="'):
        assert search(source, term) == search(back, term) != [], term
    # the renewal's self-reference survived, and ids continue after the copied ones on PostgreSQL
    con = sqlite3.connect(back)
    assert con.execute("SELECT COUNT(*) FROM certificates WHERE replaced_by IS NOT NULL").fetchone()[0] == 1
    top = con.execute("SELECT MAX(id) FROM tenants").fetchone()[0]
    con.close()
    nxt = subprocess.run(["psql", pg, "-qAt", "-c",
                          "INSERT INTO tenants (name, slug, created, last_updated) VALUES ('n', 'n', 0, 0) RETURNING id"],
                         check=True, capture_output=True, text=True).stdout.split()[0]
    assert int(nxt) == top + 1


def test_non_empty_target_refused_then_replaced(source):
    pg = pg_database()
    assert migrate_data("--from", f"sqlite:{source}", "--to", pg).returncode == 0
    p = migrate_data("--from", f"sqlite:{source}", "--to", pg)
    assert p.returncode == 1 and "refusing (use --replace" in p.stderr, p.stderr
    p = migrate_data("--from", f"sqlite:{source}", "--to", pg, "--replace")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "DIFFERENT" not in p.stdout


@pytest.mark.parametrize("args", [[], ["--from", "sqlite:/tmp/x.db"], ["--to", "sqlite:/tmp/x.db"],
                                  ["--from", "sqlite:/tmp/x.db", "--to", "sqlite:/tmp/x.db"],
                                  ["--from", "sqlite:/tmp/x.db", "--to", "sqlite:/tmp/y.db", "--bogus"]])
def test_usage_errors(args):
    p = migrate_data(*args)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "usage" in p.stderr or "same database" in p.stderr


def test_unreachable_target_fails_cleanly(source):
    p = migrate_data("--from", f"sqlite:{source}", "--to", "postgresql:///nope?host=/nonexistent-dir&user=x")
    assert p.returncode == 1
    assert "cannot connect to PostgreSQL" in p.stderr
