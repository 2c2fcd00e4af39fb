"""Compliance: policies, checks, single and bulk runs, the report with its exports, trend
snapshots (API and the sweep), and the seed's compliance curl examples run verbatim.

The seed examples name fixed ids (certificate 1, policies 1..3), so they run against a FRESH
server of their own (module fixture `fresh`). Tests on the shared session server scope every
policy they create to a tag or tenant of their own, so runs and counts stay independent.
"""

import datetime as dt
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import ckcerts
from ckapi import CERTS, PLUGIN, cert_body, create, import_pem
from conftest import BIN, _start, new_db_url, run_cli, sanitizer_report

POLICIES = PLUGIN + "compliance-policies/"
CHECKS = PLUGIN + "compliance-checks/"
REPORT = PLUGIN + "compliance-report/"
SNAPSHOT = REPORT + "snapshot/"
TREND = PLUGIN + "compliance-trend/"
BULK = CERTS + "bulk-compliance-check/"
TENANTS = "/api/tenancy/tenants/"
TAGS = "/api/extras/tags/"
SEED = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "001_compliance_curls.sh"
TYPES = [
    "min_key_size", "max_validity_days", "algorithm_allowed", "algorithm_forbidden", "expiry_warning",
    "chain_required", "san_required", "wildcard_forbidden", "issuer_allowed", "issuer_forbidden",
]


def check_url(cert_id):
    return f"{CERTS}{cert_id}/compliance-check/"


def make(api, path, **body):
    r = api.post(path, json=body)
    assert r.status_code == 201, (path, r.text)
    return r.json()


def tag(api, uniq, n=""):
    return make(api, TAGS, name=f"{uniq}{n}", slug=f"{uniq}{n}")


def tenant(api, uniq, n=""):
    return make(api, TENANTS, name=f"{uniq}{n}", slug=f"{uniq}{n}")


def policy(api, name, policy_type, tags, **kw):
    """A policy scoped to `tags` (tag ids) so it never applies to other tests' certificates."""
    return make(api, POLICIES, name=name, policy_type=policy_type, tag_filter=tags, **kw)


def run(api, cert_id, **body):
    r = api.post(check_url(cert_id), json=body)
    assert r.status_code == 200, r.text
    return r.json()


# ---- the seed's curl examples, verbatim, on a fresh server ---------------------------------------


def seed_curls():
    """Every `curl` command of the seed's compliance sections, as written: from a line starting
    with `curl` to the first line that ends outside quotes without a continuation backslash."""
    cmds, cur = [], None
    for line in SEED.read_text().splitlines():
        if cur is None and not line.startswith("curl "):
            continue
        cur = line if cur is None else cur + "\n" + line
        if cur.count("'") % 2 == 0 and not line.endswith("\\"):
            cmds.append(cur)
            cur = None
    return [c for c in cmds if "compliance" in c]


@pytest.fixture(scope="module")
def fresh():
    tmp = tempfile.mkdtemp(prefix="ck-compl-")
    db = new_db_url(tmp, "compliance")
    run_cli("user", "create", "admin", "--superuser", "--db", db)
    token = run_cli("token", "create", "--user", "admin", "--db", db).strip().splitlines()[-1]
    proc, base, err_path = _start(tmp, db)
    yield base, token, db
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(30)
    stderr = pathlib.Path(err_path).read_text(errors="replace")
    assert rc == 0 and not sanitizer_report(stderr), stderr
    shutil.rmtree(tmp, ignore_errors=True)


def curl(cmd, base, token):
    """Runs a seed curl command unchanged but for host and token; returns the parsed JSON."""
    assert shutil.which("curl"), "curl is needed for the seed examples"
    p = subprocess.run(
        ["bash", "-c", cmd.replace("http://localhost:8000", base) + " -sS -w '\\n%{http_code}'"],
        env={**os.environ, "TOKEN": token}, capture_output=True, text=True, timeout=60,
    )
    assert p.returncode == 0, p.stderr
    body, _, status = p.stdout.rpartition("\n")
    return int(status), json.loads(body)


