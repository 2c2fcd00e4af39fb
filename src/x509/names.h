/*
 * x509/names — the text forms of serial numbers, fingerprints and distinguished names, and
 * their normalisation for comparisons (DESIGN.md §4: formats follow NetBox SSL; the reference
 * fact sheet lists our deliberate departures).
 *
 * Formats produced:
 *  - serial: upper-case hex of the magnitude, zero-padded to whole bytes, colon-separated
 *    ("01:23:AB"); zero is "00"; a negative serial (invalid per RFC 5280, but seen) gets a
 *    leading '-' ("-01:23"), as `openssl x509 -serial` does.
 *  - fingerprint: 32 upper-case colon-separated bytes (95 characters).
 *  - DN: RFC 4514 order (last RDN of the DER first), OpenSSL short names ("CN", "O",
 *    "emailAddress", ...; dotted OID when OpenSSL has no name), attributes joined with ", ",
 *    multi-valued RDNs joined with "+". Values are UTF-8; ',', '+', '"', '\', '<', '>', ';',
 *    a leading '#' or space and a trailing space are backslash-escaped, control characters
 *    become "\XX". Values of unknown attribute types or non-string ASN.1 types are "#" + hex
 *    of their DER (XN_FLAG_RFC2253 semantics, except UTF-8 is kept instead of "\C3\A9").
 *
 * All functions are pure and thread-safe. This header names no OpenSSL type.
 */
#ifndef CK_X509_NAMES_H
#define CK_X509_NAMES_H

#include <stddef.h>

#define X509_FINGERPRINT_LEN 95 /* "AA:BB:...": 32 * 3 - 1 */

/* Writes n bytes as upper-case hex pairs joined with ':' into out (3 * n bytes incl. NUL;
 * "" for n == 0). */
void x509_hex_colon(const unsigned char *p, size_t n, char *out);

/* The formatters from OpenSSL structures (x509_serial_format, x509_name_format,
 * x509_name_first) are declared in x509/internal.h: they take OpenSSL types, which no public
 * header exposes. */

/* Normalises a serial written in any of our or the reference's forms ("1:23", "01:23",
 * "0123", lower or upper case, optional leading '-'): upper-case hex, no colons, no leading
 * zeros, "0" for zero. Returns 0, CK_E_INVALID (empty, not hex, misplaced colon) or
 * CK_E_TOOBIG (out too small; outsz must hold the result and its NUL). */
int x509_serial_normalize(const char *in, char *out, size_t outsz);

/* True when both serials are valid and normalise to the same value ("1:23" == "01:23" ==
 * "0123", case-insensitive). Serials longer than 128 hex digits never compare equal. */
int x509_serial_equal(const char *a, const char *b);

/* Normalises a DN string for duplicate checks: case-folded (ASCII), whitespace around the
 * ',', '+' and '=' separators removed, runs of inner whitespace collapsed to one space;
 * escaped characters ("\,") are kept as they are. Returns 0, or CK_E_TOOBIG when out
 * (outsz bytes) cannot hold the result. */
int x509_dn_normalize(const char *dn, char *out, size_t outsz);

#endif
