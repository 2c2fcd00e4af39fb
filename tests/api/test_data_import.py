"""certificates/bulk-data-import/ (seed 001 "Bulk CSV/JSON Import", reference §3.12) and
certificates/import-file/ (reference §2.3, §3.2).

The seed's two curl examples use one fixed fingerprint, so they run against a server of our own
on a fresh database (which also has small caps: batch 3, so the cap is tested at 3 and 4).
"""

import csv
import io
import json
import os
import shutil
import signal

import pytest
import requests
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs7

import ckcerts
from ckapi import CERTS, PLUGIN, cert_body, create
from conftest import Client, _start, new_db_url, run_cli, sanitizer_report

DATA = CERTS + "bulk-data-import/"
FILE = CERTS + "import-file/"
SEED_FP = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
SEED_JSON_BODY = ('{\n       "format": "json",\n       "content": "[{\\"common_name\\":\\"example.com\\",'
                  '\\"serial_number\\":\\"01:23:45:67:89\\",\\"issuer\\":\\"CN=DigiCert CA\\",\\"valid_from\\":'
                  '\\"2024-01-01\\",\\"valid_to\\":\\"2025-01-01\\",\\"fingerprint_sha256\\":\\"' + SEED_FP +
                  '\\",\\"algorithm\\":\\"rsa\\",\\"key_size\\":2048}]",\n       "on_duplicate": "skip"\n     }')
SEED_CSV_BODY = ('{\n       "format": "csv",\n       "content": "common_name,serial_number,issuer,valid_from,valid_to,'
                 'fingerprint_sha256,algorithm,key_size\\nexample.com,01:23:45:67:89,CN=DigiCert CA,2024-01-01,'
                 '2025-01-01,' + SEED_FP + ',rsa,2048"\n     }')
HEADER = "common_name,serial_number,issuer,valid_from,valid_to,fingerprint_sha256,algorithm"


def row(cn, **over):
    """One metadata row (JSON form) with a unique serial and fingerprint."""
    b = cert_body(cn)
    r = {k: b[k] for k in ("common_name", "serial_number", "issuer", "fingerprint_sha256", "algorithm", "key_size")}
    r.update(valid_from=b["valid_from"][:10], valid_to=b["valid_to"][:10])
    r.update(over)
    return r


def csv_of(rows):
    keys = list(rows[0])
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=keys)
    w.writeheader()
    for r in rows:
        w.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in r.items()})
    return out.getvalue()


def errors_of(r):
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["detail"] == "Validation errors found.", body
    return body["errors"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("dataimport"))
    db = new_db_url(tmp, "dataimport")
    run_cli("user", "create", "admin", "--superuser", "--db", db)
    token = run_cli("token", "create", "--user", "admin", "--db", db).strip().splitlines()[-1]
    saved = dict(os.environ)
    os.environ.update({"CERTKEEPER_BULK_IMPORT_MAX_BATCH_SIZE": "3"})
    try:
        proc, base, err_path = _start(tmp, db)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    client = Client(base, token)
    client.token = token
    yield client
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    stderr = open(err_path).read()
    assert not sanitizer_report(stderr), stderr
    shutil.rmtree(tmp, ignore_errors=True)


# ---- seed examples ------------------------------------------------------------------------------

