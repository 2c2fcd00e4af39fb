"""The seed's Python SDK usage (pynetbox) against certkeeper, call for call."""

import datetime as dt

import pynetbox
import pytest

from ckapi import cert_body, days_until


@pytest.fixture(scope="module")
def nb(server):
    return pynetbox.api(server.base_url, token=server.token)


@pytest.fixture(scope="module")
def nb_ro(server):
    return pynetbox.api(server.base_url, token=server.ro_token)


def test_all_lists_every_certificate(nb, api, uniq):
    api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}.example.com"))
    certs = list(nb.plugins.netbox_ssl.certificates.all())
    assert len(certs) == api.count()
    by_cn = {c.common_name: c for c in certs}
    c = by_cn[f"{uniq}.example.com"]
    # the seed's loop body
    line = f"{c.common_name}: {c.days_remaining} days remaining"
    assert line == f"{uniq}.example.com: {days_until(c.valid_to)} days remaining"
    assert str(c) == f"{uniq}.example.com (expires: {c.valid_to[:10]})"


def test_all_follows_pagination(nb, api, uniq):
    r = api.post("/api/plugins/netbox-ssl/certificates/", json=[cert_body(f"{uniq}-{i:02}.example.com") for i in range(60)])
    assert r.status_code == 201
    got = list(nb.plugins.netbox_ssl.certificates.filter(common_name__ic=uniq))
    assert len(got) == 60
    assert len({c.id for c in got}) == 60
    got = list(nb.plugins.netbox_ssl.certificates.filter(common_name__ic=uniq, limit=7))
    assert len({c.id for c in got}) == 60


def test_filter_status_and_valid_to(nb, api, uniq):
    a = api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}-a.example.com", days_left=5)).json()
    api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}-b.example.com", days_left=5, status="revoked"))
    api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}-c.example.com", days_left=400))
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    # the seed's "Get expiring certificates"
    expiring = nb.plugins.netbox_ssl.certificates.filter(status="active", valid_to__lt=soon)
    mine = [c for c in expiring if c.common_name.startswith(uniq)]
    assert [c.id for c in mine] == [a["id"]]
    active = list(nb.plugins.netbox_ssl.certificates.filter(status="active", common_name__ic=uniq))
    assert {c.common_name for c in active} == {f"{uniq}-a.example.com", f"{uniq}-c.example.com"}


def test_filter_common_name_ic(nb, api, uniq):
    api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}-Mixed.Example.com"))
    got = list(nb.plugins.netbox_ssl.certificates.filter(common_name__ic=uniq.upper()))
    assert [c.common_name for c in got] == [f"{uniq}-Mixed.Example.com"]


def test_filter_invalid_choice_raises(nb):
    with pytest.raises(pynetbox.RequestError) as e:
        list(nb.plugins.netbox_ssl.certificates.filter(status="bogus"))
    assert e.value.req.status_code == 400


def test_get_by_id_and_by_field(nb, api, uniq):
    c = api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}.example.com")).json()
    rec = nb.plugins.netbox_ssl.certificates.get(c["id"])
    assert rec.id == c["id"] and rec.common_name == c["common_name"]
    assert rec.serial_number == c["serial_number"]
    rec2 = nb.plugins.netbox_ssl.certificates.get(common_name=f"{uniq}.example.com")
    assert rec2.id == c["id"]
    assert nb.plugins.netbox_ssl.certificates.get(999999999) is None
    assert nb.plugins.netbox_ssl.certificates.get(common_name=f"{uniq}-none.example.com") is None


def test_get_ambiguous_raises(nb, api, uniq):
    for i in range(2):
        api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}-{i}.example.com"))
    with pytest.raises(ValueError):
        nb.plugins.netbox_ssl.certificates.get(common_name=uniq)


def test_create_save_delete(nb, api, uniq):
    body = cert_body(f"{uniq}.example.com", days_left=20)
    rec = nb.plugins.netbox_ssl.certificates.create(**body)
    assert rec.id and rec.common_name == f"{uniq}.example.com"
    assert rec.expiry_status == "warning"
    assert rec.is_expiring_soon is True

    rec.comments = "changed by pynetbox"
    rec.status = "pending"
    assert rec.save() is True
    fresh = nb.plugins.netbox_ssl.certificates.get(rec.id)
    assert fresh.comments == "changed by pynetbox" and fresh.status == "pending"
    # save() with nothing changed sends nothing and returns False
    assert fresh.save() is False

    assert fresh.delete() is True
    assert nb.plugins.netbox_ssl.certificates.get(rec.id) is None
    assert api.get(f"/api/plugins/netbox-ssl/certificates/{rec.id}/").status_code == 404


def test_create_many_and_bulk_delete(nb, uniq):
    recs = nb.plugins.netbox_ssl.certificates.create([cert_body(f"{uniq}-{i}.example.com") for i in range(3)])
    assert len(recs) == 3
    assert nb.plugins.netbox_ssl.certificates.count(common_name__ic=uniq) == 3
    assert nb.plugins.netbox_ssl.certificates.delete(recs) is True
    assert nb.plugins.netbox_ssl.certificates.count(common_name__ic=uniq) == 0


def test_update_many(nb, uniq):
    recs = nb.plugins.netbox_ssl.certificates.create([cert_body(f"{uniq}-{i}.example.com") for i in range(2)])
    out = nb.plugins.netbox_ssl.certificates.update([{"id": r.id, "comments": f"c{i}"} for i, r in enumerate(recs)])
    assert sorted(r.comments for r in out) == ["c0", "c1"]


def test_create_invalid_raises(nb, api):
    before = api.count()
    with pytest.raises(pynetbox.RequestError) as e:
        nb.plugins.netbox_ssl.certificates.create(common_name="only-cn.example.com")
    assert e.value.req.status_code == 400
    assert api.count() == before


def test_count(nb, api, uniq):
    for i in range(3):
        api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}-{i}.example.com"))
    assert nb.plugins.netbox_ssl.certificates.count() == api.count()
    assert nb.plugins.netbox_ssl.certificates.count(common_name__ic=uniq) == 3


def test_choices(nb):
    ch = nb.plugins.netbox_ssl.certificates.choices()
    assert {c["value"] for c in ch["status"]} == {"active", "expired", "replaced", "revoked", "pending", "archived"}
    assert {c["value"] for c in ch["algorithm"]} == {"rsa", "ecdsa", "ed25519", "unknown"}
    assert all("display_name" in c for c in ch["status"])


def test_read_only_token_cannot_write(nb_ro, uniq):
    assert nb_ro.plugins.netbox_ssl.certificates.count() >= 0
    with pytest.raises(pynetbox.RequestError) as e:
        nb_ro.plugins.netbox_ssl.certificates.create(**cert_body(f"{uniq}.example.com"))
    assert e.value.req.status_code == 403


def test_status_call(nb):
    st = nb.status()
    assert "netbox_ssl" in st["plugins"]
    assert st["netbox-version"].startswith("4.")


def test_record_serialize_roundtrip(nb, api, uniq):
    c = api.post("/api/plugins/netbox-ssl/certificates/", json=cert_body(f"{uniq}.example.com")).json()
    rec = nb.plugins.netbox_ssl.certificates.get(c["id"])
    ser = rec.serialize()
    assert ser["id"] == c["id"] and ser["sans"] == c["sans"]
    # Changing a list field is detected and saved.
    rec.sans = rec.sans + [f"extra.{uniq}.example.com"]
    assert rec.save() is True
    assert api.get(f"/api/plugins/netbox-ssl/certificates/{c['id']}/").json()["sans"][-1] == f"extra.{uniq}.example.com"
