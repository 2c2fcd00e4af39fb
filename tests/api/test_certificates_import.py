"""POST certificates/import/ and certificates/bulk-import/: real chains, generated certificates,
private-key refusal, duplicates, limits, dry run, ACME detection, all-or-nothing bulk."""

import datetime as dt
import pathlib
import re

import pytest
from cryptography import x509

import ckcerts
from ckapi import BULK_IMPORT, CERTS, IMPORT, days_until
from ckcerts import ec_key, ed25519_key, key_pem, make_cert, make_chain, make_csr, pem, rsa_key

REAL = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "real-world"
PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----\r?\n.*?-----END CERTIFICATE-----", re.S)
KEY_ERROR = {"pem_content": ["Private key detected. For security reasons, private keys cannot be stored."]}
PEM_LIMIT = 65536


def blocks(text):
    return PEM_BLOCK.findall(text)


def b64(block):
    return "".join(block.splitlines()[1:-1])


def rfc4514(name):
    """certkeeper's issuer format: RFC 4514 with short names, ', ' between RDNs."""
    return ", ".join(rdn.rfc4514_string() for rdn in reversed(name.rdns))


@pytest.fixture(scope="module")
def real(api):
    """The three real-world chains, imported once."""
    out = {}
    for path in sorted(REAL.glob("*_chain.pem")):
        text = path.read_text()
        r = api.post(IMPORT, json={"pem_content": text})
        assert r.status_code == 201, (path.name, r.text)
        out[path.name.split("_")[0]] = (text, r.json())
    assert set(out) >= {"letsencrypt", "digicert", "sectigo"}
    return out


@pytest.mark.parametrize("name", ["letsencrypt", "digicert", "sectigo"])
def test_real_chain_import(api, real, name):
    text, c = real[name]
    bl = blocks(text)
    leaf = x509.load_pem_x509_certificate(bl[0].encode())
    assert c["pem_content"].strip() == bl[0].strip()
    chain = blocks(c["issuer_chain"])
    assert len(chain) == len(bl) - 1
    assert [b64(b) for b in chain] == [b64(b) for b in bl[1:]]
    assert c["fingerprint_sha256"] == ckcerts.fingerprint(leaf)
    assert c["serial_number"] == ckcerts.serial_text(leaf.serial_number)
    assert c["issuer"] == rfc4514(leaf.issuer)
    cns = leaf.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert c["common_name"] == cns[0].value
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert c["sans"] == [f"DNS:{s}" for s in sans]
    assert c["valid_to"] == ckcerts.iso(leaf.not_valid_after.replace(tzinfo=dt.timezone.utc))
    assert c["valid_from"] == ckcerts.iso(leaf.not_valid_before.replace(tzinfo=dt.timezone.utc))
    assert c["days_remaining"] == days_until(c["valid_to"])
    # these real certificates expire in time: one past valid_to is imported as expired (issue 13)
    expired = leaf.not_valid_after.replace(tzinfo=dt.timezone.utc) < ckcerts.now()
    assert c["status"] == ("expired" if expired else "active")
    assert c["algorithm"] in ("rsa", "ecdsa")
    assert c["key_size"] == leaf.public_key().key_size
    events = api.get(f"{CERTS}{c['id']}/lifecycle/").json()["events"]
    assert [e["event_type"] for e in events] == ["imported"]


def test_letsencrypt_is_acme(real):
    _, c = real["letsencrypt"]
    assert c["issuer"].startswith("CN=") and "O=Let's Encrypt, C=US" in c["issuer"]
    assert c["is_acme"] is True and c["acme_provider"] == "letsencrypt"


def test_non_acme_real_cert(real):
    _, c = real["sectigo"]
    # Sectigo is on the seed's ACME list: detection classifies by issuer pattern.
    assert c["acme_provider"] in ("sectigo", "")
    _, d = real["digicert"]
    assert d["acme_provider"] in ("digicert", "")


def test_real_duplicate_names_existing_id(api, real):
    text, c = real["letsencrypt"]
    before = api.count()
    r = api.post(IMPORT, json={"pem_content": text})
    assert r.status_code == 400
    msg = r.json()["pem_content"][0]
    assert msg.startswith(f"Certificate already exists: {c['common_name']} (ID: {c['id']}")
    # The leaf alone is the same certificate.
    r = api.post(IMPORT, json={"pem_content": blocks(text)[0]})
    assert r.status_code == 400 and f"(ID: {c['id']}" in r.json()["pem_content"][0]
    assert api.count() == before


