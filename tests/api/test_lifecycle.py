"""Lifecycle: Janus renewal (seed Tutorial 2) with rollback, race and revert; status events and
bulk status update; the sweep; ACME detection (every pattern of reference §3.6); chain
validation (every status, real chains and generated broken ones); diff (§3.13)."""

import base64
import concurrent.futures
import datetime as dt
import pathlib
import subprocess

import pynetbox
import pytest

import ckcerts
from ckapi import CERTS, cert_body, create, import_pem
from conftest import BIN, ENGINE, db_exec

PLUGIN = "/api/plugins/netbox-ssl/"
ASSIGN = PLUGIN + "assignments/"
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "real-world"
INSIDE_FIXTURE_VALIDITY = "2026-02-01T00:00:00Z"  # every real-world fixture cert is valid then


def url(cid, action=""):
    return f"{CERTS}{cid}/{action}"


def events(api, cid):
    r = api.get(url(cid, "lifecycle/"))
    assert r.status_code == 200, r.text
    return r.json()["events"]


def make_device(api, name, tenant=None):
    r = api.post("/api/dcim/devices/", json={"name": name, **({"tenant": tenant} if tenant else {})})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def make_tenant(api, name):
    r = api.post("/api/tenancy/tenants/", json={"name": name, "slug": name})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def assign(api, cid, dev):
    r = api.post(ASSIGN, json={"certificate": cid, "assigned_object_type": "dcim.device", "assigned_object_id": dev})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def assignment_certs(api, cid):
    return [a["id"] for a in api.list_all(ASSIGN, certificate_id=cid)]


def pem_of(cn, **kw):
    return ckcerts.pem(ckcerts.make_chain(cn=cn, **kw))


def deployed(api, uniq, n=3, tenant=None):
    """An imported certificate with n device assignments (Tutorial 2 prerequisites)."""
    old = import_pem(api, pem_of(f"{uniq}.example.com"), **({"tenant": tenant} if tenant else {}))
    devs = [make_device(api, f"{uniq}-web{i}", tenant) for i in range(n)]
    aids = [assign(api, old["id"], d) for d in devs]
    return old, devs, aids


# ---- Janus renewal ----

