"""Issue 13, item 1: the NetBox SSL plugin's real base path /api/plugins/ssl/ is served exactly
like /api/plugins/netbox-ssl/ (reads, writes, actions, OPTIONS, export), and every URL the
server writes back (url, next, previous, the plugin root) keeps the path the client used.

Scripts written against a real deployment (the reference's own live suite among them) use
/api/plugins/ssl/; pynetbox's nb.plugins.netbox_ssl uses /api/plugins/netbox-ssl/."""

import secrets

import pynetbox
import pytest

import ckcerts
from ckapi import CERTS, PLUGIN, cert_body

ALIAS = "/api/plugins/ssl/"
ACERTS = ALIAS + "certificates/"


def canonical(text):
    return text.replace(ALIAS, PLUGIN)


def test_plugin_root_lists_the_same_resources_under_the_alias(api, base_url):
    want = api.get(PLUGIN).json()
    got = api.get(ALIAS)
    assert got.status_code == 200, got.text
    got = got.json()
    assert set(got) == set(want) and "certificates" in got
    for name, url in got.items():
        assert url == base_url + ALIAS + name + "/"


def test_create_read_update_delete_through_the_alias(api, base_url, uniq):
    r = api.post(ACERTS, json=cert_body(f"{uniq}.example.com"))
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["url"] == f"{base_url}{ACERTS}{c['id']}/"
    # the same object, identical apart from the path in its URLs
    a = api.get(f"{ACERTS}{c['id']}/")
    b = api.get(f"{CERTS}{c['id']}/")
    assert a.status_code == b.status_code == 200
    assert b.json()["url"] == f"{base_url}{CERTS}{c['id']}/"
    assert canonical(a.text) == b.text
    r = api.patch(f"{ACERTS}{c['id']}/", json={"comments": "via the alias"})
    assert r.status_code == 200 and r.json()["comments"] == "via the alias"
    body = cert_body(f"{uniq}.example.com", serial_number=c["serial_number"], fingerprint_sha256=c["fingerprint_sha256"])
    r = api.put(f"{ACERTS}{c['id']}/", json={**body, "renewal_note": "put"})
    assert r.status_code == 200 and r.json()["renewal_note"] == "put"
    assert api.delete(f"{ACERTS}{c['id']}/").status_code == 204
    assert api.get(f"{CERTS}{c['id']}/").status_code == 404


def test_bulk_write_and_unknown_paths(api, uniq):
    r = api.post(ACERTS, json=[cert_body(f"{uniq}-{i}.example.com") for i in range(2)])
    assert r.status_code == 201 and all(ALIAS in o["url"] for o in r.json())
    ids = [o["id"] for o in r.json()]
    r = api.patch(ACERTS, json=[{"id": i, "comments": "bulk"} for i in ids])
    assert r.status_code == 200 and [o["comments"] for o in r.json()] == ["bulk", "bulk"]
    assert api.delete(ACERTS, json=[{"id": i} for i in ids]).status_code == 204
    assert api.get(ALIAS + "no-such-thing/").status_code == 404
    assert api.get(ACERTS + "999999999/").status_code == 404


def test_next_and_previous_keep_the_path_the_client_used(api, base_url, uniq):
    r = api.post(CERTS, json=[cert_body(f"{uniq}-{i}.example.com") for i in range(3)])
    assert r.status_code == 201
    # the canonical path first: the list cache must not hand its URLs to the alias request
    for path in (CERTS, ACERTS, CERTS):
        page = api.get(path, params={"common_name__ic": uniq, "limit": 1, "offset": 1}).json()
        assert page["count"] == 3
        assert page["next"].startswith(base_url + path + "?")
        assert page["previous"].startswith(base_url + path + "?")
        assert page["results"][0]["url"].startswith(base_url + path)
    seen, url = [], ACERTS + f"?common_name__ic={uniq}&limit=1"
    while url:
        page = api.get(url).json()
        seen += [o["id"] for o in page["results"]]
        url = page["next"]
        assert url is None or url.startswith(base_url + ACERTS)
    assert len(set(seen)) == 3


