/* domain/compliance_cmds — the compliance commands of compliance.h: a run over one
 * certificate, over many, and the snapshot, each one unit of work. */
#include "domain/compliance.h"
#include "domain/uow.h"

#include <stdlib.h>

struct check_cmd {
	const struct dom_ctx *ctx;
	const int64_t *cert_ids, *policy_ids;
	size_t n, npolicy_ids;
	struct dom_compliance_run *run;
	int (*visit)(void *arg, int64_t cert_id, const struct dom_compliance_run *run);
	void *arg;
	int64_t tenant, id;
};

static int run_check(void *arg, struct ck_error *err)
{
	struct check_cmd *c = arg;
	struct dom_policy_set set = {0};
	int r = dom_policy_set_load(c->ctx, c->policy_ids, c->npolicy_ids, &set, err);

	if (!r)
		r = dom_compliance_run(c->ctx, c->cert_ids[0], &set, c->policy_ids == NULL, c->run,
				       err);
	dom_policy_set_release(&set);
	return r;
}

int dom_compliance_check(const struct dom_ctx *ctx, int64_t cert_id, const int64_t *policy_ids,
			 size_t npolicy_ids, struct dom_compliance_run *ret, struct ck_error *err)
{
	struct check_cmd c = {.ctx = ctx,
			      .cert_ids = &cert_id,
			      .n = 1,
			      .policy_ids = policy_ids,
			      .npolicy_ids = npolicy_ids,
			      .run = ret};

	return dom_uow_run(ctx, run_check, &c, err);
}

struct id_pos {
	int64_t id;
	size_t pos;
};

static int cmp_id_pos(const void *a, const void *b)
{
	const struct id_pos *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* dup[i] = 1 when ids[i] occurred earlier in the list (O(n log n): caps reach 100000). */
static int mark_duplicates(const int64_t *ids, size_t n, unsigned char *dup)
{
	struct id_pos *v = malloc((n ? n : 1) * sizeof(*v));

	if (!v)
		return CK_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct id_pos){ids[i], i};
	qsort(v, n, sizeof(*v), cmp_id_pos);
	for (size_t i = 1; i < n; i++)
		dup[v[i].pos] = v[i].id == v[i - 1].id;
	free(v);
	return 0;
}

/* One certificate of a bulk run: checked against the policies that apply, reported. */
static int check_one(struct check_cmd *c, const struct dom_policy_set *set, int64_t id,
		     struct ck_error *err)
{
	struct dom_compliance_run run = {0};
	struct ck_error e;
	int r;

	ck_error_clear(&e);
	r = dom_compliance_run(c->ctx, id, set, 1, &run, &e);
	if (r == CK_E_NOTFOUND)
		return c->visit(c->arg, id, NULL);
	if (r) {
		if (err)
			*err = e;
		return r;
	}
	r = c->visit(c->arg, id, &run);
	dom_compliance_run_release(&run);
	return r;
}

static int run_check_bulk(void *arg, struct ck_error *err)
{
	struct check_cmd *c = arg;
	struct dom_policy_set set = {0};
	unsigned char *dup = calloc(c->n + 1, 1);
	int r = dup ? mark_duplicates(c->cert_ids, c->n, dup) : CK_E_NOMEM;

	if (!r)
		r = dom_policy_set_load(c->ctx, c->policy_ids, c->npolicy_ids, &set, err);
	for (size_t i = 0; !r && i < c->n; i++)
		if (!dup[i])
			r = check_one(c, &set, c->cert_ids[i], err);
	dom_policy_set_release(&set);
	free(dup);
	return r;
}

int dom_compliance_check_bulk(const struct dom_ctx *ctx, const int64_t *cert_ids, size_t n,
			      const int64_t *policy_ids, size_t npolicy_ids,
			      int (*visit)(void *arg, int64_t cert_id,
					   const struct dom_compliance_run *run),
			      void *arg, struct ck_error *err)
{
	struct check_cmd c = {.ctx = ctx,
			      .cert_ids = cert_ids,
			      .n = n,
			      .policy_ids = policy_ids,
			      .npolicy_ids = npolicy_ids,
			      .visit = visit,
			      .arg = arg};

	return dom_uow_run(ctx, run_check_bulk, &c, err);
}

static int run_snapshot(void *arg, struct ck_error *err)
{
	struct check_cmd *c = arg;

	return dom_compliance_snapshot(c->ctx, c->tenant, &c->id, err);
}

int dom_compliance_take_snapshot(const struct dom_ctx *ctx, int64_t tenant_id, int64_t *ret_id,
				 struct ck_error *err)
{
	struct check_cmd c = {.ctx = ctx, .tenant = tenant_id};
	int r = dom_uow_run(ctx, run_snapshot, &c, err);

	if (!r && ret_id)
		*ret_id = c.id;
	return r;
}
