"""Certificates resource: CRUD, bulk operations, listing, ordering, brief, OPTIONS, computed fields."""

import datetime as dt
import re

import pytest

from ckapi import BRIEF_FIELDS, CERTS, COMMON_FIELDS, COMPUTED_FIELDS, SEED_CERT, cert_body, create, days_until


def test_create_seed_example_exactly(api, base_url):
    before = api.count()
    r = api.post(CERTS, json=SEED_CERT)
    assert r.status_code == 201, r.text
    c = r.json()
    for k, v in SEED_CERT.items():
        if k != "status":
            assert c[k] == v, k
    # sent as active, but past valid_to already: expired at once (issue 13)
    assert c["status"] == "expired"
    for k in COMMON_FIELDS + COMPUTED_FIELDS:
        assert k in c, k
    assert c["url"] == f"{base_url}{CERTS}{c['id']}/"
    assert c["display"] == "api.example.com (expires: 2025-01-01)"
    assert c["tags"] == [] and c["custom_fields"] == {}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["created"])
    assert c["created"] == c["last_updated"]
    assert c["tenant"] is None and c["issuing_ca"] is None and c["replaced_by"] is None
    # Expired on 2025-01-01: computed fields follow.
    assert c["is_expired"] is True and c["expiry_status"] == "expired"
    assert c["days_remaining"] == days_until("2025-01-01T00:00:00Z") < 0
    assert c["is_expiring_soon"] is False and c["assignment_count"] == 0
    assert api.count() == before + 1
    # The same fingerprint again is a constraint violation, reported as 400, nothing written.
    r = api.post(CERTS, json={**SEED_CERT, "serial_number": "01:23:45:67:89:AB:CD:F0"})
    assert r.status_code == 400, r.text
    assert "fingerprint_sha256" in r.json() or "non_field_errors" in r.json() or "detail" in r.json()
    # The same (serial, issuer) with another fingerprint as well.
    r = api.post(CERTS, json={**SEED_CERT, "fingerprint_sha256": "AB" + SEED_CERT["fingerprint_sha256"][2:]})
    assert r.status_code == 400, r.text
    assert api.count() == before + 1
    assert api.delete(f"{CERTS}{c['id']}/").status_code == 204


def test_get_put_patch_delete(api, uniq):
    c = create(api, f"{uniq}.example.com")
    url = f"{CERTS}{c['id']}/"
    r = api.get(url)
    assert r.status_code == 200
    assert r.json() == c or {k: v for k, v in r.json().items() if k != "days_remaining"} == {
        k: v for k, v in c.items() if k != "days_remaining"
    }

    r = api.patch(url, json={"comments": "patched", "status": "pending"})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["comments"] == "patched" and p["status"] == "pending"
    assert p["common_name"] == c["common_name"] and p["serial_number"] == c["serial_number"]
    assert p["last_updated"] >= c["last_updated"] and p["created"] == c["created"]

    full = cert_body(f"{uniq}-put.example.com", days_left=100)
    r = api.put(url, json=full)
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["id"] == c["id"]
    for k, v in full.items():
        assert u[k] == v, k
    assert api.get(url).json()["common_name"] == f"{uniq}-put.example.com"

    # PUT is a full update: a required field missing is a 400 and changes nothing.
    partial = {k: v for k, v in full.items() if k != "issuer"}
    r = api.put(url, json=partial)
    assert r.status_code == 400, r.text
    assert "issuer" in r.json()
    assert api.get(url).json()["issuer"] == full["issuer"]

    r = api.delete(url)
    assert r.status_code == 204
    assert r.content == b""
    r = api.get(url)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}
    assert api.delete(url).status_code == 404
    assert api.patch(url, json={"comments": "x"}).status_code == 404


def test_ids_are_never_reused(api, uniq):
    # NetBox (PostgreSQL sequences) never hands out a deleted object's id again; changelog rows,
    # webhooks and external references rely on that.
    a = create(api, f"{uniq}-a.example.com")
    assert api.delete(f"{CERTS}{a['id']}/").status_code == 204
    b = create(api, f"{uniq}-b.example.com")
    assert b["id"] > a["id"]


