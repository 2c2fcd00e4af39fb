"""Issue 13, items 2-3: seed 004 ("How-to: Track ACME-Managed Certificates") with its own
spellings, and its renewal_status (ok | due | expired | manual) beside acme_renewal_status.

Seed 004: "For ACME certificates, the plugin computes a renewal_status":
OK = valid, not yet in the renewal window; Due = within the renewal window (acme_renewal_days
days before valid_to); Expired = past valid_to (the ACME client failed to renew); Manual =
auto-renewal not configured. The commands of the walkthrough are written out below."""

import pytest

import ckcerts
from ckapi import CERTS, cert_body, create, import_pem


def ids(api, **params):
    return {o["id"] for o in api.get(CERTS, params={**params, "limit": 1000}).json()["results"]}


@pytest.fixture
def fleet(api, uniq):
    """One certificate per renewal_status, plus a certificate that is not ACME-managed."""
    acme = {"is_acme": True, "acme_provider": "Let's Encrypt", "acme_renewal_days": 30}
    return {
        "ok": create(api, f"{uniq}-ok.example.com", days_left=60, acme_auto_renewal=True, **acme),
        "due": create(api, f"{uniq}-due.example.com", days_left=20, acme_auto_renewal=True, **acme),
        "expired": create(api, f"{uniq}-expired.example.com", days_left=-3, acme_auto_renewal=True, **acme),
        "manual": create(api, f"{uniq}-manual.example.com", days_left=60, acme_auto_renewal=False, **acme),
        None: create(api, f"{uniq}-plain.example.com", days_left=60),
    }


def test_renewal_status_beside_acme_renewal_status(api, fleet):
    for want, c in fleet.items():
        got = api.get(f"{CERTS}{c['id']}/").json()
        assert got["renewal_status"] == want, got["common_name"]
        assert got["acme_renewal_status"] == (want or "not_acme")


def test_renewal_status_window_follows_acme_renewal_days(api, uniq):
    c = create(api, f"{uniq}.example.com", days_left=20, is_acme=True, acme_auto_renewal=True, acme_renewal_days=10)
    assert c["renewal_status"] == "ok"
    r = api.patch(f"{CERTS}{c['id']}/", json={"acme_renewal_days": 20})
    assert r.json()["renewal_status"] == "due"


@pytest.mark.parametrize("values,want", [
    (["ok"], {"ok"}), (["due"], {"due"}), (["expired"], {"expired"}), (["manual"], {"manual"}),
    (["Expired"], {"expired"}),           # the seed's Event Rule spelling: renewal_status == "Expired"
    (["Due", "OK"], {"due", "ok"}),       # repeated values OR together
])
def test_renewal_status_filter(api, uniq, fleet, values, want):
    got = ids(api, renewal_status=values, common_name__ic=uniq)
    assert got == {fleet[k]["id"] for k in want}


@pytest.mark.parametrize("value", ["not_acme", "bogus", ""])
def test_renewal_status_filter_refuses_other_values(api, value):
    r = api.get(CERTS, params={"renewal_status": value})
    assert r.status_code == 400 and "renewal_status" in r.json()


def test_renewal_status_in_brief_free_full_and_fields(api, fleet):
    c = fleet["due"]
    assert "renewal_status" not in api.get(f"{CERTS}{c['id']}/", params={"brief": "true"}).json()
    assert api.get(f"{CERTS}{c['id']}/", params={"fields": "id,renewal_status"}).json() == {
        "id": c["id"], "renewal_status": "due"}


def test_seed_004_walkthrough(api, uniq):
    # "Auto-detection on import": a certificate issued by Let's Encrypt
    le_root, _ = ckcerts.make_cert(subject=ckcerts.name(cn=f"R3 {uniq}", o="Let's Encrypt", c="US"), sans=[], is_ca=True)
    le_key = ckcerts.ec_key()
    leaf, _ = ckcerts.make_cert(cn=f"www.{uniq}.example.com", issuer_cert=le_root, issuer_key=le_key,
                                key=ckcerts.ec_key("secp256r1", 3))
    auto = import_pem(api, ckcerts.pem(leaf))
    assert auto["is_acme"] is True and auto["acme_provider"] == "letsencrypt"

    # "Manually marking a certificate as ACME": Edit, tick Is ACME and fill in the fields,
    # spelled as the seed spells them
    manual = create(api, f"internal.{uniq}.example.com", days_left=20, issuer="CN=Internal ACME CA, O=Example")
    assert manual["is_acme"] is False
    r = api.patch(f"{CERTS}{manual['id']}/", json={
        "is_acme": True,
        "acme_provider": "Smallstep",                      # free-text name
        "acme_account_email": "acme-admin@example.com",
        "acme_challenge_type": "DNS-01",                   # "HTTP-01, DNS-01, or TLS-ALPN-01"
        "acme_server_url": "https://acme-v02.api.letsencrypt.org/directory",
        "acme_auto_renewal": True,
        "acme_renewal_days": 30,
    })
    assert r.status_code == 200, r.text
    m = r.json()
    assert (m["acme_provider"], m["acme_challenge_type"], m["acme_account_email"]) == (
        "Smallstep", "dns-01", "acme-admin@example.com")
    assert m["acme_server_url"] == "https://acme-v02.api.letsencrypt.org/directory"
    # 20 days left inside a 30-day window: Due
    assert m["renewal_status"] == "due" and m["acme_renewal_due"] is True

    # a provider the seed names in its introduction, in its own spelling
    r = api.patch(f"{CERTS}{auto['id']}/", json={"acme_provider": "Google Trust Services",
                                                 "acme_challenge_type": "TLS-ALPN-01"})
    assert r.status_code == 200 and r.json()["acme_provider"] == "google"
    assert r.json()["acme_challenge_type"] == "tls-alpn-01"
    # auto-renewal not configured upstream: Manual
    assert r.json()["renewal_status"] == "manual"

    # "Filtering ACME certificates": Is ACME, ACME Provider, Auto-Renewal
    assert ids(api, is_acme="true", common_name__ic=uniq) == {auto["id"], manual["id"]}
    assert ids(api, acme_provider="Smallstep", common_name__ic=uniq) == {manual["id"]}
    assert ids(api, acme_provider="google", common_name__ic=uniq) == {auto["id"]}
    assert ids(api, is_acme="true", acme_auto_renewal="false", common_name__ic=uniq) == {auto["id"]}
    # "Due and Expired statuses are good candidates for alerting"
    assert ids(api, renewal_status=["Due", "Expired"], common_name__ic=uniq) == {manual["id"]}

    # a typo in the account e-mail or server URL is refused, not stored
    r = api.patch(f"{CERTS}{manual['id']}/", json={"acme_account_email": "acme-admin", "acme_server_url": "acme-v02"})
    assert r.status_code == 400
    assert r.json() == {"acme_account_email": ["Enter a valid email address."], "acme_server_url": ["Enter a valid URL."]}
    assert api.get(f"{CERTS}{manual['id']}/").json()["acme_account_email"] == "acme-admin@example.com"


def test_renewal_status_is_documented_in_options(api):
    fields = api.options(CERTS).json()["actions"]["POST"]
    assert "renewal_status" in fields and fields["renewal_status"]["read_only"] is True


def test_bad_body_is_not_created(api, uniq):
    before = api.count(common_name__ic=uniq)
    r = api.post(CERTS, json=cert_body(f"{uniq}.example.com", acme_account_email="nope"))
    assert r.status_code == 400
    assert api.count(common_name__ic=uniq) == before
