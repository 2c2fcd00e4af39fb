"""Bad input of every kind: each is a clear 4xx JSON error and writes nothing."""

import json

import pytest
import requests

from ckapi import CERTS, IMPORT, cert_body, create

BODY_LIMIT = 8 * 1024 * 1024


def assert_json_error(r, status=400):
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert isinstance(body, dict) and body
    return body


def post_raw(api, path, data, ctype="application/json", method="POST"):
    return api.request(method, path, data=data, headers={"Content-Type": ctype})


@pytest.mark.parametrize("raw", [
    b"{", b"{'common_name': 'x'}", b'{"common_name": "x",}', b"nul", b"", b"   ", b'{"a":1}{"b":2}',
    b'{"common_name": "\\ud800"}', b"[" * 10000, b'{"a":' * 5000,
])
def test_malformed_json(api, raw):
    before = api.count()
    assert_json_error(post_raw(api, CERTS, raw))
    assert api.count() == before


@pytest.mark.parametrize("raw", [b"42", b'"text"', b"null", b"true", b"[1, 2]", b'["x"]'])
def test_json_not_an_object(api, raw):
    before = api.count()
    assert_json_error(post_raw(api, CERTS, raw))
    assert api.count() == before


@pytest.mark.parametrize("raw", [b"42", b"[]", b'[{"comments": "x"}]', b"null"])
def test_detail_patch_not_an_object(api, uniq, raw):
    c = create(api, f"{uniq}.example.com")
    assert_json_error(post_raw(api, f"{CERTS}{c['id']}/", raw, method="PATCH"))
    assert api.get(f"{CERTS}{c['id']}/").json()["last_updated"] == c["last_updated"]


def test_non_utf8_body(api):
    before = api.count()
    raw = json.dumps(cert_body("x.example.com")).encode().replace(b"x.example.com", b"x\xff\xfe.example.com")
    assert_json_error(post_raw(api, CERTS, raw))
    assert api.count() == before


def test_non_utf8_query(api, base_url):
    r = requests.get(base_url + CERTS + "?common_name=%ff%fe", headers=api.s.headers, timeout=30)
    # As NetBox (Django decodes with replacement characters): a value that matches nothing.
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 0


def test_wrong_content_type(api):
    before = api.count()
    r = post_raw(api, CERTS, b"common_name=x", ctype="application/x-www-form-urlencoded")
    assert r.status_code in (400, 415)
    r.json()
    assert api.count() == before


@pytest.mark.parametrize("field,value", [
    ("common_name", 123), ("common_name", None), ("common_name", ["a"]), ("common_name", ""),
    ("serial_number", 12345), ("issuer", {"cn": "x"}),
    ("key_size", "big"), ("key_size", 1.5), ("key_size", -1), ("key_size", True),
    ("sans", "a.example.com"), ("sans", [1, 2]), ("sans", [None]), ("sans", {"a": 1}),
    ("algorithm", 5), ("algorithm", "dsa"), ("algorithm", "RSA"),
    ("status", "bogus"), ("status", None),
    ("valid_from", "not-a-date"), ("valid_from", "2024-13-01T00:00:00Z"), ("valid_from", "2024-02-30T00:00:00Z"),
    ("valid_to", "2024-01-01T25:00:00Z"), ("valid_to", 1700000000), ("valid_to", "01/02/2024"),
    ("archive_pinned", "maybe"), ("archive_pinned", [1]),
    ("tenant", 999999), ("tenant", "acme"), ("issuing_ca", 999999), ("replaced_by", 999999999),
    # acme_provider is free text (seed 004): only a non-string or over-long value is wrong
    ("acme_provider", 5), ("acme_provider", "p" * 101), ("acme_challenge_type", "dns-02"),
    ("acme_server_url", "not a url"), ("acme_account_email", "nope"),
    ("tags", "prod"), ("custom_fields", "x"),
    ("fingerprint_sha256", "not-hex"),
])
def test_wrong_value_per_field(api, uniq, field, value):
    before = api.count()
    body = cert_body(f"{uniq}.example.com")
    body[field] = value
    r = api.post(CERTS, json=body)
    errs = assert_json_error(r)
    assert field in errs, errs
    assert isinstance(errs[field], list) and isinstance(errs[field][0], str)
    assert api.count() == before
    # The same value as a PATCH leaves the object untouched.
    c = create(api, f"{uniq}-p.example.com")
    r = api.patch(f"{CERTS}{c['id']}/", json={field: value})
    assert field in assert_json_error(r)
    after = api.get(f"{CERTS}{c['id']}/").json()
    assert after["last_updated"] == c["last_updated"] and after[field] == c[field]


@pytest.mark.parametrize("field,limit", [
    ("common_name", 255), ("issuer", 512), ("private_key_location", 512),
    ("discovered_via_url", 2048),
])
def test_string_length_limits(api, uniq, field, limit):
    body = cert_body(f"{uniq}.example.com")
    value = "a" * limit if field != "common_name" else (uniq + "a" * limit)[:limit]
    if field == "discovered_via_url":
        value = ("https://" + "a" * limit)[:limit]
    body[field] = value
    r = api.post(CERTS, json=body)
    assert r.status_code == 201, r.text[:300]
    assert r.json()[field] == value
    before = api.count()
    body = cert_body(f"{uniq}-2.example.com")
    body[field] = value + "a"
    errs = assert_json_error(api.post(CERTS, json=body))
    assert field in errs
    assert api.count() == before


