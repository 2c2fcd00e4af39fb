"""Indexed search gives the same results as the plain scan (issue 11).

q, common_name / issuer (__ic, __nic, the default contains), san and serial_number are served
by indexes (an FTS5 trigram index for substrings of >= 3 characters, the certificate_sans
side table, serial_key), with the exact test kept beside them. Every answer here is compared
with an oracle computed in Python from what was stored: ASCII-case-insensitive substring
(SQLite LIKE; on PostgreSQL, ILIKE's fold by the database's ctype) — short terms, Unicode (whose case the index folds but LIKE does not), the
LIKE wildcards % and _ and the FTS5 quote character taken literally, and the index kept
current by PATCH and DELETE.
"""

import uuid

import pytest

from ckapi import CERTS, cert_body
from conftest import ENGINE

MARK = "x" + uuid.uuid4().hex[:10]

# common-name stems: unicode, wildcards, FTS5 syntax characters
STEMS = ["Alpha-web", "alpha_web", "alpha%web", "ÉCOLE-été", "école-ÉTÉ", 'quo"te-AND', "ab",
         "nul-zz", "Straße-x", "xn--bcher-kva"]


def ascii_lower(s):
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in s)


# Case folding is the engine's (docs/internals/store.md): SQLite's LIKE folds ASCII letters
# only; PostgreSQL's ILIKE folds by the database's character type (scripts/pg-temp creates it
# with a UTF-8 ctype, so "É" matches "é" there, as NetBox on PostgreSQL does).
fold = str.lower if ENGINE == "postgres" else ascii_lower


def contains(hay, needle):
    return fold(needle) in fold(hay)


@pytest.fixture(scope="module")
def certs(api):
    out = []
    for i, stem in enumerate(STEMS):
        name = f"{MARK}.{stem}.example"
        body = cert_body(name, issuer=f"CN={stem} CA {MARK}, O=Test")
        body["sans"] = [f"DNS:{name}", f"DNS:alt{i}.{MARK}.example", "IP:10.0.0.%d" % i]
        r = api.post(CERTS, json=body)
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def ids(api, params):
    r = api.get(CERTS, params=params + [("limit", "1000")])
    assert r.status_code == 200, (params, r.text)
    body = r.json()
    assert body["count"] == len(body["results"])
    return {x["id"] for x in body["results"]}


TERMS = ["alpha", "ALPHA-WEB", "a_w", "a%w", "%", "_", "ph", "é", "éco", "ÉCO", "école", "ÉCOLE",
         "été", "ÉTÉ", 'o"t', '"', "AND", "straße", "STRASSE", "bcher", "-", "zz", "nul-z"]


@pytest.mark.parametrize("term", TERMS)
def test_common_name_and_issuer_contains(api, certs, term):
    mine = {c["id"]: c for c in certs}
    for field in ("common_name", "issuer"):
        want = {i for i, c in mine.items() if contains(c[field], term)}
        got = ids(api, [(field + "__ic", term), ("q", MARK)])
        assert got == want, (field, term)
        assert ids(api, [(field, term), ("q", MARK)]) == want, (field, term)
        notwant = set(mine) - want
        assert ids(api, [(field + "__nic", term), ("q", MARK)]) == notwant, (field, term)


@pytest.mark.parametrize("term", TERMS)
def test_q(api, certs, term):
    mine = {c["id"]: c for c in certs}
    want = {i for i, c in mine.items()
            if any(contains(c[f], term) for f in ("common_name", "issuer", "serial_number",
                                                   "fingerprint_sha256"))
            or term in c["sans"]}
    got = ids(api, [("q", term), ("common_name__ic", MARK)])
    assert got == want, term


def test_q_san_exact_and_serial_parts(api, certs):
    c = certs[3]
    assert ids(api, [("q", "IP:10.0.0.3"), ("common_name__ic", MARK)]) == {c["id"]}
    assert ids(api, [("q", "IP:10.0.0."), ("common_name__ic", MARK)]) == set()  # whole SAN only
    serial = c["serial_number"]
    hexs = serial.replace(":", "")
    for term in (serial, serial.lower(), hexs, "000" + hexs, hexs[4:13], serial[3:11], hexs[-3:]):
        got = ids(api, [("q", term), ("common_name__ic", MARK)])
        assert c["id"] in got, term
        assert got == {x["id"] for x in certs if term.upper().replace(":", "") in
                       x["serial_number"].replace(":", "") or contains(x["serial_number"], term)
                       or contains(x["fingerprint_sha256"], term)
                       or x["serial_number"].replace(":", "").lstrip("0")
                       == term.upper().replace(":", "").lstrip("0")}, term
    fp = c["fingerprint_sha256"]
    for term in (fp, fp[10:30], fp.lower()[5:20]):
        assert c["id"] in ids(api, [("q", term), ("common_name__ic", MARK)]), term


def test_san_filter(api, certs):
    c = certs[5]
    assert ids(api, [("san", c["sans"][1])]) == {c["id"]}
    assert ids(api, [("san", c["sans"][1]), ("san", certs[6]["sans"][1])]) == {c["id"], certs[6]["id"]}
    assert ids(api, [("san", c["sans"][1][:-2])]) == set()
    assert ids(api, [("san", c["sans"][1].upper())]) == set()  # exact, as before


def test_serial_filter(api, certs):
    c = certs[1]
    serial = c["serial_number"]
    hexs = serial.replace(":", "")
    for term in (serial, serial.lower(), hexs, "00" + hexs, hexs[2:9], serial[3:14], hexs[:2]):
        got = ids(api, [("serial_number", term), ("common_name__ic", MARK)])
        digits = term.replace(":", "").upper()
        assert got == {x["id"] for x in certs if digits in x["serial_number"].replace(":", "")
                       or x["serial_number"].replace(":", "").lstrip("0") == digits.lstrip("0")}, term
        assert c["id"] in got, term
    assert ids(api, [("serial_number", "xyz")]) == set()