def test_seed_csv_then_json_examples(fresh):
    """The two curl examples, byte for byte: CSV creates example.com, JSON (skip) then skips it."""
    h = {"Authorization": f"Token {fresh.token}", "Content-Type": "application/json"}
    r = requests.post(fresh.url(DATA), headers=h, data=SEED_CSV_BODY, timeout=30)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created_count"] == 1 and body["skipped_count"] == 0
    [c] = body["certificates"]
    # the row says nothing about status; its valid_to (2025-01-01) is past: expired (issue 13)
    assert (c["common_name"], c["serial_number"], c["status"]) == ("example.com", "01:23:45:67:89", "expired")
    assert (c["issuer"], c["fingerprint_sha256"], c["algorithm"], c["key_size"]) == ("CN=DigiCert CA", SEED_FP, "rsa", 2048)
    assert (c["valid_from"], c["valid_to"]) == ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z")
    assert fresh.get(CERTS + f"{c['id']}/").json()["fingerprint_sha256"] == SEED_FP
    r = requests.post(fresh.url(DATA), headers=h, data=SEED_JSON_BODY, timeout=30)
    assert r.status_code == 201, r.text
    assert r.json() == {"created_count": 0, "skipped_count": 1, "certificates": []}
    # the CSV example again (on_duplicate defaults to error): refused, nothing changes
    r = requests.post(fresh.url(DATA), headers=h, data=SEED_CSV_BODY, timeout=30)
    assert r.status_code == 400
    assert r.json() == {"detail": "Duplicate certificate: example.com (serial: 01:23:45:67:89)"}
    assert fresh.count(q="example.com") == 1


def test_seed_python_example(api, tmp_path, uniq):
    """The seed's Python example: a certificates.csv file read and posted with on_duplicate=skip."""
    rows = [row(f"{i}.{uniq}.example", sans=[f"{i}.{uniq}.example", f"www.{i}.{uniq}.example"]) for i in range(3)]
    path = tmp_path / "certificates.csv"
    path.write_text(csv_of(rows))
    csv_content = path.read_text()
    response = api.post(DATA, json={"format": "csv", "content": csv_content, "on_duplicate": "skip"})
    assert response.status_code == 201, response.text
    result = response.json()
    assert f"Created {result['created_count']}, skipped {result['skipped_count']}" == "Created 3, skipped 0"
    by_cn = {c["common_name"]: c for c in result["certificates"]}
    for r in rows:
        c = by_cn[r["common_name"]]
        assert c["sans"] == r["sans"]  # "a;b" → 2 SANs
        assert c["fingerprint_sha256"] == r["fingerprint_sha256"] and c["serial_number"] == r["serial_number"]
        assert c["valid_to"] == r["valid_to"] + "T00:00:00Z" and c["key_size"] == int(r["key_size"])
    again = api.post(DATA, json={"format": "csv", "content": csv_content, "on_duplicate": "skip"})
    assert again.status_code == 201 and again.json()["skipped_count"] == 3 and again.json()["created_count"] == 0


# ---- formats and fields -------------------------------------------------------------------------

def test_json_auto_single_object_and_optional_fields(api, uniq):
    slug = "di-" + uniq
    t = api.post("/api/tenancy/tenants/", json={"name": "DI " + uniq, "slug": slug}).json()
    chain = ckcerts.make_chain(cn=f"pem.{uniq}.example")
    items = [
        row(f"byid.{uniq}", tenant=t["id"], status="pending", private_key_location="Vault: /x",
            pem_content=ckcerts.pem(chain[0]), issuer_chain=ckcerts.pem(chain[1:]), sans=[f"byid.{uniq}"]),
        row(f"byname.{uniq}", tenant="DI " + uniq, algorithm="ECDSA", status="", valid_to="2030-06-01T12:30:00+02:00"),
        row(f"nomatch.{uniq}", tenant="no such tenant", key_size="", valid_from="2024-01-01 08:00:00"),
        row(f"strid.{uniq}", tenant=str(t["id"]), valid_to="2030-01-01T00:00:00Z", key_size="4096"),
    ]
    r = api.post(DATA, json={"content": "  " + json.dumps(items)})  # format auto, leading blanks
    assert r.status_code == 201, r.text
    got = {c["common_name"]: c for c in r.json()["certificates"]}
    a = got[f"byid.{uniq}"]
    assert a["tenant"]["id"] == t["id"] and a["status"] == "pending" and a["private_key_location"] == "Vault: /x"
    assert a["pem_content"] == ckcerts.pem(chain[0]).strip() and a["issuer_chain"] == ckcerts.pem(chain[1:]).strip()
    b = got[f"byname.{uniq}"]
    assert b["tenant"]["id"] == t["id"] and b["algorithm"] == "ecdsa" and b["status"] == "active"
    assert b["valid_to"] == "2030-06-01T10:30:00Z"
    c = got[f"nomatch.{uniq}"]
    assert c["tenant"] is None and c["key_size"] is None and c["valid_from"] == "2024-01-01T08:00:00Z"
    assert got[f"strid.{uniq}"]["tenant"]["id"] == t["id"] and got[f"strid.{uniq}"]["key_size"] == 4096
    # a single JSON object is one row
    one = row(f"single.{uniq}")
    r = api.post(DATA, json={"format": "json", "content": json.dumps(one)})
    assert r.status_code == 201 and r.json()["created_count"] == 1


