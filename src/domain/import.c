/* domain/import — see import.h. */
#include "domain/import.h"
#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/uow.h"
#include "domain/write.h"

struct import_cmd {
	const struct dom_ctx *ctx;
	struct dom_cert_import *imp;
};

/* 1 when record i is a stored duplicate the policy skips, 0 to create it, or an error. */
static int duplicate(const struct dom_ctx *ctx, struct dom_cert_import *imp, size_t i,
		     struct ck_error *err)
{
	const struct dom_record *rec = &imp->recs[i];
	struct ck_error why;
	int64_t dup = 0;
	int r;

	if (imp->dups == DOM_IMPORT_DUP_REFUSE)
		return 0;
	ck_error_clear(&why);
	r = dom_cert_find_duplicate(ctx, dom_record_text(rec, "serial_number"),
				    dom_record_text(rec, "issuer"),
				    dom_record_text(rec, "fingerprint_sha256"), 0, &dup, &why);
	if (r) {
		if (err)
			*err = why;
		return r;
	}
	if (!dup)
		return 0;
	if (imp->dups == DOM_IMPORT_DUP_FAIL)
		return ck_error_set(
		    err, CK_E_DUPLICATE, NULL, "Duplicate certificate: %s (serial: %.20s)",
		    dom_record_text(rec, "common_name"), dom_record_text(rec, "serial_number"));
	imp->skipped++;
	r = imp->on_skip ? imp->on_skip(imp->arg, i, &why) : 0;
	return r ? r : 1;
}

static int run_import(void *arg, struct ck_error *err)
{
	struct import_cmd *c = arg;
	struct dom_cert_import *imp = c->imp;
	size_t refused = 0;
	int r = 0;

	for (size_t i = 0; i < imp->n && !r; i++) {
		struct ck_error why;
		imp->ret_ids[i] = 0;
		if (imp->refused && imp->refused[i]) {
			refused++;
			continue;
		}
		r = duplicate(c->ctx, imp, i, err);
		if (r == 1) {
			r = 0;
			continue;
		}
		if (r)
			break;
		ck_error_clear(&why);
		r = dom_create_step(c->ctx, &dom_model_certificates, &imp->recs[i], NULL,
				    &imp->ret_ids[i], &why);
		if (!r) {
			imp->created++;
		} else if (imp->on_refused && (r == CK_E_INVALID || r == CK_E_DUPLICATE)) {
			imp->on_refused(imp->arg, i, &why);
			refused++;
			r = 0;
		} else if (err) {
			*err = why;
			err->index = (long)i;
		}
	}
	if (!r && refused)
		r = ck_error_set(err, CK_E_INVALID, NULL, "Validation errors found.");
	return r;
}

int dom_cert_import(const struct dom_ctx *ctx, struct dom_cert_import *imp, struct ck_error *err)
{
	struct import_cmd c = {ctx, imp};

	imp->created = imp->skipped = 0;
	return dom_uow_run(ctx, run_import, &c, err);
}
