"""The changelog's object_repr is the object's display string, read from the rendered snapshot
without a full parse: it must survive quotes, backslashes and non-ASCII text."""
from ckapi import cert_body

CERTS = "/api/plugins/netbox-ssl/certificates/"
CHANGES = "/api/core/object-changes/"


def test_object_repr_with_escapes(api, uniq):
    cn = f'{uniq} "quoted" back\\slash ñandú ✓'
    c = api.post(CERTS, json=cert_body(cn)).json()
    assert c["common_name"] == cn
    rows = api.get(CHANGES, params={"changed_object_type": "netbox_ssl.certificate",
                                    "changed_object_id": c["id"]}).json()["results"]
    assert rows[0]["object_repr"] == c["display"]
    assert api.delete(f"{CERTS}{c['id']}/").status_code == 204
    rows = api.get(CHANGES, params={"changed_object_type": "netbox_ssl.certificate",
                                    "changed_object_id": c["id"], "action": "delete"}).json()["results"]
    assert rows[0]["object_repr"] == c["display"]
