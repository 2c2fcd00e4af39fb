/*
 * fuzz/fuzz_util — helpers shared by the libFuzzer targets (header-only, so a target stays one
 * .c file that the unit-test build can #include for corpus replay):
 *  - CHECK(cond): a violated property aborts, which libFuzzer and the replay tests report;
 *  - struct fz: a cursor over the input that hands out bytes, small integers and strings, so a
 *    target can turn raw bytes into a structured sequence of operations;
 *  - fz_app_*: a real in-memory database (migrations applied) with a superuser and an api_req
 *    acting as that user, for targets that drive the api/ layer through its real code path
 *    (only the targets that include api/api.h see these; define FUZZ_WITH_APP first).
 */
#ifndef CK_FUZZ_UTIL_H
#define CK_FUZZ_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline int fz_empty(const struct fz *f) { return f->n == 0; }

static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static inline uint64_t fz_u64(struct fz *f)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | fz_u8(f);
	return v;
}

/* Up to max bytes: a length byte, then that many bytes (fewer at the end of the input). */
static inline size_t fz_bytes(struct fz *f, size_t max, const uint8_t **ret)
{
	size_t len = fz_u8(f);

	if (len > max)
		len = max;
	if (len > f->n)
		len = f->n;
	*ret = f->p;
	f->p += len;
	f->n -= len;
	return len;
}

/* A heap copy of exactly n bytes plus a NUL (so ASan sees reads past n). Caller frees. */
static inline char *fz_dup(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	CHECK(s);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

#ifdef FUZZ_WITH_APP
#include "api/api.h"
#include "api/registry.h"
#include "api/write.h"
#include "domain/auth.h"
#include "domain/record.h"

#include <stdio.h>

struct fz_app {
	struct store *st;
	struct api_app app;
	struct auth_user admin;
};

static inline void fz_req_init(struct api_req *ar, struct fz_app *a, struct http_response *resp,
			       const struct http_request *req);
static inline void fz_req_release(struct api_req *ar, struct http_response *resp);
static inline void fz_seed(struct fz_app *a);

/* Opens the process-wide fixture once (libFuzzer calls the target many times per process):
 * the database, the superuser and a few objects of several resources (fz_seed). */
static inline struct fz_app *fz_app_get(void)
{
	static struct fz_app a;
	static int opened;
	struct ck_error err;

	if (opened)
		return &a;
	setenv("CERTKEEPER_LIST_CACHE", "0", 1); /* every input must reach the parsers */
	ck_error_clear(&err);
	CHECK(store_open("sqlite::memory:", 0, &a.st, &err) == 0);
	ck_config_defaults(&a.app.cfg);
	a.app.store = a.st;
	a.app.version = "fuzz";
	CHECK(auth_user_create(store_conn_get(a.st), "fuzzadmin", 1, &a.admin.id, &err) == 0);
	CHECK(auth_user_get(store_conn_get(a.st), a.admin.id, &a.admin, &err) == 0);
	opened = 1;
	fz_seed(&a);
	return &a;
}

/* An api_req acting as the superuser over `req` (method, path, params, body). */
static inline void fz_req_init(struct api_req *ar, struct fz_app *a, struct http_response *resp,
			       const struct http_request *req)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	strbuf_init(&resp->body, 0);
	memset(ar, 0, sizeof(*ar));
	ar->app = &a->app;
	ar->resp = resp;
	ar->ctx.conn = store_conn_get(a->st);
	ar->ctx.cfg = &a->app.cfg;
	ar->ctx.now = (int64_t)time(NULL);
	ar->user = a->admin;
	ar->authenticated = ar->write_enabled = 1;
	ar->ctx.user_id = a->admin.id;
	ar->ctx.username = ar->user.username;
	api_req_snapshots(ar);
	ar->http = req;
	ar->ctx.request_id =
	    req->request_id; /* "seed" or "fuzz": lets a target find its changelog rows */
	snprintf(ar->base_url, sizeof(ar->base_url), "http://127.0.0.1:8080");
}

static inline void fz_req_release(struct api_req *ar, struct http_response *resp)
{
	api_req_release(ar);
	strbuf_release(&resp->body);
	for (size_t i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->file_path);
}

/* POSTs a JSON body to a resource's list URL through the registry's write path (api_write);
 * returns the HTTP status. */
static inline int fz_post(struct fz_app *a, const char *resource, const char *body)
{
	const struct api_resource *res = api_registry_find(resource);
	struct http_request req = {"POST",	 NULL,	 "",	      NULL, 0,	 body,
				   strlen(body), "seed", "127.0.0.1", 0,    NULL};
	struct http_response resp;
	struct api_req ar;
	int status;

	CHECK(res);
	req.path = res->path;
	fz_req_init(&ar, a, &resp, &req);
	api_write(&ar, res, 0);
	status = resp.status;
	fz_req_release(&ar, &resp);
	return status;
}

#define FZ_FP(c) #c #c ":" #c #c ":" #c #c ":" #c #c ":" #c #c ":" #c #c ":" #c #c ":" #c #c
#define FZ_FP32(c) FZ_FP(c) ":" FZ_FP(c) ":" FZ_FP(c) ":" FZ_FP(c)

/* Objects for filters, FK checks and lists to find: ids 1.. of each resource. */
static inline void fz_seed(struct fz_app *a)
{
	CHECK(fz_post(a, "tenants", "{\"name\": \"Acme\", \"slug\": \"acme\"}") == 201);
	CHECK(fz_post(a, "tags", "{\"name\": \"Prod\", \"slug\": \"prod\"}") == 201);
	CHECK(fz_post(
		  a, "certificates",
		  "{\"common_name\": \"www.example.com\", \"serial_number\": \"01:AB\","
		  " \"fingerprint_sha256\": \"" FZ_FP32(
		      A) "\", \"issuer\": \"CN=R3,O=Let's Encrypt\","
			 " \"valid_from\": \"2025-01-01T00:00:00Z\", \"valid_to\": \"2026-01-01\","
			 " \"algorithm\": \"rsa\", \"key_size\": 2048, \"tenant\": 1,"
			 " \"sans\": [\"www.example.com\", \"example.com\"], \"tags\": [{\"slug\": "
			 "\"prod\"}]}") == 201);
	CHECK(fz_post(a, "certificates",
		      "{\"common_name\": \"api.example.org\", \"serial_number\": \"7F\","
		      " \"fingerprint_sha256\": \"" FZ_FP32(
			  B) "\", \"issuer\": \"CN=Internal CA\","
			     " \"valid_from\": \"2024-06-01\", \"valid_to\": "
			     "\"2030-06-01T12:00:00+02:00\","
			     " \"algorithm\": \"ecdsa\", \"status\": \"active\"}") == 201);
}

/* The response body parsed by jansson (the oracle: every API answer must be valid JSON). */
static inline json_t *fz_resp_json(const struct http_response *resp)
{
	json_error_t jerr;

	return json_loadb(strbuf_str(&resp->body), resp->body.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
			  &jerr);
}

/* Runs harness SQL (clean-up between inputs); any failure aborts. */
static inline void fz_exec(struct fz_app *a, const char *sql)
{
	CHECK(store_exec(store_conn_get(a->st), sql, NULL) == 0);
}

/* Row count of a table (the harness's own check, independent of the code under test). */
static inline int64_t fz_count(struct fz_app *a, const char *sql)
{
	int64_t v = -1;

	CHECK(store_scalar_i64(store_conn_get(a->st), sql, NULL, 0, &v, NULL) == 0);
	return v;
}
#endif

#endif
