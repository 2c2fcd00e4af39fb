"""Plugin resources besides certificates: certificate authorities, assignments, CSRs."""

import pynetbox
import pytest

import ckcerts
from ckapi import CERTS, PLUGIN, cert_body, create
from ckcerts import ec_key, key_pem, make_cert, make_csr, pem, rsa_key

CAS = PLUGIN + "certificate-authorities/"
ASSIGN = PLUGIN + "assignments/"
CSRS = PLUGIN + "csrs/"
TENANTS = "/api/tenancy/tenants/"
DEVICES = "/api/dcim/devices/"
VMS = "/api/virtualization/virtual-machines/"
SERVICES = "/api/ipam/services/"
CSR_KEY_ERROR = "Private key detected. CSR imports must not include private key material."


def make(api, path, **body):
    r = api.post(path, json=body)
    assert r.status_code == 201, (path, r.text)
    return r.json()


@pytest.fixture(scope="module")
def nb(server):
    return pynetbox.api(server.base_url, token=server.token)


# ---- certificate authorities ------------------------------------------------------------------


def test_ca_crud_and_unique_name(api, uniq):
    ca = make(api, CAS, name=f"CA {uniq}", type="internal", issuer_pattern=f"{uniq} issuing")
    assert ca["type"] == "internal" and ca["is_approved"] is True and ca["certificate_count"] == 0
    assert ca["display"] == f"CA {uniq}"
    before = api.count(CAS)
    r = api.post(CAS, json={"name": f"CA {uniq}"})
    assert r.status_code == 400 and "name" in r.json()
    r = api.post(CAS, json={"name": f"CA2 {uniq}", "type": "private"})
    assert r.status_code == 400 and "type" in r.json()
    r = api.post(CAS, json={"name": "n" * 101})
    assert r.status_code == 400 and "name" in r.json()
    r = api.post(CAS, json={"name": f"CA3 {uniq}", "contact_email": "not-an-email"})
    assert r.status_code == 400 and "contact_email" in r.json()
    assert api.count(CAS) == before
    r = api.patch(f"{CAS}{ca['id']}/", json={"is_approved": False})
    assert r.status_code == 200 and r.json()["is_approved"] is False
    assert api.count(CAS, q=uniq, type="internal") == 1
    assert api.count(CAS, name=f"CA {uniq}") == 1
    assert api.count(CAS, is_approved="false", q=uniq) == 1


def test_ca_issuing_ca_and_count(api, uniq):
    ca = make(api, CAS, name=f"CA {uniq}")
    c = create(api, f"{uniq}.example.com", issuing_ca=ca["id"])
    assert c["issuing_ca"]["id"] == ca["id"] and c["issuing_ca"]["name"] == ca["name"]
    create(api, f"{uniq}-2.example.com")
    assert api.get(f"{CAS}{ca['id']}/").json()["certificate_count"] == 1
    r = api.get(CERTS, params={"q": uniq, "issuing_ca_id": ca["id"]})
    assert [x["id"] for x in r.json()["results"]] == [c["id"]]
    assert api.count(CERTS, q=uniq, has_issuing_ca="true") == 1
    assert api.count(CERTS, q=uniq, has_issuing_ca="false") == 1
    # SET NULL: deleting the CA keeps the certificate.
    assert api.delete(f"{CAS}{ca['id']}/").status_code == 204
    assert api.get(f"{CERTS}{c['id']}/").json()["issuing_ca"] is None


def test_ca_auto_detection_on_import(api, uniq):
    ca = make(api, CAS, name=f"Detect {uniq}", issuer_pattern=f"{uniq} Issuing")
    issuer = ckcerts.name(cn=f"{uniq.upper()} ISSUING CA", o="Test")
    cert, _ = make_cert(cn=f"{uniq}.example.com", issuer_name=issuer)
    r = api.post(CERTS + "import/", json={"pem_content": pem(cert)})
    assert r.status_code == 201, r.text
    assert r.json()["issuing_ca"]["id"] == ca["id"]


# ---- assignments ------------------------------------------------------------------------------


@pytest.fixture
def infra(api, uniq):
    t = make(api, TENANTS, name=f"T {uniq}", slug=uniq)
    t2 = make(api, TENANTS, name=f"T2 {uniq}", slug=f"{uniq}-2")
    d = make(api, DEVICES, name=f"web-{uniq}", tenant=t["id"])
    d2 = make(api, DEVICES, name=f"other-{uniq}", tenant=t2["id"])
    d3 = make(api, DEVICES, name=f"free-{uniq}")
    vm = make(api, VMS, name=f"vm-{uniq}")
    s = make(api, SERVICES, name="https", protocol="tcp", ports=[443], device=d["id"])
    return dict(tenant=t, tenant2=t2, device=d, device2=d2, device3=d3, vm=vm, service=s)


