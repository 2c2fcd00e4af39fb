"""Counts and the analytics summary from the counts tables stay exact (issue 11).

Migration 11 keeps certificate_expiry_days (certificates per status, tenant and UTC day of
valid_to) and certificate_summary_counts (per status, tenant, is_acme, issuing CA) by triggers.
A list filtered by valid_to ranges (+ status/tenant) is counted as whole days plus the
boundary days, and the analytics summary is summed from those tables. Here, after a random
mix of creates, PATCHes (status, tenant, valid_to, is_acme, issuing CA), assignments and
deletes — with expiry times at midnight, one second either side of it and on the current day
before and after now — every `count` and every summary is compared with an oracle computed in
Python from the rows in the database (db_rows), on the engine under test.
"""
import datetime as dt
import random
import uuid

import pytest

from ckapi import CERTS, PLUGIN, cert_body
from conftest import db_rows

SUMMARY = PLUGIN + "analytics/summary/"
ASSIGN = PLUGIN + "assignments/"
DAY = 86400
STATUSES = ["active", "expired", "revoked", "replaced", "pending"]


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_s():
    return int(dt.datetime.now(dt.timezone.utc).timestamp())


def today_s(now):
    return now - now % DAY


def expiry_times(rng, now):
    """Expiry times around the day edges of the buckets and the boundaries of a range."""
    today = today_s(now)
    out = []
    for days in (-3, -1, 0, 1, 14, 15, 16, 30, 31, 60, 61, 90, 91, 200):
        for off in (0, 1, DAY - 1, rng.randrange(1, DAY - 1)):
            t = today + days * DAY + off
            if abs(t - now) > 120:  # the server's clock reads `now` a little later
                out.append(t)
    out.append(now - 3600)  # today, before now: expired
    out.append(now + 3600)  # today, after now
    return out


@pytest.fixture(scope="module")
def world(api, server):
    uniq = "agg" + uuid.uuid4().hex[:8]
    rng = random.Random(11)
    now = now_s()
    tenants = [None]
    for k in range(2):
        r = api.post("/api/tenancy/tenants/", json={"name": f"{uniq}-t{k}", "slug": f"{uniq}-t{k}"})
        assert r.status_code == 201, r.text
        tenants.append(r.json()["id"])
    cas = [None]
    for k in range(2):
        r = api.post(PLUGIN + "certificate-authorities/", json={"name": f"CA {uniq} {k}"})
        assert r.status_code == 201, r.text
        cas.append(r.json()["id"])
    dev = api.post("/api/dcim/devices/", json={"name": f"dev-{uniq}"}).json()
    times = expiry_times(rng, now)
    ids = []
    for i, t in enumerate(times):
        body = cert_body(f"{uniq}-{i}.example.com", status=rng.choice(STATUSES), tenant=rng.choice(tenants),
                         issuing_ca=rng.choice(cas), is_acme=rng.random() < 0.3,
                         algorithm=rng.choice(["rsa", "ecdsa"]))
        body["valid_from"] = iso(min(t, now) - 40 * DAY)
        body["valid_to"] = iso(t)
        r = api.post(CERTS, json=body)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    for cid in rng.sample(ids, 30):
        change = rng.choice([{"status": rng.choice(STATUSES)}, {"tenant": rng.choice(tenants)},
                             {"valid_to": iso(rng.choice(times))}, {"is_acme": rng.random() < 0.5},
                             {"issuing_ca": rng.choice(cas)},
                             {"status": "active", "tenant": rng.choice(tenants)}])
        r = api.patch(f"{CERTS}{cid}/", json=change)
        assert r.status_code == 200, (change, r.text)
    for cid in rng.sample(ids, 12):
        r = api.post(ASSIGN, json={"certificate": cid, "assigned_object_type": "dcim.device",
                                   "assigned_object_id": dev["id"]})
        assert r.status_code == 201, r.text
    for cid in rng.sample(ids, 10):
        assert api.delete(f"{CERTS}{cid}/").status_code == 204
    # a CA deleted: its certificates lose their issuing CA (ON DELETE SET NULL)
    assert api.delete(f"{PLUGIN}certificate-authorities/{cas[2]}/").status_code == 204
    return {"tenants": tenants[1:], "times": times, "now": now}


def rows(server):
    return db_rows(server.db, "SELECT id, status, tenant_id, valid_to, is_acme, issuing_ca_id, algorithm"
                              " FROM certificates")


