/* store/auth_repo — see auth_repo.h. */
#include "store/auth_repo.h"

static const char sql_generation[] = "SELECT value FROM auth_generation WHERE id = 1";

int store_auth_generation(struct store_conn *c, int64_t *ret, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_generation, &s, err);

	if (rc < 0)
		return rc;
	rc = store_step(s, err);
	if (rc == STORE_ROW) {
		*ret = store_col_i64(s, 0);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ck_error_set(err, CK_E_DB, NULL, "auth_generation has no row");
	}
	store_done(s);
	return rc;
}