def test_seed_curl_examples(fresh):
    from conftest import Client

    base, token, _ = fresh
    api = Client(base, token)
    cmds = seed_curls()
    assert len(cmds) == 10, cmds  # 2 single runs, 1 bulk, 4 policies, 3 filters
    policy_cmds = [c for c in cmds if c.rstrip().endswith("compliance-policies/") and "-X POST" in c]
    assert len(policy_cmds) == 4
    made = []
    for c in policy_cmds:
        status, body = curl(c, base, token)
        assert status == 201, body
        made.append(body)
    assert [p["id"] for p in made] == [1, 2, 3, 4]
    assert made[0]["name"] == "Min Key Size 2048" and made[0]["parameters"] == {"min_bits": 2048}
    assert made[2]["parameters"] == {"algorithms": ["dsa"]} and made[3]["parameters"] == {}
    assert made[0]["severity"] == "critical" and made[0]["enabled"] is True and made[0]["tag_filter"] == []
    make(api, POLICIES, name="SAN Required", policy_type="san_required")  # 5th: the seed's 5 checks
    # certificate 1: 4096-bit RSA expiring in 15 days (the seed's response)
    c1 = create(api, "example.com", days_left=15, algorithm="rsa", key_size=4096, sans=["example.com"])
    assert c1["id"] == 1
    single = [c for c in cmds if "/certificates/1/compliance-check/" in c]
    status, body = curl(single[0], base, token)
    assert status == 200, body
    assert {k: body[k] for k in ("certificate_id", "certificate_name", "total_checks", "passed", "failed",
                                 "compliance_score")} == {
        "certificate_id": 1, "certificate_name": "example.com", "total_checks": 5, "passed": 4, "failed": 1,
        "compliance_score": 80.0}
    by_policy = {c["policy"]["id"]: c for c in body["checks"]}
    assert by_policy[1]["policy"]["name"] == "Min Key Size 2048" and by_policy[1]["policy"]["policy_type"] == "min_key_size"
    assert {k: by_policy[1][k] for k in ("result", "message", "checked_value", "expected_value")} == {
        "result": "pass", "message": "Key size 4096 bits meets minimum requirement of 2048 bits",
        "checked_value": "4096 bits", "expected_value": ">= 2048 bits"}
    assert {k: by_policy[2][k] for k in ("result", "message", "checked_value", "expected_value")} == {
        "result": "fail", "message": "Certificate expires in 15 days (threshold: 30)",
        "checked_value": "15 days", "expected_value": "> 30 days"}
    status, body = curl(single[1], base, token)  # policy_ids [1, 2, 3]
    assert status == 200 and body["total_checks"] == 3 and body["passed"] == 2
    assert sorted(c["policy"]["id"] for c in body["checks"]) == [1, 2, 3]
    # bulk: certificates 1..5; 2 and 3 fail the expiry policy
    api.patch(f"{CERTS}1/", json={"valid_to": ckcerts.iso(ckcerts.now() + dt.timedelta(days=200))})
    for i, cn in enumerate(["api.example.com", "www.example.com", "a.example.com", "b.example.com"], start=2):
        c = create(api, cn, days_left=15 if i in (2, 3) else 365, algorithm="rsa", key_size=2048)
        assert c["id"] == i
    (bulk,) = [c for c in cmds if "bulk-compliance-check" in c]
    status, body = curl(bulk, base, token)
    assert status == 200, body
    assert {k: body[k] for k in ("total_certificates", "processed", "missing_ids", "overall_passed",
                                 "overall_failed", "overall_score")} == {
        "total_certificates": 5, "processed": 5, "missing_ids": [], "overall_passed": 8, "overall_failed": 2,
        "overall_score": 80.0}
    assert body["reports"][:2] == [
        {"certificate_id": 1, "certificate_name": "example.com", "total_checks": 2, "passed": 2, "failed": 0,
         "compliance_score": 100.0},
        {"certificate_id": 2, "certificate_name": "api.example.com", "total_checks": 2, "passed": 1, "failed": 1,
         "compliance_score": 50.0},
    ]
    # the filter examples
    fails, critical, enabled = [c for c in cmds if "compliance-checks/?" in c or "?enabled=" in c]
    status, body = curl(fails, base, token)
    assert status == 200 and body["count"] == 2 and all(c["result"] == "fail" for c in body["results"])
    status, body = curl(critical, base, token)
    assert status == 200 and body["count"] == 0  # the failures are of the warning policy
    api.patch(f"{POLICIES}1/", json={"parameters": {"min_bits": 3000}})
    run(api, 2, policy_ids=[1])
    status, body = curl(critical, base, token)
    assert status == 200 and body["count"] == 1 and body["results"][0]["severity"] == "critical"
    api.patch(f"{POLICIES}3/", json={"enabled": False})
    status, body = curl(enabled, base, token)
    assert status == 200 and body["count"] == 4 and 3 not in [p["id"] for p in body["results"]]


