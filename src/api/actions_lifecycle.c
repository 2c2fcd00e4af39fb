/* api/actions_lifecycle — lifecycle actions of certificates (renew, revert-renewal,
 * validate-chain, detect-acme, bulk status, diff, ...). Filled by the lifecycle work. */
#include "api/actions.h"

int api_lifecycle_action(struct api_req *ar, const struct api_resource *res, int64_t id, const char *rest)
{
	(void)ar;
	(void)res;
	(void)id;
	(void)rest;
	return 0;
}
