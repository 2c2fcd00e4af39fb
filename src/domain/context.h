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

struct dom_ctx {
	struct store_conn *conn;      /* the calling thread's connection */
	const struct ck_config *cfg;  /* settings (expiry thresholds, batch caps, limits) */
	int64_t now;                  /* epoch seconds, fixed for the whole operation */
	int64_t user_id;              /* acting user, 0 = system */
	const char *username;         /* "" for system jobs */
	const char *request_id;       /* request or job id, "" if none */
};

#endif
