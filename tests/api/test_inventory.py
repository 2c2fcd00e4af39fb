"""NetBox core-like resources: tenants, tags, devices, virtual machines, services."""

import pynetbox
import pytest

from ckapi import CERTS, cert_body, create

TENANTS = "/api/tenancy/tenants/"
TAGS = "/api/extras/tags/"
DEVICES = "/api/dcim/devices/"
VMS = "/api/virtualization/virtual-machines/"
SERVICES = "/api/ipam/services/"


def make(api, path, **body):
    r = api.post(path, json=body)
    assert r.status_code == 201, (path, r.text)
    return r.json()


def tenant(api, uniq, suffix=""):
    return make(api, TENANTS, name=f"Tenant {uniq}{suffix}", slug=f"{uniq}{suffix}")


@pytest.fixture(scope="module")
def nb(server):
    return pynetbox.api(server.base_url, token=server.token)


def test_tenant_crud(api, base_url, uniq):
    t = tenant(api, uniq)
    assert t["url"] == f"{base_url}{TENANTS}{t['id']}/" and t["display"] == f"Tenant {uniq}"
    for k in ("created", "last_updated", "tags", "custom_fields"):
        assert k in t
    assert api.get(f"{TENANTS}{t['id']}/").json()["slug"] == uniq
    r = api.patch(f"{TENANTS}{t['id']}/", json={"description": "d"})
    assert r.status_code == 200 and r.json()["description"] == "d"
    assert api.count(TENANTS, slug=uniq) == 1
    assert api.count(TENANTS, q=uniq) == 1
    assert api.delete(f"{TENANTS}{t['id']}/").status_code == 204
    assert api.get(f"{TENANTS}{t['id']}/").status_code == 404


def test_tenant_unique_and_required(api, uniq):
    tenant(api, uniq)
    before = api.count(TENANTS)
    r = api.post(TENANTS, json={"name": f"Tenant {uniq}", "slug": f"{uniq}-x"})
    assert r.status_code == 400 and "name" in r.json()
    r = api.post(TENANTS, json={"name": f"Other {uniq}", "slug": uniq})
    assert r.status_code == 400 and "slug" in r.json()
    r = api.post(TENANTS, json={"slug": f"{uniq}-y"})
    assert r.status_code == 400 and "name" in r.json()
    r = api.post(TENANTS, json={"name": "n" * 101, "slug": f"{uniq}-z"})
    assert r.status_code == 400 and "name" in r.json()
    r = api.post(TENANTS, json={"name": f"Bad slug {uniq}", "slug": "Not A Slug!"})
    assert r.status_code == 400 and "slug" in r.json()
    assert api.count(TENANTS) == before


def test_certificate_tenant_and_filter(api, uniq):
    t1, t2 = tenant(api, uniq, "-1"), tenant(api, uniq, "-2")
    c1 = create(api, f"{uniq}-1.example.com", tenant=t1["id"])
    create(api, f"{uniq}-2.example.com", tenant=t2["id"])
    create(api, f"{uniq}-3.example.com")
    assert c1["tenant"]["id"] == t1["id"] and c1["tenant"]["name"] == t1["name"]
    assert c1["tenant"]["url"].endswith(f"{TENANTS}{t1['id']}/")
    r = api.get(CERTS, params={"q": uniq, "tenant_id": t1["id"]})
    assert [x["id"] for x in r.json()["results"]] == [c1["id"]]
    r = api.get(CERTS, params=[("q", uniq), ("tenant_id", t1["id"]), ("tenant_id", t2["id"])])
    assert r.json()["count"] == 2
    r = api.get(CERTS, params={"q": uniq, "tenant": t2["slug"]})
    assert r.status_code == 200 and r.json()["count"] == 1
    # Tenant shows its certificate count; PROTECT: a tenant with certificates cannot be deleted.
    assert api.get(f"{TENANTS}{t1['id']}/").json()["certificate_count"] == 1
    r = api.delete(f"{TENANTS}{t1['id']}/")
    assert r.status_code in (400, 409), r.text
    assert api.get(f"{TENANTS}{t1['id']}/").status_code == 200
    # Unset the tenant, then delete works.
    assert api.patch(f"{CERTS}{c1['id']}/", json={"tenant": None}).json()["tenant"] is None
    assert api.delete(f"{TENANTS}{t1['id']}/").status_code == 204