def test_csv_bom_quotes_and_crlf(api, uniq):
    content = ("\ufeff" + HEADER + ",sans,status\r\n" +
               f'"q,{uniq}",0A:0B:{uniq[1:3].upper() if False else "0C"},"CN=Q, O=""Quoted"" Inc",2024-01-01,2031-01-01,'
               f'{ckcerts.random_fingerprint()},RSA,"a.{uniq}; b.{uniq} ;",\r\n\r\n')
    r = api.post(DATA, json={"content": content, "format": "auto"})
    assert r.status_code == 201, r.text
    [c] = r.json()["certificates"]
    assert c["common_name"] == f"q,{uniq}" and c["issuer"] == 'CN=Q, O="Quoted" Inc'
    assert c["sans"] == [f"a.{uniq}", f"b.{uniq}"] and c["status"] == "active" and c["algorithm"] == "rsa"


def test_ca_and_acme_detection_on_every_row(api, uniq):
    ca = api.post(PLUGIN + "certificate-authorities/", json={"name": f"CA {uniq}", "issuer_pattern": f"issuer-{uniq}"})
    assert ca.status_code == 201, ca.text
    rows = [row(f"le.{uniq}", issuer="CN=R3, O=Let's Encrypt, C=US"),
            row(f"ca.{uniq}", issuer=f"CN=issuer-{uniq}, O=X"),
            row(f"zero.{uniq}", issuer="CN=ZeroSSL RSA Domain Secure Site CA, O=ZeroSSL, C=AT")]
    r = api.post(DATA, json={"format": "csv", "content": csv_of(rows)})
    assert r.status_code == 201, r.text
    got = {c["common_name"]: c for c in r.json()["certificates"]}
    assert got[f"le.{uniq}"]["is_acme"] and got[f"le.{uniq}"]["acme_provider"] == "letsencrypt"
    assert got[f"zero.{uniq}"]["acme_provider"] == "zerossl"
    assert got[f"ca.{uniq}"]["issuing_ca"]["id"] == ca.json()["id"] and not got[f"ca.{uniq}"]["is_acme"]
    # lifecycle and changelog were written through the generic path
    ev = api.get(CERTS + f"{got[f'ca.{uniq}']['id']}/lifecycle/").json()["events"]
    assert [e["event_type"] for e in ev] == ["imported"]


# ---- refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body,key,msg", [
    ({}, "content", "This field is required."),
    ({"content": ""}, "content", "This field is required."),
    ({"content": 5}, "content", "Not a valid string."),
    ({"content": "x", "format": "xml"}, "format", "Must be one of: ['auto', 'csv', 'json']"),
    ({"content": "x", "on_duplicate": "merge"}, "on_duplicate", "Must be one of: ['error', 'skip']"),
    ({"content": "x", "extra": 1}, "extra", "Unknown field."),
    ({"content": "x" * (5 * 1024 * 1024 + 1)}, "content", None),
])
def test_request_errors(api, body, key, msg):
    r = api.post(DATA, json=body)
    assert r.status_code == 400, r.text
    assert key in r.json()
    if msg:
        assert r.json()[key] == [msg]


