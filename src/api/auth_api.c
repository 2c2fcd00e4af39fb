/*
 * api/auth_api — browser sign-in: POST /api/auth/login/ (username + password → session
 * cookie ck_session, HttpOnly, SameSite=Strict, Secure over TLS, and a CSRF token the page
 * echoes in X-CSRFToken), POST /api/auth/logout/, GET /api/auth/me/.
 *
 * Sign-in refuses, in this order and before any password is hashed:
 *   a body that is not application/json (415: a cross-site form or text/plain POST cannot
 *   send one without a CORS preflight, which certkeeper never grants) — login CSRF;
 *   an Origin header (when present) naming another host than the Host header (403);
 *   a client address or an account that reached its failure limit (429 with Retry-After;
 *   domain/auth_throttle, limits from the login_* settings).
 * A password check that found the hash gate full answers 429 with Retry-After: 1.
 */
#include "api/actions.h"
#include "domain/auth_throttle.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_TTL_S (12 * 3600)
#define LOGIN_PASSWORD_MAX 1024 /* bytes of a password in a sign-in body */

/* True when the Content-Type's media type is application/json (parameters ignored). */
static int is_json(const char *ctype)
{
	static const char want[] = "application/json";
	size_t n;

	if (!ctype)
		return 0;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	n = strcspn(ctype, ";");
	while (n && (ctype[n - 1] == ' ' || ctype[n - 1] == '\t'))
		n--;
	return n == sizeof(want) - 1 && !strncasecmp(ctype, want, n);
}

/* True when there is no Origin header, or it is "http(s)://<Host header>". */
static int origin_ok(const struct http_request *req)
{
	const char *origin = http_request_header(req, "Origin");
	const char *host = http_request_header(req, "Host");
	const char *p;

	if (!origin)
		return 1;
	if (!host || !*host)
		return 0;
	if (!strncasecmp(origin, "https://", 8))
		p = origin + 8;
	else if (!strncasecmp(origin, "http://", 7))
		p = origin + 7;
	else
		return 0; /* "null" (sandboxed or privacy-restricted pages) and other schemes */
	return !strcasecmp(p, host);
}

static void set_retry_after(struct api_req *ar, int64_t seconds)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", (long long)(seconds > 0 ? seconds : 1));
	http_response_add_header(ar->resp, "Retry-After", v);
}

static void limits_of(const struct api_req *ar, struct auth_throttle_limits *lim)
{
	lim->per_address = ar->app->cfg.login_max_failures_per_address;
	lim->per_account = ar->app->cfg.login_max_failures_per_account;
	lim->window_s = ar->app->cfg.login_failure_window_s;
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

/* Decodes the sign-in body; 0 or the error already sent. */
static int login_decode(struct api_req *ar, const char **ret_user, const char **ret_password)
{
	struct ck_error err;
	json_t *body, *u, *p;
	int r;

	ck_error_clear(&err);
	if (!is_json(http_request_header(ar->http, "Content-Type"))) {
		api_fail_detail(ar, CK_E_MEDIATYPE,
				"Sign-in accepts only an application/json body.");
		return CK_E_MEDIATYPE;
	}
	if (!origin_ok(ar->http)) {
		api_fail_detail(ar, CK_E_FORBIDDEN, "Origin does not match the host.");
		return CK_E_FORBIDDEN;
	}
	if ((r = api_body(ar, &body, &err))) {
		api_fail(ar, r, &err);
		return r;
	}
	u = json_object_get(body, "username");
	p = json_object_get(body, "password");
	if (!json_is_string(u) || !json_is_string(p) ||
	    json_string_length(p) > LOGIN_PASSWORD_MAX) {
		api_fail_detail(ar, CK_E_INVALID, "Username and password are required.");
		return CK_E_INVALID;
	}
	*ret_user = json_string_value(u);
	*ret_password = json_string_value(p);
	return 0;
}

/* Checks the password between throttle reservations; 0 or the error already sent. */
static int login_check(struct api_req *ar, const char *username, const char *password,
		       struct auth_user *ret)
{
	struct auth_throttle_limits lim;
	const char *addr = ar->http->remote_addr;
	struct ck_error err;
	int64_t retry = 1;
	int r;

	limits_of(ar, &lim);
	ck_error_clear(&err);
	if (auth_throttle_begin(ar->ctx.conn, &lim, addr, username, ar->ctx.now, &retry)) {
		set_retry_after(ar, retry);
		api_fail_detail(ar, CK_E_THROTTLED,
				"Too many failed sign-in attempts; try again later.");
		return CK_E_THROTTLED;
	}
	r = auth_user_check_password(ar->ctx.conn, username, password, ret, &err);
	auth_throttle_end(ar->ctx.conn, &lim, addr, username, ar->ctx.now,
			  r == 0	   ? AUTH_THROTTLE_SUCCESS
			  : r == CK_E_AUTH ? AUTH_THROTTLE_FAILURE
					   : AUTH_THROTTLE_UNCHECKED);
	if (r == CK_E_THROTTLED)
		set_retry_after(ar, 1);
	if (r == CK_E_AUTH)
		api_fail_detail(ar, CK_E_AUTH, "Invalid username or password.");
	else if (r)
		api_fail(ar, r, &err);
	return r;
}

static void login(struct api_req *ar)
{
	struct auth_user user;
	struct ck_error err;
	const char *username = NULL, *password = NULL;
	char *key = NULL, *csrf = NULL;
	char cookie[256];
	int r;

	ck_error_clear(&err);
	if (login_decode(ar, &username, &password) || login_check(ar, username, password, &user))
		return;
	if ((r = auth_session_create(ar->ctx.conn, user.id, SESSION_TTL_S, &key, &csrf, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	snprintf(cookie, sizeof(cookie),
		 "ck_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", key,
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
			api_fail_detail(ar, CK_E_FORBIDDEN,
					"CSRF Failed: CSRF token missing or incorrect.");
			return;
		}
		http_response_add_header(
		    ar->resp, "Set-Cookie",
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
