"""Issue 13, item 2: lenient where users paste, strict where the reference validates.

- fingerprint_sha256 with or without colons, any case, stored as upper-case colon hex;
- serial_number filters and q match a serial with or without colons and leading zeros;
- acme_challenge_type in any case ("DNS-01", as seed 004 writes it);
- acme_provider takes seed 004's free-text names (known providers become the enum value);
- acme_server_url must be an http(s) URL and acme_account_email an e-mail address."""

import json
import secrets

import pytest

import ckcerts
from ckapi import CERTS, cert_body, create


def post(api, uniq, **over):
    return api.post(CERTS, json=cert_body(f"{uniq}.example.com", **over))


# ---- fingerprint ---------------------------------------------------------------------------

@pytest.mark.parametrize("form", [str.lower, str.upper, lambda h: ":".join(h[i:i + 2] for i in range(0, 64, 2)).lower()])
def test_fingerprint_any_spelling_is_stored_canonical(api, uniq, form):
    raw = secrets.token_bytes(32)
    r = post(api, uniq, fingerprint_sha256=form(raw.hex()))
    assert r.status_code == 201, r.text
    assert r.json()["fingerprint_sha256"] == ckcerts.colon_hex(raw)
    # PATCH takes the same spellings
    raw2 = secrets.token_bytes(32)
    r = api.patch(f"{CERTS}{r.json()['id']}/", json={"fingerprint_sha256": raw2.hex()})
    assert r.status_code == 200 and r.json()["fingerprint_sha256"] == ckcerts.colon_hex(raw2)


def test_fingerprint_duplicate_in_another_spelling_is_refused(api, uniq):
    raw = secrets.token_bytes(32)
    assert post(api, uniq, fingerprint_sha256=ckcerts.colon_hex(raw)).status_code == 201
    r = post(api, uniq + "b", fingerprint_sha256=raw.hex())
    assert r.status_code == 400 and "fingerprint_sha256" in r.json()


@pytest.mark.parametrize("bad", [
    "ab" * 31 + "a",                       # 63 digits
    "ab" * 32 + "a",                       # 65 digits
    "ab" * 33,                             # 33 bytes
    "a:b" + "ab" * 31,                     # colon inside a byte
    ":".join(["ab"] * 32) + ":",           # trailing colon
    "ab::" + ":".join(["ab"] * 31),        # doubled colon
    "zz" * 32,                             # not hex
    "ab " * 32,                            # spaces
])
def test_fingerprint_that_is_not_32_bytes_is_refused(api, uniq, bad):
    r = post(api, uniq, fingerprint_sha256=bad)
    assert r.status_code == 400
    assert r.json() == {"fingerprint_sha256": ["Enter the SHA-256 fingerprint as 32 hex bytes, with or without colons."]}


def test_fingerprint_without_colons_in_a_data_import_row(api, uniq):
    raw = secrets.token_bytes(32)
    row = cert_body(f"{uniq}.example.com", fingerprint_sha256=raw.hex())
    r = api.post(CERTS + "bulk-data-import/", json={"format": "json", "content": json.dumps([row])})
    assert r.status_code == 201, r.text
    [c] = r.json()["certificates"]
    assert api.get(f"{CERTS}{c['id']}/").json()["fingerprint_sha256"] == ckcerts.colon_hex(raw)


# ---- serial_number filter and q ------------------------------------------------------------

@pytest.fixture
def serial_pair(api, uniq):
    """Two certificates whose serials start with a zero nibble (stored "0A:BC:..")."""
    out = []
    for tag in ("a", "b"):
        raw = bytes([secrets.randbelow(15) + 1]) + secrets.token_bytes(9)
        c = create(api, f"{uniq}-{tag}.example.com", serial_number=raw.hex())
        assert c["serial_number"] == ckcerts.colon_hex(raw)  # stored padded, colon hex
        out.append((c, raw.hex().upper()))
    return out


def spellings(h):
    """The ways users write the serial whose zero-padded hex is h ("0ABCDE...")."""
    unpadded = h.lstrip("0")
    return {
        "stored": ":".join(h[i:i + 2] for i in range(0, len(h), 2)),
        "no colons, lower": h.lower(),
        "no leading zero": unpadded,
        "extra leading zeros": "000" + h,
        # the reference's own format: no zero padding, 2-character groups from the left
        "reference": ":".join(unpadded[i:i + 2] for i in range(0, len(unpadded), 2)),
        "middle part, no colons": h[5:13],
    }


@pytest.mark.parametrize("param", ["serial_number", "q"])
def test_serial_in_any_spelling_finds_the_certificate(api, uniq, serial_pair, param):
    (a, ha), (b, hb) = serial_pair
    for how, value in spellings(ha).items():
        got = [o["id"] for o in api.get(CERTS, params={param: value, "common_name__ic": uniq}).json()["results"]]
        assert got == [a["id"]], (how, value)
    # repeated values OR together
    got = api.get(CERTS, params={"serial_number": [ha.lower(), hb.lower()], "common_name__ic": uniq}).json()
    assert {o["id"] for o in got["results"]} == {a["id"], b["id"]}


@pytest.mark.parametrize("value", ["%", "_", "xyz", "0A:BC%", " "])
def test_serial_filter_values_that_are_no_serial_match_nothing(api, uniq, serial_pair, value):
    assert api.count(serial_number=value, common_name__ic=uniq) == 0


