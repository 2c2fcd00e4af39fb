"""Authentication hardening (issue 9, items 5-8 and 10).

- Revocation, deactivation, demotion and password changes take effect on the next request,
  also while other requests of the same token are in flight, and also when the change comes
  from another process (the CLI).
- A password change ends every session of the user.
- Sign-in accepts only a JSON body, and refuses a foreign Origin.
- The changelog shows non-superusers no users.user / users.token rows (list, count, detail).

Sign-in throttling and the password-hash pool have their own servers (test_login_throttle.py).
"""
import threading
import time
import uuid

import requests

from conftest import run_cli

USERS = "/api/users/users/"
TOKENS = "/api/users/tokens/"
CHANGES = "/api/core/object-changes/"
LOGIN = "/api/auth/login/"
ME = "/api/auth/me/"
PROBE = "/api/plugins/netbox-ssl/"  # cheap, needs authentication

HAMMER_THREADS = 8
HAMMER_AFTER_S = 1.0  # how long the hammering goes on after the change answered
RACE_TRIALS = 3


def new_user(api, superuser=False, password="long enough pw"):
    name = "s" + uuid.uuid4().hex[:10]
    r = api.post(USERS, json={"username": name, "password": password, "is_superuser": superuser})
    assert r.status_code == 201, r.text
    return r.json()


def new_token(api, user_id):
    r = api.post(TOKENS, json={"user": user_id})
    assert r.status_code == 201, r.text
    return r.json()


