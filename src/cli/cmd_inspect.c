/*
 * cli/cmd_inspect — `certkeeper inspect [FILE|-]...`: parses certificates and CSRs (PEM with
 * any surrounding text, DER, PKCS#7) with x509_parse_input() and prints one JSON array with an
 * object per certificate/CSR, in input order across files. Nothing is stored.
 *
 * Exit status: 0 printed; 1 refused or unparsable input ({"detail": "..."} on stdout);
 * 2 usage error. Each file is read up to the input limit + 1 byte, so an oversized file is
 * refused with the size error without being read whole.
 */
#include "cli/commands.h"
#include "core/jsonw.h"
#include "core/strbuf.h"
#include "x509/x509.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: certkeeper inspect [FILE|-]...\n\n"
		"Parses certificates and CSRs (PEM, DER, PKCS#7) from the files (or stdin when\n"
		"no file or '-' is given) and prints them as a JSON array. Private keys are\n"
		"refused. Each input may be at most %d bytes.\n",
		X509_DEFAULT_MAX_INPUT);
}

/* Reads at most `cap` bytes of a file ("-" = stdin). Caller frees *ret. 0 or CK_E_IO. */
static int read_capped(const char *path, size_t cap, char **ret, size_t *ret_len,
		       struct ck_error *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t n = 0;
	int rc = 0;

	if (!f)
		return ck_error_set(err, CK_E_IO, NULL, "Cannot read %s: %s", path,
				    strerror(errno));
	buf = malloc(cap + 1);
	if (!buf) {
		rc = CK_E_NOMEM;
		goto close_f;
	}
	while (n < cap && !feof(f) && !ferror(f))
		n += fread(buf + n, 1, cap - n, f);
	if (ferror(f)) {
		rc = ck_error_set(err, CK_E_IO, NULL, "Cannot read %s: %s", path, strerror(errno));
		free(buf);
		goto close_f;
	}
	*ret = buf;
	*ret_len = n;
close_f:
	if (f != stdin)
		fclose(f);
	return rc;
}

static void write_sans(struct jsonw *w, char **sans, size_t n)
{
	jsonw_key(w, "sans");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		jsonw_str(w, sans[i]);
	jsonw_arr_close(w);
}

static void write_key(struct jsonw *w, const char *alg, int bits)
{
	jsonw_kstr(w, "algorithm", alg);
	if (bits < 0)
		jsonw_knull(w, "key_size");
	else
		jsonw_kint(w, "key_size", bits);
}

static void write_cert(struct jsonw *w, const struct x509_cert_info *c)
{
	jsonw_obj_open(w);
	jsonw_kstr(w, "type", "certificate");
	jsonw_kstr(w, "common_name", c->common_name);
	jsonw_kstr(w, "subject", c->subject);
	jsonw_kstr(w, "issuer", c->issuer);
	jsonw_kstr(w, "serial_number", c->serial_number);
	jsonw_kstr(w, "fingerprint_sha256", c->fingerprint_sha256);
	jsonw_key(w, "valid_from");
	jsonw_time(w, c->valid_from);
	jsonw_key(w, "valid_to");
	jsonw_time(w, c->valid_to);
	write_sans(w, c->sans, c->nsans);
	write_key(w, c->algorithm, c->key_size);
	jsonw_kbool(w, "is_self_signed", c->is_self_signed);
	jsonw_kbool(w, "is_ca", c->is_ca);
	jsonw_kstr(w, "pem", c->pem);
	jsonw_obj_close(w);
}

static void write_csr(struct jsonw *w, const struct x509_csr_info *c)
{
	jsonw_obj_open(w);
	jsonw_kstr(w, "type", "csr");
	jsonw_kstr(w, "common_name", c->common_name);
	jsonw_kstr(w, "organization", c->organization);
	jsonw_kstr(w, "organizational_unit", c->organizational_unit);
	jsonw_kstr(w, "locality", c->locality);
	jsonw_kstr(w, "state", c->state);
	jsonw_kstr(w, "country", c->country);
	jsonw_kstr(w, "subject", c->subject);
	jsonw_kstr(w, "fingerprint_sha256", c->fingerprint_sha256);
	write_sans(w, c->sans, c->nsans);
	write_key(w, c->algorithm, c->key_size);
	jsonw_kstr(w, "pem", c->pem);
	jsonw_obj_close(w);
}

/* Parses one file and appends its objects to the open array. */
static int inspect_one(const char *path, struct jsonw *w, struct ck_error *err)
{
	struct x509_limits lim;
	struct x509_bundle *b = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc;

	x509_limits_default(&lim);
	rc = read_capped(path, lim.max_input + 1, &data, &len, err);
	if (rc)
		return rc;
	rc = x509_parse_input(data, len, &lim, &b, err);
	free(data);
	if (rc)
		return rc;
	for (size_t i = 0; i < b->ncerts; i++)
		write_cert(w, &b->certs[i]);
	for (size_t i = 0; i < b->ncsrs; i++)
		write_csr(w, &b->csrs[i]);
	x509_bundle_free(b);
	return 0;
}

static int print_detail(const struct ck_error *err, int rc)
{
	struct strbuf sb;
	struct jsonw w;

	strbuf_init(&sb, 0);
	jsonw_init(&w, &sb);
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "detail", err->msg[0] ? err->msg : ck_strerror(rc));
	jsonw_obj_close(&w);
	printf("%s\n", strbuf_str(&sb));
	strbuf_release(&sb);
	return 1;
}

int cmd_inspect(int argc, char **argv)
{
	static char *stdin_only[] = {"-"};
	char **files = argc > 1 ? argv + 1 : stdin_only;
	int nfiles = argc > 1 ? argc - 1 : 1, rc = 0;
	struct ck_error err;
	struct strbuf sb;
	struct jsonw w;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	for (int i = 0; i < nfiles; i++) {
		if (files[i][0] == '-' && files[i][1]) {
			fprintf(stderr, "certkeeper inspect: unknown option '%s'\n\n", files[i]);
			usage(stderr);
			return 2;
		}
	}
	ck_error_clear(&err);
	strbuf_init(&sb, 0);
	jsonw_init(&w, &sb);
	jsonw_arr_open(&w);
	for (int i = 0; i < nfiles && rc == 0; i++)
		rc = inspect_one(files[i], &w, &err);
	jsonw_arr_close(&w);
	if (rc == 0)
		rc = jsonw_result(&w);
	if (rc == 0)
		printf("%s\n", strbuf_str(&sb));
	strbuf_release(&sb);
	return rc ? print_detail(&err, rc) : 0;
}
