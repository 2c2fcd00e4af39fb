"""Request bodies: API_JSON_MAX_DEPTH (32 levels of nested containers) is enforced by api_body()
for every JSON endpoint; 33 levels is refused with 400 before any field is looked at."""
import uuid

TENANTS = "/api/tenancy/tenants/"


def nested_list(depth):
    v = []
    for _ in range(depth - 1):
        v = [v]
    return v


def body(depth):
    """A tenant whose whole body nests `depth` containers: body, custom_fields, then lists."""
    u = uuid.uuid4().hex[:10]
    return {"name": f"depth-{u}", "slug": f"depth-{u}", "custom_fields": {"a": nested_list(depth - 2)}}


def test_depth_32_accepted(api):
    r = api.post(TENANTS, json=body(32))
    assert r.status_code == 201, r.text


def test_depth_33_refused(api):
    r = api.post(TENANTS, json=body(33))
    assert r.status_code == 400, r.text
    assert "nesting deeper than 32" in r.json()["detail"]
