/* domain/model — the table of declared models and look-ups over it (see model.h). Models are
 * declared in domain/models_*.c; adding one means adding its pointer here. */
#include "domain/model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const struct dom_model *const all[] = {
    &dom_model_certificates,
    &dom_model_cas,
    &dom_model_assignments,
    &dom_model_csrs,
    &dom_model_tenants,
    &dom_model_tags,
    &dom_model_devices,
    &dom_model_virtual_machines,
    &dom_model_services,
    &dom_model_object_changes,
    &dom_model_users,
    &dom_model_tokens,
    &dom_model_compliance_policies,
    &dom_model_compliance_checks,
};

#define NMODELS (sizeof(all) / sizeof(all[0]))

size_t dom_model_count(void) { return NMODELS; }
const struct dom_model *dom_model_at(size_t i) { return i < NMODELS ? all[i] : NULL; }

const struct dom_model *dom_model_find(const char *name)
{
	for (size_t i = 0; name && i < NMODELS; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

const struct dom_field *dom_model_field(const struct dom_model *m, const char *name)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (!strcmp(m->fields[i].name, name))
			return &m->fields[i];
	return NULL;
}

/* Names arrays for dom_record, built once per model. */
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static const char **names_cache[NMODELS];

const char *const *dom_model_names(const struct dom_model *m)
{
	size_t idx = 0;
	const char **names;

	while (idx < NMODELS && all[idx] != m)
		idx++;
	if (idx == NMODELS)
		return NULL;
	pthread_mutex_lock(&names_lock);
	names = names_cache[idx];
	if (!names) {
		names = calloc(m->nfields + 1, sizeof(*names));
		if (names) {
			for (size_t i = 0; i < m->nfields; i++)
				names[i] = m->fields[i].name;
			names_cache[idx] = names;
		}
	}
	pthread_mutex_unlock(&names_lock);
	return names;
}

int dom_model_record_init(const struct dom_model *m, struct dom_record *rec)
{
	const char *const *names = dom_model_names(m);

	if (!names) {
		memset(rec, 0, sizeof(*rec));
		return CK_E_NOMEM;
	}
	return dom_record_init(rec, names, m->nfields);
}

int dom_field_writable(const struct dom_field *f)
{
	return f->column && !(f->flags & (F_SQLEXPR | F_WO)) && f->type != FT_ID &&
	       f->type != FT_COMPUTED && strcmp(f->name, "created") &&
	       strcmp(f->name, "last_updated");
}
