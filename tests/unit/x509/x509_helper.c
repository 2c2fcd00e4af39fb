/* Helpers of the x509 unit tests; see x509_helper.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/parse.h"
#include "x509_helper.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *th_tmpdir(void)
{
	char tmpl[] = "/tmp/ck-x509-test-XXXXXX";

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	return strdup(tmpl);
}

void th_rmtree(const char *dir)
{
	if (dir && !strncmp(dir, "/tmp/ck-x509-test-", 18))
		th_sh("rm -rf '%s'", dir);
}

int th_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *th_read(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		if (ret_len)
			*ret_len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int th_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

struct x509_bundle *th_parse_file(const char *path, struct ck_error *err)
{
	struct x509_bundle *b = NULL;
	size_t len = 0;
	char *data = th_read(path, &len);

	if (data && x509_parse_input(data, len, NULL, &b, err))
		b = NULL;
	free(data);
	return b;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static int take_line(const char *line, const char *prefix, char *out, size_t outsz)
{
	size_t n = strlen(prefix);

	if (strncmp(line, prefix, n))
		return 0;
	n = strnlen(line + n, outsz - 1) + n; /* copy what fits; the fields compared are short */
	memcpy(out, line + strlen(prefix), n - strlen(prefix));
	out[n - strlen(prefix)] = '\0';
	return 1;
}

int th_openssl_fields(const char *path, const char *informat, struct th_openssl_fields *f)
{
	char cmd[4096], line[4096], nb[64] = "", na[64] = "";
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -inform %s -in '%s' -noout -serial -fingerprint -sha256 -subject "
		 "-issuer -nameopt RFC2253,-esc_msb -dates -dateopt iso_8601",
		 informat, path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		chomp(line);
		n += take_line(line, "serial=", f->serial, sizeof(f->serial));
		n += take_line(line, "sha256 Fingerprint=", f->fp, sizeof(f->fp));
		n += take_line(line, "subject=", f->subject, sizeof(f->subject));
		n += take_line(line, "issuer=", f->issuer, sizeof(f->issuer));
		n += take_line(line, "notBefore=", nb, sizeof(nb));
		n += take_line(line, "notAfter=", na, sizeof(na));
	}
	if (pclose(p) != 0 || n != 6)
		return -1;
	if (ck_parse_time(nb, &f->not_before) || ck_parse_time(na, &f->not_after))
		return -1;
	return 0;
}

char *th_dn_commas(const char *dn)
{
	char *out = malloc(strlen(dn) + 1), *o = out;

	for (const char *p = dn; *p; p++) {
		if (*p == '\\' && p[1]) {
			*o++ = *p++;
			*o++ = *p;
			continue;
		}
		*o++ = *p;
		if (*p == ',' && p[1] == ' ')
			p++;
	}
	*o = '\0';
	return out;
}

char *th_strip_colons(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	for (; *s; s++)
		if (*s != ':')
			*o++ = *s;
	*o = '\0';
	return out;
}

/* Compares certs[0] of the bundle with what `openssl x509` says about the file. */
void th_check_against_openssl(const char *path, const char *informat,
			      const struct x509_cert_info *c)
{
	struct th_openssl_fields f;
	char *serial = th_strip_colons(c->serial_number);
	char *subj = th_dn_commas(c->subject), *iss = th_dn_commas(c->issuer);

	assert_int_equal(th_openssl_fields(path, informat, &f), 0);
	if (strcmp(serial, f.serial) || strcmp(c->fingerprint_sha256, f.fp) ||
	    strcmp(subj, f.subject) || strcmp(iss, f.issuer))
		print_error("%s:\n ours   %s | %s | %s | %s\n openssl %s | %s | %s | %s\n", path,
			    serial, c->fingerprint_sha256, subj, iss, f.serial, f.fp, f.subject,
			    f.issuer);
	assert_string_equal(serial, f.serial);
	assert_string_equal(c->fingerprint_sha256, f.fp);
	assert_string_equal(subj, f.subject);
	assert_string_equal(iss, f.issuer);
	assert_int_equal(c->valid_from, f.not_before);
	assert_int_equal(c->valid_to, f.not_after);
	free(serial);
	free(subj);
	free(iss);
}