# ---- policies ---------------------------------------------------------------------------------------


def test_policy_crud_validation_and_filters(api, ro_api, uniq):
    t1, t2 = tag(api, uniq, "a"), tag(api, uniq, "b")
    ten = tenant(api, uniq)
    p = policy(api, f"{uniq} keys", "min_key_size", [t2["id"], t1["id"]], parameters={"min_bits": 3072},
               severity="critical", tenant=ten["id"], description=f"desc {uniq}")
    assert sorted(p["tag_filter"]) == sorted([t1["id"], t2["id"]]) and p["check_count"] == 0
    assert p["tenant"]["id"] == ten["id"] and p["display"] == f"{uniq} keys" and p["enabled"] is True
    brief = api.get(f"{POLICIES}{p['id']}/", params={"brief": "true"}).json()
    assert set(brief) == {"id", "url", "display", "name", "policy_type", "severity", "enabled"}
    defaults = policy(api, f"{uniq} defaults", "chain_required", [t1["id"]])
    assert defaults["severity"] == "warning" and defaults["parameters"] == {} and defaults["enabled"] is True
    bad = [
        ({"name": f"{uniq} x", "policy_type": "rot13"}, "policy_type"),
        ({"name": f"{uniq} x", "policy_type": "min_key_size", "severity": "fatal"}, "severity"),
        ({"name": f"{uniq} keys", "policy_type": "min_key_size"}, "name"),
        ({"name": "n" * 101, "policy_type": "min_key_size"}, "name"),
        ({"name": " ", "policy_type": "min_key_size"}, "name"),
        ({"name": f"{uniq} x", "policy_type": "min_key_size", "parameters": {"min_bits": "2048"}}, "parameters"),
        ({"name": f"{uniq} x", "policy_type": "min_key_size", "parameters": {"min_bits": 1000001}}, "parameters"),
        ({"name": f"{uniq} x", "policy_type": "issuer_allowed", "parameters": {"issuers": "DigiCert"}}, "parameters"),
        ({"name": f"{uniq} x", "policy_type": "issuer_allowed", "parameters": {"issuers": ["i"] * 101}}, "parameters"),
        ({"name": f"{uniq} x", "policy_type": "min_key_size", "parameters": [1]}, "parameters"),
        ({"name": f"{uniq} x", "policy_type": "min_key_size", "tag_filter": [999999999]}, "tag_filter"),
        ({"name": f"{uniq} x", "policy_type": "min_key_size", "tag_filter": list(range(1, 102))}, "tag_filter"),
        ({"name": f"{uniq} x", "policy_type": "min_key_size", "tag_filter": ["a"]}, "tag_filter"),
        ({"name": f"{uniq} x"}, "policy_type"),
    ]
    for body, field in bad:
        r = api.post(POLICIES, json=body)
        assert r.status_code == 400 and field in r.json(), (body, r.text)
    r = api.post(POLICIES, json={"name": f"{uniq} limit", "policy_type": "issuer_allowed", "tag_filter": [t1["id"]],
                                 "parameters": {"issuers": ["i" * 255] * 100}})
    assert r.status_code == 201, r.text
    limit = r.json()
    assert api.count(POLICIES, q=uniq) == 3
    # PATCH: keys a type does not read are kept; the type alone re-checks the stored parameters
    r = api.patch(f"{POLICIES}{p['id']}/", json={"parameters": {"min_bits": 3072, "issuers": "DigiCert"}})
    assert r.status_code == 200, r.text
    r = api.patch(f"{POLICIES}{p['id']}/", json={"policy_type": "issuer_allowed"})
    assert r.status_code == 400 and "parameters" in r.json()
    r = api.patch(f"{POLICIES}{p['id']}/", json={"parameters": {"max_days": 90}, "policy_type": "max_validity_days",
                                                  "tag_filter": [t1["id"]]})
    assert r.status_code == 200 and r.json()["tag_filter"] == [t1["id"]] and r.json()["parameters"] == {"max_days": 90}
    assert ro_api.post(POLICIES, json={"name": f"{uniq} ro", "policy_type": "min_key_size"}).status_code == 403
    # filters
    assert api.count(POLICIES, q=f"desc {uniq}") == 1
    assert api.count(POLICIES, name=f"{uniq} keys") == 1
    assert api.count(POLICIES, q=uniq, policy_type="chain_required") == 1
    assert api.count(POLICIES, q=uniq, severity="critical") == 1
    assert api.count(POLICIES, q=uniq, enabled="true") == 3 and api.count(POLICIES, q=uniq, enabled="false") == 0
    assert api.count(POLICIES, tenant_id=ten["id"]) == 1
    assert api.count(POLICIES, tenant=uniq[2:8]) == 1  # tenant name contains
    assert api.get(POLICIES, params={"policy_type": "bogus"}).status_code == 400
    assert api.count(POLICIES, tag=t1["slug"]) == 0  # `tag` is the policy's own tags, not tag_filter
    opts = api.options(POLICIES).json()["actions"]["POST"]
    assert [c["value"] for c in opts["policy_type"]["choices"]] == TYPES
    assert [c["value"] for c in opts["severity"]["choices"]] == ["critical", "warning", "info"]
    # deleting a tag drops it from the filter (as a NetBox M2M does: the policy widens, so the
    # other policies filtered on it go first here); deleting a policy deletes its checks
    for other in (defaults, limit):
        assert api.delete(f"{POLICIES}{other['id']}/").status_code == 204
    assert api.delete(f"{TAGS}{t1['id']}/").status_code == 204
    assert api.get(f"{POLICIES}{p['id']}/").json()["tag_filter"] == []
    assert api.delete(f"{POLICIES}{p['id']}/").status_code == 204
    assert api.get(f"{POLICIES}{p['id']}/").status_code == 404
    changes = api.get("/api/core/object-changes/", params={"changed_object_type": "netbox_ssl.compliancepolicy",
                                                            "changed_object_id": p["id"]}).json()["results"]
    assert {c["action"] for c in changes} >= {"create", "update", "delete"}