def test_index_follows_patch_and_delete(api, certs):
    body = cert_body(f"{MARK}.before-rename.example", issuer=f"CN=Old Issuer {MARK}")
    body["sans"] = [f"DNS:old.{MARK}.example"]
    r = api.post(CERTS, json=body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert ids(api, [("common_name__ic", "before-rename")]) == {cid}
    assert ids(api, [("san", f"DNS:old.{MARK}.example")]) == {cid}
    r = api.patch(f"{CERTS}{cid}/", json={"common_name": f"{MARK}.after-rename.example",
                                         "sans": [f"DNS:new.{MARK}.example"]})
    assert r.status_code == 200, r.text
    assert ids(api, [("common_name__ic", "before-rename")]) == set()
    assert ids(api, [("common_name__ic", "after-rename")]) == {cid}
    assert ids(api, [("q", "after-rename")]) == {cid}
    assert ids(api, [("san", f"DNS:old.{MARK}.example")]) == set()
    assert ids(api, [("san", f"DNS:new.{MARK}.example")]) == {cid}
    assert ids(api, [("q", f"DNS:new.{MARK}.example")]) == {cid}
    r = api.delete(f"{CERTS}{cid}/")
    assert r.status_code == 204, r.text
    assert ids(api, [("common_name__ic", "after-rename")]) == set()
    assert ids(api, [("san", f"DNS:new.{MARK}.example")]) == set()


def count(api, params):
    r = api.get(CERTS, params=params + [("limit", "1")])
    assert r.status_code == 200, (params, r.text)
    return r.json()["count"]


def test_counts_from_the_counts_table_follow_writes(api, certs):
    """status/tenant-only counts come from certificate_counts (kept by triggers); the same
    filter with a term the counts table cannot answer (id__gte=0) is a real COUNT(*)."""
    r = api.post("/api/tenancy/tenants/", json={"name": f"T {MARK}", "slug": f"t-{MARK}"})
    assert r.status_code == 201, r.text
    tenant = r.json()["id"]

    def same(params):
        a, b = count(api, params), count(api, params + [("id__gte", "0")])
        assert a == b, (params, a, b)
        return a

    shapes = [[], [("status", "revoked")], [("status", "active"), ("status", "revoked")],
              [("tenant_id", str(tenant))], [("tenant_id", str(tenant)), ("status", "revoked")]]
    before = [same(p) for p in shapes]
    r = api.post(CERTS, json={**cert_body(f"{MARK}.count.example"), "tenant": tenant, "status": "revoked"})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    after = [same(p) for p in shapes]
    assert after == [before[0] + 1, before[1] + 1, before[2] + 1, 1, 1]
    r = api.patch(f"{CERTS}{cid}/", json={"status": "active", "tenant": None})
    assert r.status_code == 200, r.text
    assert [same(p) for p in shapes] == [before[0] + 1, before[1], before[2] + 1, 0, 0]
    assert api.delete(f"{CERTS}{cid}/").status_code == 204
    assert [same(p) for p in shapes] == before


def test_counts_from_facets_and_tag_items_follow_writes(api, certs):
    """Counts of lists filtered only by status, tenant, algorithm and issuer (any lookup, in
    any AND/OR shape) come from certificate_facets, and a tag-only count from the tag's items
    (schema migration 8); each is compared with the real COUNT(*) of the same filter plus a
    term neither can answer (id__gte=0), across creates, PATCHes of each counted column,
    tag changes and deletes (whose trigger drops the tag rows)."""
    r = api.post("/api/tenancy/tenants/", json={"name": f"F {MARK}", "slug": f"f-{MARK}"})
    assert r.status_code == 201, r.text
    tenant = r.json()["id"]
    slug = f"tg-{MARK}"
    tag = api.post("/api/extras/tags/", json={"name": slug, "slug": slug}).json()["id"]
    issuer = f"CN=Facet CA {MARK}, O=Test"

    def same(params):
        a, b = count(api, params), count(api, params + [("id__gte", "0")])
        assert a == b, (params, a, b)
        return a

    shapes = [[("algorithm", "rsa")], [("algorithm", "rsa"), ("status", "active")],
              [("issuer__ic", f"facet ca {MARK}")], [("issuer__ie", issuer.upper())],
              [("issuer__ic", MARK), ("tenant_id", str(tenant))], [("status__n", "active")],
              [("algorithm", "rsa"), ("algorithm", "ecdsa"), ("issuer__isw", "cn=facet")],
              [("tag", slug)]]
    before = [same(p) for p in shapes]
    made = []
    for i in range(3):
        body = {**cert_body(f"{MARK}.facet{i}.example", issuer=issuer, algorithm="rsa", key_size=2048),
                "tenant": tenant, "tags": [tag]}
        r = api.post(CERTS, json=body)
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    grown = [same(p) for p in shapes]
    assert grown[0] == before[0] + 3 and grown[2] == 3 and grown[4] == 3 and grown[7] == before[7] + 3
    for change in ({"algorithm": "ecdsa"}, {"issuer": "CN=Other, O=Test"}, {"status": "revoked"},
                   {"tenant": None}, {"tags": []}):
        r = api.patch(f"{CERTS}{made[0]}/", json=change)
        assert r.status_code == 200, r.text
        [same(p) for p in shapes]
    assert same([("tag", slug)]) == before[7] + 2
    for cid in made:
        assert api.delete(f"{CERTS}{cid}/").status_code == 204
    assert [same(p) for p in shapes] == before
