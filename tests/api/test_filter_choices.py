"""Model-choice filters answer 400 for a value that names no object, as NetBox does: an unknown
tag slug or tag id, an unknown foreign-key id, an unknown tenant name/slug. Known values filter."""
import pytest

CERTS = "/api/plugins/netbox-ssl/certificates/"


@pytest.mark.parametrize("param,value", [("tag", "no-such-tag"), ("tag__n", "no-such-tag"), ("tag_id", "99999999"),
                                         ("tenant_id", "99999999"), ("tenant", "no-such-tenant"),
                                         ("issuing_ca_id", "99999999"), ("issuing_ca", "No Such CA")])
def test_unknown_choice_is_400(api, param, value):
    r = api.get(CERTS, params={param: value})
    assert r.status_code == 400, r.text
    assert "not one of the available choices" in r.json()[param][0]


def test_known_choices_filter(api, uniq):
    tag = api.post("/api/extras/tags/", json={"name": uniq, "slug": uniq}).json()
    ten = api.post("/api/tenancy/tenants/", json={"name": f"T {uniq}", "slug": f"t-{uniq}"}).json()
    from ckapi import cert_body
    body = cert_body(f"{uniq}.example.com")
    body.update(tags=[tag["id"]], tenant=ten["id"])
    c = api.post(CERTS, json=body).json()
    for params in ({"tag": uniq}, {"tag_id": tag["id"]}, {"tenant": f"t-{uniq}"}, {"tenant": f"T {uniq}"},
                   {"tenant_id": ten["id"]}):
        r = api.get(CERTS, params=params)
        assert r.status_code == 200 and [x["id"] for x in r.json()["results"]] == [c["id"]], params
