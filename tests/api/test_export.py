"""certificates/export/ and certificates/{id}/export/ (seed 001 "Data Export", reference §2.3, §3.11).

Every format is parsed back (csv module, json, PyYAML, PEM through python3-cryptography) and
compared with the API's own objects. The cap tests run against a second server started with
small limits (max_export_size=3) on a fresh database, so they test limit and limit+1 exactly.
"""

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import tempfile

import pytest
import yaml
from cryptography import x509

import ckcerts
from ckapi import CERTS, IMPORT, PLUGIN, cert_body, create, import_pem
from conftest import Client, _start, new_db_url, run_cli, sanitizer_report

EXPORT = CERTS + "export/"
DEFAULT = ["id", "common_name", "serial_number", "fingerprint_sha256", "issuer", "valid_from", "valid_to",
           "days_remaining", "algorithm", "key_size", "status", "tenant", "sans"]
EXTENDED = DEFAULT + ["is_expired", "is_expiring_soon", "expiry_status", "private_key_location",
                      "assignment_count", "custom_fields", "assignments", "created", "last_updated"]
SEED_CSV_HEADER = ("id,common_name,serial_number,fingerprint_sha256,issuer,valid_from,valid_to,days_remaining,"
                   "algorithm,key_size,status,tenant")


def export_time(api_time):
    """The API's "…Z" time in the export form (seed: "2024-01-01T00:00:00")."""
    return api_time[:-1] if api_time else api_time


def expected_row(obj, fields=DEFAULT):
    """What the export must say about an API object, field by field."""
    tenant = obj["tenant"]["name"] if obj["tenant"] else None
    out = {
        "id": obj["id"], "common_name": obj["common_name"], "serial_number": obj["serial_number"],
        "fingerprint_sha256": obj["fingerprint_sha256"], "issuer": obj["issuer"],
        "valid_from": export_time(obj["valid_from"]), "valid_to": export_time(obj["valid_to"]),
        "days_remaining": obj["days_remaining"], "algorithm": obj["algorithm"], "key_size": obj["key_size"],
        "status": obj["status"], "tenant": tenant, "sans": obj["sans"], "is_expired": obj["is_expired"],
        "is_expiring_soon": obj["is_expiring_soon"], "expiry_status": obj["expiry_status"],
        "private_key_location": obj["private_key_location"], "assignment_count": obj["assignment_count"],
        "custom_fields": obj["custom_fields"], "created": export_time(obj["created"]),
        "last_updated": export_time(obj["last_updated"]),
    }
    return {f: out[f] for f in fields if f in out}


def csv_text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


@pytest.fixture(scope="module")
def tenant(api):
    slug = "exp-" + os.urandom(4).hex()
    r = api.post("/api/tenancy/tenants/", json={"name": "Export " + slug, "slug": slug})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def marked(api, tenant):
    """Three certificates sharing a unique CN marker: two active (one with a tenant), one revoked."""
    mark = "exp" + os.urandom(4).hex()
    a = create(api, f"a.{mark}.example", tenant=tenant["id"], sans=[f"a.{mark}.example", f"www.{mark}.example"])
    b = create(api, f"b.{mark}.example", days_left=10)
    c = create(api, f"c.{mark}.example", status="revoked")
    return mark, [api.get(CERTS + f"{x['id']}/").json() for x in (a, b, c)]


def get_export(api, **params):
    r = api.get(EXPORT, params=params)
    assert r.status_code == 200, r.text
    return r


# ---- seed examples ------------------------------------------------------------------------------

def test_seed_csv_example(api, marked):
    """curl ".../export/?format=csv&status=active" — the seed's header, one row per active cert."""
    mark, objs = marked
    r = api.get(EXPORT + "?format=csv&status=active")
    if api.count(status="active") > 1000:  # shared DB grown past the default cap
        assert r.status_code == 400 and "Export size exceeds maximum of 1000" in r.json()["detail"]
        r = api.get(EXPORT + f"?format=csv&status=active&q={mark}")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"] == 'attachment; filename="certificates_export.csv"'
    assert r.text.split("\r\n", 1)[0] == SEED_CSV_HEADER
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(r.text))}
    for obj in objs:
        if obj["status"] != "active":
            assert obj["id"] not in rows
            continue
        want = {k: csv_text(v) for k, v in expected_row(obj, DEFAULT[:-1]).items()}
        assert rows[obj["id"]] == want


