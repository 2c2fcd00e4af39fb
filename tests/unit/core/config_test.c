/* core/config: the INI loader's line limit (a longer line is refused by number, not split by
 * inih into a second, bogus line), and values at the limit still load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/error.h"

static char path[64];

static void write_config(const char *db_value, const char *tail)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/ck-config-test-%d.ini", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[server]\ndb = %s\n%s", db_value, tail);
	assert_int_equal(fclose(f), 0);
}

/* A "db = sqlite:/x..." line of exactly `len` bytes (without the newline). */
static char *db_value_for_line(int len)
{
	int vlen = len - (int)strlen("db = ");
	char *v = malloc((size_t)vlen + 1);

	assert_non_null(v);
	memcpy(v, "sqlite:/", 8);
	memset(v + 8, 'x', (size_t)vlen - 8);
	v[vlen] = '\0';
	return v;
}

static void line_at_the_limit_loads(void **state)
{
	struct ck_config cfg;
	struct ck_error err = {0};
	char *v = db_value_for_line(ck_config_line_max());

	(void)state;
	ck_config_defaults(&cfg);
	write_config(v, "threads = 3\n");
	assert_int_equal(ck_config_load_file(&cfg, path, &err), 0);
	assert_string_equal(cfg.db, v);
	assert_int_equal(cfg.threads, 3);
	unlink(path);
	free(v);
}

static void line_over_the_limit_is_refused_by_number(void **state)
{
	struct ck_config cfg;
	struct ck_error err = {0};
	char *v = db_value_for_line(ck_config_line_max() + 1);
	char want[64];

	(void)state;
	ck_config_defaults(&cfg);
	write_config(v, "threads = 3\n");
	assert_int_equal(ck_config_load_file(&cfg, path, &err), CK_E_TOOBIG);
	snprintf(want, sizeof(want), "line 2 is longer than %d bytes", ck_config_line_max());
	assert_non_null(strstr(err.msg, want));
	assert_string_equal(cfg.db, "sqlite:certkeeper.db"); /* the split tail set nothing */
	unlink(path);
	free(v);
}

static void last_line_without_newline_loads(void **state)
{
	struct ck_config cfg;
	struct ck_error err = {0};

	(void)state;
	ck_config_defaults(&cfg);
	write_config("sqlite:/tmp/a.db", "threads = 5");
	assert_int_equal(ck_config_load_file(&cfg, path, &err), 0);
	assert_int_equal(cfg.threads, 5);
	unlink(path);
}

static void missing_file_is_io(void **state)
{
	struct ck_config cfg;
	struct ck_error err = {0};

	(void)state;
	ck_config_defaults(&cfg);
	assert_int_equal(ck_config_load_file(&cfg, "/nonexistent/ck.ini", &err), CK_E_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(line_at_the_limit_loads),
	    cmocka_unit_test(line_over_the_limit_is_refused_by_number),
	    cmocka_unit_test(last_line_without_newline_loads),
	    cmocka_unit_test(missing_file_is_io),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
