/* cmocka tests of api/csv (the bulk-data-import reader) and the export CSV field writer:
 * RFC 4180 quoting both ways, line ends, BOM, blank lines, limits at N and N+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/csv.h"
#include "api/export.h"

/* Reads every record of text; joins fields with '|' and records with '/'. */
static int read_all(const char *text, char *out, size_t outsz)
{
	struct csv_reader r;
	const char *f[CSV_MAX_FIELDS];
	struct ck_error err;
	size_t n, o = 0;
	int rc;

	csv_reader_init(&r, text, strlen(text));
	out[0] = '\0';
	while ((rc = csv_read(&r, f, &n, &err)) == 1) {
		for (size_t i = 0; i < n; i++)
			o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? "|" : (o ? "/" : ""),
					      f[i]);
	}
	csv_reader_release(&r);
	return rc;
}

static void test_records(void **state)
{
	static const struct {
		const char *in, *want;
		int rc;
	} cases[] = {
	    {"a,b\r\nc,d\r\n", "a|b/c|d", 0},
	    {"a,b\nc,d", "a|b/c|d", 0},
	    {"a,b\rc,d\r", "a|b/c|d", 0},
	    {"\xEF\xBB\xBFh1,h2\n1,2\n", "h1|h2/1|2", 0},
	    {"\n\r\n a , b \n\n", " a | b ", 0},
	    {"\"x,y\",\"say \"\"hi\"\"\",\"multi\nline\"\n", "x,y|say \"hi\"|multi\nline", 0},
	    {"\"ab\"c,d\n", "abc|d", 0},
	    {"a\"b,c\n", "a\"b|c", 0},
	    {",,\n", "||", 0},
	    {"\"\"\n", "", 0},
	    {"a,\"open\n", "", CK_E_PARSE},
	    {"", "", 0},
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = read_all(cases[i].in, out, sizeof(out));
		if (rc != cases[i].rc || (!rc && strcmp(out, cases[i].want)))
			fail_msg("case %zu: rc %d out '%s', want %d '%s'", i, rc, out, cases[i].rc,
				 cases[i].want);
	}
}

static void test_field_limit(void **state)
{
	char line[CSV_MAX_FIELDS * 2 + 4], out[512];
	size_t o = 0;

	(void)state;
	for (int i = 0; i < CSV_MAX_FIELDS; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%sx", i ? "," : "");
	assert_int_equal(read_all(line, out, sizeof(out)), 0);
	snprintf(line + o, sizeof(line) - o, ",x");
	assert_int_equal(read_all(line, out, sizeof(out)), CK_E_TOOBIG);
}

/* The writer's output read back by the reader gives the original values. */
static void test_writer_round_trip(void **state)
{
	static const char *const values[] = {"plain", "a,b",	  "say \"hi\"", "two\r\nlines",
					     "",      "lf\nonly", "cr\r"};
	struct strbuf sb;
	struct csv_reader r;
	const char *f[CSV_MAX_FIELDS];
	struct ck_error err;
	size_t n, nv = sizeof(values) / sizeof(values[0]);

	(void)state;
	strbuf_init(&sb, 0);
	for (size_t i = 0; i < nv; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		export_csv_field(&sb, values[i], strlen(values[i]), 0);
	}
	strbuf_adds(&sb, "\r\n");
	csv_reader_init(&r, strbuf_str(&sb), sb.len);
	assert_int_equal(csv_read(&r, f, &n, &err), 1);
	assert_int_equal(n, nv);
	for (size_t i = 0; i < nv; i++)
		assert_string_equal(f[i], values[i]);
	assert_int_equal(csv_read(&r, f, &n, &err), 0);
	csv_reader_release(&r);
	strbuf_release(&sb);
}

static void test_formula_guard_and_filename(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"=1+1", "'=1+1"}, {"+x", "'+x"},	    {"-x", "'-x"},	   {"@x", "'@x"},
	    {"\tx", "'\tx"},   {"\rx", "\"'\rx\""}, {"=a,b", "\"'=a,b\""}, {"x=1", "x=1"},
	};
	struct strbuf sb;
	char name[96];

	(void)state;
	strbuf_init(&sb, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		export_csv_field(&sb, cases[i].in, strlen(cases[i].in), 1);
		assert_string_equal(strbuf_str(&sb), cases[i].want);
	}
	strbuf_release(&sb);
	export_filename("*.example.com", "pem", name, sizeof(name));
	assert_string_equal(name, "_.example.com.pem");
	export_filename("", "csv", name, sizeof(name));
	assert_string_equal(name, "certificate.csv");
	export_filename("caf\xC3\xA9 x/y", "json", name, sizeof(name));
	assert_string_equal(name, "caf___x_y.json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_records),
	    cmocka_unit_test(test_field_limit),
	    cmocka_unit_test(test_writer_round_trip),
	    cmocka_unit_test(test_formula_guard_and_filename),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