def hammer_during(base_url, key, change, path=PROBE):
    """Sends requests with `key` from HAMMER_THREADS threads while `change()` runs; returns
    (time the change returned, [(send time, status)])."""
    stop = threading.Event()
    seen, lock = [], threading.Lock()

    def loop():
        s = requests.Session()
        s.headers["Authorization"] = f"Token {key}"
        while not stop.is_set():
            t = time.monotonic()
            status = s.get(base_url + path, timeout=30).status_code
            with lock:
                seen.append((t, status))

    threads = [threading.Thread(target=loop) for _ in range(HAMMER_THREADS)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        change()
        done = time.monotonic()
        time.sleep(HAMMER_AFTER_S)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    return done, seen


def assert_cut_off(done, seen, status_after):
    before = [s for t, s in seen if t < done]
    after = [s for t, s in seen if t > done]
    assert 200 in before, "the token never worked before the change"
    assert after, "no request was sent after the change"
    served = [s for s in after if s != status_after]
    assert not served, f"{len(served)} of {len(after)} requests sent after the change got {set(served)}"


def test_token_delete_under_load_cuts_off_at_once(api, base_url):
    admin_id = api.get(USERS, params={"username": "admin"}).json()["results"][0]["id"]
    for _ in range(RACE_TRIALS):
        tok = new_token(api, admin_id)

        def delete():
            assert api.delete(f"{TOKENS}{tok['id']}/").status_code == 204

        done, seen = hammer_during(base_url, tok["key"], delete)
        assert_cut_off(done, seen, 401)


def test_deactivation_under_load_cuts_off_at_once(api, base_url):
    for _ in range(RACE_TRIALS):
        u = new_user(api)
        key = new_token(api, u["id"])["key"]

        def deactivate():
            assert api.patch(f"{USERS}{u['id']}/", json={"is_active": False}).status_code == 200

        done, seen = hammer_during(base_url, key, deactivate)
        assert_cut_off(done, seen, 401)


def test_demotion_under_load_takes_effect_at_once(api, base_url):
    for _ in range(RACE_TRIALS):
        u = new_user(api, superuser=True)
        key = new_token(api, u["id"])["key"]

        def demote():
            assert api.patch(f"{USERS}{u['id']}/", json={"is_superuser": False}).status_code == 200

        done, seen = hammer_during(base_url, key, demote, path=USERS + "?limit=1")
        assert_cut_off(done, seen, 403)


def test_cli_token_delete_takes_effect_on_next_request(server, api, base_url):
    u = new_user(api)
    tok = new_token(api, u["id"])
    h = {"Authorization": f"Token {tok['key']}"}
    assert requests.get(base_url + PROBE, headers=h).status_code == 200  # now cached
    run_cli("token", "delete", str(tok["id"]), "--db", server.db)
    assert requests.get(base_url + PROBE, headers=h).status_code == 401


def login(base_url, username, password):
    r = requests.post(base_url + LOGIN, json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.cookies["ck_session"]


def me(base_url, cookie):
    return requests.get(base_url + ME, cookies={"ck_session": cookie}).status_code


def test_password_change_through_api_ends_every_session(api, base_url):
    u = new_user(api)
    other = new_user(api)
    sessions = [login(base_url, u["username"], "long enough pw") for _ in range(2)]
    bystander = login(base_url, other["username"], "long enough pw")
    assert [me(base_url, c) for c in sessions] == [200, 200]
    r = api.patch(f"{USERS}{u['id']}/", json={"password": "a new long password"})
    assert r.status_code == 200, r.text
    assert [me(base_url, c) for c in sessions] == [401, 401]
    assert me(base_url, bystander) == 200  # only that user's sessions end
    assert me(base_url, login(base_url, u["username"], "a new long password")) == 200


def test_password_change_through_cli_ends_every_session(server, api, base_url):
    u = new_user(api)
    cookie = login(base_url, u["username"], "long enough pw")
    assert me(base_url, cookie) == 200
    run_cli("user", "password", u["username"], "--db", server.db, stdin="another password 1\n")
    assert me(base_url, cookie) == 401


def test_other_user_changes_keep_sessions(api, base_url):
    """Ending sessions is tied to the password: an e-mail change keeps them."""
    u = new_user(api)
    cookie = login(base_url, u["username"], "long enough pw")
    assert api.patch(f"{USERS}{u['id']}/", json={"email": "x@example.com"}).status_code == 200
    assert me(base_url, cookie) == 200


def raw_login(base_url, data, content_type, origin=None):
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if origin is not None:
        headers["Origin"] = origin
    return requests.post(base_url + LOGIN, data=data, headers=headers)


def test_sign_in_only_as_json(server, base_url):
    body = '{"username": "admin", "password": "%s"}' % server.password
    for ctype in ("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                  "multipart/form-data; boundary=x", "application/jsonx", None):
        r = raw_login(base_url, body.encode(), ctype)
        assert r.status_code == 415, (ctype, r.status_code, r.text)
        assert "Set-Cookie" not in r.headers
    r = raw_login(base_url, "username=admin&password=" + server.password, "application/x-www-form-urlencoded")
    assert r.status_code == 415
    for ctype in ("application/json", "application/json; charset=utf-8", "Application/JSON"):
        r = raw_login(base_url, body.encode(), ctype)
        assert r.status_code == 200, (ctype, r.text)


def test_sign_in_checks_origin_against_host(server, base_url):
    body = ('{"username": "admin", "password": "%s"}' % server.password).encode()
    for origin in ("http://evil.example", "null", base_url + ".evil.example", "http://127.0.0.2:1"):
        r = raw_login(base_url, body, "application/json", origin=origin)
        assert r.status_code == 403, (origin, r.text)
        assert "Set-Cookie" not in r.headers
    r = raw_login(base_url, body, "application/json", origin=base_url)
    assert r.status_code == 200, r.text


def test_changelog_hides_users_and_tokens_from_non_superusers(api, base_url):
    reader = new_user(api)
    key = new_token(api, reader["id"])["key"]
    victim = new_user(api, superuser=True)  # writes users.user and (below) users.token rows
    new_token(api, victim["id"])
    slug = "t" + uuid.uuid4().hex[:10]
    assert api.post("/api/tenancy/tenants/", json={"name": slug, "slug": slug}).status_code == 201
    rapi = requests.Session()
    rapi.headers["Authorization"] = f"Token {key}"

    hidden_ids = []
    for otype in ("users.user", "users.token"):
        r = api.get(CHANGES, params={"changed_object_type": otype, "limit": 1000})
        assert r.json()["count"] > 0
        hidden_ids += [c["id"] for c in r.json()["results"]]
        r = rapi.get(base_url + CHANGES, params={"changed_object_type": otype})
        assert r.status_code == 200
        assert r.json()["count"] == 0 and r.json()["results"] == [], r.text
    # the whole list: no such row, and the count is that of the rows shown
    rows, url, params = [], base_url + CHANGES, {"limit": 1000}
    while url:
        body = rapi.get(url, params=params).json()
        rows += body["results"]
        url, params = body["next"], None
    assert slug in [c["object_repr"] for c in rows], "the reader sees the other changes"
    assert not [c for c in rows if c["changed_object_type"].startswith("users.")]
    assert rapi.get(base_url + CHANGES, params={"limit": 1}).json()["count"] == len(rows)
    # nor through the search or the detail URL
    r = rapi.get(base_url + CHANGES, params={"q": victim["username"]})
    assert r.json()["count"] == 0
    for cid in hidden_ids[:5]:
        assert rapi.get(f"{base_url}{CHANGES}{cid}/").status_code == 404
        assert api.get(f"{CHANGES}{cid}/").status_code == 200
