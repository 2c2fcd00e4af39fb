/* store/collect — gathering one integer column of a result into an array (see store.h). */
#include "store/store.h"

#include <stdlib.h>

int store_collect_i64(struct store_stmt *st, int64_t **ret, size_t *ret_n, struct ck_error *err)
{
	int64_t *v = NULL, *grown;
	size_t n = 0, cap = 0;
	int r;

	while ((r = store_step(st, err)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(grown = realloc(v, cap * sizeof(*v)))) {
				r = CK_E_NOMEM;
				break;
			}
			v = grown;
		}
		v[n++] = store_col_i64(st, 0);
	}
	store_done(st);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
