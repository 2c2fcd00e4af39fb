/* Unit tests for api/authorize: the one permission decision, table-driven over the
 * credential (authenticated, write-capable, superuser), the resource (admin_only or not, or
 * none) and the level asked, with the answer it sends when it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/authorize.h"

static const struct api_resource plain = {.name = "certificates"};
static const struct api_resource admin_only = {.name = "users", .admin_only = 1};

#define DENY_ADMIN "You do not have permission to perform this action."
#define DENY_WRITE "This token does not have write permission."

static const struct {
	int authenticated, write_enabled, superuser;
	const struct api_resource *res;
	enum api_perm_level level;
	int allowed, status;
	const char *detail;
} cases[] = {
    /* not authenticated: 401 whatever was asked */
    {0, 0, 0, &plain, API_PERM_READ, 0, 401, NULL},
    {0, 1, 1, NULL, API_PERM_WRITE, 0, 401, NULL},
    /* read: any authenticated credential */
    {1, 0, 0, &plain, API_PERM_READ, 1, 0, NULL},
    {1, 0, 0, NULL, API_PERM_READ, 1, 0, NULL},
    /* write: a credential that can write */
    {1, 0, 0, &plain, API_PERM_WRITE, 0, 403, DENY_WRITE},
    {1, 0, 1, NULL, API_PERM_WRITE, 0, 403, DENY_WRITE},
    {1, 1, 0, &plain, API_PERM_WRITE, 1, 0, NULL},
    /* admin_only resources and level ADMIN: superusers only, checked before the write level */
    {1, 1, 0, &admin_only, API_PERM_READ, 0, 403, DENY_ADMIN},
    {1, 0, 0, &admin_only, API_PERM_WRITE, 0, 403, DENY_ADMIN},
    {1, 0, 1, &admin_only, API_PERM_READ, 1, 0, NULL},
    {1, 0, 1, &admin_only, API_PERM_WRITE, 0, 403, DENY_WRITE},
    {1, 1, 1, &admin_only, API_PERM_WRITE, 1, 0, NULL},
    {1, 1, 0, &plain, API_PERM_ADMIN, 0, 403, DENY_ADMIN},
    {1, 0, 1, &plain, API_PERM_ADMIN, 0, 403, DENY_WRITE},
    {1, 1, 1, NULL, API_PERM_ADMIN, 1, 0, NULL},
};

static void test_decisions(void **state)
{
	static const struct http_request req = {"POST", "/api/x/", "",		NULL, 0,   "",
						0,	"test",	   "127.0.0.1", 0,    NULL};
	const struct api_perm perm_names = {.level = API_PERM_WRITE,
					    .names = {"import_certificate", "bulk_operations"}};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_response resp = {.status = 200};
		struct api_req ar;
		struct api_perm perm = {.level = cases[i].level};
		char want[128];

		memset(&ar, 0, sizeof(ar));
		strbuf_init(&resp.body, 0);
		ar.http = &req;
		ar.resp = &resp;
		ar.authenticated = cases[i].authenticated;
		ar.write_enabled = cases[i].write_enabled;
		ar.user.is_superuser = cases[i].superuser;
		assert_int_equal(api_authorize(&ar, cases[i].res, &perm), cases[i].allowed);
		if (cases[i].allowed) {
			assert_int_equal(resp.status, 200); /* nothing sent */
			assert_int_equal(resp.body.len, 0);
		} else {
			assert_int_equal(resp.status, cases[i].status);
			if (cases[i].detail) {
				snprintf(want, sizeof(want), "{\"detail\":\"%s\"}",
					 cases[i].detail);
				assert_string_equal(strbuf_str(&resp.body), want);
			}
		}
		/* the codenames do not change today's decision */
		if (cases[i].level == API_PERM_WRITE) {
			strbuf_reset(&resp.body);
			assert_int_equal(api_authorize(&ar, cases[i].res, &perm_names),
					 cases[i].allowed);
		}
		strbuf_release(&resp.body);
		for (size_t h = 0; h < resp.nheaders; h++) {
			free(resp.headers[h].name);
			free(resp.headers[h].value);
		}
	}
}

static void test_level_names(void **state)
{
	(void)state;
	assert_string_equal(api_perm_level_name(API_PERM_READ), "read");
	assert_string_equal(api_perm_level_name(API_PERM_WRITE), "write");
	assert_string_equal(api_perm_level_name(API_PERM_ADMIN), "admin");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_decisions),
					   cmocka_unit_test(test_level_names)};
	return cmocka_run_group_tests_name("api_authorize", tests, NULL, NULL);
}
