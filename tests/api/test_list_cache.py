"""The list path's caches (count cache, per-second list cache) never serve stale data: a
write through the API, or by another process on the same database file, shows in the very
next list request, within the same second."""

import ckapi
import ckcerts
from conftest import BIN, CERTS, run_cli


def page(api, **params):
    r = api.get(CERTS, params={"limit": 5, "ordering": "-id", **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_api_write_visible_at_once(api):
    before = page(api)
    again = page(api)
    assert again == before  # served twice, same bytes
    created = ckapi.create(api, "cache-visible.example.com")
    after = page(api)
    assert after["count"] == before["count"] + 1
    assert after["results"][0]["id"] == created["id"]
    r = api.patch(CERTS + f"{created['id']}/", json={"comments": "changed"})
    assert r.status_code == 200, r.text
    assert page(api)["results"][0]["comments"] == "changed"
    assert api.delete(CERTS + f"{created['id']}/").status_code == 204
    final = page(api)
    assert final["count"] == before["count"]
    assert all(x["id"] != created["id"] for x in final["results"])


def test_filtered_count_follows_writes(api):
    n = api.count(status="revoked")
    c = ckapi.create(api, "cache-status.example.com", status="revoked")
    assert api.count(status="revoked") == n + 1
    assert api.patch(CERTS + f"{c['id']}/", json={"status": "active"}).status_code == 200
    assert api.count(status="revoked") == n


def test_other_process_write_visible_at_once(server, api, tmp_path):
    before = page(api)
    path = tmp_path / "other.pem"
    path.write_text(ckcerts.pem(ckcerts.make_cert(cn="other-process.example.com")[0]))
    run_cli("import", "--db", server.db, str(path))
    after = page(api)
    assert after["count"] == before["count"] + 1
    assert after["results"][0]["common_name"] == "other-process.example.com"


def test_brief_and_fields_distinct(api):
    ckapi.create(api, "cache-brief.example.com")
    full = page(api)
    brief = page(api, brief="true")
    fields = page(api, fields="id,common_name")
    assert "pem_content" in full["results"][0]
    assert set(brief["results"][0]) == ckapi.BRIEF_FIELDS
    assert set(fields["results"][0]) == {"id", "common_name"}
