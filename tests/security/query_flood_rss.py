#!/usr/bin/env python3
"""Oversized query strings (issue 9 item 3): 10,000 requests, each with more query parameters
than libmicrohttpd's connection pool holds (1,200), from 8 concurrent clients. Every one must be
answered 414 and the server's RSS must stay flat (before the fix each leaked ~36 KB and got no
answer). Prints RSS before and after; exits non-zero on failure. Run against a Release build:
ASan's quarantine grows RSS on its own."""
import argparse
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from sechttp import OwnServer, connect, read_response  # noqa: E402

REQUESTS = 10000
WARMUP = 1000
CLIENTS = 8
PARAMS = 1200
RSS_GROWTH_LIMIT_KIB = 4096  # leak before the fix: ~36 KB x 10,000 = ~350 MB

TARGET = ("/api/status/?" + "&".join(f"p{i}=1" for i in range(PARAMS))).encode()
REQ = b"GET " + TARGET + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


MAX_UNANSWERED = 200  # give up early: each unanswered request costs a client timeout


def run(port, count, statuses, timeout, max_unanswered=MAX_UNANSWERED):
    def worker(n):
        for _ in range(n):
            if statuses.count(None) >= max_unanswered:
                return
            s = connect(port, timeout=timeout)
            try:
                s.sendall(REQ)
                r = read_response(s)
            except (OSError, socket.timeout):
                r = None
            finally:
                s.close()
            statuses.append(r.status if r else None)

    per = count // CLIENTS
    threads = [threading.Thread(target=worker, args=(per,)) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=REQUESTS)
    ap.add_argument("--timeout", type=float, default=5.0, help="client wait for each answer (s)")
    ap.add_argument("--max-unanswered", type=int, default=MAX_UNANSWERED,
                    help="stop after this many unanswered requests")
    args = ap.parse_args()
    failures = []
    with OwnServer() as srv:
        warm = []
        run(srv.port, WARMUP, warm, args.timeout, args.max_unanswered)
        before = srv.rss_kib()
        statuses = []
        run(srv.port, args.requests, statuses, args.timeout, args.max_unanswered)
        after = srv.rss_kib()
        answered = sum(1 for s in statuses if s == 414)
        print(f"{len(statuses)} requests with {PARAMS} query parameters: {answered} answered 414, "
              f"{statuses.count(None)} unanswered")
        print(f"RSS before {before} KiB, after {after} KiB, growth {after - before} KiB")
        if answered != len(statuses) or len(statuses) != args.requests:
            failures.append("not every request was answered 414")
        if after - before > RSS_GROWTH_LIMIT_KIB:
            failures.append(f"RSS grew by {after - before} KiB")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