def test_seed_validation_error_example(api, uniq):
    """The seed's error: row 2, field algorithm, "Invalid algorithm 'dsa'. …"."""
    rows = [row(f"ok.{uniq}"), row(f"bad.{uniq}", algorithm="dsa")]
    for content in (csv_of(rows), json.dumps(rows)):
        errs = errors_of(api.post(DATA, json={"content": content}))
        assert errs == [{"row": 2, "field": "algorithm",
                         "message": "Invalid algorithm 'dsa'. Must be one of: ecdsa, ed25519, rsa, unknown"}]
    assert api.count(q=uniq) == 0  # atomic: the good row was not created either


def test_every_row_error(api, uniq):
    rows = [
        row(f"r1.{uniq}", valid_from="01/02/2024"),
        row(f"r2.{uniq}", common_name="", issuer=""),
        row(f"r3.{uniq}", status="archived", key_size="big"),
        row(f"r4.{uniq}", valid_to="2024-13-01", sans=[1]),
        row(f"r5.{uniq}", pem_content=ckcerts.key_pem(ckcerts.ec_key())),
        row(f"r6.{uniq}", common_name="x" * 256),
        row(f"r7.{uniq}", valid_from="2024-01-01T00:00:00.5Z"),
        row(f"r8.{uniq}", serial_number=7),
    ]
    errs = errors_of(api.post(DATA, json={"format": "json", "content": json.dumps(rows)}))
    got = {(e["row"], e["field"]): e["message"] for e in errs}
    assert got[(1, "valid_from")] == ("Cannot parse date '01/02/2024'. Use ISO 8601 format "
                                      "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)")
    assert got[(2, "common_name")] == "Required field 'common_name' is missing or empty"
    assert got[(2, "issuer")] == "Required field 'issuer' is missing or empty"
    assert not any(r == 2 and f not in ("common_name", "issuer") for r, f in got)  # other checks skipped
    assert got[(3, "status")] == "Invalid status 'archived'. Must be one of: active, expired, pending, replaced, revoked"
    assert got[(3, "key_size")] == "Invalid key_size 'big' \u2014 must be integer"
    assert got[(4, "valid_to")].startswith("Cannot parse date '2024-13-01'")
    assert got[(4, "sans")] == "sans must be a list of strings."
    assert got[(5, "pem_content")] == "Private key detected. For security reasons, private keys cannot be stored."
    assert got[(6, "common_name")] == "Ensure this field has no more than 255 characters."
    assert (7, "valid_from") in got
    assert got[(8, "serial_number")] == "Field 'serial_number' must be a string."
    assert api.count(q=uniq) == 0


def test_domain_rule_errors_are_row_errors_and_roll_back(api, uniq):
    rows = [row(f"good.{uniq}"), row(f"fp.{uniq}", fingerprint_sha256="AA:BB"),
            row(f"dates.{uniq}", valid_from="2030-01-01", valid_to="2029-01-01")]
    errs = errors_of(api.post(DATA, json={"content": json.dumps(rows)}))
    assert {(e["row"], e["field"]) for e in errs} == {(2, "fingerprint_sha256"), (3, "valid_to")}
    assert api.count(q=uniq) == 0


@pytest.mark.parametrize("content,message", [
    ("[1, 2", "Invalid JSON: "),
    ('"just a string"', "JSON must be an array of certificate objects"),
    ("42", "JSON must be an array of certificate objects"),
    (HEADER + '\n"unterminated,x', "Cannot parse CSV: unexpected end of data inside a quoted field"),
])
def test_structural_errors_are_row_0(api, content, message):
    fmt = "csv" if content.startswith(HEADER) else "json"
    errs = errors_of(api.post(DATA, json={"format": fmt, "content": content}))
    assert errs[0]["row"] == 0 and errs[0]["message"].startswith(message), errs


