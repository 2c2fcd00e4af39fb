/* api/authorize — the permission decision of every registry and action request (see
 * authorize.h for the rules and their order). */
#include "api/authorize.h"

const char *api_perm_level_name(enum api_perm_level level)
{
	switch (level) {
	case API_PERM_WRITE:
		return "write";
	case API_PERM_ADMIN:
		return "admin";
	default:
		return "read";
	}
}

int api_authorize(struct api_req *ar, const struct api_resource *res, const struct api_perm *perm)
{
	if (!ar->authenticated) {
		api_fail(ar, CK_E_AUTH, NULL);
		return 0;
	}
	if (((res && res->admin_only) || perm->level == API_PERM_ADMIN) && !ar->user.is_superuser) {
		api_fail_detail(ar, CK_E_FORBIDDEN,
				"You do not have permission to perform this action.");
		return 0;
	}
	if (perm->level != API_PERM_READ && !ar->write_enabled) {
		api_fail_detail(ar, CK_E_FORBIDDEN, "This token does not have write permission.");
		return 0;
	}
	return 1;
}
