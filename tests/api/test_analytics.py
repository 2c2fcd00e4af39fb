"""The analytics summary: aggregates computed in SQL, the expiry buckets at their edges, the
tenant filter, and its cache never serving a stale figure after a write."""
import datetime as dt

from ckapi import cert_body

CERTS = "/api/plugins/netbox-ssl/certificates/"
SUMMARY = "/api/plugins/netbox-ssl/analytics/summary/"


def iso(days):
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def bucket(summary, name):
    return {b["bucket"]: b["count"] for b in summary["expiry_buckets"]}[name]


def test_summary_changes_immediately_after_writes(api, uniq):
    s0 = api.get(SUMMARY).json()
    s0_again = api.get(SUMMARY).json()
    assert s0 == s0_again  # cached, identical
    body = cert_body(f"{uniq}-a.example.com")
    body["valid_to"] = iso(10)
    c = api.post(CERTS, json=body).json()
    s1 = api.get(SUMMARY).json()
    assert s1["total"] == s0["total"] + 1
    assert bucket(s1, "0-14") == bucket(s0, "0-14") + 1
    assert s1["expiring"]["critical"] == s0["expiring"]["critical"] + 1
    assert api.patch(f"{CERTS}{c['id']}/", json={"valid_to": iso(45)}).status_code == 200
    s2 = api.get(SUMMARY).json()
    assert bucket(s2, "0-14") == bucket(s0, "0-14") and bucket(s2, "31-60") == bucket(s0, "31-60") + 1
    assert api.delete(f"{CERTS}{c['id']}/").status_code == 204
    assert api.get(SUMMARY).json()["total"] == s0["total"]


def test_tenant_filter_and_bad_tenant(api, uniq):
    t = api.post("/api/tenancy/tenants/", json={"name": f"{uniq}-t", "slug": f"{uniq}-t"}).json()
    body = cert_body(f"{uniq}-b.example.com")
    body["tenant"] = t["id"]
    body["algorithm"] = "ecdsa"
    api.post(CERTS, json=body)
    s = api.get(SUMMARY, params={"tenant_id": t["id"]}).json()
    assert s["total"] == 1
    assert s["by_algorithm"] == [{"algorithm": "ecdsa", "count": 1}]
    assert api.get(SUMMARY, params={"tenant_id": "x"}).status_code == 400
    assert api.post(SUMMARY, json={}).status_code == 405
