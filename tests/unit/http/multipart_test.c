/* cmocka tests of http/multipart: boundaries, parts, limits at N and N+1, malformed bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/multipart.h"
#include "core/strbuf.h"

#define CT "multipart/form-data; boundary=XyZ"

static int parse(const char *ct, const char *body, struct multipart *mp, struct ck_error *err)
{
	ck_error_clear(err);
	return multipart_parse(ct, body, strlen(body), mp, err);
}

static void test_boundary_forms(void **state)
{
	static const struct {
		const char *ct, *want;
		int rc;
	} cases[] = {
	    {"multipart/form-data; boundary=abc", "abc", 0},
	    {"Multipart/Form-Data;boundary=\"a b:c\"", "a b:c", 0},
	    {"multipart/form-data; charset=utf-8; BOUNDARY=----x", "----x", 0},
	    {"multipart/form-data; boundary=\"\"", NULL, CK_E_INVALID},
	    {"multipart/form-data", NULL, CK_E_INVALID},
	    {"multipart/mixed; boundary=a", NULL, CK_E_INVALID},
	    {"application/json", NULL, CK_E_INVALID},
	    {"multipart/form-data; boundary=\"abc", NULL, CK_E_INVALID},
	    {"multipart/form-data; boundary=\"trailing \"", NULL, CK_E_INVALID},
	    {NULL, NULL, CK_E_INVALID},
	};
	char out[MULTIPART_MAX_BOUNDARY + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ck_error err;
		ck_error_clear(&err);
		assert_int_equal(multipart_boundary(cases[i].ct, out, sizeof(out), &err),
				 cases[i].rc);
		if (!cases[i].rc)
			assert_string_equal(out, cases[i].want);
	}
}

static void test_boundary_length_limit(void **state)
{
	char ct[200], out[MULTIPART_MAX_BOUNDARY + 1];
	struct ck_error err;

	(void)state;
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%0*d", MULTIPART_MAX_BOUNDARY, 7);
	assert_int_equal(multipart_boundary(ct, out, sizeof(out), &err), 0);
	assert_int_equal(strlen(out), MULTIPART_MAX_BOUNDARY);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%0*d", MULTIPART_MAX_BOUNDARY + 1,
		 7);
	assert_int_equal(multipart_boundary(ct, out, sizeof(out), &err), CK_E_INVALID);
}

static void test_two_parts_with_preamble_and_epilogue(void **state)
{
	const char *body =
	    "preamble\r\n--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".pem\"\r\n"
	    "Content-Type: application/x-pem-file\r\n\r\n"
	    "line1\r\n--XyZnot-a-delimiter\r\n\r\n"
	    "--XyZ  \r\n"
	    "content-disposition: FORM-DATA; name=tenant\r\n\r\n"
	    "12\r\n--XyZ--\r\nepilogue --XyZ";
	struct multipart mp;
	struct ck_error err;
	const struct multipart_part *f, *t;

	(void)state;
	assert_int_equal(parse(CT, body, &mp, &err), 0);
	assert_int_equal(mp.nparts, 2);
	f = multipart_find(&mp, "file");
	t = multipart_find(&mp, "tenant");
	assert_non_null(f);
	assert_non_null(t);
	assert_null(multipart_find(&mp, "other"));
	assert_true(f->has_filename);
	assert_string_equal(f->filename, "a \"b\".pem");
	assert_string_equal(f->content_type, "application/x-pem-file");
	assert_int_equal(f->len, strlen("line1\r\n--XyZnot-a-delimiter\r\n"));
	assert_memory_equal(f->data, "line1\r\n--XyZnot-a-delimiter\r\n", f->len);
	assert_false(t->has_filename);
	assert_int_equal(t->len, 2);
	assert_memory_equal(t->data, "12", 2);
}

static void test_binary_and_empty_parts(void **state)
{
	static const char body[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"
	    "\x30\x00\r\x01\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n"
	    "\r\n--XyZ--";
	struct multipart mp;
	struct ck_error err;

	(void)state;
	ck_error_clear(&err);
	assert_int_equal(multipart_parse(CT, body, sizeof(body) - 1, &mp, &err), 0);
	assert_int_equal(mp.nparts, 2);
	assert_int_equal(mp.parts[0].len, 5);
	assert_memory_equal(mp.parts[0].data, "\x30\x00\r\x01\n", 5);
	assert_int_equal(mp.parts[1].len, 0);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *body;
		int rc;
	} cases[] = {
	    {"", CK_E_PARSE},
	    {"no boundary here", CK_E_PARSE},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata without end",
	     CK_E_PARSE},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n", CK_E_PARSE},
	    {"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", CK_E_PARSE},
	    {"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--",
	     CK_E_PARSE},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--XyZ--", CK_E_PARSE},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--", CK_E_PARSE},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\nx\r\n--XyZ--",
	     CK_E_PARSE},
	    {"--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--", CK_E_PARSE},
	    {"--XyZjunk\r\n", CK_E_PARSE},
	    {"--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx\n--XyZ--", CK_E_PARSE},
	    {"--XyZ--", 0},
	};
	struct multipart mp = {.nparts = 99};
	struct ck_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(CT, cases[i].body, &mp, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, want %d (%s)", i, rc, cases[i].rc, err.msg);
		if (rc)
			assert_true(err.msg[0] != '\0');
	}
	assert_int_equal(mp.nparts, 0); /* the last case: a closed body with no parts */
}

