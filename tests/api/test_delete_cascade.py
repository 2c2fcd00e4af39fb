"""Issue 9 item 9: deletes cascade to assignments inside the same unit of work, with one
changelog row per removed object (what NetBox does for its own cascades), and a renewal never
carries a dangling assignment along.

Before the fix a deleted device or VM left its assignments pointing at nothing, a device's
services vanished through the foreign key without a changelog row, and a deleted certificate's
assignments disappeared without one either.
"""


import ckcerts
from ckapi import create, import_pem
from conftest import db_exec, CERTS, PLUGIN

ASSIGN = PLUGIN + "assignments/"
CHANGES = "/api/core/object-changes/"
DEVICES = "/api/dcim/devices/"
VMS = "/api/virtualization/virtual-machines/"
SERVICES = "/api/ipam/services/"
A_TYPE = "netbox_ssl.certificateassignment"


def make(api, path, **body):
    r = api.post(path, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def assign(api, cert, otype, oid):
    return make(api, ASSIGN, certificate=cert["id"], assigned_object_type=otype, assigned_object_id=oid)


def deletes(api, otype, oid):
    rows = api.list_all(CHANGES, changed_object_type=otype, changed_object_id=oid)
    return [r for r in rows if r["action"] == "delete"]


def test_deleting_device_cascades_services_and_assignments(api, uniq):
    c = create(api, f"{uniq}.example.com")
    d = make(api, DEVICES, name=f"dev-{uniq}")
    s = make(api, SERVICES, name="https", protocol="tcp", ports=[443], device=d["id"])
    a_dev = assign(api, c, "dcim.device", d["id"])
    a_svc = assign(api, c, "ipam.service", s["id"])
    assert api.get(f"{CERTS}{c['id']}/").json()["assignment_count"] == 2

    r = api.delete(f"{DEVICES}{d['id']}/")
    assert r.status_code == 204, r.text
    for a in (a_dev, a_svc):
        assert api.get(f"{ASSIGN}{a['id']}/").status_code == 404
        rows = deletes(api, A_TYPE, a["id"])
        assert len(rows) == 1 and rows[0]["prechange_data"]["id"] == a["id"], rows
    assert api.get(f"{SERVICES}{s['id']}/").status_code == 404
    assert len(deletes(api, "ipam.service", s["id"])) == 1
    assert len(deletes(api, "dcim.device", d["id"])) == 1
    # same request: one request id for the whole cascade
    rid = {r["request_id"] for r in deletes(api, A_TYPE, a_dev["id"]) + deletes(api, "dcim.device", d["id"])}
    assert len(rid) == 1
    assert api.get(f"{CERTS}{c['id']}/").json()["assignment_count"] == 0
    assert api.count(ASSIGN, certificate_id=c["id"]) == 0


def test_deleting_vm_and_service_cascade(api, uniq):
    c = create(api, f"{uniq}.example.com")
    vm = make(api, VMS, name=f"vm-{uniq}")
    s = make(api, SERVICES, name="https", protocol="tcp", ports=[443], virtual_machine=vm["id"])
    s2 = make(api, SERVICES, name="imaps", protocol="tcp", ports=[993], virtual_machine=vm["id"])
    a_vm = assign(api, c, "virtualization.virtualmachine", vm["id"])
    a_s2 = assign(api, c, "ipam.service", s2["id"])
    assert api.delete(f"{SERVICES}{s2['id']}/").status_code == 204
    assert api.get(f"{ASSIGN}{a_s2['id']}/").status_code == 404
    assert len(deletes(api, A_TYPE, a_s2["id"])) == 1
    assert api.get(f"{ASSIGN}{a_vm['id']}/").status_code == 200
    assert api.delete(f"{VMS}{vm['id']}/").status_code == 204
    assert api.get(f"{ASSIGN}{a_vm['id']}/").status_code == 404
    assert len(deletes(api, A_TYPE, a_vm["id"])) == 1
    assert len(deletes(api, "ipam.service", s["id"])) == 1


def test_deleting_certificate_logs_each_assignment(api, uniq):
    c = create(api, f"{uniq}.example.com")
    devs = [make(api, DEVICES, name=f"dev{i}-{uniq}") for i in range(3)]
    asg = [assign(api, c, "dcim.device", d["id"]) for d in devs]
    assert api.delete(f"{CERTS}{c['id']}/").status_code == 204
    for a in asg:
        rows = deletes(api, A_TYPE, a["id"])
        assert len(rows) == 1, rows
    assert len(deletes(api, "netbox_ssl.certificate", c["id"])) == 1
    # the devices stay
    for d in devs:
        assert api.get(f"{DEVICES}{d['id']}/").status_code == 200


def test_bulk_delete_cascades(api, uniq):
    c = create(api, f"{uniq}.example.com")
    devs = [make(api, DEVICES, name=f"bulk{i}-{uniq}") for i in range(2)]
    asg = [assign(api, c, "dcim.device", d["id"]) for d in devs]
    r = api.delete(DEVICES, json=[{"id": d["id"]} for d in devs])
    assert r.status_code == 204, r.text
    for a in asg:
        assert len(deletes(api, A_TYPE, a["id"])) == 1
    assert api.count(ASSIGN, certificate_id=c["id"]) == 0


def test_renewal_leaves_dangling_assignment_behind(server, api, uniq):
    """An assignment left dangling by an older version (written straight into the database, as
    such a version left it) is not carried to the successor; the live one moves."""
    leaf, _ = ckcerts.make_cert(cn=f"{uniq}.example.com")
    old = import_pem(api, ckcerts.pem(leaf))
    d = make(api, DEVICES, name=f"live-{uniq}")
    live = assign(api, old, "dcim.device", d["id"])
    db_exec(server.db, "INSERT INTO assignments (certificate_id, assigned_object_type, assigned_object_id,"
                       f" created, last_updated) VALUES ({int(old['id'])}, 'dcim.device', 987654321, 0, 0)")
    new, _ = ckcerts.make_cert(cn=f"{uniq}.example.com")
    r = api.post(f"{CERTS}{old['id']}/renew/", json={"pem_content": ckcerts.pem(new)})
    assert r.status_code == 201, r.text
    assert r.json()["assignments_transferred"] == 1
    new_id = r.json()["new"]["id"]
    moved = api.list_all(ASSIGN, certificate_id=new_id)
    assert [a["id"] for a in moved] == [live["id"]]
    assert all(a["assigned_object_id"] != 987654321 for a in moved)
