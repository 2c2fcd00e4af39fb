"""Every explicit action and plugin endpoint is one entry of the action table (api/actions.c):
the router answers 404/405 from it and asks api_authorize() with the entry's permission before
it decodes the body or runs the handler. The OpenAPI document is generated from the same table
and names each operation's permission (x-certkeeper-permission), so these tests iterate the
table itself: an action added later is covered without editing them, except that its
permission must be listed below (a permission change is a deliberate edit of this file)."""

import uuid

import pytest

from ckapi import CERTS, PLUGIN, create

# (path relative to the plugin root, method) -> (level, NetBox SSL permission codenames)
PERMISSIONS = {
    ("certificates/import/", "post"): ("write", ["import_certificate"]),
    ("certificates/bulk-import/", "post"): ("write", ["import_certificate", "bulk_operations"]),
    ("certificates/bulk-data-import/", "post"): ("write", ["import_certificate", "bulk_operations"]),
    ("certificates/import-file/", "post"): ("write", ["import_certificate"]),
    ("certificates/export/", "get"): ("read", ["view_certificate"]),
    ("certificates/export/", "post"): ("read", ["view_certificate"]),
    ("certificates/{id}/export/", "get"): ("read", ["view_certificate"]),
    ("certificates/bulk-assign/", "post"): ("write", ["add_certificateassignment", "bulk_operations"]),
    ("certificates/{id}/lifecycle/", "get"): ("read", ["view_certificate"]),
    ("certificates/{id}/renew/", "post"): ("write", ["renew_certificate", "change_certificate"]),
    ("certificates/{id}/revert-renewal/", "post"): ("write", ["renew_certificate", "change_certificate"]),
    ("certificates/{id}/validate-chain/", "post"): ("write", ["change_certificate"]),
    ("certificates/bulk-validate-chain/", "post"): ("write", ["change_certificate", "bulk_operations"]),
    ("certificates/{id}/detect-acme/", "post"): ("write", ["change_certificate"]),
    ("certificates/bulk-detect-acme/", "post"): ("write", ["change_certificate", "bulk_operations"]),
    ("certificates/bulk-status-update/", "post"): ("write", ["change_certificate", "bulk_operations"]),
    ("certificates/diff/", "post"): ("read", ["view_certificate"]),
    ("certificates/{id}/compliance-check/", "post"): ("write", ["manage_compliance"]),
    ("certificates/bulk-compliance-check/", "post"): ("write", ["manage_compliance", "bulk_operations"]),
    ("csrs/import/", "post"): ("write", ["add_certificatesigningrequest"]),
    ("certificate-authorities/seed-defaults/", "post"): ("write", ["add_certificateauthority"]),
    ("analytics/summary/", "get"): ("read", ["view_certificate"]),
    ("compliance-report/", "get"): ("read", ["view_compliancecheck"]),
    ("compliance-report/snapshot/", "post"): ("write", ["manage_compliance"]),
    ("compliance-trend/", "get"): ("read", ["view_compliancecheck"]),
}

# What a read-only token gets from each read operation (a real answer, not a refusal).
READ_REQUESTS = {
    ("certificates/export/", "get"): ({}, 200),
    ("certificates/export/", "post"): ({"format": "json"}, 200),
    ("certificates/{id}/export/", "get"): ({}, 200),
    ("certificates/{id}/lifecycle/", "get"): ({}, 200),
    ("certificates/diff/", "post"): ({"old": [], "new": []}, 200),
    ("analytics/summary/", "get"): ({}, 200),
    ("compliance-report/", "get"): ({}, 200),
    ("compliance-trend/", "get"): ({}, 200),
}


def table(api):
    """{(relative path, method): x-certkeeper-permission} of every operation that has one."""
    r = api.get("/api/schema/")
    assert r.status_code == 200, r.text
    out = {}
    for path, ops in r.json()["paths"].items():
        for method, op in ops.items():
            if isinstance(op, dict) and "x-certkeeper-permission" in op:
                assert path.startswith(PLUGIN), path
                out[(path[len(PLUGIN):], method)] = op["x-certkeeper-permission"]
    return out


@pytest.fixture(scope="module")
def cert_id(api):
    return create(api, "perm-" + uuid.uuid4().hex[:10] + ".example.com")["id"]


def url(path, cert_id):
    return PLUGIN + path.replace("{id}", str(cert_id))


def counts(api):
    return [api.count(PLUGIN + p) for p in ("certificates/", "certificate-authorities/", "csrs/",
                                            "assignments/")] + [api.count("/api/core/object-changes/")]


def test_every_table_entry_declares_its_permission(api):
    ops = table(api)
    assert {k: (v["level"], v["names"]) for k, v in ops.items()} == PERMISSIONS
    # the reference: every bulk action additionally needs bulk_operations
    for (path, _), perm in ops.items():
        assert ("bulk_operations" in perm["names"]) == ("/bulk-" in "/" + path), path


def test_read_only_token_is_refused_every_write_action(api, ro_api, cert_id):
    """Refused before the body is decoded: an invalid JSON body still gets the 403, and
    nothing is written."""
    writes = [k for k, v in table(api).items() if v["level"] == "write"]
    assert len(writes) == 17
    before = counts(api)
    for path, method in writes:
        r = ro_api.request(method.upper(), url(path, cert_id), data="{not json",
                           headers={"Content-Type": "application/json"})
        assert r.status_code == 403, (path, r.status_code, r.text)
        assert r.json() == {"detail": "This token does not have write permission."}, path
    assert counts(api) == before


def test_read_only_token_may_use_every_read_action(api, ro_api, cert_id):
    reads = {k for k, v in table(api).items() if v["level"] == "read"}
    assert reads == set(READ_REQUESTS)
    for (path, method), (body, status) in READ_REQUESTS.items():
        kw = {"json": body} if method == "post" else {}
        r = ro_api.request(method.upper(), url(path, cert_id), **kw)
        assert r.status_code == status, (path, method, r.status_code, r.text[:300])


def test_anonymous_is_refused_every_action(anon, api, cert_id):
    ops = table(api)
    assert len(ops) == len(PERMISSIONS)
    for path, method in ops:
        r = anon.request(method.upper(), url(path, cert_id), json={})
        assert r.status_code == 401, (path, r.status_code)


def test_method_and_path_come_from_the_table(api, cert_id):
    """405 for a method the entry does not list (HEAD only where the entry lists it), 404 for
    a name the table does not have, on a list or detail URL of the wrong kind."""
    assert api.get(CERTS + "import/").status_code == 405
    assert api.put(CERTS + "export/", json={}).status_code == 405
    assert api.post(CERTS + f"{cert_id}/export/", json={}).status_code == 405
    assert api.request("HEAD", CERTS + f"{cert_id}/export/").status_code == 200
    assert api.request("HEAD", CERTS + f"{cert_id}/lifecycle/").status_code == 405
    assert api.get(PLUGIN + "compliance-report/snapshot/").status_code == 405
    assert api.post(CERTS + "no-such-action/", json={}).status_code == 404
    assert api.post(CERTS + f"{cert_id}/import/", json={}).status_code == 404
    assert api.post(CERTS + "renew/", json={}).status_code == 404


def test_bad_json_body_is_refused_before_the_handler(api, cert_id):
    """Entries with a required JSON body get the decoder's 400 (the same answer the handlers
    gave when they parsed it themselves); optional-body entries accept an empty body."""
    r = api.post(CERTS + "bulk-status-update/", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    r = api.post(CERTS + "bulk-status-update/", data="", headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    r = api.post(CERTS + f"{cert_id}/compliance-check/", data="")
    assert r.status_code == 200, r.text
