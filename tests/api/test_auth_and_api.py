"""Authentication, token kinds, API root/status, headers, methods."""

import pytest
import requests

from ckapi import CERTS, cert_body, create
from conftest import Client


def assert_refused(r):
    assert r.status_code in (401, 403), r.status_code
    body = r.json()
    assert isinstance(body.get("detail"), str) and body["detail"]


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_no_token(anon, method):
    before_url = CERTS if method in ("GET", "POST") else CERTS + "1/"
    assert_refused(anon.request(method, before_url, json={}))


@pytest.mark.parametrize("header", [
    "Token 0123456789abcdef0123456789abcdef01234567",
    "Token ",
    "Token",
    "Bearer nbt_abc.def",
    "Bearer nbt_",
    "Basic YWRtaW46YWRtaW4=",
    "token-without-scheme",
    "Token " + "a" * 5000,
])
def test_bad_token(base_url, header):
    r = requests.get(base_url + CERTS, headers={"Authorization": header}, timeout=30)
    assert_refused(r)


def test_wrong_scheme_for_v1_key(server):
    assert_refused(server.client(server.token, scheme="Bearer").get(CERTS))


def test_v2_bearer_token(server, uniq):
    assert server.v2_token.startswith("nbt_")
    c = server.client(server.v2_token, scheme="Bearer")
    r = c.get(CERTS, params={"limit": 1})
    assert r.status_code == 200, r.text
    r = c.post(CERTS, json=cert_body(f"{uniq}.example.com"))
    assert r.status_code == 201, r.text
    # v2 secret altered → refused
    key_id, _, secret = server.v2_token.partition(".")
    bad = key_id + "." + ("0" if secret[0] != "0" else "1") + secret[1:]
    assert_refused(server.client(bad, scheme="Bearer").get(CERTS))


def test_read_only_token(ro_api, api, uniq):
    c = create(api, f"{uniq}.example.com")
    url = f"{CERTS}{c['id']}/"
    assert ro_api.get(CERTS).status_code == 200
    assert ro_api.get(url).status_code == 200
    assert ro_api.options(CERTS).status_code == 200
    before = api.count()
    r = ro_api.post(CERTS, json=cert_body(f"{uniq}-ro.example.com"))
    assert r.status_code == 403 and r.json()["detail"]
    r = ro_api.patch(url, json={"comments": "ro"})
    assert r.status_code == 403
    r = ro_api.put(url, json=cert_body(f"{uniq}-ro.example.com"))
    assert r.status_code == 403
    r = ro_api.delete(url)
    assert r.status_code == 403
    r = ro_api.delete(CERTS, json=[{"id": c["id"]}])
    assert r.status_code == 403
    assert api.count() == before
    assert api.get(url).json()["comments"] == ""


def test_api_root(api, base_url):
    r = api.get("/api/")
    assert r.status_code == 200
    body = r.json()
    for k in ("dcim", "ipam", "tenancy", "extras", "plugins", "status", "virtualization", "core", "users"):
        assert body[k] == f"{base_url}/api/{k}/"


def test_status(api):
    r = api.get("/api/status/")
    assert r.status_code == 200
    body = r.json()
    assert "netbox_ssl" in body["plugins"]
    assert body["netbox-version"].startswith("4.")


def test_plugins_root(api, base_url):
    r = api.get("/api/plugins/netbox-ssl/")
    assert r.status_code == 200
    assert r.json()["certificates"] == f"{base_url}{CERTS}"


@pytest.mark.parametrize("path,method", [
    (CERTS, "GET"), (CERTS + "999999999/", "GET"), (CERTS + "?status=bogus", "GET"), ("/api/", "GET"),
    ("/api/status/", "GET"), (CERTS, "OPTIONS"), (CERTS, "POST"),
])
def test_api_version_header(api, path, method):
    r = api.request(method, path, json={})
    assert r.headers.get("API-Version", "").startswith("4."), (r.status_code, dict(r.headers))
    assert r.headers["Content-Type"].startswith("application/json")


def test_api_version_header_on_auth_failure(anon):
    r = anon.get(CERTS)
    assert r.headers.get("API-Version", "").startswith("4.")


@pytest.mark.parametrize("method,path", [
    ("POST", CERTS + "{id}/"),
    ("PUT", CERTS + "import/"),
    ("GET", CERTS + "import/"),
    ("DELETE", CERTS + "import/"),
    ("GET", CERTS + "bulk-import/"),
    ("POST", CERTS + "{id}/lifecycle/"),
    ("DELETE", "/api/status/"),
    ("POST", "/api/status/"),
    ("POST", "/api/"),
])
def test_wrong_method_is_405(api, uniq, method, path):
    c = create(api, f"{uniq}.example.com")
    before = api.count()
    r = api.request(method, path.format(id=c["id"]), json={})
    assert r.status_code == 405, (r.status_code, r.text)
    assert r.json()["detail"] == f'Method "{method}" not allowed.'
    assert api.count() == before


def test_unknown_api_path_is_404(api):
    r = api.get("/api/plugins/netbox-ssl/no-such-thing/")
    assert r.status_code == 404
    assert r.json()["detail"]


def test_head_request(api):
    r = api.request("HEAD", CERTS)
    assert r.status_code == 200
    assert r.content == b""
