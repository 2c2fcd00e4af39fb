"""Black-box API tests: one certkeeper server per session on a free loopback port, fresh DB.

The binary is $CERTKEEPER_BIN (default build-asan/certkeeper in the repository). Users and tokens
are created with the CLI against the same database before the server starts. At the end the
server gets SIGTERM and must exit 0 with no sanitizer report on stderr.

The engine is $CK_TEST_ENGINE: "sqlite" (default; a file per server) or "postgres" (a new
database per server on the PostgreSQL server of $CK_TEST_PG_URL, which scripts/run-tests
starts). Tests get database URLs from new_db_url() and read a database with db_rows(), never
naming an engine, unless their point is engine-specific.
"""

import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import json
import time
import uuid

import pytest
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("CERTKEEPER_BIN", str(REPO / "build-asan" / "certkeeper"))
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0

CERTS = "/api/plugins/netbox-ssl/certificates/"
PLUGIN = "/api/plugins/netbox-ssl/"


ENGINE = os.environ.get("CK_TEST_ENGINE", "sqlite")
PG_URL = os.environ.get("CK_TEST_PG_URL", "")
if ENGINE not in ("sqlite", "postgres"):
    raise RuntimeError(f"CK_TEST_ENGINE must be sqlite or postgres, not {ENGINE!r}")


def _psql():
    """Debian's psql wrapper, or the newest server's own binary."""
    if os.access("/usr/bin/psql", os.X_OK):
        return "/usr/bin/psql"
    dirs = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/psql"))
    if not dirs:
        raise RuntimeError("psql not found (scripts/install-deps installs postgresql)")
    return str(dirs[-1])


def _pg_with_db(url, name):
    """`url` (postgresql:///db?host=...) naming database `name` instead."""
    base, sep, query = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + sep + query