@pytest.mark.parametrize("path", ["999999999/", "0/", "abc/", "-1/"])
def test_unknown_id_is_404(api, path):
    r = api.get(CERTS + path)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}


def test_create_requires_fields(api):
    before = api.count()
    r = api.post(CERTS, json={"common_name": "only-cn.example.com"})
    assert r.status_code == 400
    errs = r.json()
    for f in ("serial_number", "issuer", "valid_from", "valid_to", "fingerprint_sha256", "algorithm"):
        assert f in errs, f
        assert isinstance(errs[f], list) and errs[f] and isinstance(errs[f][0], str)
    assert api.count() == before


def test_defaults_on_create(api, uniq):
    body = cert_body(f"{uniq}.example.com")
    del body["sans"], body["key_size"]
    r = api.post(CERTS, json=body)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["status"] == "active"
    assert c["sans"] == [] and c["key_size"] is None
    assert c["chain_status"] == "unknown" and c["is_acme"] is False and c["acme_renewal_days"] == 30
    assert c["archive_pinned"] is False and c["archived_at"] is None


def test_archiving_sets_archived_at(api, uniq):
    c = create(api, f"{uniq}.example.com")
    assert c["archived_at"] is None
    r = api.patch(f"{CERTS}{c['id']}/", json={"status": "archived"})
    assert r.status_code == 200, r.text
    assert r.json()["archived_at"] is not None
    c2 = create(api, f"{uniq}-2.example.com", status="archived")
    assert c2["archived_at"] is not None


@pytest.mark.parametrize(
    "days_left,status,soon,expired",
    [(10, "critical", True, False), (14, "critical", True, False), (20, "warning", True, False),
     (30, "warning", True, False), (31, "ok", False, False), (60, "ok", False, False),
     (-1, "expired", False, True), (-400, "expired", False, True)],
)
def test_expiry_computed_fields(api, uniq, days_left, status, soon, expired):
    c = create(api, f"{uniq}.example.com", days_left=days_left)
    assert c["days_remaining"] == days_until(c["valid_to"]) == days_left
    assert c["expiry_status"] == status
    assert c["is_expiring_soon"] is soon
    assert c["is_expired"] is expired
    assert c["display"] == f"{uniq}.example.com (expires: {c['valid_to'][:10]})"


def test_list_shape_and_pagination(api, uniq, base_url):
    ids = [create(api, f"{uniq}-{i}.example.com", days_left=100 + i)["id"] for i in range(5)]
    r = api.get(CERTS, params={"q": uniq, "limit": 2})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5 and len(body["results"]) == 2 and body["previous"] is None
    assert body["next"].startswith(base_url + CERTS)
    assert "offset=2" in body["next"] and "limit=2" in body["next"] and f"q={uniq}" in body["next"]
    seen = [x["id"] for x in body["results"]]
    r2 = api.get(body["next"])
    b2 = r2.json()
    assert b2["previous"].startswith(base_url + CERTS)
    seen += [x["id"] for x in b2["results"]]
    b3 = api.get(b2["next"]).json()
    seen += [x["id"] for x in b3["results"]]
    assert b3["next"] is None and len(b3["results"]) == 1
    assert sorted(seen) == sorted(ids)
    # Going back from the last page reaches the middle page.
    assert [x["id"] for x in api.get(b3["previous"]).json()["results"]] == [x["id"] for x in b2["results"]]
    # offset past the end: empty page with the true count.
    r = api.get(CERTS, params={"q": uniq, "offset": 50})
    assert r.status_code == 200 and r.json()["results"] == [] and r.json()["count"] == 5


def test_default_limit_is_50(api, uniq):
    r = api.post(CERTS, json=[cert_body(f"{uniq}-{i:02}.example.com") for i in range(51)])
    assert r.status_code == 201, r.text[:500]
    assert len(r.json()) == 51
    body = api.get(CERTS, params={"q": uniq}).json()
    assert body["count"] == 51 and len(body["results"]) == 50 and body["next"] is not None
    assert "limit=50" in body["next"] and "offset=50" in body["next"]


