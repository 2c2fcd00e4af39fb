#!/usr/bin/env python3
"""Slowloris (issue 9 item 4): 127.0.0.2 holds 1,100 connections that send one header line
every 20 s; a normal client on 127.0.0.1 must be served, promptly, the whole time.

With the defaults (max_connections_per_ip = 64, header_timeout_s = 10) the server takes at most
64 of the slow connections and cuts those when their header deadline passes; without them
(before the fix) the 1,100 filled all 1,024 slots for as long as the attacker kept trickling.
Prints the time to serve the normal client; exits non-zero on failure."""
import os
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from sechttp import OwnServer, connect, read_response  # noqa: E402

SLOW = 1100
TRICKLE_S = 20
HOLD_S = 25          # one trickle round, and past the 10 s header deadline
PROBE_EVERY_S = 2.5
SERVE_LIMIT_S = 2.0  # a probe slower than this fails the test


def probe(port):
    t0 = time.monotonic()
    s = connect(port, "127.0.0.1", timeout=10)
    try:
        s.sendall(b"GET /api/status/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        r = read_response(s)
    except OSError:
        r = None
    finally:
        s.close()
    return (r.status if r else None), time.monotonic() - t0


def open_slow(port):
    socks = []
    for _ in range(SLOW):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.2", 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        socks.append(s)
    return socks


def send_all(socks, data):
    alive = 0
    for s in socks:
        try:
            s.send(data)
            alive += 1
        except OSError:
            pass
    return alive


def open_count(socks):
    """Slow sockets the server has not closed (no EOF/RST readable)."""
    sel = selectors.DefaultSelector()
    for s in socks:
        try:
            sel.register(s, selectors.EVENT_READ)
        except (ValueError, OSError):
            pass
    closed = {key.fileobj for key, _ in sel.select(timeout=0.2)}
    sel.close()
    return sum(1 for s in socks if s not in closed)


def main():
    failures = []
    with OwnServer() as srv:  # the defaults: header_timeout_s 10, max_connections_per_ip 64
        status, t = probe(srv.port)
        print(f"baseline: status {status} in {t * 1000:.1f} ms")
        socks = open_slow(srv.port)
        time.sleep(0.5)
        send_all(socks, b"GET /api/status/ HTTP/1.1\r\nHost: t\r\n")
        time.sleep(0.5)
        print(f"slow connections from 127.0.0.2: {SLOW} opened, {open_count(socks)} still open after 1 s")
        t_start = time.monotonic()
        last_trickle = t_start
        worst = 0.0
        n = 0
        while time.monotonic() - t_start < HOLD_S:
            status, t = probe(srv.port)
            n += 1
            worst = max(worst, t)
            if status != 200 or t > SERVE_LIMIT_S:
                failures.append(f"probe {n} at +{time.monotonic() - t_start:.1f} s: status {status} in {t:.2f} s")
            if time.monotonic() - last_trickle >= TRICKLE_S:
                send_all(socks, b"X-Slow: 1\r\n")
                last_trickle = time.monotonic()
            time.sleep(PROBE_EVERY_S)
        still = open_count(socks)
        print(f"normal client on 127.0.0.1: {n} probes, all served: {not failures}, worst {worst * 1000:.1f} ms")
        print(f"slow connections still open after {HOLD_S} s: {still}")
        if still:
            failures.append(f"{still} slow connections survived the 10 s header deadline")
        for s in socks:
            s.close()
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
