"""Users and API tokens at NetBox's paths: superuser-only management, write-only passwords
(usable for sign-in at once), token keys shown once and stored only as hashes, read-only
tokens, and revocation that takes effect immediately."""
import uuid

import requests

USERS = "/api/users/users/"
TOKENS = "/api/users/tokens/"
CERTS = "/api/plugins/netbox-ssl/certificates/"


def new_user(api, **extra):
    name = "u" + uuid.uuid4().hex[:10]
    body = {"username": name, "password": "long enough pw", "email": f"{name}@example.com"}
    body.update(extra)
    r = api.post(USERS, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_user_create_hides_password_and_allows_sign_in(api, base_url):
    u = new_user(api)
    assert "password" not in u
    assert u["is_active"] is True and u["is_superuser"] is False
    r = requests.post(base_url + "/api/auth/login/", json={"username": u["username"], "password": "long enough pw"})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["username"] == u["username"]
    assert "ck_session" in r.headers.get("Set-Cookie", "")
    r = requests.post(base_url + "/api/auth/login/", json={"username": u["username"], "password": "wrong password"})
    assert r.status_code == 401


def test_user_validation(api):
    before = api.count(USERS)
    for body, field in [({"username": ""}, "username"), ({"username": "bad name!"}, "username"),
                        ({"username": "shortpw", "password": "x"}, "password"), ({}, "username")]:
        r = api.post(USERS, json=body)
        assert r.status_code == 400, r.text
        assert field in r.json()
    name = new_user(api)["username"]
    r = api.post(USERS, json={"username": name})
    assert r.status_code == 400 and "username" in r.json()
    assert api.count(USERS) == before + 1


def test_token_key_shown_once_and_works(api, base_url):
    u = new_user(api)
    r = api.post(TOKENS, json={"user": u["id"], "description": "ci", "write_enabled": False})
    assert r.status_code == 201, r.text
    tok = r.json()
    key = tok["key"]
    assert len(key) == 40 and tok["key_prefix"] == key[:len(tok["key_prefix"])]
    assert tok["user"]["id"] == u["id"] and tok["write_enabled"] is False
    again = api.get(f"{TOKENS}{tok['id']}/").json()
    assert "key" not in again
    h = {"Authorization": f"Token {key}"}
    assert requests.get(base_url + CERTS, headers=h).status_code == 200
    assert requests.post(base_url + CERTS, headers=h, json={}).status_code == 403
    # deleting the token revokes it at once (no cache grace period)
    assert api.delete(f"{TOKENS}{tok['id']}/").status_code == 204
    assert requests.get(base_url + CERTS, headers=h).status_code in (401, 403)


def test_deactivated_user_loses_access_at_once(api, base_url):
    u = new_user(api)
    key = api.post(TOKENS, json={"user": u["id"]}).json()["key"]
    h = {"Authorization": f"Token {key}"}
    assert requests.get(base_url + CERTS, headers=h).status_code == 200
    assert api.patch(f"{USERS}{u['id']}/", json={"is_active": False}).status_code == 200
    assert requests.get(base_url + CERTS, headers=h).status_code in (401, 403)


def test_non_superusers_cannot_manage_users_or_tokens(api, base_url):
    u = new_user(api)
    key = api.post(TOKENS, json={"user": u["id"]}).json()["key"]
    h = {"Authorization": f"Token {key}"}
    for path in (USERS, TOKENS):
        assert requests.get(base_url + path, headers=h).status_code == 403
        assert requests.post(base_url + path, headers=h, json={"username": "x"}).status_code == 403


def test_token_filters_and_unknown_user(api):
    u = new_user(api)
    api.post(TOKENS, json={"user": u["id"], "description": "a"})
    api.post(TOKENS, json={"user": u["id"], "description": "b"})
    r = api.get(TOKENS, params={"user_id": u["id"]})
    assert r.json()["count"] == 2
    r = api.post(TOKENS, json={"user": 99999999})
    assert r.status_code == 400 and "user" in r.json()


def test_pynetbox_version_needs_no_token(server):
    import pynetbox
    nb = pynetbox.api(server.base_url)  # no token: pynetbox asks /api/ for the API-Version
    assert nb.version == "4.4"
    r = requests.get(server.base_url + "/api/", headers={})
    assert r.status_code == 200 and r.headers["API-Version"] == "4.4"
    # but nothing else is public
    assert requests.get(server.base_url + CERTS).status_code in (401, 403)
