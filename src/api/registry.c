/* api/registry — the table of declared resources and look-ups over it. Resources are
 * declared in api/res_*.c; adding one means adding its pointer here. */
#include "api/registry.h"
#include "api/resources.h"
#include "core/parse.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const struct api_resource *const all[] = {
	&res_certificates, &res_cas, &res_assignments, &res_csrs, &res_tenants, &res_tags,
	&res_devices, &res_virtual_machines, &res_services, &res_object_changes, &res_users, &res_tokens,
	&res_compliance_policies, &res_compliance_checks,
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

/* Names arrays for dom_record, built once per resource. */
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static const char **names_cache[NRES];

const char *const *api_resource_names(const struct api_resource *res)
{
	size_t idx = 0;
	const char **names;

	while (idx < NRES && all[idx] != res)
		idx++;
	if (idx == NRES)
		return NULL;
	pthread_mutex_lock(&names_lock);
	names = names_cache[idx];
	if (!names) {
		names = calloc(res->nfields + 1, sizeof(*names));
		if (names) {
			for (size_t i = 0; i < res->nfields; i++)
				names[i] = res->fields[i].name;
			names_cache[idx] = names;
		}
	}
	pthread_mutex_unlock(&names_lock);
	return names;
}
