"""Changelog (/api/core/object-changes/) and the seed's Tutorial 1 flow end to end."""

import datetime as dt

import pynetbox

import ckcerts
from ckapi import CERTS, IMPORT, PLUGIN, create, days_until
from ckcerts import make_chain, pem

CHANGES = "/api/core/object-changes/"
ASSIGN = PLUGIN + "assignments/"


def changes_for(api, otype, oid):
    rows = api.list_all(CHANGES, changed_object_type=otype, changed_object_id=oid)
    return sorted(rows, key=lambda r: r["id"])


def test_changelog_create_update_delete(api, uniq):
    c = create(api, f"{uniq}.example.com")
    assert api.patch(f"{CERTS}{c['id']}/", json={"comments": "x"}).status_code == 200
    assert api.delete(f"{CERTS}{c['id']}/").status_code == 204
    rows = changes_for(api, "netbox_ssl.certificate", c["id"])
    assert [r["action"] for r in rows] == ["create", "update", "delete"]
    create_row, update_row, delete_row = rows
    assert create_row["prechange_data"] is None
    assert create_row["postchange_data"]["common_name"] == f"{uniq}.example.com"
    assert update_row["prechange_data"]["comments"] == "" and update_row["postchange_data"]["comments"] == "x"
    assert delete_row["postchange_data"] is None and delete_row["prechange_data"]["id"] == c["id"]
    for r in rows:
        assert r["user_name"] == "admin" and r["object_repr"].startswith(f"{uniq}.example.com")
        assert r["changed_object_type"] == "netbox_ssl.certificate"
    # The snapshot carries the computed state (§1.2 changelog snapshot).
    snap = create_row["postchange_data"]
    for k in ("days_remaining", "expiry_status", "assignment_count"):
        assert k in snap, k


def test_changelog_is_read_only_and_filters(api, ro_api, uniq):
    create(api, f"{uniq}.example.com")
    r = api.post(CHANGES, json={"action": "create"})
    assert r.status_code == 405
    row = api.get(CHANGES, params={"limit": 1}).json()["results"][0]
    assert api.delete(f"{CHANGES}{row['id']}/").status_code == 405
    assert api.patch(f"{CHANGES}{row['id']}/", json={"action": "x"}).status_code == 405
    assert ro_api.get(CHANGES).status_code == 200
    assert api.get(CHANGES, params={"action": "bogus"}).status_code == 400
    r = api.get(CHANGES, params={"action": "create", "changed_object_type": "netbox_ssl.certificate", "limit": 5})
    assert all(x["action"] == "create" for x in r.json()["results"])


def test_changelog_newest_first(api, uniq):
    rows = api.get(CHANGES, params={"limit": 50}).json()["results"]
    times = [r["time"] for r in rows]
    assert times == sorted(times, reverse=True)


def test_request_id_groups_a_bulk_change(api, uniq):
    from ckapi import cert_body
    r = api.post(CERTS, json=[cert_body(f"{uniq}-{i}.example.com") for i in range(2)])
    ids = [c["id"] for c in r.json()]
    rows = [changes_for(api, "netbox_ssl.certificate", i)[-1] for i in ids]
    assert rows[0]["request_id"] == rows[1]["request_id"]
    assert r.headers.get("X-Request-ID", rows[0]["request_id"]) == rows[0]["request_id"]


def test_tutorial1_first_certificate_import(server, api, uniq):
    """Seed Tutorial 1: paste a PEM chain, preview, save, assign to a Service, see it in
    analytics, and find the audit trail."""
    nb = pynetbox.api(server.base_url, token=server.token)
    chain = make_chain(cn=f"{uniq}.example.com", sans=[f"{uniq}.example.com", f"www.{uniq}.example.com"], days=20)
    text = pem(chain)
    leaf = chain[0]

    # Step 2-3: paste → preview (dry run) shows CN, SANs, validity, issuer, algorithm, size, fingerprint.
    r = api.post(IMPORT, json={"pem_content": text, "dry_run": True})
    assert r.status_code == 200, r.text
    p = r.json()["certificates"][0]
    assert p["common_name"] == f"{uniq}.example.com"
    assert p["sans"] == [f"DNS:{uniq}.example.com", f"DNS:www.{uniq}.example.com"]
    assert p["valid_to"] == ckcerts.iso(leaf.not_valid_after.replace(tzinfo=dt.timezone.utc))
    inter_cn = chain[1].subject.get_attributes_for_oid(ckcerts.NameOID.COMMON_NAME)[0].value
    assert p["issuer"] == f"CN={inter_cn}, O=Test PKI, C=NL"
    assert p["algorithm"] == "ecdsa" and p["key_size"] == 256
    assert p["fingerprint_sha256"] == ckcerts.fingerprint(leaf)
    # Save.
    r = api.post(IMPORT, json={"pem_content": text})
    assert r.status_code == 201, r.text
    cert = r.json()
    assert cert["expiry_status"] == "warning" and cert["days_remaining"] == days_until(cert["valid_to"])

    # Step 4: assign it to a Service (an https service on a web server).
    dev = nb.dcim.devices.create(name=f"web-{uniq}")
    svc = nb.ipam.services.create(name="https", protocol="tcp", ports=[443], device=dev.id)
    a = nb.plugins.netbox_ssl.assignments.create(
        certificate=cert["id"], assigned_object_type="ipam.service", assigned_object_id=svc.id,
        is_primary=True, notes="primary frontend",
    )
    assert a.assigned_object["id"] == svc.id
    got = api.get(f"{CERTS}{cert['id']}/").json()
    assert got["assignment_count"] == 1
    # The certificate shows up under that target.
    r = api.get(CERTS, params={"service_id": svc.id})
    assert [x["id"] for x in r.json()["results"]] == [cert["id"]]
    r = api.get(CERTS, params={"device_id": dev.id})
    assert [x["id"] for x in r.json()["results"]] == [cert["id"]]

    # Step 5: the analytics summary counts it (expiring within the warning window).
    s = api.get(PLUGIN + "analytics/summary/").json()
    assert s["expiring"]["warning"] >= 1
    assert s["warning_days"] == 30 and s["critical_days"] == 14
    assert sum(b["count"] for b in s["expiry_buckets"]) == s["active"]  # buckets cover active certificates
    assert any(b["algorithm"] == "ecdsa" and b["count"] >= 1 for b in s["by_algorithm"])

    # Audit trail: creation and assignment are in the changelog; lifecycle has imported + assignment_added.
    rows = changes_for(api, "netbox_ssl.certificate", cert["id"])
    assert rows[0]["action"] == "create"
    arows = changes_for(api, "netbox_ssl.certificateassignment", a.id)
    assert [r["action"] for r in arows] == ["create"]
    events = api.get(f"{CERTS}{cert['id']}/lifecycle/").json()["events"]
    assert [e["event_type"] for e in events] == ["assignment_added", "imported"]

    # Troubleshooting: a duplicate import names the existing record.
    r = api.post(IMPORT, json={"pem_content": text})
    assert r.status_code == 400 and f"(ID: {cert['id']}" in r.json()["pem_content"][0]