def test_seed_json_post_example_with_pem(api, uniq):
    """POST {"format": "json", "ids": [...], "include_pem": true} — pem_content (and the chain)."""
    chain = ckcerts.make_chain(cn=f"{uniq}.example")
    with_chain = import_pem(api, ckcerts.pem(chain))
    alone = import_pem(api, ckcerts.pem(ckcerts.make_cert(cn=f"solo.{uniq}.example")[0]))
    manual = create(api, f"manual.{uniq}.example")
    ids = [with_chain["id"], alone["id"], manual["id"]]
    r = api.post(EXPORT, json={"format": "json", "ids": ids, "include_pem": True})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Content-Disposition"] == 'attachment; filename="certificates_export.json"'
    data = r.json()
    assert sorted(d["id"] for d in data) == sorted(ids)
    by_id = {d["id"]: d for d in data}
    for cid in ids:
        obj = api.get(CERTS + f"{cid}/").json()
        got = by_id[cid]
        assert list(got)[:len(DEFAULT)] == DEFAULT  # keys in field order
        assert {k: got[k] for k in DEFAULT} == expected_row(obj)
        if obj["pem_content"]:
            assert got["pem_content"] == obj["pem_content"]
            x509.load_pem_x509_certificate(got["pem_content"].encode())
        else:
            assert "pem_content" not in got
        assert ("issuer_chain" in got) == bool(obj["issuer_chain"])
    assert by_id[with_chain["id"]]["issuer_chain"] == with_chain["issuer_chain"]
    # without include_pem there is no PEM
    r = api.post(EXPORT, json={"format": "json", "ids": ids})
    assert all("pem_content" not in d for d in r.json())


def split_pem_bundle(text):
    """Parses the PEM bundle format back into [{cn, serial, expires, pem, chain}]."""
    out = []
    for block in re.split(r"\n(?=# Certificate: )", text):
        if not block.strip():
            continue
        m = re.match(r"# Certificate: (.*)\n# Serial: (.*)\n# Expires: (.*)\n\n", block)
        assert m, block
        body = block[m.end():]
        assert body.endswith("\n\n"), repr(body[-20:])
        body = body[:-2]
        pem_part, _, chain = body.partition("\n\n# Certificate Chain\n")
        out.append({"cn": m[1], "serial": m[2], "expires": m[3], "pem": pem_part, "chain": chain})
    return out