def test_assignment_seed_example(api, infra, uniq, base_url):
    c = create(api, f"{uniq}.example.com", tenant=infra["tenant"]["id"])
    s = infra["service"]
    r = api.post(ASSIGN, json={
        "certificate": c["id"], "assigned_object_type": "ipam.service", "assigned_object_id": s["id"],
        "is_primary": True, "notes": "Production HTTPS endpoint",
    })
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["certificate"]["id"] == c["id"]
    assert a["assigned_object_type"] == "ipam.service" and a["assigned_object_id"] == s["id"]
    assert a["assigned_object"]["id"] == s["id"] and a["assigned_object"]["name"]
    assert a["assigned_object"]["url"] == f"{base_url}{SERVICES}{s['id']}/"
    assert a["is_primary"] is True and a["notes"] == "Production HTTPS endpoint"
    cert = api.get(f"{CERTS}{c['id']}/").json()
    assert cert["assignment_count"] == 1
    assert cert["last_updated"] >= c["last_updated"]
    events = api.get(f"{CERTS}{c['id']}/lifecycle/").json()["events"]
    assert events[0]["event_type"] == "assignment_added"
    assert api.count(CERTS, q=uniq, has_assignments="true") == 1
    assert api.count(ASSIGN, certificate_id=c["id"]) == 1
    assert api.count(ASSIGN, assigned_object_id=s["id"], certificate_id=c["id"]) == 1
    # Duplicate → 400, nothing written.
    before = api.count(ASSIGN)
    r = api.post(ASSIGN, json={"certificate": c["id"], "assigned_object_type": "ipam.service", "assigned_object_id": s["id"]})
    assert r.status_code == 400
    assert api.count(ASSIGN) == before
    # Delete → assignment_removed event, count back to 0.
    assert api.delete(f"{ASSIGN}{a['id']}/").status_code == 204
    assert api.get(f"{CERTS}{c['id']}/").json()["assignment_count"] == 0
    events = api.get(f"{CERTS}{c['id']}/lifecycle/").json()["events"]
    assert events[0]["event_type"] == "assignment_removed"


def test_assignment_default_primary_and_types(api, infra, uniq):
    c = create(api, f"{uniq}.example.com")
    a = make(api, ASSIGN, certificate=c["id"], assigned_object_type="dcim.device", assigned_object_id=infra["device3"]["id"])
    assert a["is_primary"] is True
    b = make(api, ASSIGN, certificate=c["id"], assigned_object_type="virtualization.virtualmachine",
             assigned_object_id=infra["vm"]["id"], is_primary=False)
    assert b["is_primary"] is False
    assert api.get(f"{CERTS}{c['id']}/").json()["assignment_count"] == 2
    # Deleting the certificate cascades to its assignments.
    assert api.delete(f"{CERTS}{c['id']}/").status_code == 204
    assert api.get(f"{ASSIGN}{a['id']}/").status_code == 404


@pytest.mark.parametrize("bad", [
    {"assigned_object_type": "dcim.service"},
    {"assigned_object_type": "dcim.site"},
    {"assigned_object_id": 999999},
    {"certificate": 999999999},
    {"assigned_object_id": "x"},
    {"assigned_object_id": -1},
])
def test_assignment_invalid(api, infra, uniq, bad):
    c = create(api, f"{uniq}.example.com")
    body = {"certificate": c["id"], "assigned_object_type": "dcim.device", "assigned_object_id": infra["device3"]["id"], **bad}
    before = api.count(ASSIGN)
    r = api.post(ASSIGN, json=body)
    assert r.status_code == 400, r.text
    assert api.count(ASSIGN) == before


def test_assignment_tenant_boundary(api, infra, uniq):
    c = create(api, f"{uniq}.example.com", tenant=infra["tenant"]["id"])
    before = api.count(ASSIGN)
    r = api.post(ASSIGN, json={"certificate": c["id"], "assigned_object_type": "dcim.device",
                               "assigned_object_id": infra["device2"]["id"]})
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": ["Certificate and assignment target must belong to the same tenant."]}
    assert api.count(ASSIGN) == before
    # A target without a tenant is allowed; so is the same tenant (service inherits its device's).
    make(api, ASSIGN, certificate=c["id"], assigned_object_type="dcim.device", assigned_object_id=infra["device3"]["id"])
    make(api, ASSIGN, certificate=c["id"], assigned_object_type="ipam.service", assigned_object_id=infra["service"]["id"])