def test_import_with_tenant(api, uniq):
    from ckcerts import make_cert, pem
    t = tenant(api, uniq)
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    r = api.post(CERTS + "import/", json={"pem_content": pem(cert), "tenant": t["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["tenant"]["id"] == t["id"]


def test_tags(api, uniq):
    t = make(api, TAGS, name=f"Prod {uniq}", slug=f"prod-{uniq}", color="ff0000")
    other = make(api, TAGS, name=f"Other {uniq}", slug=f"other-{uniq}")
    assert t["color"] == "ff0000" and other["color"]
    c1 = create(api, f"{uniq}-1.example.com", tags=[{"slug": t["slug"]}])
    assert [x["slug"] for x in c1["tags"]] == [t["slug"]]
    c2 = create(api, f"{uniq}-2.example.com", tags=[t["id"], other["id"]])
    assert sorted(x["slug"] for x in c2["tags"]) == sorted([t["slug"], other["slug"]])
    create(api, f"{uniq}-3.example.com")
    # The seed's tag filter: by slug; repeated tag = AND.
    r = api.get(CERTS, params={"q": uniq, "tag": t["slug"]})
    assert {x["id"] for x in r.json()["results"]} == {c1["id"], c2["id"]}
    r = api.get(CERTS, params=[("q", uniq), ("tag", t["slug"]), ("tag", other["slug"])])
    assert {x["id"] for x in r.json()["results"]} == {c2["id"]}
    r = api.get(CERTS, params={"q": uniq, "tag__n": other["slug"]})
    assert c2["id"] not in {x["id"] for x in r.json()["results"]} and r.json()["count"] == 2
    r = api.get(CERTS, params={"q": uniq, "tag_id": other["id"]})
    assert {x["id"] for x in r.json()["results"]} == {c2["id"]}
    # PATCH replaces the tag set.
    r = api.patch(f"{CERTS}{c2['id']}/", json={"tags": []})
    assert r.status_code == 200 and r.json()["tags"] == []
    before = api.count()
    r = api.post(CERTS, json=cert_body(f"{uniq}-4.example.com", tags=[{"slug": "no-such-tag-" + uniq}]))
    assert r.status_code == 400 and "tags" in r.json()
    assert api.count() == before
    assert api.get(f"{TAGS}{t['id']}/").json()["tagged_items"] >= 1


def test_tag_unique_color(api, uniq):
    make(api, TAGS, name=f"T {uniq}", slug=uniq)
    r = api.post(TAGS, json={"name": f"T {uniq}", "slug": f"{uniq}-2"})
    assert r.status_code == 400
    r = api.post(TAGS, json={"name": f"T2 {uniq}", "slug": f"{uniq}-3", "color": "red"})
    assert r.status_code == 400 and "color" in r.json()
    r = api.post(TAGS, json={"name": f"T3 {uniq}", "slug": f"{uniq}-4", "color": "12345g"})
    assert r.status_code == 400 and "color" in r.json()


def test_devices_vms_services(api, uniq):
    t = tenant(api, uniq)
    d = make(api, DEVICES, name=f"web-{uniq}", tenant=t["id"])
    assert d["status"] == "active" and d["tenant"]["id"] == t["id"]
    vm = make(api, VMS, name=f"vm-{uniq}", status="planned")
    assert vm["status"] == "planned" and vm["tenant"] is None
    s = make(api, SERVICES, name="https", protocol="tcp", ports=[443, 8443], device=d["id"])
    assert s["device"]["id"] == d["id"] and s["ports"] == [443, 8443] and s["virtual_machine"] is None
    sv = make(api, SERVICES, name="https", protocol="tcp", ports=[443], virtual_machine=vm["id"])
    assert sv["virtual_machine"]["id"] == vm["id"]
    assert api.count(SERVICES, device_id=d["id"]) == 1
    assert api.count(SERVICES, virtual_machine_id=vm["id"]) == 1
    assert api.count(DEVICES, q=f"web-{uniq}") == 1
    assert api.count(DEVICES, tenant_id=t["id"]) == 1
    assert api.count(VMS, status="planned", q=uniq) == 1

    r = api.post(DEVICES, json={"name": f"bad-{uniq}", "status": "exploded"})
    assert r.status_code == 400 and "status" in r.json()
    r = api.post(DEVICES, json={"name": "d" * 65})
    assert r.status_code == 400 and "name" in r.json()


@pytest.mark.parametrize("bad", [
    dict(ports=[443]),  # no parent
    dict(ports=[443], device="D", virtual_machine="V"),
    dict(ports=[443], protocol="icmp"),
    dict(ports=[0]),
    dict(ports=[65536]),
    dict(ports=[]),
    dict(ports="443"),
    dict(ports=[443], device=999999),
    dict(ports=[443], name=""),
])
def test_service_validation(api, uniq, bad):
    d = make(api, DEVICES, name=f"svc-{uniq}")
    vm = make(api, VMS, name=f"svc-vm-{uniq}")
    body = {"name": "https", "protocol": "tcp", "device": d["id"], **bad}
    if "ports" in bad and len(bad) == 1 and bad["ports"] == [443]:
        del body["device"]
    body = {k: {"D": d["id"], "V": vm["id"]}.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = api.count(SERVICES)
    r = api.post(SERVICES, json=body)
    assert r.status_code == 400, (body, r.text)
    assert api.count(SERVICES) == before


def test_pynetbox_inventory(nb, uniq):
    t = nb.tenancy.tenants.create(name=f"PyTenant {uniq}", slug=f"py-{uniq}")
    assert nb.tenancy.tenants.get(slug=f"py-{uniq}").id == t.id
    d = nb.dcim.devices.create(name=f"py-web-{uniq}", tenant=t.id)
    assert d.tenant.id == t.id
    s = nb.ipam.services.create(name="https", protocol="tcp", ports=[443], device=d.id)
    assert s.device.id == d.id
    assert [x.id for x in nb.ipam.services.filter(device_id=d.id)] == [s.id]
    d.description = "front end"
    assert d.save() is True
    assert nb.dcim.devices.get(d.id).description == "front end"
    vm = nb.virtualization.virtual_machines.create(name=f"py-vm-{uniq}")
    assert nb.virtualization.virtual_machines.get(vm.id).name == f"py-vm-{uniq}"
    assert {c["value"] for c in nb.dcim.devices.choices()["status"]} >= {"active", "planned", "offline"}
    assert s.delete() and d.delete() and vm.delete() and t.delete()