def test_tutorial2_renew_and_transfer(api, server, uniq):
    old, _, aids = deployed(api, uniq, 3)
    # Step 2: pasting the replacement finds the active certificate with the same CN.
    new_pem = pem_of(f"{uniq}.example.com")
    r = api.post(CERTS + "import/", json={"pem_content": new_pem, "dry_run": True})
    assert r.status_code == 200 and r.json()["renewal_candidate"]["id"] == old["id"]
    changes_before = api.count("/api/core/object-changes/")
    # Step 4: Renew & Transfer.
    r = api.post(url(old["id"], "renew/"), json={"pem_content": new_pem, "private_key_location": "vault:web"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"old", "new", "assignments_transferred"}
    assert body["assignments_transferred"] == 3
    o, n = body["old"], body["new"]
    # Step 5: old replaced with 0 assignments, new active with the same N.
    assert o["status"] == "replaced" and o["assignment_count"] == 0 and o["replaced_by"] == n["id"]
    assert n["status"] == "active" and n["assignment_count"] == 3 and n["private_key_location"] == "vault:web"
    assert sorted(a["id"] for a in api.list_all(ASSIGN, certificate_id=n["id"])) == sorted(aids)  # moved, not copied
    assert api.list_all(ASSIGN, certificate_id=old["id"]) == []
    ev_new = events(api, n["id"])
    act = [e for e in ev_new if e["event_type"] == "activated"]
    assert len(act) == 1 and act[0]["related_certificate_id"] == old["id"] and act[0]["actor"] == "admin"
    assert act[0]["new_status"] == "active"
    ev_old = events(api, old["id"])
    ren = [e for e in ev_old if e["event_type"] == "renewed"]
    assert len(ren) == 1 and ren[0]["related_certificate_id"] == n["id"]
    assert (ren[0]["old_status"], ren[0]["new_status"]) == ("active", "replaced")
    # the old keeps its history; no extra status_changed for the renewal transition
    assert [e["event_type"] for e in ev_old].count("status_changed") == 0
    assert "imported" in [e["event_type"] for e in ev_old]
    # changelog: create of new + update of old + update of each of the 3 assignments
    assert api.count("/api/core/object-changes/") - changes_before == 5
    # through pynetbox too
    nb = pynetbox.api(server.base_url, token=server.token)
    assert nb.plugins.netbox_ssl.certificates.get(old["id"]).status == "replaced"
    got = nb.plugins.netbox_ssl.certificates.get(n["id"])
    assert got.status == "active" and got.assignment_count == 3


def test_renewal_changelog_rows(api, uniq):
    old, _, aids = deployed(api, uniq, 2)
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com")})
    assert r.status_code == 201, r.text
    new_id = r.json()["new"]["id"]
    ch = api.list_all("/api/core/object-changes/", changed_object_type="netbox_ssl.certificate", changed_object_id=old["id"])
    upd = [c for c in ch if c["action"]["value"] == "update"] if isinstance(ch[0]["action"], dict) else [c for c in ch if c["action"] == "update"]
    assert upd and upd[0]["prechange_data"]["status"] == "active" and upd[0]["postchange_data"]["status"] == "replaced"
    for aid in aids:
        ch = api.list_all("/api/core/object-changes/", changed_object_type="netbox_ssl.certificateassignment",
                          changed_object_id=aid)
        moved = [c for c in ch if c["postchange_data"] and c["prechange_data"]
                 and c["postchange_data"]["certificate"]["id"] == new_id]
        assert len(moved) == 1 and moved[0]["prechange_data"]["certificate"]["id"] == old["id"]


def test_renewal_rolls_back_on_injected_failure(api, server, uniq):
    old, _, aids = deployed(api, uniq, 2)
    certs_before = api.count()
    changes_before = api.count("/api/core/object-changes/")
    events_before = len(events(api, old["id"]))
    new_pem = pem_of(f"{uniq}.example.com")
    # fails the LAST write of the renewal: the `activated` event, after the new certificate was
    # inserted, the assignments moved and the old one set to replaced
    if ENGINE == "sqlite":
        db_exec(server.db, "CREATE TRIGGER ck_test_inject BEFORE INSERT ON lifecycle_events"
                " WHEN NEW.event_type = 'activated' BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
        drop = "DROP TRIGGER ck_test_inject"
    else:
        db_exec(server.db, "CREATE FUNCTION ck_test_inject() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN IF NEW.event_type = 'activated' THEN RAISE EXCEPTION 'injected failure'; END IF;"
                " RETURN NEW; END $$; CREATE TRIGGER ck_test_inject BEFORE INSERT ON lifecycle_events"
                " FOR EACH ROW EXECUTE FUNCTION ck_test_inject()")
        drop = "DROP TRIGGER ck_test_inject ON lifecycle_events; DROP FUNCTION ck_test_inject()"
    try:
        r = api.post(url(old["id"], "renew/"), json={"pem_content": new_pem})
    finally:
        db_exec(server.db, drop)
    assert r.status_code >= 400, r.text
    assert api.count() == certs_before
    o = api.get(url(old["id"])).json()
    assert o["status"] == "active" and o["replaced_by"] is None and o["assignment_count"] == 2
    assert sorted(a["id"] for a in api.list_all(ASSIGN, certificate_id=old["id"])) == sorted(aids)
    assert api.count("/api/core/object-changes/") == changes_before
    assert len(events(api, old["id"])) == events_before
    assert api.count(common_name=f"{uniq}.example.com") == 1
    # and the same renewal succeeds once the fault is gone
    r = api.post(url(old["id"], "renew/"), json={"pem_content": new_pem})
    assert r.status_code == 201, r.text


def test_concurrent_renewals_exactly_one_wins(api, server, uniq):
    old, _, _ = deployed(api, uniq, 2)
    pems = [pem_of(f"{uniq}.example.com") for _ in range(6)]

    def go(p):
        c = server.client()
        return c.post(url(old["id"], "renew/"), json={"pem_content": p})

    with concurrent.futures.ThreadPoolExecutor(len(pems)) as ex:
        results = list(ex.map(go, pems))
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * (len(pems) - 1), [r.text for r in results]
    for r in results:
        if r.status_code == 409:
            assert "active" in r.json()["detail"]
    winner = next(r.json() for r in results if r.status_code == 201)
    assert winner["new"]["assignment_count"] == 2
    assert api.count(common_name=f"{uniq}.example.com") == 2  # old + exactly one new
    assert api.get(url(old["id"])).json()["replaced_by"] == winner["new"]["id"]


def test_renew_refusals(api, uniq):
    old, _, _ = deployed(api, uniq, 1)
    # not active
    r = api.patch(url(old["id"]), json={"status": "pending"})
    assert r.status_code == 200
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com")})
    assert r.status_code == 409 and "pending" in r.json()["detail"]
    api.patch(url(old["id"]), json={"status": "active"})
    # the same certificate again is a duplicate, nothing written
    r = api.post(url(old["id"], "renew/"), json={"pem_content": old["pem_content"]})
    assert r.status_code == 400, r.text
    assert "already exists" in str(r.json())
    # private key, bad status, unknown field, unknown id
    key = ckcerts.key_pem(ckcerts.ec_key())
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of("x.example.com") + key})
    assert r.status_code == 400 and "Private key" in str(r.json())
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com"), "status": "pending"})
    assert r.status_code == 400 and "status" in r.json()
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com"), "dry_run": True})
    assert r.status_code == 400
    r = api.post(url(99999999, "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com")})
    assert r.status_code == 404
    assert api.get(url(old["id"])).json()["status"] == "active"
    assert api.count(common_name=f"{uniq}.example.com") == 1


