/*
 * fuzz/fuzz_config — libFuzzer target for the INI loader (core/config over inih): the input
 * is the config file. It is written to a memfd and loaded through its /proc/self/fd path, so
 * the real ck_config_load_file() runs, file reading included. Properties:
 *  1. the result is 0, CK_E_INVALID or CK_E_TOOBIG (a line over ck_config_line_max()); on
 *     failure the message names the file, and the config may be half-applied but every field still
 * holds a value its key accepts;
 *  2. on success every numeric setting lies in its documented range and every string is
 *     NUL-terminated inside its array (range checks);
 *  3. loading is deterministic: the same file on fresh defaults gives the same config;
 *  4. format → parse round trip: the loaded config written back as an INI file ([server] and
 *     [netbox_ssl] keys, one per line) and loaded on fresh defaults gives the same config —
 *     skipped when a string value cannot be written as INI (leading/trailing space, ';' or
 *     '#' that inih would take as a comment, a line break, more than INI_SAFE_VALUE bytes).
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "core/strbuf.h"
#include "fuzz_util.h"

#define MAX_FILE (64 * 1024)
/* A line longer than ck_config_line_max() is refused (CK_E_TOOBIG); keep written lines short. */
#define INI_SAFE_VALUE 150

static int fd = -1;
static char path[64];

static void put_file(const void *data, size_t n)
{
	if (fd < 0) {
		fd = memfd_create("fuzz_config.ini", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, n, 0) == (ssize_t)n);
}

static void check_ranges(const struct ck_config *c)
{
	CHECK(memchr(c->listen, 0, sizeof(c->listen)) && memchr(c->db, 0, sizeof(c->db)) &&
	      memchr(c->web_root, 0, sizeof(c->web_root)));
	CHECK(c->threads >= 0 && c->threads <= 1024);
	CHECK(c->max_body_bytes >= 1024 && c->max_body_bytes <= (1L << 30));
	CHECK(c->access_log == 0 || c->access_log == 1);
	CHECK(c->sweep_interval_s >= 0 && c->sweep_interval_s <= 86400 * 7);
	CHECK(c->expiry_warning_days >= 1 && c->expiry_warning_days <= 3650);
	CHECK(c->expiry_critical_days >= 0 && c->expiry_critical_days <= 3650);
	CHECK(c->bulk_import_max_batch_size >= 1 && c->bulk_import_max_batch_size <= 100000);
	CHECK(c->bulk_validate_max_batch_size >= 1 && c->bulk_validate_max_batch_size <= 100000);
	CHECK(c->bulk_compliance_max_batch_size >= 1 &&
	      c->bulk_compliance_max_batch_size <= 100000);
	CHECK(c->bulk_detect_max_batch_size >= 1 && c->bulk_detect_max_batch_size <= 100000);
	CHECK(c->bulk_status_update_max_batch_size >= 1 &&
	      c->bulk_status_update_max_batch_size <= 100000);
	CHECK(c->bulk_assign_max_batch_size >= 1 && c->bulk_assign_max_batch_size <= 100000);
	CHECK(c->max_export_size >= 1 && c->max_export_size <= 10000000);
	CHECK(c->max_pem_bytes >= 1024 && c->max_pem_bytes <= (16L << 20));
	CHECK(c->auto_archive_after_days >= 0 && c->auto_archive_after_days <= 36500);
	CHECK(c->auto_create_ca_on_import == 0 || c->auto_create_ca_on_import == 1);
}

/* 0 when s cannot be written as an INI value that reads back unchanged. */
static int ini_safe(const char *s)
{
	size_t n = strlen(s);

	if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		return 0;
	if (n > INI_SAFE_VALUE)
		return 0;
	for (; *s; s++)
		if (*s == ';' || *s == '#' || *s == '\n' || *s == '\r' || (unsigned char)*s < 0x20)
			return 0;
	return 1;
}

/* Clears what follows the NUL of a string setting (a shorter value set over a longer one
 * leaves old bytes there, which no reader sees), so configs compare with memcmp. */
static void tidy(char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n < size)
		memset(s + n, 0, size - n);
}

static int load(const void *data, size_t n, struct ck_config *cfg, struct ck_error *err)
{
	int rc;

	ck_config_defaults(cfg);
	ck_error_clear(err);
	put_file(data, n);
	rc = ck_config_load_file(cfg, path, err);
	tidy(cfg->listen, sizeof(cfg->listen));
	tidy(cfg->db, sizeof(cfg->db));
	tidy(cfg->web_root, sizeof(cfg->web_root));
	return rc;
}

static void check_round_trip(const struct ck_config *c)
{
	struct ck_config again;
	struct ck_error err;
	struct strbuf sb;

	if (!ini_safe(c->listen) || !ini_safe(c->db) || !ini_safe(c->web_root))
		return;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "[server]\nlisten = %s\ndb = %s\nweb_root = %s\nthreads = %d\n", c->listen,
		    c->db, c->web_root, c->threads);
	strbuf_addf(&sb, "max_body_bytes = %ld\naccess_log = %s\nsweep_interval_s = %d\n",
		    c->max_body_bytes, c->access_log ? "true" : "false", c->sweep_interval_s);
	strbuf_addf(&sb, "[netbox_ssl]\nexpiry_warning_days = %d\nexpiry_critical_days = %d\n",
		    c->expiry_warning_days, c->expiry_critical_days);
	strbuf_addf(&sb, "bulk_import_max_batch_size = %d\nbulk_validate_max_batch_size = %d\n",
		    c->bulk_import_max_batch_size, c->bulk_validate_max_batch_size);
	strbuf_addf(&sb, "bulk_compliance_max_batch_size = %d\nbulk_detect_max_batch_size = %d\n",
		    c->bulk_compliance_max_batch_size, c->bulk_detect_max_batch_size);
	strbuf_addf(&sb,
		    "bulk_status_update_max_batch_size = %d\nbulk_assign_max_batch_size = %d\n",
		    c->bulk_status_update_max_batch_size, c->bulk_assign_max_batch_size);
	strbuf_addf(&sb, "max_export_size = %d\nmax_pem_bytes = %ld\n", c->max_export_size,
		    c->max_pem_bytes);
	strbuf_addf(&sb, "auto_archive_after_days = %d\nauto_create_ca_on_import = %s\n",
		    c->auto_archive_after_days, c->auto_create_ca_on_import ? "on" : "off");
	CHECK(strbuf_result(&sb) == 0);
	CHECK(load(strbuf_str(&sb), sb.len, &again, &err) == 0);
	CHECK(memcmp(&again, c, sizeof(again)) == 0);
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ck_config cfg, again;
	struct ck_error err;
	int rc;

	if (size > MAX_FILE)
		return 0;
	rc = load(data, size, &cfg, &err);
	check_ranges(&cfg);
	if (rc) {
		CHECK(rc == CK_E_INVALID || rc == CK_E_TOOBIG);
		CHECK(!strncmp(err.msg, path, strlen(path)));
		return 0;
	}
	CHECK(load(data, size, &again, &err) == 0);
	CHECK(memcmp(&again, &cfg, sizeof(cfg)) == 0);
	check_round_trip(&cfg);
	return 0;
}
