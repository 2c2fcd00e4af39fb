"""Issue 13, item 4: a certificate already past valid_to when it enters the inventory (import,
bulk-import, bulk-data-import, create) is `expired` at once — not `active` until the hourly
sweep. Other explicit statuses are kept; updates are the sweep's business."""

import datetime as dt
import json

import pytest

import ckcerts
from ckapi import BULK_IMPORT, CERTS, IMPORT, cert_body


def expired_pem(cn, days_ago=10):
    nb = ckcerts.now() - dt.timedelta(days=100)
    cert, _ = ckcerts.make_cert(cn=cn, not_before=nb, not_after=ckcerts.now() - dt.timedelta(days=days_ago))
    return ckcerts.pem(cert)


def events(api, cid):
    r = api.get(f"{CERTS}{cid}/lifecycle/")
    assert r.status_code == 200, r.text
    return r.json()["events"]


def test_import_of_an_expired_certificate(api, uniq):
    r = api.post(IMPORT, json={"pem_content": expired_pem(f"{uniq}.example.com")})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["status"] == "expired" and c["is_expired"] is True
    assert [e["description"] for e in events(api, c["id"]) if e["event_type"] == "imported"] == [
        "Certificate imported with status expired"]


def test_import_of_a_valid_certificate_stays_active(api, uniq):
    cert, _ = ckcerts.make_cert(cn=f"{uniq}.example.com")
    r = api.post(IMPORT, json={"pem_content": ckcerts.pem(cert)})
    assert r.status_code == 201 and r.json()["status"] == "active"


def test_bulk_import_mixed(api, uniq):
    good, _ = ckcerts.make_cert(cn=f"{uniq}-good.example.com")
    r = api.post(BULK_IMPORT, json=[{"pem_content": expired_pem(f"{uniq}-old.example.com")},
                                    {"pem_content": ckcerts.pem(good)}])
    assert r.status_code == 201, r.text
    got = {c["common_name"]: c["status"] for c in r.json()["certificates"]}
    assert got == {f"{uniq}-old.example.com": "expired", f"{uniq}-good.example.com": "active"}
    assert api.count(status="expired", common_name__ic=uniq) == 1


@pytest.mark.parametrize("sent,want", [(None, "expired"), ("active", "expired"), ("revoked", "revoked"),
                                       ("replaced", "replaced"), ("pending", "pending"), ("archived", "archived")])
def test_create_past_valid_to(api, uniq, sent, want):
    body = cert_body(f"{uniq}.example.com", days_left=-2)
    if sent:
        body["status"] = sent
    r = api.post(CERTS, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == want


def test_create_that_expires_later_today_stays_active(api, uniq):
    body = cert_body(f"{uniq}.example.com")
    body["valid_to"] = ckcerts.iso(ckcerts.now() + dt.timedelta(minutes=10))
    r = api.post(CERTS, json=body)
    assert r.status_code == 201 and r.json()["status"] == "active"


def test_update_does_not_change_status(api, uniq):
    """Only entry into the inventory decides at once; an edit leaves the status to the sweep."""
    c = api.post(CERTS, json=cert_body(f"{uniq}.example.com", days_left=30)).json()
    past = ckcerts.iso(ckcerts.now() - dt.timedelta(days=1))
    r = api.patch(f"{CERTS}{c['id']}/", json={"valid_to": past})
    assert r.status_code == 200 and r.json()["status"] == "active"


def test_bulk_data_import_of_an_expired_row(api, uniq):
    row = cert_body(f"{uniq}.example.com", days_left=-5)
    r = api.post(CERTS + "bulk-data-import/", json={"format": "json", "content": json.dumps([row])})
    assert r.status_code == 201, r.text
    got = api.get(CERTS, params={"common_name": f"{uniq}.example.com"}).json()["results"]
    assert [c["status"] for c in got] == ["expired"]


def test_expired_counts_agree_after_import(api, uniq):
    for i in range(3):
        api.post(IMPORT, json={"pem_content": expired_pem(f"{uniq}-{i}.example.com", days_ago=i + 1)})
    assert api.count(status="expired", common_name__ic=uniq) == api.count(expired="true", common_name__ic=uniq) == 3