def test_assignment_filters_on_certificates(api, infra, uniq):
    c1 = create(api, f"{uniq}-1.example.com")
    c2 = create(api, f"{uniq}-2.example.com")
    make(api, ASSIGN, certificate=c1["id"], assigned_object_type="dcim.device", assigned_object_id=infra["device3"]["id"])
    make(api, ASSIGN, certificate=c2["id"], assigned_object_type="virtualization.virtualmachine", assigned_object_id=infra["vm"]["id"])
    r = api.get(CERTS, params={"q": uniq, "device_id": infra["device3"]["id"]})
    assert [x["id"] for x in r.json()["results"]] == [c1["id"]]
    r = api.get(CERTS, params={"q": uniq, "virtual_machine_id": infra["vm"]["id"]})
    assert [x["id"] for x in r.json()["results"]] == [c2["id"]]
    assert api.count(CERTS, q=uniq, has_assignments="false") == 0


def test_pynetbox_assignment_seed(nb, api, infra, uniq):
    c = create(api, f"{uniq}.example.com", tenant=infra["tenant"]["id"])
    # the seed's "Create assignment"
    a = nb.plugins.netbox_ssl.assignments.create(
        certificate=c["id"],
        assigned_object_type="ipam.service",
        assigned_object_id=infra["service"]["id"],
        is_primary=True,
    )
    assert a.id and a.certificate.id == c["id"]
    got = list(nb.plugins.netbox_ssl.assignments.filter(certificate_id=c["id"]))
    assert [x.id for x in got] == [a.id]
    a.notes = "primary frontend"
    assert a.save() is True
    assert nb.plugins.netbox_ssl.assignments.get(a.id).notes == "primary frontend"
    assert nb.plugins.netbox_ssl.certificates.get(c["id"]).assignment_count == 1


# ---- CSRs -------------------------------------------------------------------------------------


def test_csr_import_seed_shape(api, uniq):
    t = make(api, TENANTS, name=f"T {uniq}", slug=uniq)
    csr = make_csr(cn=f"{uniq}.example.com", sans=[f"{uniq}.example.com", f"www.{uniq}.example.com"],
                   key=rsa_key(), o="Example Inc", ou="Web", c="NL")
    r = api.post(CSRS + "import/", json={
        "pem_content": pem(csr), "requested_by": "john.doe@example.com", "target_ca": "DigiCert", "tenant": t["id"],
    })
    assert r.status_code == 201, r.text
    x = r.json()
    assert x["status"] == "pending" and x["common_name"] == f"{uniq}.example.com"
    assert x["organization"] == "Example Inc" and x["organizational_unit"] == "Web" and x["country"] == "NL"
    assert x["algorithm"] == "rsa" and x["key_size"] == 2048
    assert x["requested_by"] == "john.doe@example.com" and x["target_ca"] == "DigiCert"
    assert x["tenant"]["id"] == t["id"]
    assert x["subject_string"] == f"CN={uniq}.example.com, O=Example Inc, OU=Web, C=NL"
    assert x["fingerprint_sha256"] == ckcerts.colon_hex(__import__("hashlib").sha256(ckcerts.der(csr)).digest())
    assert f"www.{uniq}.example.com" in " ".join(x["sans"])
    assert x["requested_date"]
    # duplicate
    before = api.count(CSRS)
    r = api.post(CSRS + "import/", json={"pem_content": pem(csr)})
    assert r.status_code == 400
    assert f"CSR already exists: {uniq}.example.com (ID: {x['id']})" in str(r.json())
    assert api.count(CSRS) == before
    # filters of the seed
    assert api.count(CSRS, common_name__ic=uniq.upper()) == 1
    assert api.count(CSRS, status="pending", common_name=uniq) == 1
    assert api.count(CSRS, tenant_id=t["id"]) == 1
    assert api.count(CSRS, organization="example inc", common_name=uniq) == 1
    assert api.count(CSRS, requested_by="john", common_name=uniq) == 1
    assert api.count(CSRS, target_ca="digicert", common_name=uniq) == 1
    assert api.get(CSRS, params={"status": "bogus"}).status_code == 400