def test_name_contains_filters_take_wildcards_literally(api, uniq):
    """`tenant=` / `policy=` / `certificate=` are case-insensitive contains (NetBox icontains):
    '_' and '%' in the value match themselves, not any character / any text."""
    t1 = make(api, TENANTS, name=f"{uniq}A_b", slug=f"{uniq}-w1")
    t2 = make(api, TENANTS, name=f"{uniq}axb", slug=f"{uniq}-w2")
    x = tag(api, uniq)
    policy(api, f"{uniq} t1", "chain_required", [x["id"]], tenant=t1["id"])  # never applies here
    policy(api, f"{uniq} t2", "chain_required", [x["id"]], tenant=t2["id"])
    p1 = policy(api, f"{uniq} 50%_off", "chain_required", [x["id"]])
    policy(api, f"{uniq} 50x off", "chain_required", [x["id"]])
    assert api.count(POLICIES, tenant=f"{uniq}a_b") == 1
    assert api.count(POLICIES, tenant=f"{uniq}%b") == 0
    c = create(api, f"{uniq}_c.example.com", tags=[x["id"]])
    create(api, f"{uniq}xc.example.com", tags=[x["id"]])
    for cert in api.get(CERTS, params={"q": uniq}).json()["results"]:
        run(api, cert["id"])
    assert api.count(CHECKS, policy=f"{uniq} 50%_") == 2  # p1 on both certificates
    assert api.count(CHECKS, policy=f"{uniq} 50") == 4
    assert api.count(CHECKS, certificate=f"{uniq}_c") == 2  # c against both policies
    assert api.count(CHECKS, certificate=f"{uniq}_") == 2
    assert {k["certificate"]["id"] for k in api.get(CHECKS, params={"certificate": f"{uniq}_c"}).json()["results"]} == {c["id"]}
    assert {k["policy"]["id"] for k in api.get(CHECKS, params={"policy": "50%_OFF", "certificate": uniq}).json()["results"]} == {p1["id"]}


# ---- runs -------------------------------------------------------------------------------------------


