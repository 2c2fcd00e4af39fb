"""Rendered rows reused across requests (api/rowcache, issue 11): on a server of its own with
the per-URL list cache off (CERTKEEPER_LIST_CACHE=0, so every request renders), a page
rendered cold and again warm is byte-identical, and a write to the row itself (two PATCHes
within the same second: last_updated alone would not tell them apart), to a tenant it nests,
or to its tags shows at once."""
import os
import signal
import tempfile

import requests

from ckapi import cert_body, days_until
from conftest import new_db_url, _start, run_cli

CERTS = "/api/plugins/netbox-ssl/certificates/"
PEM = ("-----BEGIN CERTIFICATE-----\n" + "\n".join(["MIIB" + "A" * 60] * 20)
       + "\n-----END CERTIFICATE-----\n")


def start(tmp, monkeypatch):
    db = url = new_db_url(tmp, "r")
    run_cli("user", "create", "admin", "--superuser", "--db", url)
    token = run_cli("token", "create", "--user", "admin", "--db", url).strip().splitlines()[-1]
    monkeypatch.setenv("CERTKEEPER_LIST_CACHE", "0")
    monkeypatch.setenv("CERTKEEPER_ROW_CACHE", "1")
    proc, base, _ = _start(tmp, db)
    s = requests.Session()
    s.headers["Authorization"] = f"Token {token}"
    return proc, base, s


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0


def test_cold_and_warm_pages_identical_and_writes_visible(monkeypatch):
    tmp = tempfile.mkdtemp(prefix="ck-rowcache-")
    proc, base, s = start(tmp, monkeypatch)
    try:
        t = s.post(base + "/api/tenancy/tenants/", json={"name": "T1", "slug": "t1"}).json()
        ids = []
        for i in range(5):
            body = cert_body(f"row{i}.example.com", days_left=10 + 40 * i,
                             comments=f"line\n\"quoted\" \u00e9t\u00e9 {i}", pem_content=PEM)
            if i % 2:
                body["tenant"] = t["id"]
            r = s.post(base + CERTS, json=body)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        pages = [CERTS + "?limit=50", CERTS + "?limit=50&brief=1", CERTS + f"{ids[1]}/"]
        cold = [s.get(base + p).content for p in pages]
        warm = [s.get(base + p).content for p in pages]
        assert cold == warm
        full = s.get(base + pages[0]).json()["results"]
        for row in full:  # the day-dependent fields are rendered, not frozen in the template
            assert row["days_remaining"] == days_until(row["valid_to"])
        assert {r["comments"] for r in full} == {f"line\n\"quoted\" \u00e9t\u00e9 {i}" for i in range(5)}

        one = f"{CERTS}{ids[0]}/"
        for text in ("first edit", "second edit"):  # well within one second of each other
            assert s.patch(base + one, json={"comments": text}).status_code == 200
            rows = {r["id"]: r for r in s.get(base + pages[0]).json()["results"]}
            assert rows[ids[0]]["comments"] == text
            assert s.get(base + one).json()["comments"] == text

        assert s.patch(f"{base}/api/tenancy/tenants/{t['id']}/", json={"name": "T1 renamed"}).status_code == 200
        rows = {r["id"]: r for r in s.get(base + pages[0]).json()["results"]}
        assert rows[ids[1]]["tenant"]["name"] == "T1 renamed"

        tag = s.post(base + "/api/extras/tags/", json={"name": "rc", "slug": "rc"}).json()
        assert s.patch(f"{base}{CERTS}{ids[2]}/", json={"tags": [tag["id"]]}).status_code == 200
        rows = {r["id"]: r for r in s.get(base + pages[0]).json()["results"]}
        assert [x["slug"] for x in rows[ids[2]]["tags"]] == ["rc"]
    finally:
        stop(proc)
