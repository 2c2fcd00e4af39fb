/*
 * domain/compliance — compliance policies, checks, reports and trend snapshots (reference
 * §1.3, §3.9, §3.10).
 *
 * A policy has one of ten types (dom_policy_types) and JSON `parameters`; each type reads at
 * most one parameter, an integer or a list of strings, with a default when absent:
 *
 *   type                 parameter            default                 PASS when
 *   min_key_size         min_bits             2048                    key_size >= min_bits (unknown
 * size fails) max_validity_days    max_days             397                     whole days(valid_to
 * - valid_from) <= max_days algorithm_allowed    algorithms           [rsa, ecdsa, ed25519]
 * algorithm in list (case-insensitive) algorithm_forbidden  algorithms           [] algorithm not
 * in list (case-insensitive) expiry_warning       warning_days         30 days_remaining >
 * warning_days chain_required       -                    -                       issuer_chain not
 * blank san_required         min_count            1                       number of SANs >=
 * min_count wildcard_forbidden   -                    -                       no CN and no SAN
 * (after an optional "DNS:" prefix) starts with "*." issuer_allowed       issuers              []
 * list empty, or an entry is a case-insensitive substring of issuer issuer_forbidden     issuers []
 * list empty, or no entry is one
 *
 * Invariants:
 *  1. Parameters are validated when a policy is written (dom_policy_before_write): an integer
 *     parameter is a JSON integer in [0, DOM_COMPLIANCE_INT_MAX]; a list parameter is an array
 *     of at most DOM_COMPLIANCE_LIST_MAX strings of at most DOM_COMPLIANCE_ENTRY_MAX
 *     characters. Keys a type does not read are kept and ignored.
 *  2. Evaluation (dom_compliance_evaluate) is pure and only produces pass or fail; an unknown
 *     type fails with "Unknown policy type: <type>".
 *  3. A policy APPLIES to a certificate when it is enabled, its tenant is NULL or the
 *     certificate's, and every tag of its tag_filter is on the certificate.
 *  4. There is at most one check per (certificate, policy); a run upserts it and always
 *     refreshes checked_at (reference [QUIRK] fixed). checked_value / expected_value are cut
 *     to DOM_COMPLIANCE_VALUE_MAX characters, messages to DOM_COMPLIANCE_MSG_MAX.
 *  5. A certificate's score is passed/total*100 rounded half-up to 1 decimal, 0 without
 *     checks; a report's score is rounded to 2 decimals, 100 without checks.
 *
 * Every function that writes runs inside the caller's write transaction, except
 * dom_compliance_snapshot_all() which runs its own. Not thread-safe per context; each
 * thread uses its own dom_ctx/connection.
 */
#ifndef CK_DOMAIN_COMPLIANCE_H
#define CK_DOMAIN_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "domain/context.h"
#include "domain/record.h"

#define DOM_COMPLIANCE_INT_MAX 1000000	  /* largest integer parameter (days, bits, count) */
#define DOM_COMPLIANCE_LIST_MAX 100	  /* entries of a list parameter */
#define DOM_COMPLIANCE_ENTRY_MAX 255	  /* characters of one list entry */
#define DOM_COMPLIANCE_VALUE_MAX 255	  /* characters kept of checked_value / expected_value */
#define DOM_COMPLIANCE_MSG_MAX 1024	  /* characters kept of a message */
#define DOM_COMPLIANCE_TAGS_MAX 100	  /* tags of a tag_filter */
#define DOM_COMPLIANCE_IDS_MAX 1000	  /* policy_ids of one run */
#define DOM_COMPLIANCE_POLICIES_MAX 10000 /* policies one run loads */

extern const char *const dom_policy_types[];  /* the ten types, NULL-terminated */
extern const char *const dom_severities[];    /* critical, warning, info */
extern const char *const dom_check_results[]; /* pass, fail, error, skipped */

/* ---- pure evaluation ---- */

/* A policy's parameter as decoded (borrowed strings). has_* = 0 → the type's default. */
struct dom_policy_params {
	int has_num;
	int64_t num;
	int has_list;
	const char *const *list;
	size_t nlist;
};

/* The certificate fields the checks read (borrowed). */
struct dom_cert_facts {
	const char *common_name;
	const char *issuer;
	const char *algorithm;
	const char *issuer_chain;
	int has_key_size;
	int64_t key_size;
	int64_t valid_from, valid_to; /* epoch seconds */
	const char *const *sans;
	size_t nsans;
};

/* Bytes: characters are UTF-8, up to 4 bytes each. */
struct dom_check_outcome {
	int passed;
	char message[DOM_COMPLIANCE_MSG_MAX * 4 + 1];
	char checked_value[DOM_COMPLIANCE_VALUE_MAX * 4 + 1];
	char expected_value[DOM_COMPLIANCE_VALUE_MAX * 4 + 1];
};

/* Evaluates one policy of `type` against `c` at time `now`; fills *out (always). */
void dom_compliance_evaluate(const char *type, const struct dom_policy_params *p,
			     const struct dom_cert_facts *c, int64_t now,
			     struct dom_check_outcome *out);