def test_huge_integer(api, uniq):
    before = api.count()
    raw = json.dumps(cert_body(f"{uniq}.example.com", key_size=2 ** 70)).encode()
    assert_json_error(post_raw(api, CERTS, raw))
    assert api.count() == before


def test_serial_number_length_limit(api, uniq):
    # Colon hex: 85 bytes make 254 characters (the longest that fits in 255); 86 make 257.
    body = cert_body(f"{uniq}.example.com", serial_number=":".join(["AB"] * 85))
    r = api.post(CERTS, json=body)
    assert r.status_code == 201, r.text[:300]
    before = api.count()
    body = cert_body(f"{uniq}-2.example.com", serial_number=":".join(["AB"] * 86))
    assert "serial_number" in assert_json_error(api.post(CERTS, json=body))
    assert api.count() == before


@pytest.mark.parametrize("serial", ["XY:ZZ", "01::23", ":01", "01:", "01-23", "", "0x0123"])
def test_serial_number_format(api, uniq, serial):
    before = api.count()
    body = cert_body(f"{uniq}.example.com", serial_number=serial)
    assert "serial_number" in assert_json_error(api.post(CERTS, json=body))
    assert api.count() == before


@pytest.mark.parametrize("given,stored", [
    ("AB:C", "0A:BC"), ("0a:bc", "0A:BC"), ("abc", "0A:BC"), ("12:34:56:78:9A:BC:DE:F", "01:23:45:67:89:AB:CD:EF"),
])
def test_serial_number_normalised(api, uniq, given, stored):
    # The reference's serial format (no zero padding, grouped from the left) is accepted and
    # stored in certkeeper's whole-byte form.
    r = api.post(CERTS, json=cert_body(f"{uniq}.example.com", serial_number=given, issuer=f"CN={uniq} CA"))
    assert r.status_code == 201, r.text
    assert r.json()["serial_number"] == stored


def test_fingerprint_length_limit(api, uniq):
    body = cert_body(f"{uniq}.example.com")
    body["fingerprint_sha256"] = body["fingerprint_sha256"] + ":AB"
    before = api.count()
    assert "fingerprint_sha256" in assert_json_error(api.post(CERTS, json=body))
    assert api.count() == before


def test_unknown_fields(api, uniq):
    before = api.count()
    body = cert_body(f"{uniq}.example.com", no_such_field=1)
    errs = assert_json_error(api.post(CERTS, json=body))
    assert "no_such_field" in errs
    assert api.count() == before
    c = create(api, f"{uniq}-2.example.com")
    assert "no_such_field" in assert_json_error(api.patch(f"{CERTS}{c['id']}/", json={"no_such_field": 1}))


def test_read_only_fields_are_not_written(api, uniq):
    c = create(api, f"{uniq}.example.com")
    r = api.patch(f"{CERTS}{c['id']}/", json={"id": 424242, "created": "2000-01-01T00:00:00Z"})
    after = api.get(f"{CERTS}{c['id']}/").json()
    assert after["id"] == c["id"] and after["created"] == c["created"]
    assert r.status_code == 200, r.text  # read-only fields are ignored, as NetBox does


def test_valid_to_before_valid_from(api, uniq):
    before = api.count()
    body = cert_body(f"{uniq}.example.com", valid_from="2025-01-01T00:00:00Z", valid_to="2024-01-01T00:00:00Z")
    assert_json_error(api.post(CERTS, json=body))
    assert api.count() == before


def test_body_size_limit(api, uniq):
    before = api.count()
    # Exactly at the limit: a syntactically valid body is parsed (and refused for content, not size).
    body = json.dumps({"pem_content": "x"}).encode()
    at_limit = body[:-1] + b" " * (BODY_LIMIT - len(body)) + b"}"
    assert len(at_limit) == BODY_LIMIT
    r = post_raw(api, IMPORT, at_limit)
    assert r.status_code == 400, r.status_code
    assert "pem_content" in r.json()
    over = at_limit[:-1] + b" }"
    try:
        r = post_raw(api, CERTS, over)
    except requests.exceptions.ConnectionError:
        pytest.fail("server closed the connection instead of answering 413")
    body = assert_json_error(r, 413)
    assert "detail" in body
    assert api.count() == before
    # The server is still fine afterwards.
    assert api.get(CERTS, params={"limit": 1}).status_code == 200


def test_bulk_body_items_wrong_type(api):
    before = api.count()
    assert_json_error(api.post(CERTS, json=[cert_body("a.example.com"), 5]))
    assert_json_error(api.patch(CERTS, json=[5]))
    assert_json_error(api.delete(CERTS, json=[{"id": "one"}]))
    assert_json_error(api.delete(CERTS, json={"id": 1}))
    assert api.count() == before


def test_empty_bulk_lists(api):
    r = api.post(CERTS, json=[])
    assert r.status_code == 400, r.text  # an empty bulk list is refused with a message
    r = api.delete(CERTS, json=[])
    assert r.status_code == 400, r.text
