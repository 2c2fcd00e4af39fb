"""Paths and request bodies shared by the API tests."""

import datetime as dt
import secrets

import ckcerts

PLUGIN = "/api/plugins/netbox-ssl/"
CERTS = PLUGIN + "certificates/"
IMPORT = CERTS + "import/"
BULK_IMPORT = CERTS + "bulk-import/"

# The seed's "Create a Certificate" body, verbatim (001, "Creating Objects").
SEED_CERT = {
    "common_name": "api.example.com",
    "serial_number": "01:23:45:67:89:AB:CD:EF",
    "issuer": "CN=Example CA, O=Example Inc",
    "valid_from": "2024-01-01T00:00:00Z",
    "valid_to": "2025-01-01T00:00:00Z",
    "fingerprint_sha256": "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
    "algorithm": "rsa",
    "key_size": 2048,
    "status": "active",
    "sans": ["api.example.com", "*.api.example.com"],
}

COMMON_FIELDS = ("id", "url", "display", "created", "last_updated", "tags", "custom_fields")
COMPUTED_FIELDS = ("days_remaining", "is_expired", "is_expiring_soon", "expiry_status", "assignment_count")
BRIEF_FIELDS = {
    "id", "url", "display", "common_name", "serial_number", "status", "valid_to",
    "days_remaining", "chain_status", "is_acme",
}


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def cert_body(cn, days_left=365, **over):
    """A valid manual-create body with a unique serial and fingerprint.

    valid_to is now + days_left days (+1 hour so the UTC date is stable for the day count)."""
    now = utcnow()
    valid_to = now + dt.timedelta(days=days_left, hours=1)
    body = {
        "common_name": cn,
        # a leading 00 byte would be normalised away (serials are minimal whole bytes), and
        # tests compare the serial they sent with the one stored: keep the first byte non-zero
        "serial_number": ckcerts.colon_hex(bytes([secrets.randbelow(255) + 1]) + secrets.token_bytes(11)),
        "issuer": "CN=Test Issuing CA, O=Test PKI, C=NL",
        "valid_from": ckcerts.iso(min(now, valid_to) - dt.timedelta(days=30)),
        "valid_to": ckcerts.iso(valid_to),
        "fingerprint_sha256": ckcerts.random_fingerprint(),
        "algorithm": "ecdsa",
        "key_size": 256,
        "sans": [cn],
    }
    body.update(over)
    return body


def create(api, cn, **over):
    r = api.post(CERTS, json=cert_body(cn, **over))
    assert r.status_code == 201, r.text
    return r.json()


def import_pem(api, text, **extra):
    r = api.post(IMPORT, json={"pem_content": text, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def days_until(iso_text):
    """date(valid_to) - today (UTC), the server's days_remaining formula."""
    d = dt.datetime.strptime(iso_text, "%Y-%m-%dT%H:%M:%SZ").date()
    return (d - dt.datetime.now(dt.timezone.utc).date()).days