def test_items_must_be_objects(api, uniq):
    errs = errors_of(api.post(DATA, json={"content": json.dumps([row(f"o.{uniq}"), "x", 3])}))
    assert errs == [{"row": 2, "field": "", "message": "Each item must be a JSON object"},
                    {"row": 3, "field": "", "message": "Each item must be a JSON object"}]


def test_duplicates_error_and_skip(api, uniq):
    existing = create(api, f"dup.{uniq}")
    dup = row(f"dup.{uniq}", serial_number=existing["serial_number"], issuer=existing["issuer"])
    new = row(f"new.{uniq}")
    r = api.post(DATA, json={"content": json.dumps([new, dup])})
    assert r.status_code == 400
    assert r.json() == {"detail": f"Duplicate certificate: dup.{uniq} (serial: {existing['serial_number'][:20]})"}
    assert api.count(q=f"new.{uniq}") == 0  # rolled back
    r = api.post(DATA, json={"content": json.dumps([new, dup]), "on_duplicate": "skip"})
    assert r.status_code == 201 and (r.json()["created_count"], r.json()["skipped_count"]) == (1, 1)
    # a duplicate inside the same batch is skipped too
    twin = row(f"twin.{uniq}")
    r = api.post(DATA, json={"content": json.dumps([twin, dict(twin)]), "on_duplicate": "skip"})
    assert (r.json()["created_count"], r.json()["skipped_count"]) == (1, 1)


def test_batch_cap_at_limit_and_limit_plus_one(fresh):
    rows = [row(f"cap{i}.example") for i in range(4)]
    for content in (csv_of(rows), json.dumps(rows)):
        r = fresh.post(DATA, json={"content": content})
        assert r.status_code == 400, r.text
        assert r.json() == {"detail": "Batch size exceeds maximum of 3 certificates."}
    r = fresh.post(DATA, json={"content": csv_of(rows[:3])})
    assert r.status_code == 201 and r.json()["created_count"] == 3


def test_read_only_token_refused(ro_api):
    assert ro_api.post(DATA, json={"content": "x"}).status_code == 403
    assert ro_api.post(FILE, files={"file": ("a.pem", b"x")}).status_code == 403
    assert ro_api.get(DATA).status_code == 405


# ---- import-file --------------------------------------------------------------------------------

def upload(api, data, name="cert.pem", **form):
    return api.post(FILE, files={"file": (name, data)}, data=form)


def test_import_file_pem_with_chain(api, uniq):
    chain = ckcerts.make_chain(cn=f"file.{uniq}.example")
    r = upload(api, ckcerts.pem(chain).encode())
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["created_count"], body["duplicate_count"], body["duplicates"]) == (1, 0, [])
    [c] = body["certificates"]
    assert c["fingerprint_sha256"] == ckcerts.fingerprint(chain[0])
    assert c["issuer_chain"].count("BEGIN CERTIFICATE") == 2
    r = upload(api, ckcerts.pem(chain).encode())
    assert r.status_code == 200
    assert r.json() == {"created_count": 0, "duplicate_count": 1, "duplicates": [f"file.{uniq}.example"],
                        "certificates": []}


def test_import_file_der_and_tenant(api, uniq):
    t = api.post("/api/tenancy/tenants/", json={"name": "F " + uniq, "slug": "f-" + uniq}).json()
    cert, _ = ckcerts.make_cert(cn=f"der.{uniq}.example")
    r = upload(api, ckcerts.der(cert), name="cert.der", tenant=str(t["id"]))
    assert r.status_code == 201, r.text
    [c] = r.json()["certificates"]
    assert c["fingerprint_sha256"] == ckcerts.fingerprint(cert) and c["tenant"]["id"] == t["id"]
    assert c["pem_content"].startswith("-----BEGIN CERTIFICATE-----") and c["issuer_chain"] == ""
    r = upload(api, ckcerts.der(ckcerts.make_cert(cn="x")[0]), tenant="999999999")
    assert r.status_code == 400 and "tenant" in r.json()
    assert upload(api, ckcerts.der(ckcerts.make_cert(cn="x")[0]), tenant="abc").status_code == 400