@pytest.mark.parametrize("kind,algo,size", [
    ("rsa2048", "rsa", 2048), ("ec256", "ecdsa", 256), ("ec384", "ecdsa", 384), ("ed25519", "ed25519", None),
])
def test_generated_key_types(api, uniq, kind, algo, size):
    cert, _ = make_cert(cn=f"{uniq}.example.com", key=ckcerts.key_for(kind))
    r = api.post(IMPORT, json={"pem_content": pem(cert)})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["algorithm"] == algo and c["key_size"] == size
    assert c["common_name"] == f"{uniq}.example.com" and c["sans"] == [f"DNS:{uniq}.example.com"]


def test_generated_fields(api, uniq):
    nb = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    na = ckcerts.now() + dt.timedelta(days=45)
    issuer = ckcerts.name(cn="Acme Issuing CA 1", o="Acme, Inc.", c="NL")
    cert, _ = make_cert(cn=f"{uniq}.example.com", sans=[f"{uniq}.example.com", f"*.{uniq}.example.com"],
                        ip_sans=["192.0.2.7"], serial=0x0ABC, not_before=nb, not_after=na, issuer_name=issuer)
    c = api.post(IMPORT, json={"pem_content": pem(cert), "private_key_location": "Vault: /secret/prod/web1"}).json()
    assert c["serial_number"] == "0A:BC"
    assert c["issuer"] == "CN=Acme Issuing CA 1, O=Acme\\, Inc., C=NL"
    assert c["sans"] == [f"DNS:{uniq}.example.com", f"DNS:*.{uniq}.example.com", "IP:192.0.2.7"]
    assert c["valid_from"] == "2026-01-02T03:04:05Z"
    assert c["valid_to"] == ckcerts.iso(na)
    assert c["expiry_status"] == "ok" and c["days_remaining"] == days_until(c["valid_to"])
    assert c["private_key_location"] == "Vault: /secret/prod/web1"
    assert c["fingerprint_sha256"] == ckcerts.fingerprint(cert) and len(c["fingerprint_sha256"]) == 95
    assert c["issuer_chain"] == ""


def test_cn_less_certificate_uses_first_dns_san(api, uniq):
    cert, _ = make_cert(cn=None, sans=[f"{uniq}.example.com", f"b.{uniq}.example.com"],
                        issuer_name=ckcerts.name(cn="Test Issuing CA", o="Test PKI"))
    r = api.post(IMPORT, json={"pem_content": pem(cert)})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["common_name"] == f"{uniq}.example.com"


def test_generated_chain_stores_leaf_and_rest(api, uniq):
    chain = make_chain(cn=f"{uniq}.example.com")
    r = api.post(IMPORT, json={"pem_content": pem(chain)})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["pem_content"].strip() == pem(chain[0]).strip()
    assert [b64(b) for b in blocks(c["issuer_chain"])] == [b64(pem(x)) for x in chain[1:]]
    assert c["issuer"] == rfc4514(chain[1].subject)
    # The chain's other certificates did not become records of their own.
    assert api.count(fingerprint_sha256=ckcerts.fingerprint(chain[1])) == 0


def key_variants():
    rsa, ec, ed = rsa_key(), ec_key(), ed25519_key()
    return {
        "pkcs8": key_pem(ec, "pkcs8"),
        "rsa-traditional": key_pem(rsa, "traditional"),
        "ec-traditional": key_pem(ec, "traditional"),
        "openssh": key_pem(ed, "openssh"),
        "encrypted": key_pem(ec, "encrypted"),
        "dsa-header": "-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQ==\n-----END DSA PRIVATE KEY-----\n",
        "lowercase": "-----begin private key-----\nAAAA\n-----end private key-----\n",
        "header-only": "-----BEGIN PRIVATE KEY-----\n",
    }


@pytest.mark.parametrize("variant", list(key_variants()))
@pytest.mark.parametrize("where", ["before", "after", "between"])
def test_private_key_refused(api, uniq, variant, where):
    chain = make_chain(cn=f"{uniq}.example.com")
    k = key_variants()[variant]
    text = {"before": k + pem(chain), "after": pem(chain) + k, "between": pem(chain[0]) + k + pem(chain[1:])}[where]
    before = api.count()
    r = api.post(IMPORT, json={"pem_content": text})
    assert r.status_code == 400
    assert r.json() == KEY_ERROR
    assert api.count() == before
    assert api.count(fingerprint_sha256=ckcerts.fingerprint(chain[0])) == 0
    # dry run refuses too
    r = api.post(IMPORT, json={"pem_content": text, "dry_run": True})
    assert r.status_code == 400 and r.json() == KEY_ERROR


def test_key_alone_refused(api):
    r = api.post(IMPORT, json={"pem_content": key_pem(ec_key())})
    assert r.status_code == 400 and r.json() == KEY_ERROR


