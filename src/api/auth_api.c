/*
 * api/auth_api — browser sign-in: POST /api/auth/login/ (username + password → session
 * cookie ck_session, HttpOnly, SameSite=Strict, Secure over TLS, and a CSRF token the page
 * echoes in X-CSRFToken), POST /api/auth/logout/, GET /api/auth/me/. Failed logins are
 * throttled per client address: LOGIN_MAX_FAILURES within LOGIN_WINDOW_S → 429.
 */
#include "api/actions.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LOGIN_MAX_FAILURES 10
#define LOGIN_WINDOW_S 300
#define LOGIN_SLOTS 256
#define SESSION_TTL_S (12 * 3600)

static struct {
	char addr[64];
	int64_t window_start;
	int failures;
} slots[LOGIN_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned slot_of(const char *addr)
{
	unsigned h = 2166136261u;

	for (; *addr; addr++)
		h = (h ^ (unsigned char)*addr) * 16777619u;
	return h % LOGIN_SLOTS;
}

/* Returns 1 when this address may try again; records a failure when `failed`. */
static int throttle(const char *addr, int64_t now, int failed)
{
	unsigned i = slot_of(addr ? addr : "");
	int ok;

	pthread_mutex_lock(&slots_lock);
	if (strcmp(slots[i].addr, addr ? addr : "") || now - slots[i].window_start > LOGIN_WINDOW_S) {
		snprintf(slots[i].addr, sizeof(slots[i].addr), "%s", addr ? addr : "");
		slots[i].window_start = now;
		slots[i].failures = 0;
	}
	if (failed)
		slots[i].failures++;
	ok = slots[i].failures < LOGIN_MAX_FAILURES;
	pthread_mutex_unlock(&slots_lock);
	return ok;
}

static void user_json(struct api_req *ar, const struct auth_user *u, const char *csrf)
{
	struct jsonw w;

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_key(&w, "user");
	jsonw_obj_open(&w);
	jsonw_kint(&w, "id", u->id);
	jsonw_kstr(&w, "username", u->username);
	jsonw_kbool(&w, "is_superuser", u->is_superuser);
	jsonw_obj_close(&w);
	jsonw_kstr(&w, "csrf_token", csrf);
	jsonw_obj_close(&w);
}

static void login(struct api_req *ar)
{
	struct auth_user user;
	struct ck_error err;
	json_t *body, *u, *p;
	char *key = NULL, *csrf = NULL;
	char cookie[256];
	int r;

	ck_error_clear(&err);
	if (!throttle(ar->http->remote_addr, ar->ctx.now, 0)) {
		api_fail_detail(ar, CK_E_THROTTLED, "Too many failed sign-in attempts; try again in a few minutes.");
		return;
	}
	if ((r = api_body(ar, &body, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	u = json_object_get(body, "username");
	p = json_object_get(body, "password");
	if (!json_is_string(u) || !json_is_string(p) || json_string_length(p) > 1024) {
		api_fail_detail(ar, CK_E_INVALID, "Username and password are required.");
		return;
	}
	if (auth_user_check_password(ar->ctx.conn, json_string_value(u), json_string_value(p), &user, &err)) {
		throttle(ar->http->remote_addr, ar->ctx.now, 1);
		api_fail_detail(ar, CK_E_AUTH, "Invalid username or password.");
		return;
	}
	if ((r = auth_session_create(ar->ctx.conn, user.id, SESSION_TTL_S, &key, &csrf, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	snprintf(cookie, sizeof(cookie), "ck_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", key,
		 SESSION_TTL_S, ar->http->is_tls ? "; Secure" : "");
	http_response_add_header(ar->resp, "Set-Cookie", cookie);
	user_json(ar, &user, csrf);
	free(key);
	free(csrf);
}

void api_serve_auth(struct api_req *ar, const char *rest)
{
	const char *m = ar->http->method;
	const char *cookie = http_request_cookie(ar->http, "ck_session");

	if (!strcmp(rest, "login/") && !strcmp(m, "POST")) {
		login(ar);
	} else if (!strcmp(rest, "logout/") && !strcmp(m, "POST")) {
		if (cookie && ar->via_session && ar->write_enabled)
			auth_session_delete(ar->ctx.conn, cookie);
		else if (cookie && ar->via_session) {
			api_fail_detail(ar, CK_E_FORBIDDEN, "CSRF Failed: CSRF token missing or incorrect.");
			return;
		}
		http_response_add_header(ar->resp, "Set-Cookie",
					 "ck_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
		api_no_content(ar);
	} else if (!strcmp(rest, "me/") && !strcmp(m, "GET")) {
		char csrf[65] = "";
		struct auth_user u;
		if (cookie && !auth_session_lookup(ar->ctx.conn, cookie, &u, csrf, NULL))
			user_json(ar, &u, csrf);
		else if (ar->authenticated && !ar->via_session)
			user_json(ar, &ar->user, "");
		else
			api_fail(ar, CK_E_AUTH, NULL);
	} else {
		api_fail_detail(ar, CK_E_NOTFOUND, "Not found.");
	}
}
