"""Certificate, key and CSR generation for the API tests (python3-cryptography).

Keys are generated once per process and cached: RSA generation is the slow part, and the
server does not care whether two test certificates share a key (fingerprints and serials
still differ). EC P-256 is the default key type because signing with it is fast.
All private keys made here are throw-away test keys that only ever live in memory.
"""

import datetime as dt
import functools
import hashlib
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = dt.timezone.utc


def now():
    return dt.datetime.now(UTC).replace(microsecond=0)


@functools.lru_cache(maxsize=None)
def rsa_key(bits=2048, slot=0):
    """A cached RSA key; `slot` lets a test ask for distinct keys of the same size."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@functools.lru_cache(maxsize=None)
def ec_key(curve_name="secp256r1", slot=0):
    curve = {"secp256r1": ec.SECP256R1, "secp384r1": ec.SECP384R1, "secp521r1": ec.SECP521R1}[curve_name]
    return ec.generate_private_key(curve())


@functools.lru_cache(maxsize=None)
def ed25519_key(slot=0):
    return ed25519.Ed25519PrivateKey.generate()


def key_for(kind):
    """kind: 'rsa2048', 'rsa3072', 'rsa4096', 'ec256', 'ec384', 'ec521', 'ed25519'."""
    if kind.startswith("rsa"):
        return rsa_key(int(kind[3:]))
    if kind.startswith("ec"):
        return ec_key({"256": "secp256r1", "384": "secp384r1", "521": "secp521r1"}[kind[2:]])
    if kind == "ed25519":
        return ed25519_key()
    raise ValueError(kind)


def name(cn=None, o=None, c=None, ou=None):
    """An X.509 name in the usual C, O, OU, CN order (RFC 4514 prints it reversed)."""
    attrs = []
    if c:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, c))
    if o:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    if cn:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def random_serial():
    # 15 random bytes with a non-zero top byte: always 15 bytes once zero-padded.
    return int.from_bytes(b"\x01" + secrets.token_bytes(14), "big") | (0x40 << 112)


def make_cert(
    cn="test.example.com",
    sans=None,
    key=None,
    subject=None,
    issuer_cert=None,
    issuer_key=None,
    issuer_name=None,
    not_before=None,
    not_after=None,
    days=90,
    serial=None,
    is_ca=False,
    ip_sans=(),
):
    """Build a certificate and return (cert, key).

    Self-signed unless issuer_cert/issuer_key are given. issuer_name forces the issuer DN of a
    self-signed-by-key certificate (signed by `key`, but naming someone else as issuer), which is
    enough for the server: it stores the issuer string and does not verify signatures on import.
    `sans=None` means DNS:<cn>; pass [] for no SAN extension.
    """
    if key is None:
        key = ec_key()
    if subject is None:
        subject = name(cn=cn) if cn is not None else x509.Name([])
    if not_before is None:
        not_before = now() - dt.timedelta(days=1)
    if not_after is None:
        not_after = not_before + dt.timedelta(days=days)
    if sans is None:
        sans = [cn] if cn else []
    if issuer_cert is not None:
        iss, sign_key = issuer_cert.subject, issuer_key
    else:
        iss, sign_key = (issuer_name or subject), key
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(iss)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    names = [x509.DNSName(s) for s in sans] + [x509.IPAddress(__import__("ipaddress").ip_address(i)) for i in ip_sans]
    if names:
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if not is_ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    algo = None if isinstance(sign_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(sign_key, algo), key


def make_chain(cn="leaf.example.com", org="Test PKI", sans=None, leaf_key=None, days=90):
    """Root -> intermediate -> leaf. Returns [leaf, intermediate, root] certificates."""
    root_key, int_key = ec_key("secp384r1", 1), ec_key("secp256r1", 2)
    tag = secrets.token_hex(4)
    root, _ = make_cert(subject=name(cn=f"{org} Root {tag}", o=org, c="NL"), key=root_key, sans=[], is_ca=True, days=3650)
    inter, _ = make_cert(
        subject=name(cn=f"{org} Issuing CA {tag}", o=org, c="NL"),
        key=int_key, issuer_cert=root, issuer_key=root_key, sans=[], is_ca=True, days=1825,
    )
    leaf, _ = make_cert(cn=cn, sans=sans, key=leaf_key or ec_key(), issuer_cert=inter, issuer_key=int_key, days=days)
    return [leaf, inter, root]


def make_csr(cn="csr.example.com", sans=None, key=None, o=None, ou=None, c=None):
    key = key or ec_key()
    b = x509.CertificateSigningRequestBuilder().subject_name(name(cn=cn, o=o, ou=ou, c=c))
    sans = [cn] if sans is None else sans
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    algo = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(key, algo)


def pem(obj):
    """PEM text of a certificate or CSR (or a list of them, concatenated)."""
    if isinstance(obj, (list, tuple)):
        return "".join(pem(o) for o in obj)
    return obj.public_bytes(serialization.Encoding.PEM).decode()


def der(obj):
    return obj.public_bytes(serialization.Encoding.DER)


def key_pem(key, fmt="pkcs8", password=None):
    """A private key in PEM: fmt pkcs8 (BEGIN PRIVATE KEY), traditional (BEGIN RSA/EC PRIVATE
    KEY), openssh (BEGIN OPENSSH PRIVATE KEY) or encrypted (BEGIN ENCRYPTED PRIVATE KEY)."""
    enc = serialization.NoEncryption()
    if fmt == "encrypted":
        enc = serialization.BestAvailableEncryption(password or b"test-only-password")
        f, e = serialization.PrivateFormat.PKCS8, serialization.Encoding.PEM
    elif fmt == "pkcs8":
        f, e = serialization.PrivateFormat.PKCS8, serialization.Encoding.PEM
    elif fmt == "traditional":
        f, e = serialization.PrivateFormat.TraditionalOpenSSL, serialization.Encoding.PEM
    elif fmt == "openssh":
        f, e = serialization.PrivateFormat.OpenSSH, serialization.Encoding.PEM
    else:
        raise ValueError(fmt)
    return key.private_bytes(e, f, enc).decode()


def colon_hex(b):
    return ":".join(f"{x:02X}" for x in b)


def fingerprint(cert):
    return colon_hex(hashlib.sha256(der(cert)).digest())


def serial_text(n):
    """certkeeper's serial format: upper-case hex zero-padded to whole bytes, colon-separated."""
    length = max(1, (n.bit_length() + 7) // 8)
    return colon_hex(n.to_bytes(length, "big"))


def random_fingerprint():
    return colon_hex(secrets.token_bytes(32))


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