@pytest.mark.parametrize("text", [
    "", "hello", "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\n", "MIIB" * 20,
])
def test_garbage_refused(api, text):
    before = api.count()
    r = api.post(IMPORT, json={"pem_content": text})
    assert r.status_code == 400
    body = r.json()
    assert "pem_content" in body and isinstance(body["pem_content"], list) and body["pem_content"][0]
    assert api.count() == before


def test_csr_is_not_a_certificate(api, uniq):
    r = api.post(IMPORT, json={"pem_content": pem(make_csr(cn=f"{uniq}.example.com"))})
    assert r.status_code == 400 and "pem_content" in r.json()


def test_missing_pem_content(api):
    r = api.post(IMPORT, json={})
    assert r.status_code == 400 and "pem_content" in r.json()
    r = api.post(IMPORT, json={"pem_content": 12})
    assert r.status_code == 400 and "pem_content" in r.json()


def padded(cert_pem, total):
    """The PEM preceded by explanatory text lines so the whole is exactly `total` bytes."""
    pad = total - len(cert_pem)
    assert pad > 2
    lines, left = [], pad
    while left > 0:
        n = min(left, 64)
        lines.append("x" * (n - 1) + "\n")
        left -= n
    text = "".join(lines) + cert_pem
    if len(text) != total:  # a 1-byte tail line would be just "\n"
        text = text[: total - len(cert_pem)] + cert_pem
    assert len(text.encode()) == total
    return text


def test_pem_size_limit(api, uniq):
    at, _ = make_cert(cn=f"{uniq}-at.example.com")
    r = api.post(IMPORT, json={"pem_content": padded(pem(at), PEM_LIMIT)})
    assert r.status_code == 201, r.text
    over, _ = make_cert(cn=f"{uniq}-over.example.com")
    before = api.count()
    r = api.post(IMPORT, json={"pem_content": padded(pem(over), PEM_LIMIT + 1)})
    assert r.status_code == 400
    assert "pem_content" in r.json()
    assert "65536" in str(r.json())
    assert api.count() == before


def test_unknown_tenant_refused(api, uniq):
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    before = api.count()
    r = api.post(IMPORT, json={"pem_content": pem(cert), "tenant": 999999})
    assert r.status_code == 400
    assert "tenant" in r.json()
    assert api.count() == before
    r = api.post(IMPORT, json={"pem_content": pem(cert), "tenant": "acme"})
    assert r.status_code == 400
    assert api.count() == before


def test_private_key_location_limit(api, uniq):
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    before = api.count()
    r = api.post(IMPORT, json={"pem_content": pem(cert), "private_key_location": "v" * 513})
    assert r.status_code == 400 and "private_key_location" in r.json()
    assert api.count() == before
    r = api.post(IMPORT, json={"pem_content": pem(cert), "private_key_location": "v" * 512})
    assert r.status_code == 201, r.text