def test_seed_pem_bundle_with_chain(api, uniq):
    chain = ckcerts.make_chain(cn=f"pem.{uniq}.example")
    obj = import_pem(api, ckcerts.pem(chain))
    manual = create(api, f"nopem.{uniq}.example")
    r = api.get(EXPORT + f"?format=pem&include_chain=true&q={uniq}")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/x-pem-file"
    assert r.headers["Content-Disposition"] == 'attachment; filename="certificates_export.pem"'
    blocks = {b["cn"]: b for b in split_pem_bundle(r.text)}
    b = blocks[f"pem.{uniq}.example"]
    assert b["serial"] == obj["serial_number"] and b["expires"] == obj["valid_to"][:10]
    assert x509.load_pem_x509_certificate(b["pem"].encode()) == chain[0]
    assert [x509.load_pem_x509_certificate(p.encode()) for p in
            re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", b["chain"], re.S)] == chain[1:]
    assert blocks[f"nopem.{uniq}.example"]["pem"] == "# No PEM content available"
    assert manual["id"]
    # include_chain=false drops the chain section
    r = api.get(EXPORT, params={"format": "pem", "include_chain": "false", "q": uniq})
    assert "# Certificate Chain" not in r.text and r.text.count("-----BEGIN CERTIFICATE-----") == 1


def test_seed_custom_field_selection(api, marked):
    mark, objs = marked
    r = api.get(EXPORT + f"?format=json&fields=id&fields=common_name&fields=valid_to&fields=days_remaining&q={mark}")
    assert r.status_code == 200, r.text
    data = r.json()
    assert len(data) == 3
    for d in data:
        assert list(d) == ["id", "common_name", "valid_to", "days_remaining"]
        obj = next(o for o in objs if o["id"] == d["id"])
        assert d == expected_row(obj, ["id", "common_name", "valid_to", "days_remaining"])


def test_seed_single_export_pem(api, uniq):
    cert, _ = ckcerts.make_cert(cn=f"single.{uniq}.example")
    obj = import_pem(api, ckcerts.pem(cert))
    r = api.get(CERTS + f"{obj['id']}/export/?format=pem")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Disposition"] == f'attachment; filename="single.{uniq}.example.pem"'
    [b] = split_pem_bundle(r.text)
    assert x509.load_pem_x509_certificate(b["pem"].encode()) == cert
    # default format json, include_pem defaults to true for a single certificate
    r = api.get(CERTS + f"{obj['id']}/export/")
    assert r.headers["Content-Disposition"] == f'attachment; filename="single.{uniq}.example.json"'
    [d] = r.json()
    assert d["pem_content"] == obj["pem_content"] and d["id"] == obj["id"]
    [d] = api.get(CERTS + f"{obj['id']}/export/?include_pem=false").json()
    assert "pem_content" not in d


def test_seed_python_example(api, marked, tenant):
    """The seed's Python example: expiring certificates as JSON, then a tenant's PEM bundle."""
    mark, objs = marked
    limit = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    response = api.get(EXPORT, params={
        "format": "json", "status": "active", "valid_to__lt": limit, "q": mark,
        "fields": ["id", "common_name", "valid_to", "days_remaining", "tenant"]})
    assert response.status_code == 200, response.text
    certificates = response.json()
    assert [c["common_name"] for c in certificates] == [f"b.{mark}.example"]
    for cert in certificates:
        assert f"{cert['common_name']}: {cert['days_remaining']} days remaining"
        assert set(cert) == {"id", "common_name", "valid_to", "days_remaining", "tenant"}
    # verbatim second half: a tenant's PEM bundle
    response = api.get(EXPORT, params={"format": "pem", "tenant_id": tenant["id"]})
    assert response.status_code == 200, response.text
    assert [b["cn"] for b in split_pem_bundle(response.text)] == [f"a.{mark}.example"]


def test_single_export_filename_sanitised(api, uniq):
    cn = f"weird name/{uniq}?*" + "x" * 80
    obj = create(api, cn)
    r = api.get(CERTS + f"{obj['id']}/export/?format=csv")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", cn)[:64]
    assert r.headers["Content-Disposition"] == f'attachment; filename="{safe}.csv"'
    assert len(safe) == 64


# ---- formats parsed back ------------------------------------------------------------------------

def test_yaml_round_trips_to_the_json_export(api, uniq):
    chain = ckcerts.make_chain(cn=f"yaml.{uniq}.example")
    import_pem(api, ckcerts.pem(chain))
    create(api, f"yes.{uniq}.example", comments="x", private_key_location="Vault: 'secret' #1",
           custom_fields={}, sans=["true", "null", "2048", "é.example", "- dash"])
    create(api, f"2048.{uniq}.example", key_size=None, algorithm="ed25519")
    for fields in (None, ",".join(EXTENDED)):
        params = {"q": uniq, "include_pem": "true"}
        if fields:
            params["fields"] = fields
        y = api.get(EXPORT, params={**params, "format": "yaml"})
        assert y.status_code == 200, y.text
        assert y.headers["Content-Type"] == "application/x-yaml"
        assert y.headers["Content-Disposition"] == 'attachment; filename="certificates_export.yaml"'
        j = api.get(EXPORT, params={**params, "format": "json"}).json()
        assert len(j) == 3
        assert yaml.safe_load(y.content) == j  # bytes: UTF-8 (no charset in the seed MIME type)
        # block style: no flow collections except empty ones
        assert "{" not in y.text.replace("{}", "")
    assert yaml.safe_load(api.get(EXPORT, params={"format": "yaml", "q": "no-such-" + uniq}).text) == []


def test_csv_quoting_formula_guard_and_extended_fields(api, uniq, tenant):
    tricky = f'=cmd|"x",{uniq}\nline2'
    obj = create(api, tricky, private_key_location="+SUM(A1)", tenant=tenant["id"],
                 custom_fields={}, sans=[f"a.{uniq}", f"b.{uniq}"])
    r = api.get(EXPORT, params={"format": "csv", "q": uniq, "fields": ",".join(EXTENDED)})
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert len(rows) == 1
    row = rows[0]
    want = expected_row(api.get(CERTS + f"{obj['id']}/").json(), EXTENDED)
    assert row["common_name"] == "'" + tricky  # formula guard, quotes and newline survive quoting
    assert row["private_key_location"] == "'+SUM(A1)"
    assert row["sans"] == f"a.{uniq};b.{uniq}"  # named explicitly: ';'-joined
    assert row["assignments"] == "" and row["is_expired"] == "False"
    assert "custom_fields" not in row
    for k in EXTENDED:
        if k not in ("common_name", "private_key_location", "sans", "custom_fields", "assignments"):
            assert row[k] == csv_text(want[k]), k
    # days_remaining is a number, not guarded even when negative
    past = create(api, f"past.{uniq}", days_left=-3, status="expired")
    r = api.get(EXPORT, params={"format": "csv", "id": past["id"], "fields": "id,days_remaining"})
    assert r.text.split("\r\n")[1] == f"{past['id']},-3"


def test_assignments_and_assignment_count(api, uniq):
    obj = create(api, f"assigned.{uniq}")
    dev = api.post("/api/dcim/devices/", json={"name": f"dev-{uniq}"}).json()
    r = api.post(PLUGIN + "assignments/", json={"certificate": obj["id"], "assigned_object_type": "dcim.device",
                                               "assigned_object_id": dev["id"]})
    assert r.status_code == 201, r.text
    [d] = api.get(EXPORT, params={"id": obj["id"], "fields": "id,assignment_count,assignments"}).json()
    assert d == {"id": obj["id"], "assignment_count": 1,
                 "assignments": [{"type": "dcim.device", "id": dev["id"], "name": f"dev-{uniq}"}]}
    r = api.get(EXPORT, params={"format": "csv", "id": obj["id"], "fields": "assignments"})
    assert r.text == f"assignments\r\ndcim.device:{dev['id']}:dev-{uniq}\r\n"


# ---- filters ------------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"status": "active"}, {"status": "revoked"}, {"status": ["active", "revoked"]},
    {"common_name__ic": "A."}, {"expiring_soon": "true"}, {"tenant_id": None}, {"id__gt": 0},
    {"algorithm": "ecdsa"}, {"ordering": "-id"},
])
def test_export_uses_every_list_filter(api, marked, tenant, params):
    mark, _ = marked
    if "tenant_id" in params:
        params = {"tenant_id": tenant["id"]}
    listed = sorted(o["id"] for o in api.list_all(CERTS, q=mark, **params))
    exported = sorted(d["id"] for d in get_export(api, q=mark, fields="id", **params).json())
    assert exported == listed


