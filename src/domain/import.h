/*
 * domain/import — the certificate import command: every path that turns client input into
 * new certificates runs it (POST certificates/import/ and bulk-import/, bulk-data-import/,
 * import-file/, `certkeeper import`). The caller decodes its input into certificate records
 * (dom_cert_record_from_x509 for PEM, the create decoder for data rows); the command creates
 * them in ONE unit of work (domain/uow.h) through dom_create_step, so the certificate rules
 * (normalisation, duplicate refusal, CA and ACME detection, `imported` event) and the
 * changelog + outbox rows are the same on every path.
 */
#ifndef CK_DOMAIN_IMPORT_H
#define CK_DOMAIN_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"
#include "domain/record.h"

/* What happens to a record whose certificate is already stored (dom_cert_find_duplicate). */
enum dom_import_dups {
	DOM_IMPORT_DUP_REFUSE, /* the create rule refuses it like any other rule violation */
	DOM_IMPORT_DUP_SKIP,   /* skipped: ret_ids[i] stays 0, on_skip reports it */
	DOM_IMPORT_DUP_FAIL,   /* the command fails: CK_E_DUPLICATE "Duplicate certificate: <CN>
				* (serial: <20 chars>)" (bulk-data-import's on_duplicate=error) */
};

struct dom_cert_import {
	struct dom_record *recs; /* n certificate records; the rules may complete them */
	size_t n;
	enum dom_import_dups dups;
	int64_t *ret_ids; /* n: the created ids, 0 for a skipped record */
	/* DOM_IMPORT_DUP_SKIP: called for each skipped record i with the duplicate's message
	 * ("Certificate already exists: ..."); non-zero fails the command. May be NULL. */
	int (*on_skip)(void *arg, size_t i, const struct ck_error *why);
	/* A rule refused record i (CK_E_INVALID or CK_E_DUPLICATE): with on_refused the refusal
	 * is reported and the next record tried, and the command fails at the end with
	 * CK_E_INVALID "Validation errors found." (every refusal listed, nothing kept); without
	 * it the command fails at once with err->index = i. */
	void (*on_refused)(void *arg, size_t i, const struct ck_error *why);
	/* n flags, or NULL: records the caller's decoder already refused (and reported). They
	 * are not written; the others run as usual, and the command then fails as for a rule
	 * refusal (CK_E_INVALID "Validation errors found.", nothing kept). */
	const unsigned char *refused;
	void *arg;
	size_t created, skipped; /* out */
};

/* Runs the import; all or nothing. */
int dom_cert_import(const struct dom_ctx *ctx, struct dom_cert_import *imp, struct ck_error *err);

#endif