def test_dry_run_previews_and_stores_nothing(api, uniq):
    chain = make_chain(cn=f"{uniq}.example.com")
    before = api.count()
    r = api.post(IMPORT, json={"pem_content": pem(chain), "dry_run": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "certificates" in body and "renewal_candidate" in body
    assert body["renewal_candidate"] is None
    first = body["certificates"][0]
    assert first["common_name"] == f"{uniq}.example.com"
    assert first["fingerprint_sha256"] == ckcerts.fingerprint(chain[0])
    assert first["serial_number"] == ckcerts.serial_text(chain[0].serial_number)
    assert first["algorithm"] == "ecdsa" and first["key_size"] == 256
    assert api.count() == before
    assert api.count(fingerprint_sha256=ckcerts.fingerprint(chain[0])) == 0
    r = api.post(IMPORT, json={"pem_content": pem(chain), "dry_run": "yes please"})
    assert r.status_code == 400
    assert api.count() == before


def test_dry_run_offers_renewal_candidate(api, uniq):
    old, _ = make_cert(cn=f"{uniq}.example.com", days=10)
    c = api.post(IMPORT, json={"pem_content": pem(old)}).json()
    new, _ = make_cert(cn=f"{uniq}.example.com", days=90)
    r = api.post(IMPORT, json={"pem_content": pem(new), "dry_run": True})
    assert r.status_code == 200, r.text
    cand = r.json()["renewal_candidate"]
    assert cand is not None and cand["id"] == c["id"]


def test_dry_run_reports_duplicate(api, uniq):
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    c = api.post(IMPORT, json={"pem_content": pem(cert)}).json()
    r = api.post(IMPORT, json={"pem_content": pem(cert), "dry_run": True})
    # A preview of a known certificate says which record it duplicates (or refuses like a real import).
    if r.status_code == 200:
        assert r.json()["certificates"][0]["duplicate_of"] in (c["id"], {"id": c["id"]}) or \
            r.json()["certificates"][0]["duplicate_of"]["id"] == c["id"]
    else:
        assert r.status_code == 400 and f"(ID: {c['id']}" in str(r.json())


# ---- bulk import ------------------------------------------------------------------------------


def test_bulk_import_seed_shape(api, uniq):
    certs = [make_cert(cn=f"{uniq}-{i}.example.com")[0] for i in range(2)]
    before = api.count()
    r = api.post(BULK_IMPORT, json=[
        {"pem_content": pem(certs[0]), "private_key_location": "Vault: /secret/prod/web1"},
        {"pem_content": pem(certs[1]), "private_key_location": "Vault: /secret/prod/web2"},
    ])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created_count"] == 2
    assert len(body["certificates"]) == 2
    for item, cert in zip(body["certificates"], certs):
        for k in ("id", "common_name", "serial_number", "status", "valid_to"):
            assert k in item
        assert item["serial_number"] == ckcerts.serial_text(cert.serial_number)
        assert item["status"] == "active"
    assert body["certificates"][0]["common_name"] == f"{uniq}-0.example.com"
    assert api.count() == before + 2
    full = api.get(f"{CERTS}{body['certificates'][1]['id']}/").json()
    assert full["private_key_location"] == "Vault: /secret/prod/web2"


def test_bulk_import_all_or_nothing(api, uniq):
    good = [make_cert(cn=f"{uniq}-{i}.example.com")[0] for i in range(3)]
    existing, _ = make_cert(cn=f"{uniq}-old.example.com")
    ex = api.post(IMPORT, json={"pem_content": pem(existing)}).json()
    before = api.count()
    items = [
        {"pem_content": pem(good[0])},
        {"pem_content": pem(good[1])},
        {"pem_content": "garbage"},
        {"pem_content": pem(good[2])},
        {"pem_content": pem(good[2]) + key_pem(ec_key())},
        {"pem_content": pem(existing)},
    ]
    r = api.post(BULK_IMPORT, json=items)
    assert r.status_code == 400
    body = r.json()
    assert body["detail"] == "Validation failed for one or more certificates."
    failed = {f["index"]: f["errors"] for f in body["failed_certificates"]}
    assert set(failed) == {2, 4, 5}
    for errs in failed.values():
        assert isinstance(errs["pem_content"], list) and errs["pem_content"]
    assert failed[4]["pem_content"] == KEY_ERROR["pem_content"]
    assert failed[5]["pem_content"][0].startswith(f"Certificate already exists: {uniq}-old.example.com (ID: {ex['id']}")
    assert api.count() == before
    for g in good:
        assert api.count(fingerprint_sha256=ckcerts.fingerprint(g)) == 0


def test_bulk_import_duplicate_inside_batch(api, uniq):
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    before = api.count()
    r = api.post(BULK_IMPORT, json=[{"pem_content": pem(cert)}, {"pem_content": pem(cert)}])
    assert r.status_code == 400
    assert api.count() == before


@pytest.mark.parametrize("payload", [[], {}, {"pem_content": "x"}, "text", None, 5, [1, 2], ["x"]])
def test_bulk_import_bad_shapes(api, payload):
    before = api.count()
    r = api.post(BULK_IMPORT, json=payload)
    assert r.status_code == 400, r.text
    assert r.json()
    assert api.count() == before


def test_bulk_import_batch_limit(api, uniq):
    certs = [make_cert(cn=f"{uniq}-{i:03}.example.com")[0] for i in range(101)]
    before = api.count()
    r = api.post(BULK_IMPORT, json=[{"pem_content": pem(c)} for c in certs])
    assert r.status_code == 400
    assert r.json() == {"detail": "Batch size exceeds maximum of 100 certificates."}
    assert api.count() == before
    r = api.post(BULK_IMPORT, json=[{"pem_content": pem(c)} for c in certs[:100]])
    assert r.status_code == 201, r.text[:300]
    assert r.json()["created_count"] == 100
    assert api.count() == before + 100


def test_bulk_import_unknown_tenant(api, uniq):
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    before = api.count()
    r = api.post(BULK_IMPORT, json=[{"pem_content": pem(cert), "tenant": 999999}])
    assert r.status_code == 400
    f = r.json()["failed_certificates"][0]
    assert f["index"] == 0 and "tenant" in f["errors"]
    assert api.count() == before


def test_import_requires_write_token(ro_api, uniq):
    cert, _ = make_cert(cn=f"{uniq}.example.com")
    r = ro_api.post(IMPORT, json={"pem_content": pem(cert)})
    assert r.status_code == 403 and "detail" in r.json()
    r = ro_api.post(BULK_IMPORT, json=[{"pem_content": pem(cert)}])
    assert r.status_code == 403
    assert ro_api.count(fingerprint_sha256=ckcerts.fingerprint(cert)) == 0
