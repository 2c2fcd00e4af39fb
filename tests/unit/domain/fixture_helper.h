/* A fresh in-memory database with migrations applied and a domain context over it, shared by
 * the domain unit tests (linked into every tests/unit/domain test). */
#ifndef CK_TEST_DOMAIN_FIXTURE_HELPER_H
#define CK_TEST_DOMAIN_FIXTURE_HELPER_H

#include <stdint.h>

#include "core/config.h"
#include "domain/context.h"
#include "store/store.h"

struct dom_fx {
	struct store *st;
	struct ck_config cfg;
	struct dom_ctx ctx; /* user 1 "tester", request "test", time `now` */
};

/* Opens the database and fills f; 0 or -1. */
int dom_fx_open(struct dom_fx *f, int64_t now);
void dom_fx_close(struct dom_fx *f);
/* cmocka group setup/teardown over one process-wide fixture at time `now`. */
int dom_fx_setup(void **state, int64_t now);
int dom_fx_teardown(void **state);
/* Runs SQL or fails the test with the database's message. */
void dom_fx_exec(struct dom_fx *f, const char *sql);
/* First column of `sql` bound with one integer $1 (-1 when no row). */
int64_t dom_fx_scalar(struct dom_fx *f, const char *sql, int64_t p);

#endif
