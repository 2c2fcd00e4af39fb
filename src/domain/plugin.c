/* domain/plugin — see plugin.h. */
#include "domain/plugin.h"
#include "domain/assignment.h"
#include "domain/model.h"
#include "domain/uow.h"
#include "domain/write.h"
#include "store/assignments.h"

#include <string.h>

/* ---- CSR import ---- */

struct csr_cmd {
	const struct dom_ctx *ctx;
	struct dom_record *rec;
	int64_t id;
};

static int run_csr(void *arg, struct ck_error *err)
{
	struct csr_cmd *c = arg;
	int64_t dup = 0;
	const char *fp = dom_record_text(c->rec, "fingerprint_sha256");
	char cn[256] = "";
	int r = store_id_by_text(c->ctx->conn, "csrs", "fingerprint_sha256", fp, &dup, err);

	if (r == 1)
		r = store_text_of(c->ctx->conn, "csrs", "common_name", dup, cn, sizeof(cn), err);
	if (r < 0)
		return r;
	if (dup)
		return ck_error_set(err, CK_E_DUPLICATE, "pem_content",
				    "CSR already exists: %s (ID: %lld)", cn, (long long)dup);
	return dom_create_step(c->ctx, &dom_model_csrs, c->rec, NULL, &c->id, err);
}

int dom_csr_import(const struct dom_ctx *ctx, struct dom_record *rec, int64_t *ret_id,
		   struct ck_error *err)
{
	struct csr_cmd c = {ctx, rec, 0};
	int r = dom_uow_run(ctx, run_csr, &c, err);

	if (!r && ret_id)
		*ret_id = c.id;
	return r;
}

/* ---- default certificate authorities ---- */

/* The common public CAs (reference §1.3 seed list, extended); each pattern matches issuers. */
static const struct {
	const char *name, *type, *pattern, *website;
} default_cas[] = {
    {"Let's Encrypt", "acme", "let's encrypt", "https://letsencrypt.org"},
    {"DigiCert", "public", "digicert", "https://www.digicert.com"},
    {"Sectigo", "public", "sectigo", "https://www.sectigo.com"},
    {"GlobalSign", "public", "globalsign", "https://www.globalsign.com"},
    {"ZeroSSL", "acme", "zerossl", "https://zerossl.com"},
    {"Google Trust Services", "public", "google trust services", "https://pki.goog"},
    {"Buypass", "acme", "buypass", "https://www.buypass.com"},
    {"Entrust", "public", "entrust", "https://www.entrust.com"},
    {"GoDaddy", "public", "godaddy", "https://www.godaddy.com"},
    {"Amazon", "public", "amazon", "https://www.amazontrust.com"},
    {"Microsoft", "public", "microsoft", "https://www.microsoft.com/pki"},
    {"IdenTrust", "public", "identrust", "https://www.identrust.com"},
};

size_t dom_ca_default_count(void) { return sizeof(default_cas) / sizeof(default_cas[0]); }

struct seed_cmd {
	const struct dom_ctx *ctx;
	int created;
};

static int run_seed(void *arg, struct ck_error *err)
{
	struct seed_cmd *c = arg;

	for (size_t i = 0; i < dom_ca_default_count(); i++) {
		struct dom_record rec;
		int64_t found = 0, id;
		int r = store_id_by_text(c->ctx->conn, "certificate_authorities", "name",
					 default_cas[i].name, &found, err);
		if (r < 0)
			return r;
		if (found)
			continue;
		if ((r = dom_model_record_init(&dom_model_cas, &rec)))
			return r;
		r = dom_record_set_text(&rec, "name", default_cas[i].name,
					strlen(default_cas[i].name));
		if (!r)
			r = dom_record_set_text(&rec, "type", default_cas[i].type,
						strlen(default_cas[i].type));
		if (!r)
			r = dom_record_set_text(&rec, "issuer_pattern", default_cas[i].pattern,
						strlen(default_cas[i].pattern));
		if (!r)
			r = dom_record_set_text(&rec, "website_url", default_cas[i].website,
						strlen(default_cas[i].website));
		if (!r)
			r = dom_create_step(c->ctx, &dom_model_cas, &rec, NULL, &id, err);
		dom_record_release(&rec);
		if (r)
			return r;
		c->created++;
	}
	return 0;
}

int dom_ca_seed_defaults(const struct dom_ctx *ctx, int *ret_created, struct ck_error *err)
{
	struct seed_cmd c = {ctx, 0};
	int r = dom_uow_run(ctx, run_seed, &c, err);

	if (!r && ret_created)
		*ret_created = c.created;
	return r;
}

/* ---- bulk assignment ---- */

struct assign_cmd {
	const struct dom_ctx *ctx;
	struct dom_bulk_assign *a;
};

static int assign_one(const struct dom_ctx *ctx, struct dom_bulk_assign *a, int64_t cid,
		      struct ck_error *err)
{
	struct dom_record rec;
	int64_t existing = 0, id;
	int r = store_id_exists(ctx->conn, "certificates", cid, err);

	if (r < 0)
		return r;
	if (!r) {
		a->not_found[a->nnot_found++] = cid;
		return 0;
	}
	if ((r = store_assignment_find(ctx->conn, cid, a->type, a->target, 0, &existing, err)) < 0)
		return r;
	if (existing) {
		a->skipped++;
		return 0;
	}
	if ((r = dom_model_record_init(&dom_model_assignments, &rec)))
		return r;
	r = dom_record_set_int(&rec, "certificate", cid);
	if (!r)
		r = dom_record_set_text(&rec, "assigned_object_type", a->type, strlen(a->type));
	if (!r)
		r = dom_record_set_int(&rec, "assigned_object_id", a->target);
	if (!r)
		r = dom_record_set_int(&rec, "is_primary", a->primary);
	if (!r)
		r = dom_create_step(ctx, &dom_model_assignments, &rec, NULL, &id, err);
	dom_record_release(&rec);
	if (!r)
		a->created++;
	return r;
}

static int run_assign(void *arg, struct ck_error *err)
{
	struct assign_cmd *c = arg;
	struct dom_target t;
	int r = dom_target_get(c->ctx, c->a->type, c->a->target, &t, err);

	if (r)
		return r == CK_E_NOTFOUND ? CK_E_INVALID : r;
	for (size_t i = 0; i < c->a->n && !r; i++)
		r = assign_one(c->ctx, c->a, c->a->cert_ids[i], err);
	return r;
}

int dom_bulk_assign(const struct dom_ctx *ctx, struct dom_bulk_assign *a, struct ck_error *err)
{
	struct assign_cmd c = {ctx, a};

	a->created = a->skipped = 0;
	a->nnot_found = 0;
	return dom_uow_run(ctx, run_assign, &c, err);
}
