"""Generates N varied test certificates (PEM, concatenated) for bench/parse.sh.

Throw-away keys only (generated here, never written). Variety: RSA 2048/4096, ECDSA
P-256/P-384, Ed25519 subject keys; three issuing CAs (RSA, P-256, P-384) plus ~5%
self-signed; 0-20 DNS/IP SANs; random 8-20 byte serials; UTF-8 and multi-attribute names.
"""
import datetime, ipaddress, random, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519

def main(n, out):
    rnd = random.Random(42)
    keys = ([rsa.generate_private_key(65537, 2048) for _ in range(3)] +
            [rsa.generate_private_key(65537, 4096)] +
            [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)] +
            [ec.generate_private_key(ec.SECP384R1()) for _ in range(2)] +
            [ed25519.Ed25519PrivateKey.generate() for _ in range(2)])
    cas = []
    for i, k in enumerate([rsa.generate_private_key(65537, 2048),
                           ec.generate_private_key(ec.SECP256R1()),
                           ec.generate_private_key(ec.SECP384R1())]):
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bench Trust %d" % i),
                          x509.NameAttribute(NameOID.COMMON_NAME, "Bench CA %d" % i)])
        cas.append((name, k))
    base = datetime.datetime(2024, 1, 1)
    with open(out, "wb") as f:
        for i in range(n):
            key = keys[rnd.randrange(len(keys))]
            host = "host%d.%s.example" % (i, rnd.choice(["eu", "us", "ops", "dev"]))
            attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, rnd.choice(["NL", "DE", "US"])),
                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, rnd.choice(
                         ["Example BV", "Müller GmbH", "Acme, Inc."]))]
            if rnd.random() < 0.9:
                attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, host))
            subject = x509.Name(attrs)
            selfsigned = rnd.random() < 0.05
            iname, ikey = (subject, key) if selfsigned else cas[rnd.randrange(3)]
            nb = base + datetime.timedelta(days=rnd.randrange(0, 700))
            b = (x509.CertificateBuilder().subject_name(subject).issuer_name(iname)
                 .public_key(key.public_key())
                 .serial_number(rnd.getrandbits(8 * rnd.randrange(8, 20)) | 1)
                 .not_valid_before(nb)
                 .not_valid_after(nb + datetime.timedelta(days=rnd.choice([90, 365, 825]))))
            sans = [x509.DNSName(host)] + [x509.DNSName("alt%d-%d.example" % (i, k))
                                           for k in range(rnd.randrange(0, 16))]
            if rnd.random() < 0.2:
                sans.append(x509.IPAddress(ipaddress.ip_address("2001:db8::%x" % (i + 1))))
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
            b = b.add_extension(x509.BasicConstraints(ca=selfsigned, path_length=None), True)
            algo = None if isinstance(ikey, ed25519.Ed25519PrivateKey) else hashes.SHA256()
            f.write(b.sign(ikey, algo).public_bytes(serialization.Encoding.PEM))

if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