def test_bulk_request_limited_to_1000_objects(api, uniq):
    before = api.count()
    r = api.post(CERTS, json=[cert_body(f"{uniq}-{i:04}.example.com") for i in range(1001)])
    assert r.status_code == 400, r.text[:500]
    assert "detail" in r.json()
    assert api.count() == before


def test_limit_max_1000_and_zero(api, uniq):
    r = api.post(CERTS, json=[cert_body(f"{uniq}-{i:04}.example.com") for i in range(1000)])
    assert r.status_code == 201, r.text[:500]
    ids = [c["id"] for c in r.json()]
    ids.append(create(api, f"{uniq}-1000.example.com")["id"])
    try:
        for limit in (0, 1000, 1001, 5000):
            body = api.get(CERTS, params={"q": uniq, "limit": limit}).json()
            assert body["count"] == 1001
            assert len(body["results"]) == 1000, limit
            assert body["next"] is not None and "offset=1000" in body["next"]
        body = api.get(CERTS, params={"q": uniq, "limit": 999}).json()
        assert len(body["results"]) == 999
    finally:
        for chunk in (ids[:1000], ids[1000:]):
            r = api.delete(CERTS, json=[{"id": i} for i in chunk])
            assert r.status_code == 204, r.text
    assert api.count(q=uniq) == 0


@pytest.mark.parametrize("params,field", [
    ({"limit": -1}, "limit"), ({"limit": "abc"}, "limit"), ({"limit": "1.5"}, "limit"),
    ({"offset": -5}, "offset"), ({"offset": "x"}, "offset"), ({"limit": "99999999999999999999999"}, "limit"),
])
def test_bad_limit_offset(api, params, field):
    r = api.get(CERTS, params=params)
    assert r.status_code == 400
    assert field in r.json() or "detail" in r.json()


def test_default_ordering(api, uniq):
    # Two with the same valid_to (ordered by CN), one later, one earlier.
    same = cert_body(f"{uniq}-b.example.com", days_left=50)
    same2 = cert_body(f"{uniq}-a.example.com", days_left=50, valid_to=same["valid_to"])
    for b in (same, same2, cert_body(f"{uniq}-z.example.com", days_left=200), cert_body(f"{uniq}-c.example.com", days_left=5)):
        assert api.post(CERTS, json=b).status_code == 201
    names = [x["common_name"].split(".")[0] for x in api.get(CERTS, params={"q": uniq}).json()["results"]]
    assert names == [f"{uniq}-z", f"{uniq}-a", f"{uniq}-b", f"{uniq}-c"]


def test_ordering_param(api, uniq):
    for i, (cn, ks) in enumerate([("b", 384), ("c", 256), ("a", 521)]):
        create(api, f"{uniq}-{cn}.example.com", key_size=ks, days_left=10 + i)

    def order(o):
        r = api.get(CERTS, params={"q": uniq, "ordering": o})
        assert r.status_code == 200, r.text
        return [x["common_name"][len(uniq) + 1] for x in r.json()["results"]]

    assert order("common_name") == ["a", "b", "c"]
    assert order("-common_name") == ["c", "b", "a"]
    assert order("key_size") == ["c", "b", "a"]
    assert order("-key_size") == ["a", "b", "c"]
    assert order("valid_to") == ["b", "c", "a"]
    assert order("id") == ["b", "c", "a"]
    r = api.get(CERTS, params={"ordering": "no_such_field"})
    assert r.status_code == 400


def test_brief(api, uniq):
    c = create(api, f"{uniq}.example.com")
    r = api.get(CERTS, params={"q": uniq, "brief": "true"})
    assert r.status_code == 200
    (row,) = r.json()["results"]
    assert set(row) == BRIEF_FIELDS
    assert row["id"] == c["id"] and row["display"] == c["display"]
    r = api.get(f"{CERTS}{c['id']}/", params={"brief": "true"})
    assert set(r.json()) == BRIEF_FIELDS