def test_applicability_tenant_tags_enabled(api, uniq):
    x, y = tag(api, uniq, "x"), tag(api, uniq, "y")
    ta, tb = tenant(api, uniq, "a"), tenant(api, uniq, "b")
    c = create(api, f"{uniq}.example.com", tenant=ta["id"], tags=[x["id"]])
    pa = policy(api, f"{uniq} tenant a", "min_key_size", [x["id"]], tenant=ta["id"], parameters={"min_bits": 256})
    pb = policy(api, f"{uniq} tenant b", "min_key_size", [x["id"]], tenant=tb["id"])
    px = policy(api, f"{uniq} tag x", "san_required", [x["id"]])
    policy(api, f"{uniq} tags x+y", "san_required", [x["id"], y["id"]])
    off = policy(api, f"{uniq} off", "san_required", [x["id"]], enabled=False)
    body = run(api, c["id"], policy_ids=[])  # [] means "not given"
    assert {ch["policy"]["id"] for ch in body["checks"]} == {pa["id"], px["id"]}
    assert body["total_checks"] == 2 and body["passed"] == 2 and body["compliance_score"] == 100.0
    # explicit ids: enabled ones, no scope (reference); unknown ids are ignored
    body = run(api, c["id"], policy_ids=[pb["id"], off["id"], 999999999])
    assert [ch["policy"]["id"] for ch in body["checks"]] == [pb["id"]]
    assert body["checks"][0]["result"] == "fail" and body["checks"][0]["message"] == \
        "Key size 256 bits is below minimum requirement of 2048 bits"
    assert body["compliance_score"] == 0.0
    # a certificate no policy applies to
    other = create(api, f"{uniq}-none.example.com")
    body = run(api, other["id"], policy_ids=[pa["id"]])
    assert body["total_checks"] == 1
    body = api.post(check_url(other["id"])).json()  # no body at all
    assert body["total_checks"] == 0 or all(ch["policy"]["id"] not in (pa["id"], pb["id"], px["id"]) for ch in body["checks"])
    assert api.post(check_url(999999999), json={}).status_code == 404
    for bad in ({"policy_ids": "1"}, {"policy_ids": [0]}, {"policy_ids": ["a"]}, []):
        r = api.post(check_url(c["id"]), json=bad)
        assert r.status_code == 400, (bad, r.text)
    r = api.post(check_url(c["id"]), json={"policy_ids": list(range(1, 1002))})
    assert r.status_code == 400 and "policy_ids" in r.json()
    assert api.post(check_url(c["id"]), json={"policy_ids": list(range(1, 1001))}).status_code == 200
    assert api.get(check_url(c["id"])).status_code == 405


def test_upsert_refreshes_checked_at(api, uniq):
    x = tag(api, uniq)
    c = create(api, f"{uniq}.example.com", tags=[x["id"]])
    p = policy(api, f"{uniq} exp", "expiry_warning", [x["id"]])
    first = run(api, c["id"])["checks"][0]
    time.sleep(1.1)
    second = run(api, c["id"])["checks"][0]
    assert first["id"] == second["id"] and second["checked_at"] > first["checked_at"]
    assert second["created"] == first["created"]
    assert api.count(CHECKS, certificate_id=c["id"], policy_id=p["id"]) == 1
    assert api.get(f"{POLICIES}{p['id']}/").json()["check_count"] == 1


def test_every_policy_type_over_the_api(api, uniq):
    """One imported certificate (real X.509: DNS:-prefixed SANs) against all ten types."""
    x = tag(api, uniq)
    leaf, inter, root = ckcerts.make_chain(cn=f"{uniq}.example.com", sans=[f"{uniq}.example.com", f"*.{uniq}.example.com"],
                                           days=400)
    c = import_pem(api, ckcerts.pem(leaf) + ckcerts.pem(inter) + ckcerts.pem(root))
    api.patch(f"{CERTS}{c['id']}/", json={"tags": [x["id"]]})
    params = {
        "min_key_size": {"min_bits": 256}, "max_validity_days": {}, "algorithm_allowed": {"algorithms": ["ECDSA"]},
        "algorithm_forbidden": {"algorithms": ["rsa"]}, "expiry_warning": {"warning_days": 30},
        "chain_required": {}, "san_required": {"min_count": 2}, "wildcard_forbidden": {},
        "issuer_allowed": {"issuers": ["test pki"]}, "issuer_forbidden": {"issuers": ["Evil CA"]},
    }
    ids = {t: policy(api, f"{uniq} {t}", t, [x["id"]], parameters=params[t])["id"] for t in TYPES}
    body = run(api, c["id"])
    got = {ch["policy"]["policy_type"]: ch for ch in body["checks"]}
    assert set(got) == set(TYPES) and body["total_checks"] == 10
    assert got["max_validity_days"]["message"] == "Validity period of 400 days exceeds maximum of 397 days"
    assert got["wildcard_forbidden"]["result"] == "fail"  # the [QUIRK] fix: DNS:*.x is a wildcard
    assert got["wildcard_forbidden"]["message"] == f"Certificate contains wildcard domain(s): ['DNS:*.{uniq}.example.com']"
    assert got["chain_required"]["message"] == "Certificate chain is present with 2 certificate(s)"
    assert got["algorithm_allowed"]["message"] == "Algorithm 'ecdsa' is in allowed list: ['ECDSA']"
    assert got["issuer_allowed"]["message"] == "Issuer matches allowed pattern: test pki"
    failing = {t for t, ch in got.items() if ch["result"] == "fail"}
    assert failing == {"max_validity_days", "wildcard_forbidden"}
    assert body["passed"] == 8 and body["compliance_score"] == 80.0
    for ch in got.values():
        assert ch["is_passing"] == (ch["result"] == "pass") and ch["is_failing"] == (ch["result"] == "fail")
        assert ch["severity"] == "warning" and ch["certificate"]["id"] == c["id"]
        assert ch["certificate"]["common_name"] == f"{uniq}.example.com" and ch["certificate"]["serial_number"]
    # make both pass: raise the limit, drop the wildcard policy's scope out of reach
    api.patch(f"{POLICIES}{ids['max_validity_days']}/", json={"parameters": {"max_days": 400}})
    api.patch(f"{POLICIES}{ids['wildcard_forbidden']}/", json={"enabled": False})
    body = run(api, c["id"])
    assert body["total_checks"] == 9 and body["failed"] == 0 and body["compliance_score"] == 100.0


