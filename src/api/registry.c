/* api/registry — the table of declared resources and look-ups over it. Resources are
 * declared in api/res_*.c; adding one means adding its pointer here. */
#include "api/registry.h"
#include "api/resources.h"
#include "core/parse.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct api_resource *const all[] = {
    &res_certificates,
    &res_cas,
    &res_assignments,
    &res_csrs,
    &res_tenants,
    &res_tags,
    &res_devices,
    &res_virtual_machines,
    &res_services,
    &res_object_changes,
    &res_users,
    &res_tokens,
    &res_compliance_policies,
    &res_compliance_checks,
};

#define NRES (sizeof(all) / sizeof(all[0]))

size_t api_registry_count(void) { return NRES; }
const struct api_resource *api_registry_at(size_t i) { return i < NRES ? all[i] : NULL; }

const struct api_resource *api_registry_find(const char *name)
{
	for (size_t i = 0; i < NRES; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

/* Matches "<list path>", "<list path><id>/" and "<list path><id>/<rest>" or
 * "<list path><rest>" (rest = an action such as "import/"). */
const struct api_resource *api_registry_match_path(const char *path, int64_t *ret_id,
						   const char **ret_rest)
{
	for (size_t i = 0; i < NRES; i++) {
		size_t n = strlen(all[i]->path);
		const char *p = path + n;
		char idbuf[24];
		size_t k = 0;
		int64_t id;

		if (strncmp(path, all[i]->path, n))
			continue;
		*ret_id = 0;
		*ret_rest = p;
		while (p[k] >= '0' && p[k] <= '9' && k < sizeof(idbuf) - 1) {
			idbuf[k] = p[k];
			k++;
		}
		if (k && p[k] == '/') {
			idbuf[k] = '\0';
			if (ck_parse_i64(idbuf, 1, INT64_MAX, &id))
				return NULL;
			*ret_id = id;
			*ret_rest = p + k + 1;
		}
		return all[i];
	}
	return NULL;
}

const struct api_field *api_resource_field(const struct api_resource *res, const char *name)
{
	for (size_t i = 0; i < res->nfields; i++)
		if (!strcmp(res->fields[i].name, name))
			return &res->fields[i];
	return NULL;
}

int api_field_col(const struct api_resource *res, const struct api_field *f)
{
	int col = 1; /* column 0 is always the id */

	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *g = &res->fields[i];
		if (!g->column)
			continue;
		if (g == f)
			return col;
		col++;
	}
	return -1;
}

/* Renderers ask for columns by name once per row and field; resolving a name walks the
 * declaration with strcmp. Callers pass string literals, so a small per-thread memo keyed by
 * (resource, name pointer) answers repeats with two pointer compares. */
#define ROW_COL_MEMO 32

int api_row_col(const struct api_row *row, const char *name)
{
	static _Thread_local struct {
		const struct api_resource *res;
		const char *name;
		int col;
	} memo[ROW_COL_MEMO];
	static _Thread_local unsigned next;
	const struct api_field *f;
	int col;

	for (unsigned i = 0; i < ROW_COL_MEMO; i++)
		if (memo[i].res == row->res && memo[i].name == name)
			return memo[i].col;
	f = api_resource_field(row->res, name);
	col = f ? api_field_col(row->res, f) : -1;
	memo[next % ROW_COL_MEMO].res = row->res;
	memo[next % ROW_COL_MEMO].name = name;
	memo[next % ROW_COL_MEMO].col = col;
	next++;
	return col;
}

const struct api_resource *api_registry_for_model(const struct dom_model *m)
{
	for (size_t i = 0; i < NRES; i++)
		if (all[i]->model == m)
			return all[i];
	return NULL;
}

/* Completes one wire field from the model field of the same name. */
static int merge_field(const struct api_resource *res, struct api_field *w, char *why, size_t n)
{
	const struct dom_field *m = dom_model_field(res->model, w->name);

	if (!m) {
		if (w->type == FT_COMPUTED ||
		    ((w->flags & F_SQLEXPR) && (w->flags & (F_RO | F_HIDDEN))))
			return 0;
		snprintf(why, n, "%s.%s: no model field and not wire-only", res->name, w->name);
		return -1;
	}
	if (w->model == m)
		return 0; /* already merged */
	if (w->type || w->column || w->maxlen || w->choices || w->fk_target ||
	    (w->flags & F_MODEL_FLAGS)) {
		snprintf(why, n, "%s.%s: model attributes declared on the wire", res->name,
			 w->name);
		return -1;
	}
	w->type = m->type;
	w->column = m->column;
	w->flags |= m->flags;
	w->maxlen = m->maxlen;
	w->choices = m->choices;
	w->fk_target = m->fk_target;
	w->model = m;
	return 0;
}

int api_registry_init(char *why, size_t why_len)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int r = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < NRES && !r; i++) {
		const struct api_resource *res = all[i];
		/* The declarations are non-const static arrays (registry.h): completing them in
		 * place keeps one merged view for the generic code. */
		struct api_field *fields = (struct api_field *)res->fields;
		if (!res->model || strcmp(res->model->name, res->name)) {
			snprintf(why, why_len, "%s: no model of the same name", res->name);
			r = -1;
		}
		for (size_t k = 0; k < res->nfields && !r; k++)
			r = merge_field(res, &fields[k], why, why_len);
		for (size_t k = 0; res->model && k < res->model->nfields && !r; k++)
			if (!api_resource_field(res, res->model->fields[k].name)) {
				snprintf(why, why_len,
					 "%s.%s: model field missing from the wire declaration",
					 res->name, res->model->fields[k].name);
				r = -1;
			}
	}
	pthread_mutex_unlock(&lock);
	return r;
}

/* The declarations are static data used from the first instruction of every program that
 * links the registry (server, CLI, tests): complete them before main(). A declaration error
 * is a programming error that no test could run past. */
__attribute__((constructor)) static void registry_complete(void)
{
	char why[200];

	if (api_registry_init(why, sizeof(why))) {
		fputs("certkeeper: resource registry: ", stderr);
		fputs(why, stderr);
		fputc('\n', stderr);
		abort();
	}
}
