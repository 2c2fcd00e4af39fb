/*
 * store/changes — the repositories of the unit of work's two journals (docs/internals/domain.md):
 *
 *   object_changes — NetBox's core.ObjectChange: one row per change with the pre- and
 *                    post-change snapshots (already serialised JSON text);
 *   outbox         — one event row per change, written in the same transaction, pointing at
 *                    the changelog row (change_id) instead of copying its snapshots. A later
 *                    consumer (jobs/: webhooks, event rules, notifications) marks rows
 *                    consumed; consumed rows are pruned.
 *
 * Every function runs on the caller's connection; the inserts must run inside its write
 * transaction (the domain's unit of work opens it).
 */
#ifndef CK_STORE_CHANGES_H
#define CK_STORE_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct store_change_row {
	int64_t time;		 /* epoch seconds */
	int64_t user_id;	 /* 0 = system (stored NULL) */
	const char *user_name;	 /* "" for system */
	const char *request_id;	 /* "" if none */
	const char *action;	 /* create | update | delete */
	const char *object_type; /* "app.model" */
	int64_t object_id;
	const char *object_repr;
	const char *prechange_json;  /* NULL: none */
	const char *postchange_json; /* NULL: none */
	/* The blobs (changelog_blobs.sha256) whose placeholders the snapshots hold, for
	 * pem_content and issuer_chain; NULL: none (store_change_blob_put writes them first). */
	const char *pre_pem_blob, *pre_chain_blob, *post_pem_blob, *post_chain_blob;
};

/* Inserts a changelog row; *ret_id (optional) receives its id. */
int store_change_insert(struct store_conn *c, const struct store_change_row *row, int64_t *ret_id,
			struct ck_error *err);

/*
 * The changelog's content table (migration 9): large immutable snapshot members stored once,
 * by the sha256 (64 lower-case hex digits) of their JSON string literal. `literal` is that
 * literal, quotes included. When certificate_id is not 0 and that certificate's pem_content
 * equals `raw` (the literal's text, whose escaping is only \n and \r — the caller checks),
 * only the certificate's id is stored (the PEM stays in the certificate; triggers copy it
 * here before it changes or the row is deleted); otherwise the literal itself. A key already
 * stored is left as it is (same key, same text). Inside the caller's write transaction.
 */
int store_change_blob_put(struct store_conn *c, const char *sha256, const char *literal,
			  size_t literal_len, int64_t certificate_id, const char *raw,
			  size_t raw_len, struct ck_error *err);

/* Rows of changelog_blobs holding their text (body) and pointing at a certificate, for tests
 * and the size report. */
int store_change_blob_count(struct store_conn *c, int64_t *ret_bodies, int64_t *ret_pointers,
			    struct ck_error *err);

struct store_outbox_row {
	int64_t id; /* filled by reads */
	const char *object_type;
	int64_t object_id;
	const char *event; /* created | updated | deleted | a domain event (certificate_renewed) */
	int64_t user_id;   /* 0 = system (stored NULL) */
	const char *request_id;
	int64_t change_id; /* the changelog row holding the snapshots; 0 = none (stored NULL) */
	int64_t created;
	int64_t consumed; /* 0 = pending (stored NULL) */
};

/* Inserts a pending outbox row; *ret_id (optional) receives its id. */
int store_outbox_insert(struct store_conn *c, const struct store_outbox_row *row, int64_t *ret_id,
			struct ck_error *err);

/* Marks a row consumed at `when` (for the consumer to come, and for tests). */
int store_outbox_mark_consumed(struct store_conn *c, int64_t id, int64_t when,
			       struct ck_error *err);

/* Deletes rows consumed before `before`; *ret_n (optional) receives how many. Pending rows are
 * never deleted. Runs as its own statement (autocommit) when no transaction is open. */
int store_outbox_prune(struct store_conn *c, int64_t before, int64_t *ret_n, struct ck_error *err);

/* Counts outbox rows (all, or only pending ones). */
int store_outbox_count(struct store_conn *c, int pending_only, int64_t *ret, struct ck_error *err);

/* Counts changelog rows. */
int store_change_count(struct store_conn *c, int64_t *ret, struct ck_error *err);

#endif
