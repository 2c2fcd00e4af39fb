"""The header deadline (docs/security.md) cuts clients that trickle a request, never a client
whose whole request waits unread because the server's worker thread is busy with another
request. Found under load: concurrent sign-ins lost connections "without a response" while one
worker thread hashed a password (test_login_throttle's concurrent test).

The server here has one worker thread and a 1 s header deadline. Client B connects, then
client A starts a sign-in whose stored hash asks for AUTH_PBKDF2_MAX_ITER iterations (seconds
of CPU on that only thread), then B sends its whole request at once: B must be answered once
the thread is free, past its deadline. A client that sends half a request is still cut.
"""
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import json

from conftest import BIN, db_exec, free_port, new_db_url, run_cli

MAX_ITER = 10000000  # domain/auth.h AUTH_PBKDF2_MAX_ITER: the slowest hash a stored password may ask for


def start(db):
    port = free_port()
    env = dict(os.environ, CERTKEEPER_HEADER_TIMEOUT_S="1")
    proc = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", "--db", db, "--quiet",
                             "--threads", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, env=env, text=True)
    line = proc.stdout.readline()
    assert "listening on" in line, line
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, port


def slow_sign_in(port, out):
    """POST a wrong password for the user whose hash is slow; records (status, seconds)."""
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    body = json.dumps({"username": "slow", "password": "wrong"}).encode()
    s.sendall(b"POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    data = s.recv(65536)
    s.close()
    out.append((data.split(b" ", 2)[1] if data else b"", time.monotonic() - t0))


def test_request_waiting_on_a_busy_worker_is_not_cut():
    tmp = tempfile.mkdtemp(prefix="ck-busy-")
    db = new_db_url(tmp, "busy")
    run_cli("migrate", "--db", db)
    run_cli("user", "create", "slow", "--db", db)
    db_exec(db, "UPDATE users SET password_hash = 'pbkdf2_sha256$%d$c2FsdHNhbHQ$%s' WHERE username = 'slow'"
            % (MAX_ITER, "A" * 43 + "="))
    proc, port = start(db)
    try:
        b = socket.create_connection(("127.0.0.1", port), timeout=120)  # accepted while the thread is idle
        time.sleep(0.05)
        a_result = []
        a = threading.Thread(target=slow_sign_in, args=(port, a_result))
        a.start()
        time.sleep(0.3)  # A's hash has started on the only worker thread
        b.sendall(b"GET /api/status/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        t0 = time.monotonic()
        reply = b.recv(65536)
        waited = time.monotonic() - t0
        a.join(120)
        b.close()
        assert a_result and a_result[0][0] == b"401", a_result
        # the thread was busy past B's deadline, or this test proves nothing
        assert a_result[0][1] > 1.2, "the slow sign-in took only %.2f s" % a_result[0][1]
        assert reply.startswith(b"HTTP/1.1 200"), (reply[:80], waited)

        # A half-sent request head is still cut at the deadline while the thread is idle.
        c = socket.create_connection(("127.0.0.1", port), timeout=30)
        c.sendall(b"GET /api/status/ HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        try:
            cut = c.recv(65536)
        except ConnectionResetError:
            cut = b""
        elapsed = time.monotonic() - t0
        c.close()
        assert cut == b"" and elapsed < 5, (cut[:80], elapsed)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
