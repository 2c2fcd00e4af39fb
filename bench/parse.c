/*
 * bench_parse FILE — certificates parsed per second by x509_parse_input(), single thread,
 * with every field (CN, subject, issuer, serial, SHA-256 fingerprint, validity, SANs, key
 * algorithm/size, CA flag, self-signed check). FILE holds many concatenated PEM
 * certificates; each one is parsed as its own input, as a paste would be. Prints figures;
 * never fails on time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "x509/pem.h"
#include "x509/x509.h"

#define BENCH_MIN_SECONDS 2.0

static char *read_all(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*ret_len = n;
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct x509_pem_block *blocks = NULL;
	size_t len = 0, n = 0, cap = 0, pos = 0, parsed = 0, sans = 0;
	char *text;
	double t0, el;

	if (argc != 2 || !(text = read_all(argv[1], &len))) {
		fprintf(stderr, "usage: bench_parse CERTS.pem\n");
		return 2;
	}
	for (;;) {
		if (n == cap &&
		    !(blocks = realloc(blocks, (cap = cap ? cap * 2 : 1024) * sizeof(*blocks))))
			abort();
		if (!x509_pem_next(text, len, &pos, &blocks[n]))
			break;
		n++;
	}
	t0 = now();
	do {
		for (size_t i = 0; i < n; i++) {
			struct x509_bundle *b;
			struct ck_error err;

			if (x509_parse_input(blocks[i].begin, blocks[i].len, NULL, &b, &err)) {
				fprintf(stderr, "certificate %zu: %s\n", i, err.msg);
				return 1;
			}
			sans += b->certs[0].nsans;
			x509_bundle_free(b);
		}
		parsed += n;
	} while ((el = now() - t0) < BENCH_MIN_SECONDS);
	printf("certkeeper x509_parse_input: %zu certificates in %.2f s = %.0f certs/s (1 thread, "
	       "%zu SANs seen)\n",
	       parsed, el, (double)parsed / el, sans);
	free(blocks);
	free(text);
	return 0;
}