def test_renew_needs_write_token(ro_api, api, uniq):
    old = import_pem(api, pem_of(f"{uniq}.example.com"))
    r = ro_api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com")})
    assert r.status_code == 403


def test_tenant_inherited_and_cross_tenant_block(api, uniq):
    ta, tb = make_tenant(api, f"{uniq}-a"), make_tenant(api, f"{uniq}-b")
    old, _, _ = deployed(api, uniq, 2, tenant=ta)
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com")})
    assert r.status_code == 201, r.text
    assert r.json()["new"]["tenant"]["id"] == ta  # inherited
    # a certificate of tenant A whose targets belong to A, renewed into tenant B: blocked
    old2, _, _ = deployed(api, uniq + "x", 7, tenant=ta)
    r = api.post(url(old2["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}x.example.com"), "tenant": tb})
    assert r.status_code == 400, r.text
    msg = r.json()["detail"]
    assert msg.startswith("Renewal blocked due to cross-tenant assignments: ")
    names = msg.split(": ", 1)[1].split(", ")
    assert len(names) == 6 and names[-1] == "..." and all(n.startswith(f"{uniq}x-web") for n in names[:5])
    assert api.get(url(old2["id"])).json()["status"] == "active"
    assert api.count(common_name=f"{uniq}x.example.com") == 1


