/*
 * domain/context — who is acting, when, and with which settings: passed to every domain
 * operation so that changelog rows, lifecycle events and time-dependent rules agree.
 * Plain data; the caller owns it and keeps it alive for the operation.
 */
#ifndef CK_DOMAIN_CONTEXT_H
#define CK_DOMAIN_CONTEXT_H

#include <stdint.h>

#include "core/config.h"
#include "store/store.h"

struct dom_model;

/* The snapshot serialiser of changelog rows: the object's representation as the outer layer
 * shows it (api/ renders its wire JSON), so that a change's pre/post snapshots read like the
 * object itself. render returns a malloc'ed JSON text and, in *ret_repr (malloc'ed, may be
 * NULL), the object's display string; NULL when the object does not exist. */
struct dom_snapshotter {
	char *(*render)(void *env, const struct dom_model *model, int64_t id, char **ret_repr);
	void *env;
};

struct dom_ctx {
	struct store_conn *conn;	    /* the calling thread's connection */
	const struct ck_config *cfg;	    /* settings (expiry thresholds, batch caps, limits) */
	int64_t now;			    /* epoch seconds, fixed for the whole operation */
	int64_t user_id;		    /* acting user, 0 = system */
	const char *username;		    /* "" for system jobs */
	const char *request_id;		    /* request or job id, "" if none */
	const struct dom_snapshotter *snap; /* changelog snapshots; NULL: none (jobs) */
};

#endif