def test_csr_import_dry_run_previews_without_saving(api, uniq):
    """The UI's Add CSR previews the request (dry_run) before Save; nothing is written."""
    csr = make_csr(cn=f"{uniq}.example.com", sans=[f"{uniq}.example.com", f"api.{uniq}.example.com"],
                   key=ec_key(), o="Example Inc", c="DE")
    before = api.count(CSRS)
    r = api.post(CSRS + "import/", json={"pem_content": pem(csr), "requested_by": "ops", "dry_run": True})
    assert r.status_code == 200, r.text
    x = r.json()
    assert x["dry_run"] is True and x["duplicate_of"] is None
    assert x["common_name"] == f"{uniq}.example.com" and x["organization"] == "Example Inc" and x["country"] == "DE"
    assert x["subject_string"] == f"CN={uniq}.example.com, O=Example Inc, C=DE"
    assert x["algorithm"] == "ecdsa" and x["key_size"] == 256
    assert f"DNS:api.{uniq}.example.com" in x["sans"]
    assert x["fingerprint_sha256"] == ckcerts.colon_hex(__import__("hashlib").sha256(ckcerts.der(csr)).digest())
    assert api.count(CSRS) == before
    saved = make(api, CSRS + "import/", pem_content=pem(csr))
    again = api.post(CSRS + "import/", json={"pem_content": pem(csr), "dry_run": True})
    assert again.status_code == 200 and again.json()["duplicate_of"]["id"] == saved["id"]
    assert api.post(CSRS + "import/", json={"pem_content": pem(csr), "dry_run": "yes"}).status_code == 400
    assert api.post(CSRS + "import/", json={"pem_content": "garbage", "dry_run": True}).status_code == 400


@pytest.mark.parametrize("fmt", ["pkcs8", "traditional", "encrypted"])
def test_csr_import_refuses_private_key(api, uniq, fmt):
    csr = make_csr(cn=f"{uniq}.example.com")
    before = api.count(CSRS)
    r = api.post(CSRS + "import/", json={"pem_content": pem(csr) + key_pem(ec_key(), fmt)})
    assert r.status_code == 400
    assert CSR_KEY_ERROR in str(r.json())
    assert api.count(CSRS) == before


@pytest.mark.parametrize("text", ["garbage", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"])
def test_csr_import_garbage(api, text):
    before = api.count(CSRS)
    r = api.post(CSRS + "import/", json={"pem_content": text})
    assert r.status_code == 400 and "pem_content" in r.json()
    assert api.count(CSRS) == before


def test_csr_import_size_limit(api, uniq):
    csr = pem(make_csr(cn=f"{uniq}.example.com"))
    before = api.count(CSRS)
    r = api.post(CSRS + "import/", json={"pem_content": "x" * (65537 - len(csr) - 1) + "\n" + csr})
    assert r.status_code == 400
    assert api.count(CSRS) == before


def test_csr_crud_and_status(api, uniq):
    csr = make_csr(cn=f"{uniq}.example.com")
    x = api.post(CSRS + "import/", json={"pem_content": pem(csr)}).json()
    r = api.patch(f"{CSRS}{x['id']}/", json={"status": "approved", "notes": "ok"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = api.patch(f"{CSRS}{x['id']}/", json={"status": "bogus"})
    assert r.status_code == 400
    c = create(api, f"{uniq}.example.com")
    r = api.patch(f"{CSRS}{x['id']}/", json={"status": "issued", "resulting_certificate": c["id"]})
    assert r.status_code == 200, r.text
    assert api.count(CSRS, has_certificate="true", common_name=uniq) == 1
    assert api.delete(f"{CSRS}{x['id']}/").status_code == 204
    assert api.get(f"{CSRS}{x['id']}/").status_code == 404


def test_bulk_assign(api, infra, uniq):
    certs = [create(api, f"{uniq}-{i}.example.com") for i in range(3)]
    ids = [c["id"] for c in certs]
    body = {"certificate_ids": ids, "assigned_object_type": "dcim.device", "assigned_object_id": infra["device3"]["id"]}
    r = api.post(CERTS + "bulk-assign/", json=body)
    assert r.status_code == 201, r.text
    assert r.json() == {"created_count": 3, "skipped_count": 0, "not_found_ids": []}
    r = api.post(CERTS + "bulk-assign/", json={**body, "certificate_ids": ids + [999999999]})
    assert r.json()["created_count"] == 0 and r.json()["skipped_count"] == 3
    assert r.json()["not_found_ids"] == [999999999]
    assert all(api.get(f"{CERTS}{i}/").json()["assignment_count"] == 1 for i in ids)
    before = api.count(ASSIGN)
    for bad in ({**body, "assigned_object_type": "dcim.service"}, {**body, "assigned_object_id": 999999},
                {**body, "certificate_ids": []}, {**body, "certificate_ids": list(range(1, 102))}):
        r = api.post(CERTS + "bulk-assign/", json=bad)
        assert r.status_code == 400, (bad, r.text)
    # Tenant boundary (§3.21) applies to bulk-assign too: atomic refusal.
    c = create(api, f"{uniq}-t.example.com", tenant=infra["tenant"]["id"])
    r = api.post(CERTS + "bulk-assign/", json={"certificate_ids": [ids[0], c["id"]], "assigned_object_type": "dcim.device",
                                               "assigned_object_id": infra["device2"]["id"]})
    assert r.status_code == 400
    assert api.count(ASSIGN) == before
