/* Shared fixture of the domain unit tests — see fixture_helper.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_helper.h"

int dom_fx_open(struct dom_fx *f, int64_t now)
{
	memset(f, 0, sizeof(*f));
	if (store_open("sqlite::memory:", 0, &f->st, NULL) < 0)
		return -1;
	ck_config_defaults(&f->cfg);
	f->ctx = (struct dom_ctx){store_conn_get(f->st), &f->cfg, now, 1, "tester", "test", NULL};
	return 0;
}

void dom_fx_close(struct dom_fx *f)
{
	store_close(f->st);
	f->st = NULL;
}

int dom_fx_setup(void **state, int64_t now)
{
	static struct dom_fx f;

	if (dom_fx_open(&f, now))
		return -1;
	*state = &f;
	return 0;
}

int dom_fx_teardown(void **state)
{
	dom_fx_close(*state);
	return 0;
}

void dom_fx_exec(struct dom_fx *f, const char *sql)
{
	struct ck_error e;

	ck_error_clear(&e);
	if (store_exec(f->ctx.conn, sql, &e))
		fail_msg("%s: %s", sql, e.msg);
}

int64_t dom_fx_scalar(struct dom_fx *f, const char *sql, int64_t p)
{
	int64_t v = -1;

	assert_int_equal(store_scalar_i64(f->ctx.conn, sql, &p, 1, &v, NULL), 0);
	return v;
}