def test_actions_options_and_export_through_the_alias(api, uniq):
    cert, _ = ckcerts.make_cert(cn=f"{uniq}.example.com")
    r = api.post(ACERTS + "import/", json={"pem_content": ckcerts.pem(cert), "private_key_location": "vault"})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["url"].endswith(f"{ACERTS}{cid}/")
    r = api.post(f"{ACERTS}{cid}/validate-chain/")
    assert r.status_code == 200 and "is_valid" in r.json()
    r = api.post(f"{ACERTS}{cid}/compliance-check/", json={})
    assert r.status_code == 200 and r.json()["certificate_id"] == cid
    want = api.options(CERTS).json()
    got = api.options(ACERTS)
    assert got.status_code == 200 and got.json() == want
    r = api.post(ACERTS + "export/", json={"format": "csv"})
    assert r.status_code == 200 and "text/csv" in r.headers["Content-Type"] and f"{uniq}.example.com" in r.text
    r = api.get(f"{ACERTS}{cid}/export/", params={"format": "json"})
    assert r.status_code == 200 and f"{uniq}.example.com" in r.text
    r = api.post(ACERTS + "export/", json={"format": "invalid"})
    assert r.status_code == 400
    for path in ("analytics/summary/", "compliance-report/", "compliance-trend/"):
        assert api.get(ALIAS + path).status_code == 200, path


def test_other_plugin_resources_through_the_alias(api, uniq):
    r = api.post(ALIAS + "certificate-authorities/", json={"name": f"CA {uniq}", "type": "internal"})
    assert r.status_code == 201, r.text
    ca = r.json()
    assert ALIAS + "certificate-authorities/" in ca["url"]
    r = api.post(ALIAS + "compliance-policies/", json={
        "name": f"P {uniq}", "policy_type": "min_key_size", "severity": "warning", "parameters": {"min_bits": 2048}})
    assert r.status_code == 201, r.text
    assert api.delete(f"{ALIAS}compliance-policies/{r.json()['id']}/").status_code == 204
    assert api.delete(f"{ALIAS}certificate-authorities/{ca['id']}/").status_code == 204
    for name in ("assignments", "csrs", "compliance-checks"):
        r = api.get(ALIAS + name + "/")
        assert r.status_code == 200 and "results" in r.json(), name


def test_alias_needs_the_same_authentication(anon, ro_api, uniq):
    assert anon.get(ACERTS).status_code in (401, 403)
    r = ro_api.post(ACERTS, json=cert_body(f"{uniq}.example.com"))
    assert r.status_code == 403


def test_pynetbox_on_the_real_plugin_base_path(server, uniq):
    nb = pynetbox.api(server.base_url, token=server.token)
    c = nb.plugins.ssl.certificates.create(**cert_body(f"{uniq}.example.com"))
    assert c.url.endswith(f"{ACERTS}{c.id}/")
    got = nb.plugins.ssl.certificates.get(common_name=f"{uniq}.example.com")
    assert got.id == c.id
    got.comments = "saved through /api/plugins/ssl/"
    assert got.save()
    assert nb.plugins.netbox_ssl.certificates.get(c.id).comments == "saved through /api/plugins/ssl/"


@pytest.mark.parametrize("spelling", ["issue", "lower", "upper", "lower-colons", "mixed"])
def test_pynetbox_creates_a_certificate_with_a_colonless_fingerprint(server, uniq, spelling):
    """Issue 13: pynetbox `certificates.create(..., fingerprint_sha256="ab"*32)` was refused."""
    raw = bytes.fromhex("ab" * 32) if spelling == "issue" else secrets.token_bytes(32)
    fp = {
        "issue": "ab" * 32,
        "lower": raw.hex(),
        "upper": raw.hex().upper(),
        "lower-colons": ckcerts.colon_hex(raw).lower(),
        "mixed": raw.hex()[:10].upper() + raw.hex()[10:],
    }[spelling]
    nb = pynetbox.api(server.base_url, token=server.token)
    c = nb.plugins.netbox_ssl.certificates.create(**cert_body(f"{uniq}.example.com", fingerprint_sha256=fp))
    assert c.fingerprint_sha256 == ckcerts.colon_hex(raw)
    # and found again by the spelling it was created with
    assert nb.plugins.netbox_ssl.certificates.get(fingerprint_sha256=fp).id == c.id
    c.delete()