def test_bulk_compliance_check(api, ro_api, uniq):
    x = tag(api, uniq)
    ta, tb = tenant(api, uniq, "a"), tenant(api, uniq, "b")
    ca = create(api, f"{uniq}-a.example.com", tenant=ta["id"], tags=[x["id"]], days_left=10)
    cb = create(api, f"{uniq}-b.example.com", tenant=tb["id"], tags=[x["id"]])
    pa = policy(api, f"{uniq} a", "expiry_warning", [x["id"]], tenant=ta["id"])
    pg = policy(api, f"{uniq} g", "san_required", [x["id"]])
    body = api.post(BULK, json={"certificate_ids": [ca["id"], cb["id"], ca["id"], 999999999]}).json()
    assert body["total_certificates"] == 4 and body["processed"] == 2 and body["missing_ids"] == [999999999]
    assert body["overall_passed"] == 2 and body["overall_failed"] == 1 and body["overall_score"] == 66.7
    assert [(r["certificate_id"], r["total_checks"], r["passed"]) for r in body["reports"]] == [
        (ca["id"], 2, 1), (cb["id"], 1, 1)]
    # policy_ids are still scoped per certificate (tenant)
    body = api.post(BULK, json={"certificate_ids": [cb["id"]], "policy_ids": [pa["id"]]}).json()
    assert body["processed"] == 1 and body["reports"][0]["total_checks"] == 0 and body["overall_score"] == 0
    body = api.post(BULK, json={"certificate_ids": [ca["id"]], "policy_ids": [pg["id"]]}).json()
    assert body["overall_passed"] == 1 and body["overall_score"] == 100.0
    # cap: 100 passes, 101 is refused
    r = api.post(BULK, json={"certificate_ids": list(range(1, 102))})
    assert r.status_code == 400 and r.json() == {"detail": "Batch size exceeds maximum of 100 certificates."}
    assert api.post(BULK, json={"certificate_ids": list(range(900000000, 900000100))}).status_code == 200
    for bad, field in (({}, "certificate_ids"), ({"certificate_ids": []}, "certificate_ids"),
                       ({"certificate_ids": "1"}, "certificate_ids"), ({"certificate_ids": [1.5]}, "certificate_ids"),
                       ({"certificate_ids": [1], "policy_ids": 3}, "policy_ids")):
        r = api.post(BULK, json=bad)
        assert r.status_code == 400 and field in r.json(), (bad, r.text)
    assert api.post(BULK, json=[1]).status_code == 400
    assert ro_api.post(BULK, json={"certificate_ids": [ca["id"]]}).status_code == 403
    assert api.get(BULK).status_code == 405


# ---- the checks resource ------------------------------------------------------------------------------