/* A body of n parts named p0..p(n-1). */
static char *body_of_parts(int n)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	for (int i = 0; i < n; i++)
		strbuf_addf(&sb,
			    "--XyZ\r\nContent-Disposition: form-data; name=\"p%d\"\r\n\r\nv%d\r\n",
			    i, i);
	strbuf_adds(&sb, "--XyZ--\r\n");
	return strbuf_take(&sb, NULL);
}

static void test_part_count_limit(void **state)
{
	struct multipart mp;
	struct ck_error err;
	char *ok = body_of_parts(MULTIPART_MAX_PARTS),
	     *over = body_of_parts(MULTIPART_MAX_PARTS + 1);

	(void)state;
	assert_int_equal(parse(CT, ok, &mp, &err), 0);
	assert_int_equal(mp.nparts, MULTIPART_MAX_PARTS);
	assert_memory_equal(mp.parts[MULTIPART_MAX_PARTS - 1].data, "v15", 3);
	mp.nparts = 3;
	assert_int_equal(parse(CT, over, &mp, &err), CK_E_TOOBIG);
	assert_int_equal(mp.nparts, 3); /* untouched on failure */
	free(ok);
	free(over);
}

/* One part whose header block (lines + final CRLF) is exactly `total` bytes. */
static char *body_with_header_bytes(size_t total)
{
	static const char cd[] = "Content-Disposition: form-data; name=\"a\"\r\n";
	struct strbuf sb;
	size_t pad = total - (sizeof(cd) - 1) - 2 - (sizeof("X-Pad: \r\n") - 1);

	strbuf_init(&sb, 0);
	strbuf_adds(&sb, "--XyZ\r\n");
	strbuf_adds(&sb, cd);
	strbuf_adds(&sb, "X-Pad: ");
	for (size_t i = 0; i < pad; i++)
		strbuf_addch(&sb, 'p');
	strbuf_adds(&sb, "\r\n\r\nx\r\n--XyZ--");
	return strbuf_take(&sb, NULL);
}

static void test_header_size_limit(void **state)
{
	struct multipart mp;
	struct ck_error err;
	char *ok = body_with_header_bytes(MULTIPART_MAX_HEADER_BYTES);
	char *over = body_with_header_bytes(MULTIPART_MAX_HEADER_BYTES + 1);

	(void)state;
	assert_int_equal(parse(CT, ok, &mp, &err), 0);
	assert_int_equal(parse(CT, over, &mp, &err), CK_E_TOOBIG);
	free(ok);
	free(over);
}

static void test_name_length_limit(void **state)
{
	char name[MULTIPART_MAX_NAME + 2], body[1024];
	struct multipart mp;
	struct ck_error err;

	(void)state;
	memset(name, 'n', sizeof(name));
	name[MULTIPART_MAX_NAME] = '\0';
	snprintf(body, sizeof(body),
		 "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\nx\r\n--XyZ--", name);
	assert_int_equal(parse(CT, body, &mp, &err), 0);
	assert_int_equal(strlen(mp.parts[0].name), MULTIPART_MAX_NAME);
	name[MULTIPART_MAX_NAME] = 'n';
	name[MULTIPART_MAX_NAME + 1] = '\0';
	snprintf(body, sizeof(body),
		 "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\nx\r\n--XyZ--", name);
	assert_int_equal(parse(CT, body, &mp, &err), CK_E_TOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_boundary_forms),
	    cmocka_unit_test(test_boundary_length_limit),
	    cmocka_unit_test(test_two_parts_with_preamble_and_epilogue),
	    cmocka_unit_test(test_binary_and_empty_parts),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_part_count_limit),
	    cmocka_unit_test(test_header_size_limit),
	    cmocka_unit_test(test_name_length_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