def test_serial_filter_lookups_still_work(api, uniq, serial_pair):
    (a, ha), _ = serial_pair
    stored = a["serial_number"]
    assert api.count(serial_number__ie=stored.lower(), common_name__ic=uniq) == 1
    assert api.count(serial_number__isw=stored[:5], common_name__ic=uniq) == 1
    assert api.count(serial_number__n=stored, common_name__ic=uniq) == 1


# ---- acme_challenge_type -------------------------------------------------------------------

@pytest.mark.parametrize("sent,stored", [("DNS-01", "dns-01"), ("HTTP-01", "http-01"), ("TLS-ALPN-01", "tls-alpn-01"),
                                         ("Dns-01", "dns-01"), ("dns-01", "dns-01")])
def test_challenge_type_any_case(api, uniq, sent, stored):
    r = post(api, uniq, is_acme=True, acme_challenge_type=sent)
    assert r.status_code == 201, r.text
    assert r.json()["acme_challenge_type"] == stored


def test_unknown_challenge_type_is_still_refused(api, uniq):
    r = post(api, uniq, acme_challenge_type="DNS-02")
    assert r.status_code == 400 and list(r.json()) == ["acme_challenge_type"]


# ---- acme_provider -------------------------------------------------------------------------

@pytest.mark.parametrize("sent,stored", [
    ("Let's Encrypt", "letsencrypt"), ("LetsEncrypt", "letsencrypt"), ("letsencrypt", "letsencrypt"),
    ("Let's Encrypt (Staging)", "letsencrypt_staging"), ("ZeroSSL", "zerossl"), ("Buypass", "buypass"),
    ("Google Trust Services", "google"), ("DigiCert", "digicert"), ("Sectigo", "sectigo"), ("Other", "other"),
    ("Smallstep step-ca", "Smallstep step-ca"), ("  Internal ACME  ", "Internal ACME"), ("", ""),
])
def test_provider_names_from_seed_004(api, uniq, sent, stored):
    r = post(api, uniq, is_acme=True, acme_provider=sent)
    assert r.status_code == 201, r.text
    assert r.json()["acme_provider"] == stored


def test_free_text_provider_is_filterable_and_options_keep_the_choices(api, uniq):
    c = create(api, f"{uniq}.example.com", is_acme=True, acme_provider=f"Step CA {uniq}")
    got = api.get(CERTS, params={"acme_provider": f"Step CA {uniq}"}).json()["results"]
    assert [o["id"] for o in got] == [c["id"]]
    choices = api.options(CERTS).json()["actions"]["POST"]["acme_provider"]["choices"]
    assert {x["value"] for x in choices} >= {"letsencrypt", "zerossl", "google", "other"}


def test_provider_length_limit(api, uniq):
    assert post(api, uniq, acme_provider="p" * 100).status_code == 201
    r = post(api, uniq + "x", acme_provider="p" * 101)
    assert r.status_code == 400 and list(r.json()) == ["acme_provider"]


# ---- acme_server_url and acme_account_email --------------------------------------------------

@pytest.mark.parametrize("url", ["https://acme-v02.api.letsencrypt.org/directory", "http://127.0.0.1:14000/dir",
                                 "HTTPS://ca.internal.example/acme/acme/directory", "https://[::1]:8443/dir", ""])
def test_server_url_accepted(api, uniq, url):
    r = post(api, uniq, acme_server_url=url)
    assert r.status_code == 201, r.text
    assert r.json()["acme_server_url"].lower() == url.lower()


@pytest.mark.parametrize("url", ["not a url", "acme-v02.api.letsencrypt.org/directory", "ftp://example.com/dir",
                                 "https://", "https:///dir", "https://exa mple.com/", "javascript:alert(1)",
                                 "https://:443/dir"])
def test_server_url_refused(api, uniq, url):
    r = post(api, uniq, acme_server_url=url)
    assert r.status_code == 400
    assert r.json() == {"acme_server_url": ["Enter a valid URL."]}


def test_server_url_length_limit(api, uniq):
    base = "https://acme.example.com/"
    assert post(api, uniq, acme_server_url=base + "d" * (500 - len(base))).status_code == 201
    r = post(api, uniq + "x", acme_server_url=base + "d" * (501 - len(base)))
    assert r.status_code == 400 and list(r.json()) == ["acme_server_url"]


@pytest.mark.parametrize("email", ["acme@example.com", "ops+le@sub.example.co.uk", "root@localhost", ""])
def test_account_email_accepted(api, uniq, email):
    r = post(api, uniq, acme_account_email=email)
    assert r.status_code == 201, r.text
    assert r.json()["acme_account_email"] == email


@pytest.mark.parametrize("email", ["nope", "@example.com", "a@b", "a@@example.com", "a b@example.com",
                                   "a@example..com", "a@-example.com", "a@example.com.", "a@exa_mple.com"])
def test_account_email_refused(api, uniq, email):
    r = post(api, uniq, acme_account_email=email)
    assert r.status_code == 400
    assert r.json() == {"acme_account_email": ["Enter a valid email address."]}


def test_one_400_names_every_bad_acme_field(api, uniq):
    r = post(api, uniq, acme_server_url="not a url", acme_account_email="nope", acme_challenge_type="dns-99")
    assert r.status_code == 400
    assert set(r.json()) == {"acme_server_url", "acme_account_email", "acme_challenge_type"}