def test_ids_combine_with_filters(api, marked):
    mark, objs = marked
    ids = [o["id"] for o in objs]
    got = get_export(api, **{"ids": ids[:2], "fields": "id"}).json()
    assert sorted(d["id"] for d in got) == sorted(ids[:2])
    got = get_export(api, **{"ids[]": ids, "status": "revoked", "fields": "id"}).json()
    assert [d["id"] for d in got] == [ids[2]]
    got = get_export(api, ids=f"{ids[0]},{ids[2]}", fields="id").json()
    assert sorted(d["id"] for d in got) == sorted([ids[0], ids[2]])
    r = api.post(EXPORT + "?status=active", json={"ids": ids, "fields": "id,common_name"})
    assert sorted(d["id"] for d in r.json()) == sorted(ids[:2])
    assert all(list(d) == ["id", "common_name"] for d in r.json())
    # default order: -valid_to, common_name
    got = get_export(api, q=mark, fields="id,valid_to").json()
    assert [d["valid_to"] for d in got] == sorted((d["valid_to"] for d in got), reverse=True)


def test_read_only_token_may_export(ro_api, marked):
    mark, _ = marked
    assert ro_api.get(EXPORT, params={"q": mark}).status_code == 200
    assert ro_api.post(EXPORT, json={"format": "csv"}, params={"q": mark}).status_code == 200


# ---- refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("params,key,msg", [
    ({"format": "xml"}, "format", "Invalid format. Choose from: ['csv', 'json', 'yaml', 'pem']"),
    ({"ids": "abc"}, "ids", "Invalid certificate IDs. Must be a list of integers."),
    ({"ids": "1,x"}, "ids", "Invalid certificate IDs. Must be a list of integers."),
    ({"fields": ["id", "bogus", "alpha"]}, "fields", "Unknown fields: ['alpha', 'bogus']"),
    ({"fields": "pem_content"}, "fields", "Unknown fields: ['pem_content']"),
    ({"include_pem": "maybe"}, "include_pem", "Must be a valid boolean."),
    ({"include_chain": "2"}, "include_chain", "Must be a valid boolean."),
    ({"no_such_filter": "1"}, "no_such_filter", None),
    ({"status": "nonsense"}, "status", None),
    ({"valid_to__lt": "01/02/2024"}, "valid_to__lt", None),
])
def test_bad_query_params(api, params, key, msg):
    r = api.get(EXPORT, params=params)
    assert r.status_code == 400, r.text
    assert key in r.json(), r.text
    if msg:
        assert r.json()[key] == [msg]


