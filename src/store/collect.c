/* store/collect — gathering column 0 of a result into an array (see store.h). */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

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

void store_texts_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int store_collect_text(struct store_stmt *st, size_t max, char ***ret, size_t *ret_n,
		       struct ck_error *err)
{
	char **v = NULL, **grown;
	size_t n = 0, cap = 0;
	int r;

	while ((r = store_step(st, err)) == STORE_ROW && n < max) {
		const char *s = store_col_text(st, 0, NULL);
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			if (!(grown = realloc(v, cap * sizeof(*v)))) {
				r = CK_E_NOMEM;
				break;
			}
			v = grown;
		}
		if (!(v[n] = strdup(s ? s : ""))) {
			r = CK_E_NOMEM;
			break;
		}
		n++;
	}
	store_done(st);
	if (r < 0) {
		store_texts_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