def psql(url, sql):
    """Runs `sql` with psql on the database of `url`; returns stdout (unaligned, no headers)."""
    p = subprocess.run([_psql(), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"psql failed ({p.returncode}): {sql}\n{p.stderr}"
    return p.stdout


def new_db_url(tmp, name="test"):
    """A fresh, empty database for one server or test: an SQLite file in `tmp`, or a new
    database on the PostgreSQL test server."""
    if ENGINE == "sqlite":
        return "sqlite:" + os.path.join(tmp, name + ".db")
    if not PG_URL:
        raise RuntimeError("CK_TEST_ENGINE=postgres needs CK_TEST_PG_URL (scripts/run-tests sets it)")
    db = "ck_" + name.lower().replace("-", "_")[:20] + "_" + uuid.uuid4().hex[:12]
    psql(PG_URL, f"CREATE DATABASE {db}")
    return _pg_with_db(PG_URL, db)


def db_rows(url, sql):
    """The rows of a query as a list of tuples, on either engine (values typed as JSON gives
    them on PostgreSQL: numbers, strings, None)."""
    if url.startswith("sqlite:"):
        import sqlite3
        with sqlite3.connect(url[len("sqlite:"):], timeout=30) as c:
            return c.execute(sql).fetchall()
    text = psql(url, f"SELECT row_to_json(q) FROM ({sql}) q")  # one line per row
    # pairs, not a dict: two result columns may share a name (count, count)
    return [tuple(_unpair(v) for _, v in json.loads(line, object_pairs_hook=_Pairs))
            for line in text.splitlines() if line]


class _Pairs(list):
    pass


def _unpair(v):
    if isinstance(v, _Pairs):
        return {k: _unpair(x) for k, x in v}
    if isinstance(v, list):
        return [_unpair(x) for x in v]
    return v


def db_exec(url, sql):
    """Runs a statement (no result) on either engine."""
    if url.startswith("sqlite:"):
        import sqlite3
        c = sqlite3.connect(url[len("sqlite:"):], timeout=30)
        try:
            c.executescript(sql)
            c.commit()
        finally:
            c.close()
        return
    psql(url, sql)


def sanitizer_report(text):
    return [m for m in SANITIZER_MARKERS if m in text]


def run_cli(*args, stdin=None):
    """Run a certkeeper CLI command; fail the test run on a non-zero exit or a sanitizer report."""
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and not sanitizer_report(p.stderr), (
        f"certkeeper {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    )
    return p.stdout


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A requests.Session bound to the server; paths may be relative ("/api/...") or absolute."""

    def __init__(self, base_url, token=None, scheme="Token"):
        self.base_url = base_url
        self.s = requests.Session()
        if token:
            self.s.headers["Authorization"] = f"{scheme} {token}"

    def url(self, path):
        return path if path.startswith("http") else self.base_url + path

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 60)
        return self.s.request(method, self.url(path), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)

    def count(self, path=CERTS, **params):
        """The list's `count` for the given filters."""
        r = self.get(path, params={**params, "limit": 1})
        assert r.status_code == 200, r.text
        return r.json()["count"]

    def list_all(self, path, **params):
        """Every result of a filtered list, following `next`."""
        out, url, p = [], path, {**params, "limit": 1000}
        while url:
            r = self.get(url, params=p)
            assert r.status_code == 200, r.text
            body = r.json()
            out += body["results"]
            url, p = body["next"], None
        return out


class Server:
    """A running server; `db` is its database URL (sqlite:PATH or postgresql://...)."""

    def __init__(self, base_url, db, token, ro_token, v2_token, password, proc, stderr_path):
        self.base_url = base_url
        self.db = db
        self.token = token
        self.ro_token = ro_token
        self.v2_token = v2_token
        self.password = password
        self.proc = proc
        self.stderr_path = stderr_path

    def client(self, token="default", scheme="Token"):
        return Client(self.base_url, self.token if token == "default" else token, scheme)

    def stderr(self):
        return pathlib.Path(self.stderr_path).read_text(errors="replace")


def _start(tmp, db):
    """Starts `certkeeper serve` on database URL `db` (new_db_url())."""
    last = ""
    for _ in range(3):  # the port may be taken between free_port() and bind()
        port = free_port()
        out = open(os.path.join(tmp, "stdout.log"), "w+")
        err_path = os.path.join(tmp, "stderr.log")
        err = open(err_path, "w+")
        proc = subprocess.Popen(
            [BIN, "serve", "--listen", f"127.0.0.1:{port}", "--db", db, "--quiet", "--threads", "4"],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = pathlib.Path(out.name).read_text(errors="replace")
            if "listening on http://" in text:
                return proc, f"http://127.0.0.1:{port}", err_path
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        last = pathlib.Path(out.name).read_text(errors="replace") + pathlib.Path(err_path).read_text(errors="replace")
    raise RuntimeError(f"certkeeper serve did not start ({BIN}):\n{last}")


@pytest.fixture(scope="session")
def server():
    if not os.access(BIN, os.X_OK):
        pytest.exit(f"certkeeper binary not found: {BIN} (set CERTKEEPER_BIN)", returncode=2)
    tmp = tempfile.mkdtemp(prefix="ck-api-")
    url = db = new_db_url(tmp, "session")
    run_cli("user", "create", "admin", "--superuser", "--db", url)
    token = run_cli("token", "create", "--user", "admin", "--db", url).strip().splitlines()[-1]
    ro = run_cli("token", "create", "--user", "admin", "--read-only", "--db", url).strip().splitlines()[-1]
    v2 = run_cli("token", "create", "--user", "admin", "--v2", "--db", url).strip().splitlines()[-1]
    password = "test-only-" + uuid.uuid4().hex
    run_cli("user", "password", "admin", "--db", url, stdin=password + "\n")
    proc, base, err_path = _start(tmp, db)
    srv = Server(base, db, token, ro, v2, password, proc, err_path)
    yield srv
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
        pytest.fail(f"server did not stop within {STOP_TIMEOUT}s of SIGTERM; stderr:\n{srv.stderr()}")
    stderr = srv.stderr()
    found = sanitizer_report(stderr)
    if rc != 0 or found:
        print(stderr, file=sys.stderr)
    assert rc == 0, f"server exited with {rc}; stderr:\n{stderr}"
    assert not found, f"sanitizer report ({found}) in server stderr:\n{stderr}"


@pytest.fixture(scope="session")
def base_url(server):
    return server.base_url


@pytest.fixture(scope="session")
def api(server):
    """Client with the read-write token."""
    return server.client()


@pytest.fixture(scope="session")
def ro_api(server):
    """Client with the read-only token."""
    return server.client(server.ro_token)


@pytest.fixture(scope="session")
def anon(server):
    return server.client(None)


@pytest.fixture
def uniq():
    """A short unique lower-case marker to keep each test's objects apart in the shared DB."""
    return "t" + uuid.uuid4().hex[:10]
