/* core/config — see config.h. One table describes every key, so file, environment and
 * flags share one parser. */
#include "core/config.h"
#include "core/parse.h"

#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_STR, K_INT, K_LONG, K_BOOL };

static const struct key {
	const char *name;
	enum kind kind;
	size_t off;
	size_t size; /* for K_STR */
	long min, max;
} keys[] = {
#define S(n)                                                                                       \
	{                                                                                          \
#n, K_STR, offsetof(struct ck_config, n), sizeof(((struct ck_config *)0)->n), 0, 0 \
	}
#define I(n, lo, hi)                                                                               \
	{                                                                                          \
#n, K_INT, offsetof(struct ck_config, n), 0, lo, hi                                \
	}
#define L(n, lo, hi)                                                                               \
	{                                                                                          \
#n, K_LONG, offsetof(struct ck_config, n), 0, lo, hi                               \
	}
#define B(n)                                                                                       \
	{                                                                                          \
#n, K_BOOL, offsetof(struct ck_config, n), 0, 0, 1                                 \
	}
    S(listen),
    S(db),
    S(web_root),
    I(threads, 0, 1024),
    L(max_body_bytes, 1024, 1L << 30),
    B(access_log),
    I(sweep_interval_s, 0, 86400 * 7),
    I(header_timeout_s, 1, 3600),
    I(keepalive_timeout_s, 1, 3600),
    I(send_timeout_s, 1, 3600),
    I(max_connections_per_ip, 1, 1024),
    I(login_max_failures_per_address, 0, 1000000),
    I(login_max_failures_per_account, 0, 1000000),
    I(login_failure_window_s, 1, 86400),
    I(login_hash_concurrency, 1, 64),
    I(statement_timeout_ms, 0, 3600000),
    I(pg_statement_timeout_ms, 0, 3600000),
    I(expiry_warning_days, 1, 3650),
    I(expiry_critical_days, 0, 3650),
    I(bulk_import_max_batch_size, 1, 100000),
    I(bulk_validate_max_batch_size, 1, 100000),
    I(bulk_compliance_max_batch_size, 1, 100000),
    I(bulk_detect_max_batch_size, 1, 100000),
    I(bulk_status_update_max_batch_size, 1, 100000),
    I(bulk_assign_max_batch_size, 1, 100000),
    I(max_export_size, 1, 10000000),
    L(max_pem_bytes, 1024, 16L << 20),
    I(auto_archive_after_days, 0, 36500),
    B(auto_create_ca_on_import),
#undef S
#undef I
#undef L
#undef B
};

void ck_config_defaults(struct ck_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1:8080");
	snprintf(cfg->db, sizeof(cfg->db), "sqlite:certkeeper.db");
	cfg->max_body_bytes = 8L << 20;
	cfg->access_log = 1;
	cfg->sweep_interval_s = 3600;
	cfg->header_timeout_s = 10;
	cfg->keepalive_timeout_s = 60;
	cfg->send_timeout_s = 10;
	cfg->max_connections_per_ip = 64;
	cfg->login_max_failures_per_address = 10;
	cfg->login_max_failures_per_account = 20;
	cfg->login_failure_window_s = 300;
	cfg->login_hash_concurrency = 1;
	cfg->statement_timeout_ms = 2000;
	cfg->pg_statement_timeout_ms = 30000;
	cfg->expiry_warning_days = 30;
	cfg->expiry_critical_days = 14;
	cfg->bulk_import_max_batch_size = 100;
	cfg->bulk_validate_max_batch_size = 100;
	cfg->bulk_compliance_max_batch_size = 100;
	cfg->bulk_detect_max_batch_size = 100;
	cfg->bulk_status_update_max_batch_size = 100;
	cfg->bulk_assign_max_batch_size = 100;
	cfg->max_export_size = 1000;
	cfg->max_pem_bytes = 65536;
	cfg->auto_archive_after_days = 90;
}

