"""Parses every certificate of a PEM file with Python `cryptography`, extracting the fields
certkeeper extracts (CN, subject, issuer, serial, SHA-256 fingerprint, validity, SANs, key
algorithm/size) and prints certificates per second (1 thread, >= 2 s)."""
import sys, time
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtensionOID
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519

def colon(b):
    return ":".join("%02X" % c for c in b)

def fields(pem):
    c = x509.load_pem_x509_certificate(pem)
    cn = c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    try:
        sans = [str(g.value) for g in
                c.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value]
    except x509.ExtensionNotFound:
        sans = []
    k = c.public_key()
    if isinstance(k, rsa.RSAPublicKey):
        alg, size = "rsa", k.key_size
    elif isinstance(k, ec.EllipticCurvePublicKey):
        alg, size = "ecdsa", k.curve.key_size
    elif isinstance(k, ed25519.Ed25519PublicKey):
        alg, size = "ed25519", None
    else:
        alg, size = "unknown", None
    s = c.serial_number
    return (cn[0].value if cn else (sans[0] if sans else "Unknown"),
            c.subject.rfc4514_string(), c.issuer.rfc4514_string(),
            colon(s.to_bytes((s.bit_length() + 7) // 8 or 1, "big")),
            colon(c.fingerprint(hashes.SHA256())),
            c.not_valid_before.timestamp(), c.not_valid_after.timestamp(), sans, alg, size)

def main(path):
    end = b"-----END CERTIFICATE-----"
    blocks = [b + end for b in open(path, "rb").read().split(end) if b.strip()]
    t0, n = time.monotonic(), 0
    while True:
        for pem in blocks:
            fields(pem)
        n += len(blocks)
        el = time.monotonic() - t0
        if el >= 2.0:
            break
    print("python cryptography: %d certificates in %.2f s = %.0f certs/s (1 thread)" % (n, el, n / el))

if __name__ == "__main__":
    main(sys.argv[1])
