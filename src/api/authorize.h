/*
 * api/authorize — the single decision point for "may this request do that?".
 *
 * Every path that serves a registry resource (list, detail, OPTIONS, create, update, delete,
 * their bulk forms) and every resource action of the action table (api/actions.h) asks
 * api_authorize() before it does anything; nothing else in api/ decides a permission. The
 * object-permission work (NetBox's per-object and per-tenant constraints, custom permission
 * codenames) extends this one function: it already receives the resource and the codenames
 * each action declares (struct api_perm.names), which today are recorded but not yet checked.
 *
 * Today's rules, in this order (the first that refuses answers):
 *   1. not authenticated                                   → 401 (CK_E_AUTH)
 *   2. an admin_only resource, or level ADMIN, and the user
 *      is not a superuser                                  → 403 "You do not have permission
 *                                                             to perform this action."
 *   3. level WRITE or ADMIN and the credential cannot write
 *      (a read-only token; a session whose request lacks
 *      the CSRF token)                                     → 403 "This token does not have
 *                                                             write permission."
 *   4. otherwise allowed.
 */
#ifndef CK_API_AUTHORIZE_H
#define CK_API_AUTHORIZE_H

#include "api/api.h"
#include "api/registry.h"

enum api_perm_level {
	API_PERM_READ,	/* any authenticated user */
	API_PERM_WRITE, /* a credential allowed to write */
	API_PERM_ADMIN, /* a superuser with a credential allowed to write */
};

#define API_PERM_NAMES_MAX 2 /* permission codenames one action declares */

/* What an operation needs: a level, and the NetBox SSL permission codenames the reference
 * requires for it (all of them; NULL-padded), e.g. {"import_certificate", "bulk_operations"}. */
struct api_perm {
	enum api_perm_level level;
	const char *names[API_PERM_NAMES_MAX];
};

/* The level's name: "read", "write", "admin" (static). */
const char *api_perm_level_name(enum api_perm_level level);

/* Decides whether the request may perform an operation needing `perm` on `res` (NULL for an
 * endpoint outside the registry). Returns 1 when allowed; otherwise sends the 401/403 answer
 * and returns 0. Reads only the request's credentials; thread-safe. */
int api_authorize(struct api_req *ar, const struct api_resource *res, const struct api_perm *perm);

#endif
