"""Pages of a list with many ties on the leading sort key (the page query finds the page's
ids first, then reads those rows): every page is in the documented total order, pages do
not overlap, and together they hold each matching row exactly once, with any ordering."""

import datetime as dt
import secrets

import ckapi
from conftest import CERTS


def test_ties_pages_total_order(api):
    tag = secrets.token_hex(3)
    valid_to = ckapi.utcnow().replace(hour=0, minute=0, second=0) + dt.timedelta(days=500)
    made = []
    for i in range(23):
        cn = f"tie-{tag}-{(i * 7) % 23:02d}.example.com"
        body = ckapi.cert_body(cn, valid_to=valid_to.strftime("%Y-%m-%dT%H:%M:%SZ"),
                               status="active" if i % 3 else "pending")
        r = api.post(CERTS, json=body)
        assert r.status_code == 201, r.text
        made.append(r.json())
    q = f"tie-{tag}-"
    for ordering, key in ((None, lambda c: (c["common_name"], c["id"])),
                          ("-id", lambda c: -c["id"]),
                          ("common_name,-id", lambda c: (c["common_name"], -c["id"])),
                          ("-assignment_count", lambda c: c["id"])):
        params = {"q": q, "limit": 5}
        if ordering:
            params["ordering"] = ordering
        seen, offset = [], 0
        while True:
            r = api.get(CERTS, params={**params, "offset": offset})
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["count"] == len(made)
            seen += body["results"]
            if not body["next"]:
                break
            offset += 5
        assert [c["id"] for c in seen] == [c["id"] for c in sorted(made, key=key)], ordering
    active = api.list_all(CERTS, q=q, status="active")
    assert [c["id"] for c in active] == [c["id"] for c in sorted(made, key=lambda c: (c["common_name"], c["id"]))
                                         if c["status"] == "active"]
