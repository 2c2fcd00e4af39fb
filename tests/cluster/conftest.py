"""Several certkeeper nodes on one PostgreSQL database (issue 12, docs/deployment.md).

A module's `cluster` is two `certkeeper serve` processes (node A and node B) on free loopback
ports sharing one fresh database on the PostgreSQL server of $CK_TEST_PG_URL (scripts/run-tests
starts one); without it a throw-away server is started with scripts/pg-temp for the session.
The binary is $CERTKEEPER_BIN (default build-asan/certkeeper). Each node must stop with exit 0
and no sanitizer report on SIGTERM, except a node a test killed on purpose.
"""

import importlib.util
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "api"))

# the API suite's helpers (server start-up, CLI, psql), loaded under another module name so
# that its fixtures do not clash with this directory's
_spec = importlib.util.spec_from_file_location("ck_api_conftest", REPO / "tests" / "api" / "conftest.py")
apiconf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(apiconf)

BIN = apiconf.BIN
CERTS = apiconf.CERTS
START_TIMEOUT = 30.0
PASSWORD = "cluster-test-password-1"

# Settings of every node (CERTKEEPER_<KEY> environment variables): the sweep every second so
# that "once per interval" is observable within seconds; bulk imports large enough to be
# killed half-way; a small per-address sign-in limit.
NODE_SETTINGS = {
    "sweep_interval_s": 1,
    "bulk_import_max_batch_size": 20000,
    "login_max_failures_per_address": 6,
    "login_max_failures_per_account": 1000,
    "max_body_bytes": 64 << 20,
}


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("CK_TEST_PG_URL", "")
    if url:
        yield url
        return
    tmp = tempfile.mkdtemp(prefix="ck-cluster-pg-")
    os.chmod(tmp, 0o755)
    p = subprocess.run([str(REPO / "scripts" / "pg-temp"), "start", tmp + "/pg"], capture_output=True,
                       text=True, timeout=120)
    if p.returncode:
        pytest.exit(f"cannot start PostgreSQL (scripts/install-deps installs it):\n{p.stderr}", returncode=2)
    try:
        yield p.stdout.strip()
    finally:
        subprocess.run([str(REPO / "scripts" / "pg-temp"), "stop", tmp + "/pg"], timeout=120)


def new_database(pg_url, name):
    db = "ck_" + name + "_" + uuid.uuid4().hex[:12]
    apiconf.psql(pg_url, f"CREATE DATABASE {db}")
    return apiconf._pg_with_db(pg_url, db)


def psql(url, sql):
    return apiconf.psql(url, sql)


class Node:
    """One `certkeeper serve` process; settings as CERTKEEPER_* variables."""

    def __init__(self, name, db, tmp, settings):
        self.name, self.db, self.settings = name, db, settings
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None
        self.port = None
        self.base_url = None

    def start(self):
        last = ""
        env = {**os.environ, **{"CERTKEEPER_" + k.upper(): str(v) for k, v in self.settings.items()}}
        for _ in range(3):  # the port may be taken between free_port() and bind()
            self.port = apiconf.free_port()
            out = open(os.path.join(self.dir, "stdout.log"), "w+")
            self.err_path = os.path.join(self.dir, "stderr.log")
            err = open(self.err_path, "a+")
            self.proc = subprocess.Popen(
                [BIN, "serve", "--listen", f"127.0.0.1:{self.port}", "--db", self.db, "--quiet",
                 "--threads", "4"], stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if "listening on http://" in pathlib.Path(out.name).read_text(errors="replace"):
                    self.base_url = f"http://127.0.0.1:{self.port}"
                    return self
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            last = self.stderr()
        raise RuntimeError(f"node {self.name} did not start ({BIN}):\n{last}")

    def stderr(self):
        return pathlib.Path(self.err_path).read_text(errors="replace")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL: no clean-up of any kind in the process."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self):
        """SIGTERM; the node must exit 0 without a sanitizer report."""
        if not self.alive():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"node {self.name} did not stop within 30 s of SIGTERM:\n{self.stderr()}")
        text = self.stderr()
        found = apiconf.sanitizer_report(text)
        assert rc == 0 and not found, f"node {self.name} exited {rc} ({found}):\n{text}"

    def client(self, token):
        return apiconf.Client(self.base_url, token)


class Cluster:
    def __init__(self, db, token, nodes, tmp):
        self.db, self.token, self.nodes, self.tmp = db, token, nodes, tmp

    @property
    def a(self):
        return self.nodes[0]

    @property
    def b(self):
        return self.nodes[1]


@pytest.fixture(scope="module")
def cluster(pg_url):
    if not os.access(BIN, os.X_OK):
        pytest.exit(f"certkeeper binary not found: {BIN} (set CERTKEEPER_BIN)", returncode=2)
    tmp = tempfile.mkdtemp(prefix="ck-cluster-")
    db = new_database(pg_url, "cluster")
    apiconf.run_cli("user", "create", "admin", "--superuser", "--db", db)
    apiconf.run_cli("user", "password", "admin", "--db", db, stdin=PASSWORD + "\n")
    token = apiconf.run_cli("token", "create", "--user", "admin", "--db", db).strip().splitlines()[-1]
    nodes = [Node("a", db, tmp, NODE_SETTINGS).start(), Node("b", db, tmp, NODE_SETTINGS).start()]
    c = Cluster(db, token, nodes, tmp)
    yield c
    for n in c.nodes:
        n.stop()


def pytest_terminal_summary(terminalreporter):
    """The figures the tests measured (token revocation latency, sweep runs, ...)."""
    lines = []
    for name in ("test_cluster", "test_nginx"):
        mod = sys.modules.get(name)
        lines += getattr(mod, "FIGURES", [])
    if lines:
        terminalreporter.write_sep("-", "cluster figures")
        for line in lines:
            terminalreporter.write_line(line)