@pytest.mark.parametrize("body,key", [
    ({"format": 1}, "format"), ({"ids": "1,2"}, "ids"), ({"ids": [1, "x"]}, "ids"), ({"ids": [1.5]}, "ids"),
    ({"fields": 3}, "fields"), ({"fields": "id,nope"}, "fields"), ({"include_pem": "yes"}, "include_pem"),
    ({"include_chain": 1}, "include_chain"), ({"status": "active"}, "status"), ([1, 2], "non_field_errors"),
])
def test_bad_post_bodies(api, body, key):
    r = api.post(EXPORT, json=body)
    assert r.status_code == 400, r.text
    assert key in r.json(), r.text


def test_methods_and_missing(api):
    assert api.put(EXPORT, json={}).status_code == 405
    assert api.post(CERTS + "1/export/", json={}).status_code == 405
    r = api.get(CERTS + "999999999/export/")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    assert api.get(CERTS + "1/export/?format=doc").status_code == 400
    assert api.get(EXPORT, params={"format": "CSV", "id": 0}).headers["Content-Type"].startswith("text/csv")


def test_anonymous_refused(anon):
    assert anon.get(EXPORT).status_code in (401, 403)


# ---- caps: a server of our own with max_export_size=3 ------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("export-caps"))
    db = new_db_url(tmp, "caps")
    run_cli("user", "create", "admin", "--superuser", "--db", db)
    token = run_cli("token", "create", "--user", "admin", "--db", db).strip().splitlines()[-1]
    saved = dict(os.environ)
    os.environ.update({"CERTKEEPER_MAX_EXPORT_SIZE": "3"})
    try:
        proc, base, err_path = _start(tmp, db)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield Client(base, token)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    stderr = open(err_path).read()
    assert not sanitizer_report(stderr), stderr
    shutil.rmtree(tmp, ignore_errors=True)


def test_export_cap_at_limit_and_limit_plus_one(small):
    ids = [create(small, f"cap{i}.example")["id"] for i in range(3)]
    r = small.get(EXPORT)
    assert r.status_code == 200 and len(r.json()) == 3
    for fmt in ("csv", "yaml", "pem", "json"):
        assert small.get(EXPORT, params={"format": fmt}).status_code == 200
    ids.append(create(small, "cap3.example")["id"])
    r = small.get(EXPORT, params={"format": "csv"})
    assert r.status_code == 400
    assert r.json() == {"detail": "Export size exceeds maximum of 3 certificates. "
                                  "Use filters or specify IDs to reduce the result set."}
    assert small.post(EXPORT, json={}).status_code == 400
    # filters or ids bring it back under the cap
    assert len(small.post(EXPORT, json={"ids": ids[:3]}).json()) == 3
    assert len(small.get(EXPORT, params={"id__gt": ids[0]}).json()) == 3
    assert small.get(EXPORT, params={"ids": ids}).status_code == 400
    # the empty export
    r = small.get(EXPORT, params={"format": "csv", "q": "nothing-matches"})
    assert r.text == SEED_CSV_HEADER + "\r\n"
    assert small.get(EXPORT, params={"q": "nothing-matches"}).json() == []
    assert small.get(EXPORT, params={"format": "pem", "q": "nothing-matches"}).text == ""


def test_ids_list_limit(small):
    # Exactly at the limit: accepted (ids that match nothing, so the export-size cap of this
    # server, 3, is not what answers).
    ok = small.post(EXPORT, json={"ids": list(range(10**8, 10**8 + 10000)), "fields": "id"})
    assert ok.status_code == 200 and ok.json() == [], ok.text
    r = small.post(EXPORT, json={"ids": list(range(1, 10002))})
    assert r.status_code == 400 and r.json() == {"ids": ["Too many ids: at most 10000 per export."]}
