"""Certificate list filters: every filter of the seed plus the NetBox common ones."""

import datetime as dt
import time
import uuid

import pytest

from ckapi import CERTS, cert_body, utcnow
from ckcerts import iso

MARK = "f" + uuid.uuid4().hex[:8]

# name: (overrides of cert_body)
DATA = {
    "rsa-active": dict(algorithm="rsa", key_size=2048, days_left=200, status="active",
                       issuer="CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US"),
    "rsa4096-revoked": dict(algorithm="rsa", key_size=4096, days_left=100, status="revoked",
                            issuer="CN=Sectigo RSA Domain Validation Secure Server CA, O=Sectigo Limited, C=GB"),
    "ec-critical": dict(algorithm="ecdsa", key_size=256, days_left=7, status="active",
                        issuer="CN=R3, O=Let's Encrypt, C=US"),
    "ec-warning": dict(algorithm="ecdsa", key_size=384, days_left=21, status="active",
                       issuer="CN=R3, O=Let's Encrypt, C=US"),
    "ed-expired": dict(algorithm="ed25519", key_size=None, days_left=-10, status="expired",
                       issuer="CN=Internal Root, O=Example Corp"),
    "unknown-pending": dict(algorithm="unknown", key_size=None, days_left=500, status="pending",
                            issuer="CN=Internal Root, O=Example Corp"),
}


def cn(key):
    return f"{MARK}-{key}.example.com"


@pytest.fixture(scope="module")
def data(api):
    out = {}
    for key, over in DATA.items():
        body = cert_body(cn(key), **over)
        body["sans"] = [f"DNS:{cn(key)}", f"DNS:www.{cn(key)}"]
        r = api.post(CERTS, json=body)
        assert r.status_code == 201, r.text
        out[key] = r.json()
    return out


def names(api, **params):
    """Which of this module's certificates match the filters (restricted by q=MARK)."""
    params = {"q": MARK, **params}
    r = api.get(CERTS, params=params)
    assert r.status_code == 200, (params, r.text)
    body = r.json()
    assert body["count"] == len(body["results"])
    return {x["common_name"][len(MARK) + 1:].split(".")[0] for x in body["results"]}


def names_list(api, params):
    """Like names() but takes a list of (key, value) pairs so parameters can repeat."""
    r = api.get(CERTS, params=[("q", MARK)] + params)
    assert r.status_code == 200, (params, r.text)
    return {x["common_name"][len(MARK) + 1:].split(".")[0] for x in r.json()["results"]}


ALL = set(DATA)


def test_q(api, data):
    assert names(api) == ALL
    assert names(api, q=f"{MARK}-ec-") == {"ec-critical", "ec-warning"}
    # q also matches issuer, serial, fingerprint (icontains) and an exact SAN element.
    r = api.get(CERTS, params={"q": "let's encrypt", "common_name__isw": f"{MARK}-"})
    assert r.status_code == 200, r.text
    assert {x["common_name"][len(MARK) + 1:].split(".")[0] for x in r.json()["results"]} == {"ec-critical", "ec-warning"}
    c = data["rsa-active"]
    r = api.get(CERTS, params={"q": c["serial_number"].lower()})
    assert [x["id"] for x in r.json()["results"]] == [c["id"]]
    r = api.get(CERTS, params={"q": c["fingerprint_sha256"]})
    assert [x["id"] for x in r.json()["results"]] == [c["id"]]
    r = api.get(CERTS, params={"q": f"DNS:www.{cn('rsa-active')}"})
    assert [x["id"] for x in r.json()["results"]] == [c["id"]]


def test_common_name_contains_and_ic(api, data):
    r = api.get(CERTS, params={"common_name": f"{MARK}-rsa"})
    assert {x["id"] for x in r.json()["results"]} == {data["rsa-active"]["id"], data["rsa4096-revoked"]["id"]}
    r = api.get(CERTS, params={"common_name__ic": f"{MARK}-RSA"})
    assert {x["id"] for x in r.json()["results"]} == {data["rsa-active"]["id"], data["rsa4096-revoked"]["id"]}


@pytest.mark.parametrize("lookup,value,expected", [
    ("common_name__isw", "{M}-ec-", {"ec-critical", "ec-warning"}),
    ("common_name__iew", "-PENDING.example.com", {"unknown-pending"}),
    ("common_name__ie", "{M}-ED-EXPIRED.EXAMPLE.COM", {"ed-expired"}),
    ("common_name__nic", "-ec-", ALL - {"ec-critical", "ec-warning"}),
    ("common_name__n", "{M}-ed-expired.example.com", ALL - {"ed-expired"}),
    ("common_name__nisw", "{M}-rsa", ALL - {"rsa-active", "rsa4096-revoked"}),
])
def test_text_lookups(api, data, lookup, value, expected):
    assert names(api, **{lookup: value.replace("{M}", MARK)}) == expected