def test_options_choices(api):
    r = api.options(CERTS)
    assert r.status_code == 200
    post = r.json()["actions"]["POST"]
    status = {c["value"] for c in post["status"]["choices"]}
    assert status == {"active", "expired", "replaced", "revoked", "pending", "archived"}
    algos = {c["value"] for c in post["algorithm"]["choices"]}
    assert algos == {"rsa", "ecdsa", "ed25519", "unknown"}
    assert post["common_name"]["required"] is True and post["common_name"]["max_length"] == 255
    assert post["id"]["read_only"] is True if "id" in post else True


def test_bulk_create_update_delete(api, uniq):
    before = api.count()
    bodies = [cert_body(f"{uniq}-{i}.example.com") for i in range(3)]
    r = api.post(CERTS, json=bodies)
    assert r.status_code == 201, r.text
    created = r.json()
    assert isinstance(created, list) and [c["common_name"] for c in created] == [b["common_name"] for b in bodies]
    ids = [c["id"] for c in created]
    assert api.count() == before + 3

    r = api.patch(CERTS, json=[{"id": ids[0], "comments": "one"}, {"id": ids[1], "status": "revoked"}])
    assert r.status_code == 200, r.text
    by_id = {c["id"]: c for c in r.json()}
    assert by_id[ids[0]]["comments"] == "one" and by_id[ids[1]]["status"] == "revoked"
    assert api.get(f"{CERTS}{ids[1]}/").json()["status"] == "revoked"

    put = cert_body(f"{uniq}-put.example.com")
    r = api.put(CERTS, json=[{"id": ids[2], **put}])
    assert r.status_code == 200, r.text
    assert api.get(f"{CERTS}{ids[2]}/").json()["common_name"] == f"{uniq}-put.example.com"

    # Bulk PATCH with one unknown id: nothing changes.
    r = api.patch(CERTS, json=[{"id": ids[0], "comments": "two"}, {"id": 999999999, "comments": "x"}])
    assert r.status_code in (400, 404), r.text
    assert api.get(f"{CERTS}{ids[0]}/").json()["comments"] == "one"
    # Bulk PATCH item without id → 400.
    r = api.patch(CERTS, json=[{"comments": "x"}])
    assert r.status_code == 400

    r = api.delete(CERTS, json=[{"id": i} for i in ids])
    assert r.status_code == 204, r.text
    assert api.count() == before
    assert api.get(f"{CERTS}{ids[0]}/").status_code == 404


def test_bulk_create_is_atomic(api, uniq):
    before = api.count()
    bodies = [cert_body(f"{uniq}-ok.example.com"), cert_body(f"{uniq}-bad.example.com", algorithm="dsa")]
    r = api.post(CERTS, json=bodies)
    assert r.status_code == 400, r.text
    assert api.count() == before
    assert api.count(q=uniq) == 0


def test_lifecycle_events(api, uniq):
    from ckcerts import make_cert, pem
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    r = api.post(CERTS + "import/", json={"pem_content": pem(cert)})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = api.get(f"{CERTS}{cid}/lifecycle/")
    assert r.status_code == 200
    body = r.json()
    assert body["certificate_id"] == cid
    (ev,) = body["events"]
    assert ev["event_type"] == "imported"
    assert ev["description"] == "Certificate imported with status active"
    for k in ("id", "event_type", "timestamp", "description", "old_status", "new_status", "related_certificate_id", "actor"):
        assert k in ev, k
    assert api.patch(f"{CERTS}{cid}/", json={"status": "revoked"}).status_code == 200
    events = api.get(f"{CERTS}{cid}/lifecycle/").json()["events"]
    assert [e["event_type"] for e in events] == ["revoked", "imported"]
    assert events[0]["old_status"] == "active" and events[0]["new_status"] == "revoked"
    assert events[0]["description"] == "Status changed from active to revoked"
    assert api.get(f"{CERTS}999999999/lifecycle/").status_code == 404


def test_created_via_api_has_imported_event(api, uniq):
    c = create(api, f"{uniq}.example.com", status="pending")
    events = api.get(f"{CERTS}{c['id']}/lifecycle/").json()["events"]
    assert [e["event_type"] for e in events] == ["imported"]
    assert events[0]["description"] == "Certificate imported with status pending"