/* passed/total*100 rounded half-up to `decimals` (1 or 2); `empty` when total is 0. */
double dom_compliance_score(int64_t passed, int64_t total, int decimals, double empty);

/* ---- policies ---- */

/* Registry hooks of compliance-policies: before_write checks the name, the parameters of the
 * (new or stored) type and the tag_filter ids; after_write replaces the tag_filter rows when
 * the record carries "tag_filter" (a JSON array of tag ids). */
int dom_policy_before_write(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			    struct ck_error *err);
int dom_policy_after_write(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			   int64_t old_id, struct ck_error *err);

/* Checks parameters (JSON object text) for `type` (invariant 1); CK_E_INVALID on field
 * "parameters" otherwise. */
int dom_policy_params_check(const struct dom_ctx *ctx, const char *type, const char *params,
			    struct ck_error *err);

struct dom_policy;

/* Enabled policies loaded once for a run, with their decoded parameters and tag_filter. */
struct dom_policy_set {
	struct dom_policy *v;
	size_t n;
};

/* Loads the enabled policies: all of them (ids NULL) or those among ids[0..nids). Caller
 * releases with dom_policy_set_release(). CK_E_TOOBIG above DOM_COMPLIANCE_POLICIES_MAX. */
int dom_policy_set_load(const struct dom_ctx *ctx, const int64_t *ids, size_t nids,
			struct dom_policy_set *ret, struct ck_error *err);
void dom_policy_set_release(struct dom_policy_set *s);

/* ---- runs ---- */

/* The outcome of checking one certificate. check_ids owned (free with _release). */
struct dom_compliance_run {
	char common_name[256];
	int64_t total, passed, failed;
	int64_t *check_ids; /* the upserted checks, in policy order */
	size_t nchecks;
};

/* Checks certificate `cert_id` against the policies of `set`: every one (scoped 0) or only
 * those that apply to it (scoped 1, invariant 3), upserting a check each. CK_E_NOTFOUND when
 * the certificate does not exist. Inside the caller's write transaction. */
int dom_compliance_run(const struct dom_ctx *ctx, int64_t cert_id, const struct dom_policy_set *set,
		       int scoped, struct dom_compliance_run *ret, struct ck_error *err);
void dom_compliance_run_release(struct dom_compliance_run *run);

/* ---- report and trend ---- */

struct dom_compliance_count {
	const char *name; /* static: a severity or a policy type */
	int64_t count;
};

struct dom_compliance_report {
	int64_t snapshot_date; /* UTC midnight of ctx->now */
	int64_t tenant_id;     /* 0 = all tenants */
	int64_t total_certificates, total_checks, passed, failed, errors;
	double score;
	struct dom_compliance_count severities[3]; /* failures by severity, by name */
	size_t nseverities;
	struct dom_compliance_count types[10]; /* failures by policy type, count descending */
	size_t ntypes;
};

/* The report of one tenant (tenant_id > 0) or of everything (0): active certificates, and
 * the checks of that tenant's certificates (of every certificate for 0). Read-only. */
int dom_compliance_report(const struct dom_ctx *ctx, int64_t tenant_id,
			  struct dom_compliance_report *ret, struct ck_error *err);

/* Upserts the snapshot of (tenant or global, today) from a fresh report; *ret_id receives
 * its id (the row, with its `details` document, is read back through store/compliance).
 * Inside the caller's write transaction. */
int dom_compliance_snapshot(const struct dom_ctx *ctx, int64_t tenant_id, int64_t *ret_id,
			    struct ck_error *err);

/* The daily job: snapshots of today for everything and for each tenant that has a
 * certificate or a policy. The reports are computed first (reads, no write lock), then
 * written in ONE transaction of its own (must not be called inside one).
 * *ret_count (optional) receives the number of snapshots written. */
int dom_compliance_snapshot_all(const struct dom_ctx *ctx, int *ret_count, struct ck_error *err);

/* ---- commands (each one unit of work, domain/uow.h) ---- */

/* certificates/{id}/compliance-check/: checks cert_id against the given enabled policies
 * (policy_ids, every one of them) or, policy_ids NULL, every policy that applies to it.
 * *ret filled on success (release with dom_compliance_run_release). */
int dom_compliance_check(const struct dom_ctx *ctx, int64_t cert_id, const int64_t *policy_ids,
			 size_t npolicy_ids, struct dom_compliance_run *ret, struct ck_error *err);

/* certificates/bulk-compliance-check/: checks each certificate (a repeated id once) against
 * the policies among policy_ids (NULL: all enabled) that apply to it, reporting each to
 * visit in order: run NULL for an unknown certificate. A non-zero visit fails the command. */
int dom_compliance_check_bulk(const struct dom_ctx *ctx, const int64_t *cert_ids, size_t n,
			      const int64_t *policy_ids, size_t npolicy_ids,
			      int (*visit)(void *arg, int64_t cert_id,
					   const struct dom_compliance_run *run),
			      void *arg, struct ck_error *err);

/* compliance-report/snapshot/: dom_compliance_snapshot as a command. */
int dom_compliance_take_snapshot(const struct dom_ctx *ctx, int64_t tenant_id, int64_t *ret_id,
				 struct ck_error *err);

#endif
