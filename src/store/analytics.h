/*
 * store/analytics — the certificate aggregates behind the dashboard summary (one statement
 * per figure, no per-certificate loops in C). Read-only; each call runs on the caller's
 * connection. `tenant` 0 means every tenant. Buckets and the expiring counts cover active
 * certificates only.
 */
#ifndef CK_STORE_ANALYTICS_H
#define CK_STORE_ANALYTICS_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct store_cert_totals {
	int64_t total, active, acme;
	int64_t critical; /* active, valid_to in [now, critical_end) */
	int64_t warning;  /* active, valid_to in [critical_end, warning_end) */
	int64_t unassigned_active;
};

/* Fills *ret (written only on success). */
int store_analytics_totals(struct store_conn *c, int64_t tenant, int64_t now, int64_t critical_end,
			   int64_t warning_end, struct store_cert_totals *ret,
			   struct ck_error *err);

#define STORE_EXPIRY_BUCKETS 6 /* expired, 0-14, 15-30, 31-60, 61-90, 90+ days */

/* Active certificates per expiry bucket: expired (< now), then by whole days from `today`
 * (UTC midnight): [now, today+15d), [+15d, +31d), [+31d, +61d), [+61d, +91d), >= +91d. */
int store_analytics_buckets(struct store_conn *c, int64_t tenant, int64_t now, int64_t today,
			    int64_t ret[STORE_EXPIRY_BUCKETS], struct ck_error *err);

enum store_facet {
	STORE_FACET_STATUS,    /* by status, ordered by status */
	STORE_FACET_ALGORITHM, /* by algorithm, most first, then by name */
	STORE_FACET_CA,	       /* by issuing CA ("Unknown CA" without one), most first; has_id */
};

struct store_facet_row {
	const char *label; /* borrowed for the callback */
	int64_t count;
	int has_id; /* STORE_FACET_CA: the CA id column is present */
	int is_null_id;
	int64_t id;
};

/* Calls fn for each group, in order; a non-zero return of fn stops and is returned. */
int store_analytics_facet(struct store_conn *c, enum store_facet facet, int64_t tenant,
			  int (*fn)(void *arg, const struct store_facet_row *row), void *arg,
			  struct ck_error *err);

#endif
