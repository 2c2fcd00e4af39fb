"""`certkeeper import`: files and stdin, batches per transaction, per-file errors, --tenant,
--user, limits (--batch and the PEM size cap at limit and limit + 1), exit codes 0/1/2."""

import os
import re
import subprocess
import tempfile

import pytest

import ckcerts
from conftest import BIN, db_exec, db_rows, new_db_url, sanitizer_report

PEM_MAX = 65536  # default max_pem_bytes
BATCH_MAX = 10000


def run(args, stdin=None, cwd=None):
    p = subprocess.run([BIN, "import", *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)
    assert not sanitizer_report(p.stderr), p.stderr
    return p


@pytest.fixture()
def ws():
    """A fresh migrated database and a folder for PEM files."""
    d = tempfile.mkdtemp(prefix="ck-import-")
    db = new_db_url(d, "import")
    subprocess.run([BIN, "migrate", "--db", db], check=True, capture_output=True)
    return d, db


def write_cert(d, name, cn=None, chain=False):
    if chain:
        text = ckcerts.pem(ckcerts.make_chain(cn=cn or name + ".example.com")[:2])
    else:
        text = ckcerts.pem(ckcerts.make_cert(cn=cn or name + ".example.com")[0])
    path = os.path.join(d, name + ".pem")
    with open(path, "w") as f:
        f.write(text)
    return path


def rows(db, sql):
    return db_rows(db, sql)


def test_imports_files_and_prints_summary(ws):
    d, db = ws
    files = [write_cert(d, "a"), write_cert(d, "b", chain=True), write_cert(d, "c")]
    p = run(["--db", db, *files])
    assert p.returncode == 0, p.stderr
    assert re.match(r"imported 3 certificates in [0-9.]+ s \([0-9]+/s\)$", p.stdout.strip()), p.stdout
    cns = sorted(r[0] for r in rows(db, "SELECT common_name FROM certificates"))
    assert cns == ["a.example.com", "b.example.com", "c.example.com"]
    chain = rows(db, "SELECT issuer_chain FROM certificates WHERE common_name = 'b.example.com'")[0][0]
    assert "BEGIN CERTIFICATE" in chain
    changes = rows(db, "SELECT action, user_id, user_name FROM object_changes"
                       " WHERE changed_object_type = 'netbox_ssl.certificate'")
    assert changes == [("create", None, "")] * 3  # system


def test_stdin(ws):
    d, db = ws
    text = ckcerts.pem(ckcerts.make_cert(cn="stdin.example.com")[0])
    p = run(["--db", db, "-"], stdin=text)
    assert p.returncode == 0, p.stderr
    assert rows(db, "SELECT common_name FROM certificates") == [("stdin.example.com",)]
    p = run(["--db", db, "-", "-"], stdin=text)
    assert p.returncode == 2 and "more than once" in p.stderr


def test_failing_batch_rolled_back_earlier_kept(ws):
    d, db = ws
    good = [write_cert(d, n) for n in ("g1", "g2", "g3")]
    bad = os.path.join(d, "bad.pem")
    with open(bad, "w") as f:
        f.write("not a certificate\n")
    p = run(["--db", db, "--batch", "2", *good, bad])
    assert p.returncode == 1
    assert "bad.pem" in p.stderr and "No valid certificate" in p.stderr
    assert "rolled back" in p.stderr and "2 certificate(s) imported before it" in p.stderr
    # batch 1 (g1, g2) committed, batch 2 (g3, bad) rolled back as a whole
    assert sorted(r[0] for r in rows(db, "SELECT common_name FROM certificates")) == ["g1.example.com", "g2.example.com"]


def test_duplicate_names_file(ws):
    d, db = ws
    a = write_cert(d, "dup")
    assert run(["--db", db, a]).returncode == 0
    p = run(["--db", db, a])
    assert p.returncode == 1 and "dup.pem" in p.stderr and "already exists" in p.stderr


def test_private_key_refused(ws):
    d, db = ws
    cert, key = ckcerts.make_cert(cn="key.example.com")
    path = os.path.join(d, "withkey.pem")
    with open(path, "w") as f:
        f.write(ckcerts.pem(cert) + ckcerts.key_pem(key))
    p = run(["--db", db, path])
    assert p.returncode == 1 and "withkey.pem" in p.stderr
    assert rows(db, "SELECT COUNT(*) FROM certificates") == [(0,)]


def test_tenant_and_user(ws):
    d, db = ws
    db_exec(db, "INSERT INTO tenants (id, name, slug, created, last_updated) VALUES (7, 'T', 't', 0, 0)")
    subprocess.run([BIN, "user", "create", "importer", "--db", db], check=True, capture_output=True)
    f = write_cert(d, "tenanted")
    p = run(["--db", db, "--tenant", "7", "--user", "importer", f])
    assert p.returncode == 0, p.stderr
    assert rows(db, "SELECT tenant_id FROM certificates") == [(7,)]
    assert rows(db, "SELECT user_name FROM object_changes WHERE changed_object_type = 'netbox_ssl.certificate'") == [("importer",)]
    g = write_cert(d, "other")
    p = run(["--db", db, "--tenant", "8", g])
    assert p.returncode == 1 and "no such tenant" in p.stderr
    p = run(["--db", db, "--user", "nobody", g])
    assert p.returncode == 1 and "no such user" in p.stderr
    assert rows(db, "SELECT COUNT(*) FROM certificates") == [(1,)]


def test_pem_size_limit(ws):
    d, db = ws
    text = ckcerts.pem(ckcerts.make_cert(cn="big.example.com")[0])
    at = os.path.join(d, "at.pem")
    over = os.path.join(d, "over.pem")
    with open(at, "w") as f:
        f.write(text + "\n" * (PEM_MAX - len(text)))
    with open(over, "w") as f:
        f.write(text + "\n" * (PEM_MAX + 1 - len(text)))
    assert os.path.getsize(at) == PEM_MAX and os.path.getsize(over) == PEM_MAX + 1
    p = run(["--db", db, over])
    assert p.returncode == 1 and "over.pem" in p.stderr and "limit" in p.stderr
    p = run(["--db", db, at])
    assert p.returncode == 0, p.stderr


def test_usage_errors(ws):
    d, db = ws
    f = write_cert(d, "u")
    for args in (["--batch", str(BATCH_MAX + 1), f], ["--batch", "0", f], ["--batch", "x", f],
                 ["--tenant", "abc", f], ["--bogus", f], [], ["--db"]):
        p = run(["--db", db, *args] if args != ["--db"] else args)
        assert p.returncode == 2, (args, p.stderr)
        assert "usage: certkeeper import" in p.stderr
    p = run(["--db", db, "--batch", str(BATCH_MAX), f])
    assert p.returncode == 0, p.stderr
    p = run(["--db", db, os.path.join(d, "missing.pem")])
    assert p.returncode == 1 and "missing.pem" in p.stderr
    p = run(["--help"])
    assert p.returncode == 0 and "--batch N" in p.stdout


def test_skip_existing_resumes_after_a_crash(ws):
    """Issue 9 item 14: a re-run over the same files (as after a crash mid-import) stops at the
    first duplicate without --skip-existing; with it, duplicates are reported and skipped and
    the rest is imported."""
    d, db = ws
    files = [write_cert(d, f"s{i}") for i in range(5)]
    p = run(["--db", db, *files[:2]])  # the "crashed" first run got this far
    assert p.returncode == 0, p.stderr
    p = run(["--db", db, *files])
    assert p.returncode == 1 and "Certificate already exists: s0.example.com" in p.stderr, p.stderr
    assert len(rows(db, "SELECT id FROM certificates")) == 2
    p = run(["--db", db, "--skip-existing", "--batch", "2", *files, files[4]])
    assert p.returncode == 0, p.stderr
    out = p.stdout.strip().splitlines()
    skipped = [l for l in out if l.startswith("skipped /")]
    assert [l.split(": ", 1)[0] for l in skipped] == [f"skipped {files[0]}", f"skipped {files[1]}",
                                                     f"skipped {files[4]}"]
    assert skipped[0].startswith(f"skipped {files[0]}: Certificate already exists: s0.example.com (ID: 1, Serial: ")
    # the repeated file was imported earlier in this very run (batch 3 sees batch 2's row)
    assert skipped[2].startswith(f"skipped {files[4]}: Certificate already exists: s4.example.com (ID: ")
    assert re.match(r"imported 3 certificates, skipped 3 existing, in [0-9.]+ s \([0-9]+/s\)$", out[-1]), out
    cns = sorted(r[0] for r in rows(db, "SELECT common_name FROM certificates"))
    assert cns == [f"s{i}.example.com" for i in range(5)]
    # nothing left to do: everything skipped, nothing written, exit 0
    before = rows(db, "SELECT COUNT(*) FROM object_changes")
    p = run(["--db", db, "--skip-existing", *files])
    assert p.returncode == 0 and p.stdout.count("skipped /") == 5, p.stdout
    assert rows(db, "SELECT COUNT(*) FROM object_changes") == before