int ck_config_set(struct ck_config *cfg, const char *name, const char *value, struct ck_error *err)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		char *slot = (char *)cfg + k->off;
		int64_t v;
		int b;

		if (strcmp(k->name, name))
			continue;
		switch (k->kind) {
		case K_STR:
			if (strlen(value) >= k->size)
				return ck_error_set(err, CK_E_INVALID, name, "value too long");
			memcpy(slot, value, strlen(value) + 1);
			return 0;
		case K_BOOL:
			if (ck_parse_bool(value, &b))
				return ck_error_set(err, CK_E_INVALID, name,
						    "expected true or false, got '%s'", value);
			*(int *)slot = b;
			return 0;
		case K_INT:
		case K_LONG:
			if (ck_parse_i64(value, k->min, k->max, &v))
				return ck_error_set(err, CK_E_INVALID, name,
						    "expected an integer from %ld to %ld, got '%s'",
						    k->min, k->max, value);
			if (k->kind == K_INT)
				*(int *)slot = (int)v;
			else
				*(long *)slot = (long)v;
			return 0;
		}
	}
	return ck_error_set(err, CK_E_INVALID, name, "unknown setting '%s'", name);
}

struct ini_state {
	struct ck_config *cfg;
	struct ck_error *err;
	int failed;
};

/* inih reads a file through a fixed line buffer (Debian's libinih: INI_MAX_LINE 200) and
 * silently splits a longer line, whose tail then reads as a line of its own — "syntax error"
 * at best, a different setting at worst. Reading through our own reader sees the buffer size
 * inih passes and stops at the first line that does not fit, so it can be named. */
struct ini_reader_state {
	FILE *f;
	int line;      /* lines read so far */
	int too_long;  /* line number of the first line that did not fit, 0 if none */
	int max_bytes; /* longest line inih accepts (without its newline) */
};

static char *read_ini_line(char *str, int num, void *stream)
{
	struct ini_reader_state *rs = stream;
	size_t len;
	int c;

	if (!fgets(str, num, rs->f))
		return NULL;
	rs->line++;
	len = strlen(str);
	if (len && str[len - 1] == '\n')
		return str;
	/* No newline: either the last line of the file, or a line longer than the buffer. */
	c = fgetc(rs->f);
	if (c == EOF)
		return str;
	ungetc(c, rs->f);
	if ((int)len < num - 1)
		return str;
	rs->too_long = rs->line;
	rs->max_bytes = num - 2;
	return NULL;
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;

	if (strcmp(section, "server") && strcmp(section, "netbox_ssl") && strcmp(section, "")) {
		ck_error_set(st->err, CK_E_INVALID, name, "unknown section [%s]", section);
		st->failed = 1;
		return 0;
	}
	if (ck_config_set(st->cfg, name, value, st->err)) {
		st->failed = 1;
		return 0;
	}
	return 1;
}

int ck_config_load_file(struct ck_config *cfg, const char *path, struct ck_error *err)
{
	struct ini_state st = {cfg, err, 0};
	struct ini_reader_state rs = {0};
	int r;

	if (!path)
		return 0;
	rs.f = fopen(path, "r");
	if (!rs.f)
		return ck_error_set(err, CK_E_IO, NULL, "cannot open config file %s", path);
	r = ini_parse_stream(read_ini_line, &rs, on_ini, &st);
	fclose(rs.f);
	if (rs.too_long && !st.failed)
		return ck_error_set(err, CK_E_TOOBIG, NULL,
				    "%s: line %d is longer than %d bytes (use the environment, "
				    "e.g. CERTKEEPER_DB, for a longer value)",
				    path, rs.too_long, rs.max_bytes);
	if (st.failed || r) {
		if (err && err->msg[0] && !st.failed)
			return CK_E_INVALID;
		if (!st.failed)
			ck_error_set(err, CK_E_INVALID, NULL, "%s: syntax error on line %d", path,
				     r);
		else if (err) {
			char msg[CK_ERROR_MSG_MAX];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			ck_error_set(err, CK_E_INVALID, err->field, "%s: line %d: %s", path, r,
				     msg);
		}
		return CK_E_INVALID;
	}
	return 0;
}

int ck_config_line_max(void) { return INI_MAX_LINE - 2; }

int ck_config_load_env(struct ck_config *cfg, struct ck_error *err)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char env[96] = "CERTKEEPER_";
		size_t n = strlen(env);
		const char *v;
		int r;

		for (const char *p = keys[i].name; *p && n < sizeof(env) - 1; p++)
			env[n++] = (char)toupper((unsigned char)*p);
		env[n] = '\0';
		v = getenv(env);
		if (v && (r = ck_config_set(cfg, keys[i].name, v, err)))
			return r;
	}
	return 0;
}
