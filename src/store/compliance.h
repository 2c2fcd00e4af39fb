/*
 * store/compliance — the compliance tables (policies, their tag filter, checks, trend
 * snapshots) and the JSON reads of a policy's `parameters`, for domain/compliance and the
 * compliance actions. Every statement lives here; engine-specific pieces (JSON members and
 * elements, boolean sums, upsert) come from the driver.
 *
 * Conventions: 0 or a negative CK_E_* code; `ret_` outputs written only on success; strings
 * handed to callbacks are borrowed for the call. Writers run inside the caller's write
 * transaction. A connection is used by its own thread only.
 */
#ifndef CK_STORE_COMPLIANCE_H
#define CK_STORE_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* ---- JSON reads of a parameters document (text owned by the caller) ---- */

/* The JSON type of member `key` (declared identifier) of `json`: "integer", "real", "text",
 * "array", "object", "true", "false", "null", or "" when absent; for an integer its value in
 * *ret_int. */
int store_json_member(struct store_conn *c, const char *json, const char *key, char *type,
		      size_t tsz, int64_t *ret_int, struct ck_error *err);

/* Member `key` (an array): its element count, and how many are not strings or are longer
 * than `max_chars` characters. */
int store_json_list_stats(struct store_conn *c, const char *json, const char *key,
			  int64_t max_chars, int64_t *ret_n, int64_t *ret_bad,
			  struct ck_error *err);

/* The string elements of array member `key`, at most `max` (caller frees with
 * store_texts_free). */
int store_json_text_list(struct store_conn *c, const char *json, const char *key, size_t max,
			 char ***ret, size_t *ret_n, struct ck_error *err);

/* A JSON array of ids: its element count, and the first element naming no tag (*ret_missing,
 * *ret_has_missing = 1) if any. */
int store_tag_ids_check(struct store_conn *c, const char *ids_json, int64_t *ret_n,
			int64_t *ret_missing, int *ret_has_missing, struct ck_error *err);

/* ---- policies ---- */

/* The stored type (cut to tsz) and parameters (caller frees; "{}" when NULL) of policy `id`.
 * CK_E_NOTFOUND when there is none. */
int store_policy_get(struct store_conn *c, int64_t id, char *type, size_t tsz, char **ret_params,
		     struct ck_error *err);

/* Replaces the tag filter rows of policy `id` by the distinct ids of JSON array `ids_json`. */
int store_policy_tags_replace(struct store_conn *c, int64_t id, const char *ids_json,
			      struct ck_error *err);

struct store_policy_row {
	int64_t id, tenant_id; /* tenant 0: global */
	const char *type;
	const char *params; /* "{}" when NULL */
};

/* The enabled policies, all (ids_json NULL) or those whose id is in the JSON array, by id,
 * at most `limit`; fn per row (a non-zero return stops and is returned). */
int store_policies_enabled(struct store_conn *c, const char *ids_json, int64_t limit,
			   int (*fn)(void *arg, const struct store_policy_row *row), void *arg,
			   struct ck_error *err);

/* The tag ids of policy `id`'s filter, ascending (caller frees; NULL when none). */
int store_policy_tag_ids(struct store_conn *c, int64_t id, int64_t **ret, size_t *ret_n,
			 struct ck_error *err);

/* ---- certificates as the checks see them ---- */

struct store_cert_facts_row {
	const char *common_name, *issuer, *algorithm, *issuer_chain; /* "" for NULL */
	int has_key_size;
	int64_t key_size, valid_from, valid_to, tenant_id; /* tenant 0: none */
};

/* Calls fn with certificate `id`'s row: 1 when it exists (fn's non-zero return is returned
 * instead), 0 when it does not. */
int store_cert_facts(struct store_conn *c, int64_t id,
		     int (*fn)(void *arg, const struct store_cert_facts_row *row), void *arg,
		     struct ck_error *err);

/* The SANs of certificate `id` (caller frees with store_texts_free). */
int store_cert_sans(struct store_conn *c, int64_t id, char ***ret, size_t *ret_n,
		    struct ck_error *err);

/* The tag ids of object `id` of `object_type` (caller frees; NULL when none). */
int store_object_tag_ids(struct store_conn *c, const char *object_type, int64_t id, int64_t **ret,
			 size_t *ret_n, struct ck_error *err);

/* ---- checks ---- */

struct store_check {
	int64_t certificate_id, policy_id, now;
	const char *result, *message, *checked_value, *expected_value;
};

/* Inserts the check of (certificate, policy), or updates the existing one (result, texts,
 * checked_at and last_updated = now); *ret_id its id. */
int store_check_upsert(struct store_conn *c, const struct store_check *k, int64_t *ret_id,
		       struct ck_error *err);

/* ---- report and trend snapshots (tenant 0: every tenant / the global row) ---- */

struct store_compliance_totals {
	int64_t certificates; /* active certificates */
	int64_t checks, passed, failed, errors;
};

int store_compliance_totals(struct store_conn *c, int64_t tenant,
			    struct store_compliance_totals *ret, struct ck_error *err);

enum store_failure_group {
	STORE_FAILURES_BY_SEVERITY, /* ordered by severity */
	STORE_FAILURES_BY_TYPE,	    /* most first, then by type */
};

/* Failed checks grouped; fn(name, count) per group (non-zero return stops, is returned). */
int store_compliance_failures(struct store_conn *c, enum store_failure_group group, int64_t tenant,
			      int (*fn)(void *arg, const char *name, int64_t count), void *arg,
			      struct ck_error *err);

struct store_named_count {
	const char *name;
	int64_t count;
};

struct store_snapshot {
	int64_t tenant_id; /* 0: the global snapshot (NULL tenant) */
	int64_t snapshot_date, total_certificates, total_checks, passed, failed, errors;
	double score;
	const struct store_named_count *severities, *types; /* failures by severity / type */
	size_t nseverities, ntypes;
	int64_t now;
};

/* Writes the snapshot of (tenant, date): updates today's row or inserts one; *ret_id its id.
 * The `details` column is the document {"severity_breakdown": [{severity, count}],
 * "policy_breakdown": [{policy_type, count}], "error_checks": n}. */
int store_snapshot_put(struct store_conn *c, const struct store_snapshot *s, int64_t *ret_id,
		       struct ck_error *err);

struct store_snapshot_row {
	int64_t id, tenant_id, snapshot_date, total_certificates, total_checks, passed, failed;
	double score;
	const char *details; /* JSON document (see store_snapshot_put), "{}" when NULL */
	size_t details_len;
	int64_t created, last_updated;
};

/* Snapshot `id`: fn once, return 1; 0 when there is none. */
int store_snapshot_get(struct store_conn *c, int64_t id,
		       int (*fn)(void *arg, const struct store_snapshot_row *row), void *arg,
		       struct ck_error *err);

/* Snapshots of `tenant` with from <= snapshot_date <= to, by date; fn per row. */
int store_snapshot_range(struct store_conn *c, int64_t tenant, int64_t from, int64_t to,
			 int (*fn)(void *arg, const struct store_snapshot_row *row), void *arg,
			 struct ck_error *err);

/* Tenants that have a certificate or a policy, by id (caller frees). */
int store_snapshot_tenants(struct store_conn *c, int64_t **ret, size_t *ret_n,
			   struct ck_error *err);

#endif
