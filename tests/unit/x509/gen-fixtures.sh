#!/bin/sh
# Generates the certificates, CSRs and throw-away test keys of parse_test.c into $1.
# Every key here is a THROW-AWAY TEST KEY made at run time; nothing is committed.
set -eu
cd "$1"
o="openssl"
ss() { # ss NAME KEYALG "SUBJ" [req args...]: self-signed certificate NAME.pem + NAME.key
	n=$1 k=$2 s=$3
	shift 3
	$o req -x509 -newkey "$k" -nodes -keyout "$n.key" -subj "$s" -days 30 -out "$n.pem" "$@" 2>/dev/null
}
ss rsa2048 rsa:2048 "/CN=rsa2048.test" -addext "subjectAltName=DNS:rsa2048.test"
ss rsa4096 rsa:4096 "/CN=rsa4096.test"
ss ec256 ec "/CN=ec256.test" -pkeyopt ec_paramgen_curve:P-256
ss ec384 ec "/CN=ec384.test" -pkeyopt ec_paramgen_curve:P-384
ss ec521 ec "/CN=ec521.test" -pkeyopt ec_paramgen_curve:P-521
ss ed25519 ed25519 "/CN=ed25519.test"
ss sans ed25519 "/CN=sans.test" -addext \
	"subjectAltName=DNS:a.sans.test,IP:192.0.2.7,IP:2001:DB8:0:0:0:0:0:1,email:ops@example.com,URI:https://example.com/p?q=1"
ss nocn ed25519 "/O=No CN Org" -addext "subjectAltName=DNS:first.test,DNS:second.test"
ss nocn_nosan ed25519 "/O=Nothing Here"
ss utf8 ed25519 "/CN=Zürich Café/O=Ünïcödé, Ltd/C=CH" -utf8
ss serial20 ed25519 "/CN=serial20.test" -set_serial 0x8000000000000000000000000000000000000001
ss multi ed25519 "/CN=multi.test+UID=jdoe/O=Org+OU=Unit"
# a leaf signed by an EC CA (not self-signed, no basicConstraints)
$o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -subj "/CN=leaf.test" \
	-addext "subjectAltName=DNS:leaf.test" -out leaf.csr 2>/dev/null
$o x509 -req -in leaf.csr -CA ec256.pem -CAkey ec256.key -set_serial 0x0123 -days 10 \
	-copy_extensions copy -out leaf.pem 2>/dev/null
# a self-issued (subject == issuer) certificate NOT signed by its own key
$o req -new -key ec384.key -subj "/CN=ec256.test" -out fake.csr
$o x509 -req -in fake.csr -CA ec256.pem -CAkey ec256.key -set_serial 7 -days 10 -out fake_self.pem 2>/dev/null
# DER and PKCS#7 (PEM and DER) with three certificates
$o x509 -in rsa2048.pem -outform DER -out rsa2048.der
cat leaf.pem ec256.pem rsa2048.pem > three.pem
$o crl2pkcs7 -nocrl -certfile three.pem -out three.p7b
$o crl2pkcs7 -nocrl -certfile three.pem -outform DER -out three.p7.der
# CSRs
$o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout csr.key \
	-subj "/C=NL/ST=Noord-Holland/L=Amsterdam/O=Example BV/OU=Ops/CN=csr.test" \
	-addext "subjectAltName=DNS:csr.test,DNS:www.csr.test,IP:10.0.0.1" -out csr.pem 2>/dev/null
$o req -in csr.pem -outform DER -out csr.der
$o req -new -key ed25519.key -subj "/CN=bare" -out csr_bare.pem
# private keys in every form
$o pkey -in rsa2048.key -traditional -out rsa_trad.key
$o pkey -in ec256.key -traditional -out ec_trad.key
$o pkcs8 -topk8 -in ec256.key -passout pass:test -out encrypted.key
$o pkey -in ec256.key -outform DER -out pkcs8.der
$o pkcs12 -export -in ec256.pem -inkey ec256.key -passout pass:test -out bundle.p12