def test_checks_resource(api, uniq):
    x = tag(api, uniq)
    c = create(api, f"{uniq}.example.com", tags=[x["id"]], days_left=5)
    crit = policy(api, f"{uniq} crit exp", "expiry_warning", [x["id"]], severity="critical")
    info = policy(api, f"{uniq} info san", "san_required", [x["id"]], severity="info")
    before = ckcerts.iso(ckcerts.now() - dt.timedelta(seconds=2))
    checks = run(api, c["id"])["checks"]
    after = ckcerts.iso(ckcerts.now() + dt.timedelta(seconds=2))
    fail = next(ch for ch in checks if ch["result"] == "fail")
    assert fail["display"] == f"{uniq}.example.com - {uniq} crit exp: fail"
    brief = api.get(f"{CHECKS}{fail['id']}/", params={"brief": "true"}).json()
    assert set(brief) == {"id", "url", "display", "result", "checked_at"}
    assert brief["display"] == fail["display"]
    assert set(fail["policy"]) >= {"id", "url", "display", "name", "policy_type", "severity", "enabled"}
    assert api.count(CHECKS, certificate_id=c["id"]) == 2
    assert api.count(CHECKS, certificate=uniq) == 2
    assert api.count(CHECKS, policy=f"{uniq} crit") == 1 and api.count(CHECKS, policy_id=info["id"]) == 1
    assert api.count(CHECKS, certificate_id=c["id"], result="fail") == 1
    assert api.count(CHECKS, certificate_id=c["id"], severity="critical", result="fail") == 1
    assert api.count(CHECKS, certificate_id=c["id"], severity="info", result="fail") == 0
    assert api.count(CHECKS, certificate_id=c["id"], is_passing="true") == 1
    assert api.count(CHECKS, q=f"{uniq}.example") == 2 and api.count(CHECKS, q="expires in 5 days", certificate_id=c["id"]) == 1
    assert api.count(CHECKS, certificate_id=c["id"], checked_after=before, checked_before=after) == 2
    assert api.count(CHECKS, certificate_id=c["id"], checked_after=after) == 0
    assert api.count(CHECKS, certificate_id=c["id"], checked_before=before) == 0
    for bad in ({"result": "maybe"}, {"severity": "fatal"}, {"checked_after": "yesterday"}):
        assert api.get(CHECKS, params=bad).status_code == 400, bad
    ordered = api.get(CHECKS, params={"certificate_id": c["id"], "ordering": "severity"}).json()["results"]
    assert [ch["severity"] for ch in ordered] == ["critical", "info"]
    # list, get and delete only
    assert api.post(CHECKS, json={"certificate": c["id"], "policy": crit["id"], "result": "pass"}).status_code == 405
    assert api.patch(f"{CHECKS}{fail['id']}/", json={"result": "pass"}).status_code == 405
    assert api.put(f"{CHECKS}{fail['id']}/", json={"result": "pass"}).status_code == 405
    assert api.delete(f"{CHECKS}{fail['id']}/").status_code == 204
    assert api.get(f"{CHECKS}{fail['id']}/").status_code == 404
    # deleting the certificate deletes its checks
    assert api.delete(f"{CERTS}{c['id']}/").status_code == 204
    assert api.count(CHECKS, policy_id=info["id"]) == 0


# ---- report, exports, snapshots, trend ----------------------------------------------------------------