@pytest.mark.parametrize("encoding", [Encoding.PEM, Encoding.DER])
def test_import_file_pkcs7_one_record_each_without_chain(api, uniq, encoding):
    chain = ckcerts.make_chain(cn=f"p7.{uniq}.example")
    data = pkcs7.serialize_certificates(chain, encoding)
    r = upload(api, data, name="bundle.p7b")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created_count"] == 3
    assert sorted(c["fingerprint_sha256"] for c in body["certificates"]) == sorted(ckcerts.fingerprint(c) for c in chain)
    assert all(c["issuer_chain"] == "" for c in body["certificates"])
    # again: all three are duplicates
    r = upload(api, data, name="bundle.p7b")
    assert r.status_code == 200 and r.json()["duplicate_count"] == 3


def test_import_file_size_cap(api, uniq):
    cert, _ = ckcerts.make_cert(cn=f"big.{uniq}.example")
    text = ckcerts.pem(cert).encode()
    at_limit = text + b"\n" * (65536 - len(text))
    assert len(at_limit) == 65536
    r = upload(api, at_limit)
    assert r.status_code == 201, r.text
    r = upload(api, at_limit + b"\n")
    assert r.status_code == 400
    assert r.json() == {"detail": "Input too large (65537 bytes). Maximum is 65536 bytes."}


@pytest.mark.parametrize("make,detail", [
    (lambda: ckcerts.key_pem(ckcerts.ec_key()).encode(), "Private key detected"),
    (lambda: (ckcerts.pem(ckcerts.make_cert(cn="k")[0]) + ckcerts.key_pem(ckcerts.ec_key(), "traditional")).encode(),
     "Private key detected"),
    (lambda: ckcerts.ec_key().private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()), "Private key detected"),
    (lambda: b"hello world", "Unrecognized certificate format. Supported formats: PEM, DER, PKCS#7."),
    (lambda: b"", "Unrecognized certificate format"),
    (lambda: b"\x30\x03\x02\x01\x01", "Failed to parse"),
    (lambda: b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "Failed to parse certificate"),
    (lambda: b"-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n", "Failed to parse"),
])
def test_import_file_refusals(api, make, detail):
    r = upload(api, make())
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith(detail), r.text


def test_import_file_request_shape(api):
    cert = ckcerts.pem(ckcerts.make_cert(cn="shape")[0]).encode()
    r = api.post(FILE, files={"other": ("a.pem", cert)})
    assert r.status_code == 400 and r.json()["detail"].startswith("No file provided")
    r = api.post(FILE, json={"file": cert.decode()})
    assert r.status_code == 400 and r.json() == {"detail": "Expected a multipart/form-data body."}
    r = api.post(FILE, data=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 400
    many = {f"f{i}": ("a", b"x") for i in range(17)}
    r = api.post(FILE, files=many)
    assert r.status_code == 400 and "More than 16 multipart parts" in r.json()["detail"]
    assert api.get(FILE).status_code == 405


def test_import_file_with_curl(server, uniq, tmp_path):
    """The usual command-line upload: curl -F file=@cert.pem -F tenant=... (if curl is installed)."""
    if not shutil.which("curl"):
        pytest.skip("curl not installed")
    import subprocess
    cert, _ = ckcerts.make_cert(cn=f"curl.{uniq}.example")
    p = tmp_path / "cert.pem"
    p.write_text(ckcerts.pem(cert))
    out = subprocess.run(["curl", "-s", "-H", f"Authorization: Token {server.token}", "-F", f"file=@{p}",
                          server.base_url + FILE], capture_output=True, text=True, timeout=30)
    body = json.loads(out.stdout)
    assert body["created_count"] == 1 and body["certificates"][0]["common_name"] == f"curl.{uniq}.example"
