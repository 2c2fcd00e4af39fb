/* domain/write — see write.h. */
#include "domain/write.h"
#include "domain/assignment.h"
#include "domain/uow.h"
#include "store/records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dom_snapshot(const struct dom_ctx *ctx, const struct dom_model *m, int64_t id, char **ret_json,
		 char **ret_repr, struct ck_error *err)
{
	int found = 0;
	int r;

	*ret_json = NULL;
	if (ret_repr)
		*ret_repr = NULL;
	if (ctx->snap) {
		*ret_json = ctx->snap->render(ctx->snap->env, m, id, ret_repr);
		return *ret_json ? 0 : ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	r = store_record_exists(ctx->conn, m->table, id, &found, err);
	if (!r && !found)
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	return r;
}

/* The tag set of (m, id) replaced by tags. */
static int write_tags(const struct dom_ctx *ctx, const struct dom_model *m, int64_t id,
		      const struct dom_tags *tags, struct ck_error *err)
{
	int r;

	if (tags->not_a_list)
		return ck_error_set(err, CK_E_INVALID, "tags", "Expected a list of items.");
	r = store_tags_clear(ctx->conn, m->object_type, id, err);
	for (size_t i = 0; i < tags->n && !r; i++) {
		const struct dom_tag_ref *t = &tags->v[i];
		int64_t tag_id = 0;
		if (t->by)
			r = store_tag_find(ctx->conn, t->by, t->id, t->text, &tag_id, err);
		if (!r && !tag_id)
			r = ck_error_set(
			    err, CK_E_INVALID, "tags",
			    "Related object not found using the provided attributes (item %zu).",
			    i);
		if (!r)
			r = store_tags_attach(ctx->conn, tag_id, m->object_type, id, err);
	}
	return r;
}

/* The record's present, writable values as store values (borrowing the record's text), in
 * declaration order. *ret (caller frees) may be NULL when n is 0. */
static int record_values(const struct dom_model *m, const struct dom_record *rec,
			 struct store_value **ret, size_t *ret_n)
{
	struct store_value *v = calloc(m->nfields ? m->nfields : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return CK_E_NOMEM;
	for (size_t i = 0; i < m->nfields; i++) {
		const struct dom_field *f = &m->fields[i];
		const struct dom_value *dv;
		if (!dom_field_writable(f) || !dom_record_has(rec, f->name))
			continue;
		dv = dom_record_get(rec, f->name);
		v[n].column = f->column;
		switch (dv->type) {
		case DV_INT:
			v[n].type = STORE_V_INT;
			v[n].i = dv->i;
			break;
		case DV_DOUBLE:
			v[n].type = STORE_V_DOUBLE;
			v[n].d = dv->d;
			break;
		case DV_TEXT:
			v[n].type = STORE_V_TEXT;
			v[n].s = dv->s;
			v[n].len = dv->len;
			break;
		default:
			v[n].type = STORE_V_NULL;
			break;
		}
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Turns a store-level unique violation into the DRF message on the right field. */
static int explain_duplicate(const struct dom_model *m, int r, struct ck_error *err)
{
	char field[CK_ERROR_FIELD_MAX];

	if (r != CK_E_DUPLICATE || !err)
		return r;
	snprintf(field, sizeof(field), "%s", err->field[0] ? err->field : "non_field_errors");
	if (strchr(field, ','))
		return ck_error_set(err, r, "non_field_errors",
				    "A %s with these values (%s) already exists.", m->verbose,
				    field);
	return ck_error_set(err, r, field, "%s with this %s already exists.", m->verbose, field);
}

static int write_row(const struct dom_ctx *ctx, const struct dom_model *m, int64_t *id,
		     struct dom_record *rec, struct ck_error *err)
{
	struct store_value *v = NULL;
	size_t n = 0;
	int r = record_values(m, rec, &v, &n);

	if (!r && *id)
		r = store_record_update(ctx->conn, m->table, *id, v, n, ctx->now, err);
	else if (!r)
		r = store_record_insert(ctx->conn, m->table, v, n, ctx->now, id, err);
	free(v);
	return explain_duplicate(m, r, err);
}

/* The changelog row (and outbox event) of a change, with the post snapshot taken now. */
static int journal(const struct dom_ctx *ctx, const struct dom_model *m, const char *action,
		   int64_t id, const char *pre, const char *pre_repr, struct ck_error *err)
{
	char *post = NULL, *repr = NULL;
	int r = 0;

	if (strcmp(action, "delete"))
		r = dom_snapshot(ctx, m, id, &post, &repr, err);
	if (!r)
		r = dom_uow_change(ctx, action, m->object_type, id, repr ? repr : pre_repr, pre,
				   post, NULL, err);
	free(repr);
	free(post);
	return r;
}

static int need_uow(const struct dom_ctx *ctx, struct ck_error *err)
{
	return store_in_tx(ctx->conn)
		   ? 0
		   : ck_error_set(err, CK_E_INTERNAL, NULL, "write outside a unit of work");
}

int dom_create_step(const struct dom_ctx *ctx, const struct dom_model *m, struct dom_record *rec,
		    const struct dom_tags *tags, int64_t *ret_id, struct ck_error *err)
{
	int64_t id = 0;
	int r = need_uow(ctx, err);

	if (!r && m->hooks.before_write)
		r = m->hooks.before_write(ctx, rec, 0, err);
	if (!r)
		r = dom_record_refuse_secrets(rec, err);
	if (!r)
		r = write_row(ctx, m, &id, rec, err);
	if (!r && tags)
		r = write_tags(ctx, m, id, tags, err);
	if (!r && m->hooks.after_write)
		r = m->hooks.after_write(ctx, rec, id, 0, err);
	if (!r)
		r = journal(ctx, m, "create", id, NULL, NULL, err);
	if (!r)
		*ret_id = id;
	return r;
}

int dom_update_step(const struct dom_ctx *ctx, const struct dom_model *m, int64_t id,
		    struct dom_record *rec, const struct dom_tags *tags, struct ck_error *err)
{
	char *pre = NULL;
	int r = need_uow(ctx, err);

	if (!r)
		r = dom_snapshot(ctx, m, id, &pre, NULL, err);
	if (!r && m->hooks.before_write)
		r = m->hooks.before_write(ctx, rec, id, err);
	if (!r)
		r = dom_record_refuse_secrets(rec, err);
	if (!r)
		r = write_row(ctx, m, &id, rec, err);
	if (!r && tags)
		r = write_tags(ctx, m, id, tags, err);
	if (!r && m->hooks.after_write)
		r = m->hooks.after_write(ctx, rec, id, id, err);
	if (!r)
		r = journal(ctx, m, "update", id, pre, NULL, err);
	free(pre);
	return r;
}

/* The cascade (docs/lifecycle.md "Deleting what a certificate is assigned to"): every
 * dependent object is deleted first through this same path, so each gets its hooks and its
 * own changelog row instead of vanishing through a foreign key. */
static int delete_dependents(const struct dom_ctx *ctx, const struct dom_model *m, int64_t id,
			     struct ck_error *err)
{
	struct dom_dependent *deps = NULL;
	size_t n = 0;
	int r = dom_dependents(ctx, m->object_type, id, &deps, &n, err);

	for (size_t i = 0; i < n && !r; i++) {
		const struct dom_model *dep = dom_model_find(deps[i].resource);
		r = dep ? dom_delete_step(ctx, dep, deps[i].id, err) : CK_E_INTERNAL;
	}
	free(deps);
	return r;
}

int dom_delete_step(const struct dom_ctx *ctx, const struct dom_model *m, int64_t id,
		    struct ck_error *err)
{
	char *pre = NULL, *repr = NULL;
	int r = need_uow(ctx, err);

	if (!r)
		r = dom_snapshot(ctx, m, id, &pre, &repr, err);
	if (!r)
		r = delete_dependents(ctx, m, id, err);
	if (!r && m->hooks.before_delete)
		r = m->hooks.before_delete(ctx, id, err);
	if (!r) {
		r = store_record_delete(ctx->conn, m->table, id, err);
		if (r == CK_E_INVALID)
			r = ck_error_set(
			    err, CK_E_CONFLICT, NULL,
			    "Unable to delete object: other objects depend on this %s.",
			    m->verbose);
	}
	if (!r && m->taggable)
		r = store_tags_clear(ctx->conn, m->object_type, id, err);
	if (!r)
		r = journal(ctx, m, "delete", id, pre, repr, err);
	free(repr);
	free(pre);
	return r;
}

/* ---- commands ---- */

struct one_job {
	const struct dom_ctx *ctx;
	const struct dom_model *m;
	struct dom_write_op op;
};

static int run_one(void *arg, struct ck_error *err)
{
	struct one_job *j = arg;

	switch (j->op.kind) {
	case DOM_WRITE_CREATE:
		return dom_create_step(j->ctx, j->m, j->op.rec, j->op.tags, &j->op.id, err);
	case DOM_WRITE_UPDATE:
		return dom_update_step(j->ctx, j->m, j->op.id, j->op.rec, j->op.tags, err);
	default:
		return dom_delete_step(j->ctx, j->m, j->op.id, err);
	}
}

int dom_create(const struct dom_ctx *ctx, const struct dom_model *m, struct dom_record *rec,
	       const struct dom_tags *tags, int64_t *ret_id, struct ck_error *err)
{
	struct one_job j = {ctx, m, {DOM_WRITE_CREATE, 0, rec, tags}};
	int r = dom_uow_run(ctx, run_one, &j, err);

	if (!r)
		*ret_id = j.op.id;
	return r;
}

int dom_update(const struct dom_ctx *ctx, const struct dom_model *m, int64_t id,
	       struct dom_record *rec, const struct dom_tags *tags, struct ck_error *err)
{
	struct one_job j = {ctx, m, {DOM_WRITE_UPDATE, id, rec, tags}};

	return dom_uow_run(ctx, run_one, &j, err);
}

int dom_delete(const struct dom_ctx *ctx, const struct dom_model *m, int64_t id,
	       struct ck_error *err)
{
	struct one_job j = {ctx, m, {DOM_WRITE_DELETE, id, NULL, NULL}};

	return dom_uow_run(ctx, run_one, &j, err);
}

struct bulk_job {
	const struct dom_ctx *ctx;
	const struct dom_bulk *b;
};

static int run_bulk(void *arg, struct ck_error *err)
{
	struct bulk_job *bj = arg;
	const struct dom_bulk *b = bj->b;
	int r = 0;

	for (size_t i = 0; i < b->n && !r; i++) {
		struct one_job j = {bj->ctx, b->model, {DOM_WRITE_CREATE, 0, NULL, NULL}};
		r = b->prepare(b->arg, i, &j.op, err);
		if (!r)
			r = run_one(&j, err);
		if (b->finish)
			b->finish(b->arg, i, &j.op);
		if (r && err)
			err->index = (long)i;
		if (b->ret_ids)
			b->ret_ids[i] = j.op.id;
	}
	return r;
}

int dom_write_bulk(const struct dom_ctx *ctx, const struct dom_bulk *b, struct ck_error *err)
{
	struct bulk_job bj = {ctx, b};

	return dom_uow_run(ctx, run_bulk, &bj, err);
}