def oracle_summary(server, tenant, now, body):
    certs = [r for r in rows(server) if not tenant or r[2] == tenant]
    assigned = {r[0] for r in db_rows(server.db, "SELECT certificate_id FROM assignments")}
    cas = dict(db_rows(server.db, "SELECT id, name FROM certificate_authorities"))
    today = today_s(now)
    active = [r for r in certs if r[1] == "active"]
    crit_end = today + (body["critical_days"] + 1) * DAY
    warn_end = today + (body["warning_days"] + 1) * DAY

    def n(pred, rs=active):
        return sum(1 for r in rs if pred(r))

    by_status, by_alg, by_ca = {}, {}, {}
    for r in certs:
        by_status[r[1]] = by_status.get(r[1], 0) + 1
        by_alg[r[6]] = by_alg.get(r[6], 0) + 1
        by_ca[r[5]] = by_ca.get(r[5], 0) + 1
    edges = [today + d * DAY for d in (15, 31, 61, 91)]
    return {
        "total": len(certs),
        "active": len(active),
        "acme": {"acme": n(lambda r: r[4] == 1, certs), "other": n(lambda r: r[4] != 1, certs)},
        "expiring": {"critical": n(lambda r: now <= r[3] < crit_end),
                     "warning": n(lambda r: crit_end <= r[3] < warn_end)},
        "unassigned_active": n(lambda r: r[0] not in assigned),
        "warning_days": body["warning_days"],
        "critical_days": body["critical_days"],
        "by_status": [{"status": k, "count": v} for k, v in sorted(by_status.items())],
        "by_algorithm": [{"algorithm": k, "count": v}
                         for k, v in sorted(by_alg.items(), key=lambda kv: (-kv[1], kv[0]))],
        "by_ca": [{"name": cas.get(k, "Unknown CA") if k else "Unknown CA", "count": v, "issuing_ca_id": k}
                  for k, v in sorted(by_ca.items(), key=lambda kv: (-kv[1], kv[0] or 0))],
        "expiry_buckets": [
            {"bucket": "expired", "count": n(lambda r: r[3] < now)},
            {"bucket": "0-14", "count": n(lambda r: now <= r[3] < edges[0])},
            {"bucket": "15-30", "count": n(lambda r: edges[0] <= r[3] < edges[1])},
            {"bucket": "31-60", "count": n(lambda r: edges[1] <= r[3] < edges[2])},
            {"bucket": "61-90", "count": n(lambda r: edges[2] <= r[3] < edges[3])},
            {"bucket": "90+", "count": n(lambda r: r[3] >= edges[3])},
        ],
    }


def test_summary_matches_full_scan_oracle(api, server, world):
    for tenant in [0] + world["tenants"]:
        params = {"tenant_id": tenant} if tenant else {}
        now = now_s()
        r = api.get(SUMMARY, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body == oracle_summary(server, tenant, now, body), tenant


OPS = {"lt": lambda v, b: v < b, "lte": lambda v, b: v <= b, "gt": lambda v, b: v > b,
       "gte": lambda v, b: v >= b}


def listed(v):
    return v if isinstance(v, list) else [v]


def test_range_counts_match_oracle(api, server, world):
    rng = random.Random(7)
    certs = rows(server)
    today = today_s(world["now"])
    bounds = [today, today + 1, today - 1, today + 15 * DAY, today + 15 * DAY - 1, world["now"] + 3600,
              today + 31 * DAY + 5000, today - 3 * DAY + DAY - 1]
    bounds += [rng.choice(world["times"]) + rng.choice([-1, 0, 1]) for _ in range(6)]
    cases = []
    for b in bounds:
        for op in OPS:
            cases.append([(op, b)])
    for _ in range(12):  # two-sided ranges, in the same day too
        a = rng.choice(bounds)
        cases.append([("gte", a), ("lt", a + rng.choice([1, 3600, DAY, 20 * DAY]))])
        cases.append([("gt", a - rng.choice([0, 2, DAY])), ("lte", a)])
    for ranges in cases:
        for extra in ({}, {"status": "active"}, {"status": rng.choice(STATUSES)},
                      {"tenant_id": rng.choice(world["tenants"])},
                      {"status": "active", "tenant_id": rng.choice(world["tenants"])},
                      {"status": ["active", "expired"]},
                      {"status": ["revoked", "active"], "tenant_id": world["tenants"]}):
            params = dict(extra)
            for op, b in ranges:
                params["valid_to__" + op] = iso(b)
            want = sum(1 for r in certs
                       if all(OPS[op](r[3], b) for op, b in ranges)
                       and ("status" not in extra or r[1] in listed(extra["status"]))
                       and ("tenant_id" not in extra or r[2] in listed(extra["tenant_id"])))
            r = api.get(CERTS, params={**params, "limit": 1})
            assert r.status_code == 200, r.text
            assert r.json()["count"] == want, params
