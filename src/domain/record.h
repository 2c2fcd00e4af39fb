/*
 * domain/record — a flat, typed bag of field values: what a client wants to write to one
 * object, as the api/ layer decoded it, before the domain rules see it.
 *
 * The api/ layer owns the field list (names come from the resource declaration and stay
 * borrowed); the record owns copies of every text value. A value is ABSENT when the client
 * did not send it (PATCH semantics), NULL when it sent null. Booleans and times are INT
 * (0/1, epoch seconds); string lists (sans) are TEXT holding a JSON array.
 *
 * Lifecycle: dom_record_init() → set/get → dom_record_release(). Not thread-safe.
 */
#ifndef CK_DOMAIN_RECORD_H
#define CK_DOMAIN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum dom_vtype { DV_ABSENT = 0, DV_NULL, DV_INT, DV_TEXT, DV_DOUBLE };

struct dom_value {
	enum dom_vtype type;
	int64_t i;
	double d;
	char *s; /* owned, NUL-terminated, for DV_TEXT */
	size_t len;
};

struct dom_record {
	const char *const *names; /* borrowed; n names */
	struct dom_value *vals;	  /* owned; n values */
	size_t n;
	int from_x509; /* the certificate fields were derived from parsed PEM by the domain
			* (dom_cert_record_from_x509), not typed by a client */
};

/* Prepares a record with every value ABSENT. Returns 0 or CK_E_NOMEM. */
int dom_record_init(struct dom_record *r, const char *const *names, size_t n);
void dom_record_release(struct dom_record *r);

/* The value slot of `name`, or NULL when the record has no such field. */
struct dom_value *dom_record_get(const struct dom_record *r, const char *name);

/* Setters return 0, CK_E_NOMEM, or CK_E_INVALID for an unknown field name. */
int dom_record_set_int(struct dom_record *r, const char *name, int64_t v);
int dom_record_set_text(struct dom_record *r, const char *name, const char *s, size_t len);
int dom_record_set_double(struct dom_record *r, const char *name, double v);
int dom_record_set_null(struct dom_record *r, const char *name);
void dom_record_unset(struct dom_record *r, const char *name);

/* Getters: text ("" when absent/null), int (def when absent/null), present = not ABSENT. */
const char *dom_record_text(const struct dom_record *r, const char *name);
int64_t dom_record_int(const struct dom_record *r, const char *name, int64_t def);
int dom_record_has(const struct dom_record *r, const char *name);
int dom_record_is_null(const struct dom_record *r, const char *name);

/* The storage guard (docs/security.md "No private key byte is stored"): CK_E_PRIVKEY on the
 * first text value holding private-key material (x509_text_has_private_key), with that
 * field's name in err->field; 0 otherwise. Every domain write runs it on the record it
 * stores. */
int dom_record_refuse_secrets(const struct dom_record *r, struct ck_error *err);

/* The same guard for one text about to be stored outside a record (event descriptions,
 * comments of actions). */
int dom_text_refuse_secret(const char *field, const char *text, size_t len, struct ck_error *err);

#endif