def test_report_exports_snapshots_and_trend(api, ro_api, server, uniq):
    ten = tenant(api, uniq)
    empty = tenant(api, uniq, "empty")
    x = tag(api, uniq)
    c1 = create(api, f"{uniq}-1.example.com", tenant=ten["id"], tags=[x["id"]], days_left=10)
    c2 = create(api, f"{uniq}-2.example.com", tenant=ten["id"], tags=[x["id"]], key_size=1024, algorithm="rsa")
    create(api, f"{uniq}-3.example.com", tenant=ten["id"], status="archived")
    policy(api, f"{uniq} keys", "min_key_size", [x["id"]], severity="critical", tenant=ten["id"])
    policy(api, f"{uniq} exp", "expiry_warning", [x["id"]])
    policy(api, f"{uniq} san", "san_required", [x["id"]], severity="info")
    run(api, c1["id"])
    run(api, c2["id"])
    rep = api.get(REPORT, params={"tenant_id": ten["id"]}).json()
    today = ckcerts.now().date().isoformat()
    assert rep["tenant"]["id"] == ten["id"] and rep["snapshot_date"] == today
    assert (rep["total_certificates"], rep["total_checks"], rep["passed_checks"], rep["failed_checks"],
            rep["error_checks"]) == (2, 6, 3, 3, 0)  # c1: key 256 + expiry fail; c2: key 1024 fails
    assert rep["compliance_score"] == 50.0
    assert rep["severity_breakdown"] == [{"severity": "critical", "count": 2}, {"severity": "warning", "count": 1}]
    assert rep["policy_breakdown"] == [{"policy_type": "min_key_size", "count": 2},
                                       {"policy_type": "expiry_warning", "count": 1}]
    none = api.get(REPORT, params={"tenant_id": empty["id"]}).json()
    assert none["compliance_score"] == 100.0 and none["total_checks"] == 0 and none["total_certificates"] == 0
    glob = api.get(REPORT).json()
    assert glob["tenant"] is None and glob["total_checks"] >= 6
    # exports
    r = api.get(REPORT, params={"tenant_id": ten["id"], "export": "csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"] == 'attachment; filename="compliance_report.csv"'
    assert r.text == f"date,total_certificates,total_checks,passed,failed,score\r\n{today},2,6,3,3,50.0\r\n"
    r = api.get(REPORT, params={"tenant_id": ten["id"], "export": "json"})
    assert r.status_code == 200 and 'filename="compliance_report.json"' in r.headers["Content-Disposition"]
    assert r.text.startswith('{\n  "tenant": {') and r.json() == rep
    for bad in ({"export": "xml"}, {"tenant_id": "x"}, {"tenant_id": 999999999}):
        assert api.get(REPORT, params=bad).status_code == 400, bad
    assert api.post(REPORT).status_code == 405
    # snapshots: one per (tenant, day)
    r = api.post(SNAPSHOT, json={"tenant_id": ten["id"]})
    assert r.status_code == 200, r.text
    snap = r.json()
    assert snap["snapshot_date"] == today and snap["tenant"]["id"] == ten["id"]
    assert (snap["total_certificates"], snap["total_checks"], snap["passed_checks"], snap["failed_checks"],
            snap["compliance_score"]) == (2, 6, 3, 3, 50.0)
    assert snap["details"] == {"severity_breakdown": rep["severity_breakdown"],
                               "policy_breakdown": rep["policy_breakdown"], "error_checks": 0}
    api.patch(f"{CERTS}{c2['id']}/", json={"key_size": 4096})
    run(api, c2["id"])
    again = api.post(f"{SNAPSHOT}?tenant_id={ten['id']}").json()
    assert again["id"] == snap["id"] and again["passed_checks"] == 4 and again["compliance_score"] == 66.67
    assert ro_api.post(SNAPSHOT, json={}).status_code == 403
    assert api.get(SNAPSHOT).status_code == 405
    assert api.post(SNAPSHOT, json={"tenant_id": "x"}).status_code == 400
    # trend: ascending, last `days` days, 1..3650
    tr = api.get(TREND, params={"tenant_id": ten["id"]}).json()
    assert tr["days"] == 90 and tr["count"] == 1 and tr["results"][0]["id"] == snap["id"]
    assert tr["tenant"]["id"] == ten["id"]
    assert api.get(TREND, params={"tenant_id": empty["id"]}).json()["count"] == 0
    assert api.get(TREND, params={"days": 3650, "tenant_id": ten["id"]}).json()["count"] == 1
    for bad in ({"days": 3651}, {"days": 0}, {"days": "x"}, {"tenant_id": 999999999}):
        assert api.get(TREND, params=bad).status_code == 400, bad
    # the sweep takes the daily snapshots (global and per tenant with certificates or policies)
    out = run_cli("sweep", "--db", server.db)
    assert out.startswith("expired ")
    tr = api.get(TREND).json()
    assert tr["tenant"] is None and [s["snapshot_date"] for s in tr["results"]][-1] == today
    assert api.get(TREND, params={"tenant_id": ten["id"]}).json()["count"] == 1
    assert api.get(TREND, params={"tenant_id": empty["id"]}).json()["count"] == 0


def test_openapi_lists_compliance(api):
    paths = api.get("/api/schema/").json()["paths"]
    for p in (POLICIES, CHECKS, REPORT, TREND, SNAPSHOT, BULK, CERTS + "{id}/compliance-check/"):
        assert p in paths, p
    assert "get" in paths[REPORT] and "get" in paths[TREND] and "post" in paths[SNAPSHOT]
    assert "post" in paths[POLICIES] and "post" not in paths[CHECKS]
