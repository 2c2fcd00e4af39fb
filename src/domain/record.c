/* domain/record — see record.h. */
#include "domain/record.h"
#include "core/error.h"
#include "x509/pem.h"

#define DOM_MSG_PRIVKEY "Private key detected. For security reasons, private keys cannot be stored."

#include <stdlib.h>
#include <string.h>

int dom_record_init(struct dom_record *r, const char *const *names, size_t n)
{
	r->names = names;
	r->n = n;
	r->from_x509 = 0;
	r->vals = calloc(n ? n : 1, sizeof(*r->vals));
	return r->vals ? 0 : CK_E_NOMEM;
}

static void value_clear(struct dom_value *v)
{
	free(v->s);
	memset(v, 0, sizeof(*v));
}

void dom_record_release(struct dom_record *r)
{
	if (!r || !r->vals)
		return;
	for (size_t i = 0; i < r->n; i++)
		value_clear(&r->vals[i]);
	free(r->vals);
	r->vals = NULL;
}

struct dom_value *dom_record_get(const struct dom_record *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name))
			return &r->vals[i];
	return NULL;
}

int dom_record_set_int(struct dom_record *r, const char *name, int64_t v)
{
	struct dom_value *slot = dom_record_get(r, name);

	if (!slot)
		return CK_E_INVALID;
	value_clear(slot);
	slot->type = DV_INT;
	slot->i = v;
	return 0;
}

int dom_record_set_double(struct dom_record *r, const char *name, double v)
{
	struct dom_value *slot = dom_record_get(r, name);

	if (!slot)
		return CK_E_INVALID;
	value_clear(slot);
	slot->type = DV_DOUBLE;
	slot->d = v;
	return 0;
}

int dom_record_set_text(struct dom_record *r, const char *name, const char *s, size_t len)
{
	struct dom_value *slot = dom_record_get(r, name);
	char *copy;

	if (!slot)
		return CK_E_INVALID;
	copy = malloc(len + 1);
	if (!copy)
		return CK_E_NOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	value_clear(slot);
	slot->type = DV_TEXT;
	slot->s = copy;
	slot->len = len;
	return 0;
}

int dom_record_set_null(struct dom_record *r, const char *name)
{
	struct dom_value *slot = dom_record_get(r, name);

	if (!slot)
		return CK_E_INVALID;
	value_clear(slot);
	slot->type = DV_NULL;
	return 0;
}

void dom_record_unset(struct dom_record *r, const char *name)
{
	struct dom_value *slot = dom_record_get(r, name);

	if (slot)
		value_clear(slot);
}

const char *dom_record_text(const struct dom_record *r, const char *name)
{
	const struct dom_value *v = dom_record_get(r, name);

	return v && v->type == DV_TEXT ? v->s : "";
}

int64_t dom_record_int(const struct dom_record *r, const char *name, int64_t def)
{
	const struct dom_value *v = dom_record_get(r, name);

	return v && v->type == DV_INT ? v->i : def;
}

int dom_record_has(const struct dom_record *r, const char *name)
{
	const struct dom_value *v = dom_record_get(r, name);

	return v && v->type != DV_ABSENT;
}

int dom_record_is_null(const struct dom_record *r, const char *name)
{
	const struct dom_value *v = dom_record_get(r, name);

	return v && v->type == DV_NULL;
}

int dom_text_refuse_secret(const char *field, const char *text, size_t len, struct ck_error *err)
{
	if (text && x509_text_has_private_key(text, len))
		return ck_error_set(err, CK_E_PRIVKEY, field, DOM_MSG_PRIVKEY);
	return 0;
}

int dom_record_refuse_secrets(const struct dom_record *r, struct ck_error *err)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct dom_value *v = &r->vals[i];
		int rc =
		    v->type == DV_TEXT ? dom_text_refuse_secret(r->names[i], v->s, v->len, err) : 0;
		if (rc)
			return rc;
	}
	return 0;
}
