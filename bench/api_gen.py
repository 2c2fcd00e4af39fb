"""Generates N distinct leaf certificates quickly for the API benchmarks (bench/api.sh).

One throw-away EC P-256 key (generated here, never written) is the subject key of every leaf
and signs them as "Bench API CA"; each leaf has a unique serial and CN. Output: a directory of
N PEM files (one certificate each, the `certkeeper import` input) plus all.pem (every
certificate concatenated, in order). Usage: api_gen.py N OUTDIR [ORG]: ORG (default "Bench
API") names the issuer "<ORG> CA", so that a second set does not collide on (serial, issuer)
with the first (bench/import_scale.py imports one into a database built from the other).
"""
import datetime, os, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def main(n, out, org="Bench API"):
    key = ec.generate_private_key(ec.SECP256R1())
    pub = key.public_key()
    ca = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                    x509.NameAttribute(NameOID.COMMON_NAME, org + " CA")])
    # every certificate valid until after today (none for the expiry sweeper to change)
    today = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    base = datetime.datetime(today.year, today.month, today.day) - datetime.timedelta(days=60)
    os.makedirs(os.path.join(out, "pem"), exist_ok=True)
    with open(os.path.join(out, "all.pem"), "wb") as allf:
        for i in range(n):
            host = "svc%07d.bench.example" % i
            nb = base + datetime.timedelta(days=i % 700)
            b = (x509.CertificateBuilder()
                 .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
                 .issuer_name(ca).public_key(pub).serial_number(1000003 + i)
                 .not_valid_before(nb).not_valid_after(nb + datetime.timedelta(days=(90, 365, 825)[i % 3]))
                 .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False))
            pem = b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
            allf.write(pem)
            with open(os.path.join(out, "pem", "%07d.pem" % i), "wb") as f:
                f.write(pem)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], *sys.argv[3:4])
