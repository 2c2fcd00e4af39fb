"""The changelog stores a certificate's PEM and issuer chain once (issue 11 item 5, migration 9).

A snapshot's pem_content / issuer_chain is stored as a placeholder plus a changelog_blobs row
(a pointer to the certificate that holds the same PEM, or the text itself); the API puts the
value back, so /api/core/object-changes/ serves exactly what was written. Both engines.
"""

import json

from ckapi import CERTS, IMPORT, PLUGIN
from ckapi import cert_body
from ckcerts import ec_key, make_cert, make_chain, pem
from conftest import db_exec, db_rows

CHANGES = "/api/core/object-changes/"


def changes_for(api, oid):
    rows = api.list_all(CHANGES, changed_object_type="netbox_ssl.certificate", changed_object_id=oid)
    return sorted(rows, key=lambda r: r["id"])


def stored(server, change_id):
    (row,) = db_rows(server.db, "SELECT prechange_data, postchange_data, prechange_pem_blob,"
                     " postchange_pem_blob, postchange_chain_blob FROM object_changes"
                     f" WHERE id = {int(change_id)}")
    # PostgreSQL hands json columns parsed: back to compact text
    return [json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list)) else v for v in row]


def blob(server, key):
    (row,) = db_rows(server.db, f"SELECT body, certificate_id FROM changelog_blobs WHERE sha256 = '{key}'")
    return row


def import_chain(api, uniq):
    leaf, inter, root = make_chain(cn=f"{uniq}.blob.example")
    text = pem(leaf) + pem(inter) + pem(root)
    r = api.post(IMPORT, json={"pem_content": text})
    assert r.status_code == 201, r.text
    cert = r.json()
    assert "BEGIN CERTIFICATE" in cert["pem_content"] and len(cert["issuer_chain"]) > 256
    return cert


def test_pem_and_chain_stored_once_and_served_verbatim(api, server, uniq):
    cert = import_chain(api, uniq)
    (create,) = changes_for(api, cert["id"])
    # the API serves the very object the import returned, byte for byte in the response text
    assert create["postchange_data"] == cert
    r = api.get(f"{CHANGES}{create['id']}/")
    assert json.dumps(cert["pem_content"]) in r.text and json.dumps(cert["issuer_chain"]) in r.text
    # ... while the row itself holds neither: a pointer to the certificate, the chain as a blob
    pre, post, pre_pem, post_pem, post_chain = stored(server, create["id"])
    assert pre is None and pre_pem is None
    assert "BEGIN CERTIFICATE" not in post and len(post) < len(json.dumps(cert)) - 1000
    assert '"pem_content":"\\u0000ck-pem"' in post and '"issuer_chain":"\\u0000ck-chain"' in post
    assert blob(server, post_pem) == (None, cert["id"])
    body, cid = blob(server, post_chain)
    assert cid is None and body == json.dumps(cert["issuer_chain"])


def test_same_chain_is_one_blob(api, server, uniq):
    leaf, inter, root = make_chain(cn=f"{uniq}.a.example")
    # a second leaf under the same intermediate (make_chain's intermediate key is slot 2)
    leaf2, _ = make_cert(cn=f"{uniq}.c.example", key=ec_key(), issuer_cert=inter, issuer_key=ec_key("secp256r1", 2))
    chain = pem(inter) + pem(root)
    a = api.post(IMPORT, json={"pem_content": pem(leaf) + chain}).json()
    b = api.post(IMPORT, json={"pem_content": pem(leaf2) + chain}).json()
    assert a["issuer_chain"] == b["issuer_chain"] != ""
    ka = stored(server, changes_for(api, a["id"])[0]["id"])[4]
    kb = stored(server, changes_for(api, b["id"])[0]["id"])[4]
    assert ka == kb
    assert db_rows(server.db, f"SELECT COUNT(*) FROM changelog_blobs WHERE sha256 = '{ka}'")[0][0] == 1


def test_pem_survives_delete_and_pem_change(api, server, uniq):
    cert = import_chain(api, uniq)
    text = cert["pem_content"]
    crlf = text.replace("\n", "\r\n")
    # the same certificate with other line ends: a new PEM text on the same object
    r = api.patch(f"{CERTS}{cert['id']}/", json={"pem_content": crlf})
    assert r.status_code == 200, r.text
    assert r.json()["pem_content"] == crlf
    create, update = changes_for(api, cert["id"])
    assert create["postchange_data"]["pem_content"] == text
    assert update["prechange_data"]["pem_content"] == text
    assert update["postchange_data"]["pem_content"] == crlf
    # the old text left the certificate: its blob now holds it; the new one points at the row
    key_old = stored(server, create["id"])[3]
    assert blob(server, key_old) == (json.dumps(text), None)
    key_new = stored(server, update["id"])[3]
    assert blob(server, key_new) == (None, cert["id"])
    assert api.delete(f"{CERTS}{cert['id']}/").status_code == 204
    create, update, delete = changes_for(api, cert["id"])
    assert create["postchange_data"]["pem_content"] == text
    assert update["postchange_data"]["pem_content"] == crlf
    assert delete["prechange_data"]["pem_content"] == crlf and delete["postchange_data"] is None
    assert blob(server, key_new) == (json.dumps(crlf), None)


def test_text_with_other_escapes_is_kept_as_text(api, server, uniq):
    # a manual record may carry any PEM text; one with a tab and a quote cannot be rebuilt
    # from the certificate by the \n/\r rule, so the literal itself is stored
    cert = import_chain(api, uniq)
    odd = "x\t\"" + cert["pem_content"]
    r = api.post(CERTS, json=cert_body(f"{uniq}.odd.example", pem_content=odd))
    assert r.status_code == 201, r.text
    c = r.json()
    (create,) = changes_for(api, c["id"])
    assert create["postchange_data"]["pem_content"] == odd
    key = stored(server, create["id"])[3]
    assert blob(server, key) == (json.dumps(odd), None)


def test_snapshot_holding_the_mark_is_stored_verbatim(api, server, uniq):
    # a snapshot can only hold the escaped NUL if a client sent one; JSON with \\u0000 is
    # refused, so the placeholder never collides with client data
    r = api.post(PLUGIN + "certificates/", json={"common_name": "a\u0000ck-pem"})
    assert r.status_code == 400
    # and rows written before migration 9 (no blob columns) render as stored
    cert = import_chain(api, uniq)
    (create,) = changes_for(api, cert["id"])
    db_exec(server.db, f"UPDATE object_changes SET postchange_data = '{{\"x\":1}}', postchange_pem_blob = NULL,"
            f" postchange_chain_blob = NULL WHERE id = {int(create['id'])}")
    assert api.get(f"{CHANGES}{create['id']}/").json()["postchange_data"] == {"x": 1}