def test_revert_renewal(api, uniq):
    old, _, aids = deployed(api, uniq, 2)
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com")})
    new_id = r.json()["new"]["id"]
    # revert only applies to a replaced certificate
    r = api.post(url(new_id, "revert-renewal/"))
    assert r.status_code == 409, r.text
    r = api.post(url(old["id"], "revert-renewal/"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["assignments_moved"] == 2
    assert body["old"]["status"] == "active" and body["old"]["replaced_by"] is None
    assert body["old"]["assignment_count"] == 2
    assert body["new"]["status"] == "archived" and body["new"]["assignment_count"] == 0
    assert body["new"]["archived_at"] is not None
    assert sorted(a["id"] for a in api.list_all(ASSIGN, certificate_id=old["id"])) == sorted(aids)
    for cid, other, (a, b) in ((old["id"], new_id, ("replaced", "active")), (new_id, old["id"], ("active", "archived"))):
        ev = [e for e in events(api, cid) if e["event_type"] == "renewal_reverted"]
        assert len(ev) == 1 and ev[0]["related_certificate_id"] == other
        assert (ev[0]["old_status"], ev[0]["new_status"]) == (a, b)
    # twice: nothing to revert any more
    assert api.post(url(old["id"], "revert-renewal/")).status_code == 409
    # and the old one can be renewed again
    r = api.post(url(old["id"], "renew/"), json={"pem_content": pem_of(f"{uniq}.example.com")})
    assert r.status_code == 201 and r.json()["assignments_transferred"] == 2


# ---- status events, bulk status update, sweep ----

@pytest.mark.parametrize("to,event", [("revoked", "revoked"), ("archived", "archived"), ("expired", "status_changed"),
                                      ("pending", "status_changed")])
def test_status_change_events(api, uniq, to, event):
    c = create(api, f"{uniq}.example.com")
    r = api.patch(url(c["id"]), json={"status": to})
    assert r.status_code == 200, r.text
    ev = events(api, c["id"])[0]
    assert ev["event_type"] == event and (ev["old_status"], ev["new_status"]) == ("active", to)
    assert ev["description"] == f"Status changed from active to {to}" and ev["actor"] == "admin"
    # PATCH without a status change writes no event
    n = len(events(api, c["id"]))
    api.patch(url(c["id"]), json={"comments": "x"})
    assert len(events(api, c["id"])) == n
    # PUT with a new status does
    body = {k: c[k] for k in ("common_name", "serial_number", "fingerprint_sha256", "issuer", "valid_from",
                              "valid_to", "algorithm")}
    r = api.put(url(c["id"]), json={**body, "status": "active"})
    assert r.status_code == 200, r.text
    assert events(api, c["id"])[0]["new_status"] == "active"


def test_bulk_status_update(api, uniq):
    ids = [create(api, f"{uniq}-{i}.example.com")["id"] for i in range(3)]
    api.patch(url(ids[2]), json={"status": "revoked"})
    r = api.post(CERTS + "bulk-status-update/", json={"ids": ids + [99999998], "status": "revoked"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["updated_count"] == 2 and body["not_found_ids"] == [99999998]
    assert [(x["id"], x["old_status"], x["new_status"]) for x in body["results"]] == [
        (ids[0], "active", "revoked"), (ids[1], "active", "revoked"), (ids[2], "revoked", "revoked")]
    assert body["results"][0]["common_name"] == f"{uniq}-0.example.com"
    assert events(api, ids[0])[0]["event_type"] == "revoked"
    for bad in ({"ids": [], "status": "revoked"}, {"ids": ids, "status": "bogus"}, {"ids": ["x"], "status": "active"},
                {"status": "active"}):
        assert api.post(CERTS + "bulk-status-update/", json=bad).status_code == 400, bad


def test_bulk_caps_at_limit_plus_one(api, uniq):
    c = create(api, f"{uniq}.example.com")
    for action, extra in (("bulk-status-update/", {"status": "active"}), ("bulk-detect-acme/", {}),
                          ("bulk-validate-chain/", {})):
        r = api.post(CERTS + action, json={"ids": [c["id"]] * 101, **extra})
        assert r.status_code == 400 and r.json()["detail"] == "Batch size exceeds maximum of 100 certificates.", action
        r = api.post(CERTS + action, json={"ids": [c["id"]] * 100, **extra})
        assert r.status_code == 200, (action, r.text)


def test_sweep_cli(api, server, uniq):
    now = ckcerts.now()
    # active when it entered the inventory, expired since (an expired import is expired at once)
    past = create(api, f"{uniq}-past.example.com", days_left=30)
    r = api.patch(url(past["id"]), json={"valid_to": ckcerts.iso(now - dt.timedelta(days=3))})
    assert r.status_code == 200 and r.json()["status"] == "active"
    fresh = create(api, f"{uniq}-fresh.example.com", days_left=30)
    old_exp = create(api, f"{uniq}-oldexp.example.com", days_left=-200, status="expired")
    old_rep = create(api, f"{uniq}-oldrep.example.com", days_left=-100, status="replaced")
    pinned = create(api, f"{uniq}-pinned.example.com", days_left=-200, status="expired", archive_pinned=True)
    recent = create(api, f"{uniq}-recent.example.com", days_left=-10, status="expired")
    # the sweep's time is taken now, not at the start: its events must not predate the imports
    # (newest first), which a second boundary crossed while creating would otherwise make them
    now = ckcerts.now()
    p = subprocess.run([BIN, "sweep", "--db", server.db, "--now", ckcerts.iso(now)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("expired ") and ", archived " in p.stdout
    st = {c["id"]: api.get(url(c["id"])).json() for c in (past, fresh, old_exp, old_rep, pinned, recent)}
    assert st[past["id"]]["status"] == "expired"
    assert st[fresh["id"]]["status"] == "active"
    assert st[old_exp["id"]]["status"] == "archived" and st[old_exp["id"]]["archived_at"]
    assert st[old_rep["id"]]["status"] == "archived"
    assert st[pinned["id"]]["status"] == "expired" and st[recent["id"]]["status"] == "expired"
    # the sweep ran at `now`, taken before the certificates were created: its events may sort
    # before their creation events (same second), so they are picked by type, not position
    ev = [e for e in events(api, past["id"]) if e["event_type"] == "status_changed"]
    assert [(e["old_status"], e["new_status"]) for e in ev] == [("active", "expired")]
    ev = [e for e in events(api, old_rep["id"]) if e["event_type"] == "archived"]
    assert [(e["old_status"], e["new_status"]) for e in ev] == [("replaced", "archived")]
    ch = api.list_all("/api/core/object-changes/", changed_object_type="netbox_ssl.certificate",
                      changed_object_id=past["id"])
    assert any(c["postchange_data"] and c["postchange_data"].get("status") == "expired" for c in ch)
    # a second run finds nothing of these left to do
    p = subprocess.run([BIN, "sweep", "--db", server.db, "--now", ckcerts.iso(now)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == "expired 0, archived 0"
    p = subprocess.run([BIN, "sweep", "--bogus"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2


# ---- ACME ----

ACME_PATTERNS = [
    ("CN=R3, O=Let's Encrypt, C=US", "letsencrypt"),
    ("CN=R10, O=Let's Encrypt, C=US", "letsencrypt"),
    ("CN=R11, O=Let's Encrypt, C=US", "letsencrypt"),
    ("CN=E1, O=Let's Encrypt, C=US", "letsencrypt"),
    ("CN=E5, O=Let's Encrypt, C=US", "letsencrypt"),
    ("CN=E6, O=Let's Encrypt, C=US", "letsencrypt"),
    ("CN=Some CA, O=LetsEncrypt", "letsencrypt"),
    ("CN=(STAGING) Artificial Apricot R3, O=(STAGING) Let's Encrypt, C=US", "letsencrypt_staging"),
    ("CN=Fake LE Intermediate X1", "letsencrypt_staging"),
    ("CN=ZeroSSL RSA Domain Secure Site CA, O=ZeroSSL, C=AT", "zerossl"),
    ("CN=Buypass Class 2 CA 5, O=Buypass AS-983163327, C=NO", "buypass"),
    ("CN=WR1, O=Google Trust Services, C=US", "google"),
    ("CN=GTS CA 1P5, O=Google Trust Services LLC, C=US", "google"),
    ("CN=Sectigo RSA Domain Validation Secure Server CA, O=Sectigo Limited, C=GB", "sectigo"),
    ("CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US", "digicert"),
    ("CN=Internal Issuing CA, O=Example Corp", None),
]


@pytest.mark.parametrize("issuer,provider", ACME_PATTERNS)
def test_acme_detection_patterns(api, uniq, issuer, provider):
    # created with is_acme explicitly false so that create-time detection does not pre-empt
    c = create(api, f"{uniq}.example.com", issuer=issuer, is_acme=False)
    assert c["is_acme"] is False
    r = api.post(url(c["id"], "detect-acme/"))
    assert r.status_code == 200, r.text
    body = r.json()
    if provider is None:
        assert body == {"detected": False,
                        "message": "Certificate issuer does not match any known ACME provider patterns."}
        assert api.get(url(c["id"])).json()["is_acme"] is False
    else:
        assert body["detected"] is True and body["is_acme"] is True and body["acme_provider"] == provider
        assert body["certificate"]["id"] == c["id"] and body["certificate"]["acme_provider"] == provider
        assert api.get(url(c["id"])).json()["is_acme"] is True
    # detection on create agrees
    c2 = create(api, f"{uniq}-2.example.com", issuer=issuer)
    assert c2["is_acme"] is (provider is not None) and (c2["acme_provider"] or None) == provider


def test_detect_never_clears_is_acme(api, uniq):
    c = create(api, f"{uniq}.example.com", issuer="CN=Internal", is_acme=True, acme_provider="other")
    assert api.post(url(c["id"], "detect-acme/")).json()["detected"] is False
    got = api.get(url(c["id"])).json()
    assert got["is_acme"] is True and got["acme_provider"] == "other"
    assert api.post(url(99999997, "detect-acme/")).status_code == 404


def test_bulk_detect_acme(api, uniq):
    a = create(api, f"{uniq}-a.example.com", issuer="CN=R3, O=Let's Encrypt, C=US", is_acme=False)
    b = create(api, f"{uniq}-b.example.com", issuer="CN=Internal CA", is_acme=False)
    c = create(api, f"{uniq}-c.example.com", issuer="CN=ZeroSSL RSA Domain Secure Site CA, O=ZeroSSL", is_acme=False)
    r = api.post(CERTS + "bulk-detect-acme/", json={"ids": [a["id"], b["id"], c["id"], 99999996]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["processed"], body["detected_acme"], body["not_acme"]) == (4, 3, 2, 1)
    assert body["missing_ids"] == [99999996]
    assert body["detections"] == [
        {"id": a["id"], "common_name": f"{uniq}-a.example.com", "detected": True, "acme_provider": "letsencrypt"},
        {"id": b["id"], "common_name": f"{uniq}-b.example.com", "detected": False},
        {"id": c["id"], "common_name": f"{uniq}-c.example.com", "detected": True, "acme_provider": "zerossl"},
    ]
    for bad in ({"ids": []}, {"ids": "1"}, {}, []):
        assert api.post(CERTS + "bulk-detect-acme/", json=bad).status_code == 400


def test_acme_filters(api, uniq):
    le = "CN=R3, O=Let's Encrypt, C=US"
    ok = create(api, f"{uniq}-ok.example.com", issuer=le, acme_auto_renewal=True, days_left=80)
    due = create(api, f"{uniq}-due.example.com", issuer=le, acme_auto_renewal=True, days_left=20)
    due7 = create(api, f"{uniq}-due7.example.com", issuer=le, acme_auto_renewal=True, days_left=20, acme_renewal_days=7)
    exp = create(api, f"{uniq}-exp.example.com", issuer=le, acme_auto_renewal=True, days_left=-2)
    man = create(api, f"{uniq}-man.example.com", issuer=le)
    non = create(api, f"{uniq}-non.example.com", issuer="CN=Internal")
    q = {"common_name__ic": uniq}

    def ids(**p):
        return {c["id"] for c in api.list_all(CERTS, **q, **p)}

    assert ids(is_acme="true") == {ok["id"], due["id"], due7["id"], exp["id"], man["id"]}
    assert ids(is_acme="false") == {non["id"]}
    assert ids(acme_provider="letsencrypt") == {ok["id"], due["id"], due7["id"], exp["id"], man["id"]}
    assert ids(is_acme="true", acme_auto_renewal="false") == {man["id"]}
    for status, want in (("ok", {ok["id"], due7["id"]}), ("due", {due["id"]}), ("expired", {exp["id"]}),
                         ("manual", {man["id"]}), ("not_acme", {non["id"]})):
        got = ids(acme_renewal_status=status)
        assert got == want, status
        # the filter agrees with the computed field
        for c in api.list_all(CERTS, **q, acme_renewal_status=status):
            assert c["acme_renewal_status"] == status
    assert ids(acme_renewal_status=["due", "expired"]) == {due["id"], exp["id"]}
    assert api.get(CERTS, params={"acme_renewal_status": "bogus"}).status_code == 400


# ---- chain validation ----

def fixture_parts(name):
    text = (FIXTURES / f"{name}_chain.pem").read_text()
    cut = text.index("-----BEGIN", 1)
    return text[:cut], text[cut:]


def import_with_chain(api, leaf_pem, chain_pem):
    r = api.post(CERTS + "import/", json={"pem_content": leaf_pem + chain_pem})
    if r.status_code == 400 and "already exists" in r.text:  # the real fixtures may be imported by another test
        fp = r.json()["pem_content"][0].split("ID: ")[1].split(",")[0]
        return api.get(url(int(fp))).json()
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("name,depth,trusted", [("letsencrypt", 3, True), ("digicert", 3, False), ("sectigo", 4, False)])
def test_real_chains(api, name, depth, trusted):
    leaf, chain = fixture_parts(name)
    c = import_with_chain(api, leaf, chain)
    r = api.post(url(c["id"], "validate-chain/"), json={"at": INSIDE_FIXTURE_VALIDITY})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "valid" and body["is_valid"] is True and body["errors"] == []
    assert body["chain_depth"] == depth and len(body["certificates"]) == depth
    assert body["certificates"][0]["is_leaf"] is True
    assert body["certificates"][-1]["is_self_signed"] is True
    assert body["certificates"][-1]["from_trust_store"] is trusted
    assert ":" not in body["certificates"][0]["serial_number"]
    assert body["validation_time"] == INSIDE_FIXTURE_VALIDITY
    got = api.get(url(c["id"])).json()
    assert got["chain_status"] == "valid" and got["chain_depth"] == depth and got["chain_is_valid"] is True
    assert got["chain_validated_at"] and got["chain_validation_message"] == body["message"]
    # now (2026-11) every fixture leaf has expired
    r = api.post(url(c["id"], "validate-chain/"))
    assert r.json()["status"] == "expired" and r.json()["is_valid"] is False
    got = api.get(url(c["id"])).json()
    assert got["chain_status"] == "invalid" and got["chain_is_valid"] is False


def gen_chain(**kw):
    return ckcerts.make_chain(cn="chain.example.com", **kw)


def tamper(cert):
    der = bytearray(ckcerts.der(cert))
    der[-3] ^= 0x55  # inside the signature value
    b64 = base64.encodebytes(bytes(der)).decode().replace("\n", "")
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def validate(api, leaf_pem, chain_pem, **body):
    c = create(api, "chain.example.com", pem_content=leaf_pem, issuer_chain=chain_pem)
    r = api.post(url(c["id"], "validate-chain/"), json=body) if body else api.post(url(c["id"], "validate-chain/"))
    assert r.status_code == 200, r.text
    return r.json(), c["id"]


def p(x):
    return ckcerts.pem(x)


def test_chain_statuses_generated(api):
    leaf, inter, root = gen_chain()
    now = ckcerts.now()
    cases = []
    cases.append(("valid", p(leaf), p([inter, root]), {}))
    cases.append(("incomplete", p(leaf), p([root, inter]), {}))                     # wrong order
    cases.append(("incomplete", p(leaf), p([root]), {}))                            # missing intermediate
    cases.append(("incomplete", p(leaf), p([inter]), {}))                           # root neither stored nor trusted
    cases.append(("invalid_signature", tamper(leaf), p([inter, root]), {}))         # tampered signature
    cases.append(("invalid_signature", p(leaf), p(inter) + tamper(root), {}))       # tampered root self-signature
    cases.append(("no_chain", p(leaf), "", {}))
    cases.append(("parse_error", p(leaf), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", {}))
    cases.append(("not_yet_valid", p(leaf), p([inter, root]), {"at": ckcerts.iso(now - dt.timedelta(days=3))}))
    cases.append(("expired", p(leaf), p([inter, root]), {"at": ckcerts.iso(now + dt.timedelta(days=400))}))
    ss, _ = ckcerts.make_cert(cn="self.example.com")
    cases.append(("self_signed", p(ss), "", {}))
    for want, lp, cp, body in cases:
        got, cid = validate(api, lp, cp, **body)
        assert got["status"] == want, (want, got)
        assert got["is_valid"] is (want in ("valid", "self_signed"))
        stored = api.get(url(cid)).json()["chain_status"]
        assert stored == (want if want in ("valid", "self_signed", "no_chain") else "invalid")
        if want not in ("valid", "self_signed", "no_chain"):
            assert got["errors"], want


def test_chain_expired_intermediate_and_garbage_block(api):
    root_key, int_key = ckcerts.ec_key("secp384r1", 1), ckcerts.ec_key("secp256r1", 2)
    now = ckcerts.now()
    root, _ = ckcerts.make_cert(subject=ckcerts.name(cn="Exp Root", o="T"), key=root_key, sans=[], is_ca=True, days=3650,
                                not_before=now - dt.timedelta(days=10))
    inter, _ = ckcerts.make_cert(subject=ckcerts.name(cn="Exp Inter", o="T"), key=int_key, issuer_cert=root,
                                 issuer_key=root_key, sans=[], is_ca=True, not_before=now - dt.timedelta(days=10),
                                 not_after=now - dt.timedelta(days=1))
    leaf, _ = ckcerts.make_cert(cn="chain.example.com", issuer_cert=inter, issuer_key=int_key, days=90)
    got, _ = validate(api, p(leaf), p([inter, root]))
    assert got["status"] == "expired" and "#2" in got["message"]
    # a garbage block between good ones is skipped and reported
    leaf, inter, root = gen_chain()
    garbage = "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    got, _ = validate(api, p(leaf), p(inter) + garbage + p(root))
    assert got["status"] == "valid" and any("skipped" in e for e in got["errors"])


def test_chain_length_limit(api):
    key = ckcerts.ec_key()
    certs = [ckcerts.make_cert(subject=ckcerts.name(cn="L0 Root"), key=key, sans=[], is_ca=True)[0]]
    for i in range(1, 11):
        certs.append(ckcerts.make_cert(subject=ckcerts.name(cn=f"L{i}"), key=key, issuer_cert=certs[-1], issuer_key=key,
                                       sans=[], is_ca=True)[0])
    chain = list(reversed(certs))  # 11: leaf-most first
    got, _ = validate(api, p(chain[1]), p(chain[2:]))  # 10 in total: the limit
    assert got["status"] == "valid" and got["chain_depth"] == 10
    got, _ = validate(api, p(chain[0]), p(chain[1:]))  # 11: limit + 1
    assert got["status"] == "parse_error" and got["message"] == "Chain too long (11 certificates). Maximum is 10."


def test_validate_chain_errors_and_bulk(api):
    c = create(api, "nopem.example.com")
    r = api.post(url(c["id"], "validate-chain/"))
    assert r.status_code == 400 and r.json() == {"status": "error", "message": "Certificate has no PEM content for validation"}
    assert api.post(url(99999995, "validate-chain/")).status_code == 404
    leaf, inter, root = gen_chain()
    good, gid = validate(api, p(leaf), p([inter, root]))
    r = api.post(url(gid, "validate-chain/"), json={"at": "not a date"})
    assert r.status_code == 400 and "at" in r.json()
    ss, _ = ckcerts.make_cert(cn="bulk-self.example.com")
    _, sid = validate(api, p(ss), "")
    leaf2, _, _ = gen_chain()
    _, nid = validate(api, p(leaf2), "")
    r = api.post(CERTS + "bulk-validate-chain/", json={"ids": [gid, sid, nid, c["id"], 99999994]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["validated_count"], body["valid_count"], body["invalid_count"]) == (4, 2, 2)
    res = {x["id"]: x for x in body["results"]}
    assert set(res) == {gid, sid, nid, c["id"]}
    assert (res[gid]["status"], res[gid]["chain_depth"]) == ("valid", 3)
    assert (res[sid]["status"], res[sid]["message"], res[sid]["chain_depth"]) == (
        "self_signed", "Certificate is self-signed (no chain required)", 1)
    assert (res[nid]["status"], res[nid]["message"]) == ("no_chain", "Certificate requires a chain but none provided")
    assert (res[c["id"]]["status"], res[c["id"]]["message"]) == ("error", "No PEM content available")
    assert api.post(CERTS + "bulk-validate-chain/", json={"ids": []}).status_code == 400


# ---- diff ----

def test_diff(api, ro_api):
    old = [
        {"fingerprint_sha256": "AA", "common_name": "a", "status": "active", "valid_to": "2026-01-01T00:00:00Z",
         "key_size": 2048, "assignment_count": 1, "tenant": None},
        {"fingerprint_sha256": "BB", "common_name": "b", "status": "active"},
        {"fingerprint_sha256": "CC", "common_name": "c", "status": "active", "comments": "ignored field"},
        {"common_name": "no fingerprint"},
    ]
    new = [
        {"fingerprint_sha256": "AA", "common_name": "a2", "status": "replaced", "valid_to": "2026-01-01T00:00:00Z",
         "key_size": 4096, "assignment_count": 0, "tenant": {"id": 1}},
        {"fingerprint_sha256": "CC", "common_name": "c", "status": "active", "comments": "changed but not compared"},
        {"fingerprint_sha256": "DD", "status": "active"},
        {"fingerprint_sha256": "EE"},
        "not an object",
    ]
    r = ro_api.post(CERTS + "diff/", json={"old": old, "new": new})  # view permission is enough
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["added"] == [new[2], new[3]]
    assert body["removed"] == [old[1]]
    assert body["changed"] == [{
        "fingerprint_sha256": "AA", "common_name": "a2",
        "changes": [{"field": "status", "old": "active", "new": "replaced"},
                    {"field": "key_size", "old": 2048, "new": 4096},
                    {"field": "assignment_count", "old": 1, "new": 0},
                    {"field": "tenant", "old": None, "new": {"id": 1}}],
    }]
    assert body["summary"] == {"added_count": 2, "removed_count": 1, "changed_count": 1, "unchanged_count": 1}
    # common_name defaults to "Unknown"
    r = api.post(CERTS + "diff/", json={"old": [{"fingerprint_sha256": "X", "status": "a"}],
                                        "new": [{"fingerprint_sha256": "X", "status": "b"}]})
    assert r.json()["changed"][0]["common_name"] == "Unknown"
    for bad in ({"old": {}, "new": []}, {"old": []}, [], {"old": "x", "new": "y"}):
        r = api.post(CERTS + "diff/", json=bad)
        assert r.status_code == 400 and r.json()["detail"] == "Both 'old' and 'new' must be JSON arrays."
    big = [{"fingerprint_sha256": str(i)} for i in range(1001)]
    r = api.post(CERTS + "diff/", json={"old": big, "new": []})
    assert r.status_code == 400 and r.json()["detail"] == "Snapshots exceed maximum size of 1000 items."
    r = api.post(CERTS + "diff/", json={"old": big[:1000], "new": big[:1000]})
    assert r.status_code == 200 and r.json()["summary"]["unchanged_count"] == 1000