def test_status(api, data):
    assert names(api, status="active") == {"rsa-active", "ec-critical", "ec-warning"}
    assert names_list(api, [("status", "revoked"), ("status", "pending")]) == {"rsa4096-revoked", "unknown-pending"}
    assert names(api, status__n="active") == {"rsa4096-revoked", "ed-expired", "unknown-pending"}


@pytest.mark.parametrize("bad", [{"status": "bogus"}, {"algorithm": "dsa"}, {"expiry_status": "soon"},
                                 {"status": "ACTIVE"}])
def test_invalid_choice_is_400(api, bad):
    r = api.get(CERTS, params=bad)
    assert r.status_code == 400
    (k,) = bad
    assert k in r.json()


@pytest.mark.parametrize("bad", ["bogus", "common_name__xyz", "status__ic__n", "cf_nope"])
def test_unknown_filter_is_400(api, bad):
    r = api.get(CERTS, params={bad: "1"})
    assert r.status_code == 400, r.text
    assert r.json()


def test_issuer(api, data):
    assert names(api, issuer="let's encrypt") == {"ec-critical", "ec-warning"}
    assert names(api, issuer="DigiCert") == {"rsa-active"}
    assert names(api, issuer="internal root") == {"ed-expired", "unknown-pending"}


def test_algorithm_repeated_is_or(api, data):
    assert names(api, algorithm="ecdsa") == {"ec-critical", "ec-warning"}
    assert names_list(api, [("algorithm", "rsa"), ("algorithm", "ed25519")]) == {"rsa-active", "rsa4096-revoked", "ed-expired"}


def test_different_params_are_and(api, data):
    assert names(api, algorithm="rsa", status="active") == {"rsa-active"}


def test_key_size(api, data):
    assert names(api, key_size__gte=384) == {"rsa-active", "rsa4096-revoked", "ec-warning"}
    assert names(api, key_size__lte=384) == {"ec-critical", "ec-warning"}
    assert names(api, key_size=4096) == {"rsa4096-revoked"}
    assert names(api, key_size__gt=256, key_size__lt=4096) == {"rsa-active", "ec-warning"}
    assert names(api, key_size__empty="true") == {"ed-expired", "unknown-pending"}
    r = api.get(CERTS, params={"key_size__gte": "big"})
    assert r.status_code == 400


