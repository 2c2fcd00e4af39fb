"""The OpenAPI 3 document at /api/schema/ is generated from the resource registry: it must
validate with a real OpenAPI validator (npm @apidevtools/swagger-parser) and describe every
registered resource, its filters and its actions."""
import json
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
VALIDATOR = os.path.join(HERE, "..", "openapi", "validate.mjs")
NODE_MODULES = os.path.join(HERE, "..", "openapi", "node_modules")


def fetch_schema(api):
    r = api.get("/api/schema/", params={"format": "json"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.skipif(not shutil.which("node") or not os.path.isdir(NODE_MODULES),
                    reason="node or tests/openapi/node_modules missing (scripts/install-deps installs them)")
def test_schema_validates_with_swagger_parser(api, tmp_path):
    doc = fetch_schema(api)
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run(["node", VALIDATOR, str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + out.stdout
    assert "valid OpenAPI 3.0" in out.stdout

    # the validator really rejects a broken document (so the check above can fail)
    del doc["paths"]["/api/tenancy/tenants/"]["get"]["responses"]
    path.write_text(json.dumps(doc))
    bad = subprocess.run(["node", VALIDATOR, str(path)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1


def test_schema_covers_every_resource_and_action(api):
    doc = fetch_schema(api)
    paths = doc["paths"]
    for p in ["/api/plugins/netbox-ssl/certificates/", "/api/plugins/netbox-ssl/certificates/{id}/",
              "/api/plugins/netbox-ssl/assignments/", "/api/plugins/netbox-ssl/certificate-authorities/",
              "/api/plugins/netbox-ssl/csrs/", "/api/tenancy/tenants/", "/api/extras/tags/",
              "/api/dcim/devices/", "/api/virtualization/virtual-machines/", "/api/ipam/services/",
              "/api/core/object-changes/", "/api/plugins/netbox-ssl/certificates/import/",
              "/api/plugins/netbox-ssl/certificates/bulk-import/", "/api/plugins/netbox-ssl/csrs/import/",
              "/api/users/users/", "/api/users/tokens/",
              "/api/plugins/netbox-ssl/compliance-policies/", "/api/plugins/netbox-ssl/compliance-checks/"]:
        assert p in paths, p
    # every explicit action the server answers is documented, with the method it answers
    for p, method in [("certificates/{id}/renew/", "post"), ("certificates/{id}/revert-renewal/", "post"),
                      ("certificates/{id}/validate-chain/", "post"), ("certificates/bulk-validate-chain/", "post"),
                      ("certificates/{id}/detect-acme/", "post"), ("certificates/bulk-detect-acme/", "post"),
                      ("certificates/bulk-status-update/", "post"), ("certificates/diff/", "post"),
                      ("certificates/export/", "get"), ("certificates/export/", "post"),
                      ("certificates/{id}/export/", "get"), ("certificates/bulk-data-import/", "post"),
                      ("certificates/import-file/", "post"), ("certificates/{id}/lifecycle/", "get"),
                      ("certificates/{id}/compliance-check/", "post"), ("compliance-report/", "get"),
                      ("compliance-trend/", "get"), ("analytics/summary/", "get")]:
        assert method in paths["/api/plugins/netbox-ssl/" + p], (p, method)
    names = {p["name"] for p in paths["/api/plugins/netbox-ssl/certificates/"]["get"]["parameters"]}
    for f in ["limit", "offset", "ordering", "q", "tag", "status", "tenant_id", "issuing_ca_id",
              "has_issuing_ca", "common_name", "expiry_status", "san"]:
        assert f in names, f
    cert = doc["components"]["schemas"]["certificates"]["properties"]
    assert cert["status"]["enum"][:2] == ["active", "expired"]
    assert cert["days_remaining"]
    write = doc["components"]["schemas"]["certificates-write"]
    assert "common_name" in write["required"]
    assert "days_remaining" not in write["properties"]


def test_parameters_are_unique_and_pasted_fields_described(api):
    """A hand-declared filter replacing a field's own (serial_number, fingerprint_sha256) is
    listed once; acme_provider takes free text, so it has no enum; renewal_status is there; the
    document names the canonical plugin path only (the /api/plugins/ssl/ alias is not listed)."""
    doc = fetch_schema(api)
    for path, ops in doc["paths"].items():
        assert not path.startswith("/api/plugins/ssl/"), path
        for method, op in ops.items():
            if not isinstance(op, dict):  # path-level "parameters"
                continue
            names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            assert len(names) == len(set(names)), (path, method, sorted(n for n in names if names.count(n) > 1))
    names = {p["name"] for p in doc["paths"]["/api/plugins/netbox-ssl/certificates/"]["get"]["parameters"]}
    assert {"serial_number", "fingerprint_sha256", "renewal_status", "acme_renewal_status"} <= names
    cert = doc["components"]["schemas"]["certificates"]["properties"]
    assert "enum" not in cert["acme_provider"] and cert["acme_provider"]["maxLength"] == 100
    assert cert["acme_challenge_type"]["enum"][:3] == ["http-01", "dns-01", "tls-alpn-01"]
    assert "renewal_status" in cert
