"""Helpers for the HTTP-layer security tests (test_security_http.py, scripts/security/*):
a certkeeper server of their own with chosen [server] settings, and a raw-socket HTTP/1.1
client that sends request targets byte for byte (curl and requests normalise `..`, `%2e`,
backslashes and missing leading slashes away)."""
import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import time

from conftest import BIN, free_port, new_db_url, sanitizer_report

START_TIMEOUT = 30.0


class OwnServer:
    """`certkeeper serve` on a free 127.0.0.1 port with `settings` written to a [server] INI."""

    def __init__(self, settings=None, web_root=None, tmp=None):
        self.tmp = tmp or tempfile.mkdtemp(prefix="ck-sechttp-")
        self.db = new_db_url(self.tmp, "sechttp")  # a database URL
        self.settings = dict(settings or {})
        self.web_root = web_root
        self.proc = None
        self.port = None
        self.err_path = os.path.join(self.tmp, "stderr.log")

    def start(self):
        ini = os.path.join(self.tmp, "server.ini")
        with open(ini, "w") as f:
            f.write("[server]\n")
            for k, v in self.settings.items():
                f.write(f"{k} = {v}\n")
        last = ""
        for _ in range(3):  # the port may be taken between free_port() and bind()
            self.port = free_port()
            out_path = os.path.join(self.tmp, "stdout.log")
            args = [BIN, "serve", "--listen", f"127.0.0.1:{self.port}", "--db", self.db,
                    "--config", ini, "--quiet", "--threads", "2"]
            if self.web_root is not None:
                args += ["--web-root", self.web_root]
            with open(out_path, "w") as out, open(self.err_path, "w") as err:
                self.proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                text = pathlib.Path(out_path).read_text(errors="replace")
                if "listening on http://" in text:
                    return self
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            last = pathlib.Path(out_path).read_text() + pathlib.Path(self.err_path).read_text()
        raise RuntimeError(f"certkeeper serve did not start:\n{last}")

    def stop(self):
        """SIGTERM; the server must exit 0 without a sanitizer report."""
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not stop within 60 s of SIGTERM")
        stderr = pathlib.Path(self.err_path).read_text(errors="replace")
        assert rc == 0 and not sanitizer_report(stderr), f"server exited {rc}:\n{stderr[-4000:]}"

    def rss_kib(self):
        for line in pathlib.Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> list of values
        self.body = body

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None


def connect(port, src="127.0.0.1", timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src != "127.0.0.1":
        s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_response(s):
    """One response read until the server closes (requests here send Connection: close).
    None if the server closed without answering."""
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return Resp(status, headers, body)


def raw(port, request, src="127.0.0.1", timeout=10.0):
    """Sends `request` (bytes, sent as is) and returns the response (or None)."""
    s = connect(port, src, timeout)
    try:
        s.sendall(request)
        return read_response(s)
    finally:
        s.close()


def get(port, target, extra=b""):
    """GET with the request target exactly as given (str or bytes)."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    return raw(port, b"GET " + target + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + extra + b"\r\n")