def test_valid_to_lt_gt(api, data):
    now = utcnow()
    in30 = (now + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    # The seed's "expiring in next 30 days" example: valid_to__lt=<date +30d>.
    assert names(api, valid_to__lt=in30) == {"ec-critical", "ec-warning", "ed-expired"}
    assert names(api, valid_to__gt=in30) == {"rsa-active", "rsa4096-revoked", "unknown-pending"}
    assert names(api, valid_to__gt=iso(now), valid_to__lt=in30) == {"ec-critical", "ec-warning"}
    assert names(api, valid_to__lt="2000-01-01") == set()
    assert names(api, valid_to_before=in30) == {"ec-critical", "ec-warning", "ed-expired"}
    assert names(api, valid_to_after=in30) == {"rsa-active", "rsa4096-revoked", "unknown-pending"}
    r = api.get(CERTS, params={"valid_to__lt": "next tuesday"})
    assert r.status_code == 400
    r = api.get(CERTS, params={"valid_to__lt": "2024-02-30"})
    assert r.status_code == 400


def test_expiry_status_and_flags(api, data):
    assert names(api, expiry_status="critical") == {"ec-critical"}
    assert names(api, expiry_status="warning") == {"ec-warning"}
    assert names(api, expiry_status="expired") == {"ed-expired"}
    assert names(api, expiry_status="ok") == {"rsa-active", "rsa4096-revoked", "unknown-pending"}
    assert names_list(api, [("expiry_status", "critical"), ("expiry_status", "warning")]) == {"ec-critical", "ec-warning"}
    assert names(api, expiring_soon="true") == {"ec-critical", "ec-warning"}
    assert names(api, expiring_soon="false") == ALL
    assert names(api, expired="true") == {"ed-expired"}
    assert names(api, expired="1") == {"ed-expired"}
    assert names(api, expired="false") == ALL - {"ed-expired"}
    assert names(api, expired="0") == ALL - {"ed-expired"}
    assert api.get(CERTS, params={"expired": "perhaps"}).status_code == 400


def test_san(api, data):
    assert names(api, san=f"DNS:www.{cn('ec-warning')}") == {"ec-warning"}
    assert names(api, san=f"www.{cn('ec-warning')}") == set()  # exact element only
    assert names(api, san=f"DNS:www.{cn('ec-warning')}"[:-3]) == set()


def test_fingerprint_and_serial(api, data):
    c = data["ec-critical"]
    assert names(api, fingerprint_sha256=c["fingerprint_sha256"]) == {"ec-critical"}
    assert names(api, fingerprint_sha256=c["fingerprint_sha256"][:-3]) == set()
    assert names(api, serial_number=c["serial_number"]) == {"ec-critical"}
    assert names(api, serial_number=c["serial_number"].lower()) == {"ec-critical"}


def test_id_lookups(api, data):
    ids = sorted(c["id"] for c in data.values())
    assert names(api, id=ids[0]) == {k for k, c in data.items() if c["id"] == ids[0]}
    got = names_list(api, [("id", ids[0]), ("id", ids[1])])
    assert got == {k for k, c in data.items() if c["id"] in ids[:2]}
    assert names(api, id__n=ids[0]) == {k for k, c in data.items() if c["id"] != ids[0]}
    assert names(api, id__gt=ids[2]) == {k for k, c in data.items() if c["id"] > ids[2]}
    assert names(api, id__gte=ids[2]) == {k for k, c in data.items() if c["id"] >= ids[2]}
    assert names(api, id__lt=ids[2]) == {k for k, c in data.items() if c["id"] < ids[2]}
    assert names(api, id__lte=ids[2]) == {k for k, c in data.items() if c["id"] <= ids[2]}
    assert api.get(CERTS, params={"id": "one"}).status_code == 400


def test_created_and_last_updated(api, data):
    past = iso(utcnow() - dt.timedelta(hours=1))
    future = iso(utcnow() + dt.timedelta(hours=1))
    assert names(api, created__gte=past) == ALL
    assert names(api, created__gte=future) == set()
    assert names(api, last_updated__lte=future) == ALL
    assert names(api, last_updated__lte=past) == set()
    c = data["ed-expired"]
    assert names(api, created=c["created"]) >= {"ed-expired"}


def test_has_issuing_ca_and_ca_id(api, data):
    assert names(api, has_issuing_ca="false") == ALL
    assert names(api, has_issuing_ca="true") == set()
    r = api.get(CERTS, params={"q": MARK, "issuing_ca_id": 999999})
    assert r.status_code == 400 and "issuing_ca_id" in r.json()  # NetBox: invalid choice


def test_tenant_id_unknown(api, data):
    r = api.get(CERTS, params={"q": MARK, "tenant_id": 999999})
    # NetBox answers 400 (invalid choice) for an unknown id; an empty list is also fine.
    assert r.status_code == 400 or r.json()["count"] == 0


def test_filter_values_need_no_exact_case_for_booleans(api, data):
    assert names(api, expired="True") == {"ed-expired"}


def test_filters_combine_with_pagination(api, data):
    r = api.get(CERTS, params={"q": MARK, "status": "active", "limit": 1})
    body = r.json()
    assert body["count"] == 3 and len(body["results"]) == 1
    assert "status=active" in body["next"]


def test_seed_curl_examples(api, data):
    """The seed's four list examples, as requests calls."""
    r = api.get(CERTS, params={"status": "active"})
    assert r.status_code == 200 and all(x["status"] == "active" for x in r.json()["results"])
    in30 = (utcnow() + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    r = api.get(CERTS, params={"valid_to__lt": in30})
    assert r.status_code == 200 and all(x["valid_to"][:10] < in30 for x in r.json()["results"])
    tenant = api.post("/api/tenancy/tenants/", json={"name": f"{MARK} seed tenant", "slug": f"{MARK}-seed-tenant"})
    assert tenant.status_code == 201, tenant.text
    r = api.get(CERTS, params={"tenant_id": tenant.json()["id"]})
    assert r.status_code == 200 and r.json()["count"] == 0, r.text
    r = api.get(CERTS, params={"tenant_id": 999999999})  # no such tenant: NetBox's choice error
    assert r.status_code == 400 and "tenant_id" in r.json(), r.text
    r = api.get(CERTS, params={"common_name__ic": "example"})
    assert r.status_code == 200
    assert all("example" in x["common_name"].lower() for x in r.json()["results"])
    assert r.json()["count"] >= len(DATA)
