"""`certkeeper inspect` (the CLI face of the x509 core): one JSON object per certificate or CSR
found, fields agreeing with Python `cryptography` on the real-world fixtures, and a clear
{"detail"} with a non-zero exit on refusal or parse failure."""
import datetime as dt
import glob
import json
import os
import re
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from conftest import BIN

FIXTURES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "fixtures", "real-world", "*.pem")))


def inspect(*args, stdin=None):
    p = subprocess.run([BIN, "inspect", *args], input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


OPENSSL_NAMES = {
    x509.ObjectIdentifier("2.5.4.5"): "serialNumber",
    x509.ObjectIdentifier("2.5.4.15"): "businessCategory",
    x509.ObjectIdentifier("1.3.6.1.4.1.311.60.2.1.2"): "jurisdictionST",
    x509.ObjectIdentifier("1.3.6.1.4.1.311.60.2.1.3"): "jurisdictionC",
}


def rdn_join(dn):
    """certkeeper's "A=1, B=2" → "A=1,B=2", leaving escaped commas inside values alone."""
    return re.sub(r"(?<!\\), ", ",", dn)


def load_all(data):
    """Every PEM certificate block (Debian's cryptography 38 has no load_pem_x509_certificates)."""
    out, marker = [], b"-----END CERTIFICATE-----"
    for part in data.split(marker)[:-1]:
        start = part.find(b"-----BEGIN CERTIFICATE-----")
        out.append(x509.load_pem_x509_certificate(part[start:] + marker + b"\n"))
    return out


def colon_hex(b):
    return ":".join(f"{x:02X}" for x in b)


def serial_text(n):
    h = format(n, "X")
    if len(h) % 2:
        h = "0" + h
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


@pytest.mark.parametrize("path", FIXTURES, ids=os.path.basename)
def test_fixture_fields_match_cryptography(path):
    rc, out, err = inspect(path)
    assert rc == 0, err
    got = json.loads(out)
    with open(path, "rb") as f:
        certs = load_all(f.read())
    assert len(got) == len(certs)
    for obj, c in zip(got, certs):
        assert obj["type"] == "certificate"
        assert obj["serial_number"] == serial_text(c.serial_number)
        assert obj["fingerprint_sha256"] == colon_hex(c.fingerprint(hashes.SHA256()))
        assert obj["valid_to"] == c.not_valid_after.replace(tzinfo=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert obj["valid_from"] == c.not_valid_before.replace(tzinfo=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        cn = c.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        if cn:
            assert obj["common_name"] == cn[0].value
        # RFC 4514 with ", " between RDNs (cryptography joins with ","; OpenSSL's short names)
        assert rdn_join(obj["issuer"]) == c.issuer.rfc4514_string(OPENSSL_NAMES)
        assert rdn_join(obj["subject"]) == c.subject.rfc4514_string(OPENSSL_NAMES)


def test_stdin_and_several_files():
    with open(FIXTURES[0], "rb") as f:
        data = f.read()
    rc, out, _ = inspect("-", FIXTURES[1], stdin=data)
    assert rc == 0
    assert len(json.loads(out)) >= 2


def test_private_key_refused_without_echo(tmp_path):
    key = b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    rc, out, _ = inspect("-", stdin=key)
    assert rc == 1
    body = json.loads(out)
    assert "Private key detected" in body["detail"]
    assert "MIIEvQ" not in out


def test_garbage_oversize_missing_and_usage(tmp_path):
    rc, out, _ = inspect("-", stdin=b"hello world")
    assert rc == 1 and "detail" in json.loads(out)
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * 65537)
    rc, out, _ = inspect(str(big))
    assert rc == 1 and "Input too large" in json.loads(out)["detail"]
    rc, out, _ = inspect(str(tmp_path / "missing.pem"))
    assert rc == 1 and "detail" in json.loads(out)
    rc, _, _ = inspect("--bogus")
    assert rc == 2
    rc, out, _ = inspect("--help")
    assert rc == 0 and "inspect" in out
