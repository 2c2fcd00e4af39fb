/*
 * http/http — the HTTP server glue over GNU libmicrohttpd (DESIGN.md §2, layer http/).
 *
 * The server assembles each request completely (headers, decoded query parameters, body up
 * to a size cap) and calls ONE application handler with a `struct http_request`; the handler
 * fills a `struct http_response`; this layer sends it, writes the access-log line and frees
 * everything in one place. No other layer sees libmicrohttpd.
 *
 * Threading: libmicrohttpd's internal thread pool (epoll), `threads` workers; the handler is
 * called concurrently from those threads and must be thread-safe. Each request and response
 * belongs to exactly one thread for its whole life.
 *
 * Limits (each a named, configurable cap): body size (413 with a JSON error above it), URL
 * length, query parameters, header count, connections per client address; timeouts: header
 * (absolute, from accept), keep-alive idle, send stall (docs/security.md). Keep-alive is preserved
 * (responses are queued on the second access callback, never the first — measured: queueing on the
 * first drops keep-alive).
 *
 * Lifecycle: http_server_start() → ... → http_server_stop() (graceful: stops accepting,
 * finishes in-flight requests, then returns).
 */
#ifndef CK_HTTP_HTTP_H
#define CK_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strbuf.h"

#define HTTP_MAX_PARAMS 256		    /* query parameters kept per request; more → 414 */
#define HTTP_MAX_RESP_HEADERS 16	    /* extra response headers a handler may set */
#define HTTP_MAX_URL_LEN 16384		    /* request target (path + query) bytes; more → 414 */
#define HTTP_MAX_HEADERS 100		    /* request headers; more → 431 */
#define HTTP_MAX_CONNECTIONS 1024	    /* concurrent connections; more are refused at accept */
#define HTTP_DEFAULT_MAX_CONNS_PER_IP 64    /* cfg->max_conns_per_ip == 0 */
#define HTTP_DEFAULT_HEADER_TIMEOUT_S 10    /* cfg->header_timeout_s == 0 */
#define HTTP_DEFAULT_KEEPALIVE_TIMEOUT_S 60 /* cfg->keepalive_timeout_s == 0 */
#define HTTP_DEFAULT_SEND_TIMEOUT_S 10	    /* cfg->send_timeout_s == 0 */
#define HTTP_CONN_MEMORY                                                                           \
	(64 * 1024) /* libmicrohttpd per-connection pool (request line+headers)                    \
		     */
#define HTTP_DEFAULT_MAX_BODY ((size_t)8 << 20)	      /* cfg->max_body == 0 */
#define HTTP_DEFAULT_MAX_RESPONSE ((size_t)256 << 20) /* cfg->max_response == 0 */
#define HTTP_STOP_GRACE_MS 10000 /* http_server_stop() waits this long for in-flight requests */
#define HTTP_REQUEST_ID_LEN 12	 /* hex chars of a request id */

struct http_param {
	const char *key;   /* URL-decoded; owned by the request */
	const char *value; /* URL-decoded; "" for a key without '=' */
};

struct http_request {
	const char *method;		 /* "GET", "POST", ... */
	const char *path;		 /* URL-decoded path, without the query string */
	const char *raw_query;		 /* the query string as received (no '?'), "" if none */
	const struct http_param *params; /* query parameters in order received */
	size_t nparams;
	const char *body; /* NUL-terminated copy of the body ("" if none) */
	size_t body_len;
	const char *request_id;	 /* short unique id, also in the access log */
	const char *remote_addr; /* textual peer address */
	int is_tls;		 /* served over TLS (for Secure cookies, absolute URLs) */
	void *impl;		 /* private to http/: used by http_request_header() */
};

struct http_header {
	char *name;  /* owned by the response */
	char *value; /* owned by the response */
};

struct http_response {
	int status;		  /* HTTP status; 200 by default */
	const char *content_type; /* static string; "application/json" by default */
	struct strbuf body;	  /* the body; cap set by the server */
	struct http_header headers[HTTP_MAX_RESP_HEADERS];
	size_t nheaders;
	char *file_path; /* if set (owned), the body is this file's contents instead */
};

/* Value of a request header (case-insensitive name), or NULL. Borrowed from the request. */
const char *http_request_header(const struct http_request *req, const char *name);

/* Value of a cookie by name, or NULL. Borrowed from the request. */
const char *http_request_cookie(const struct http_request *req, const char *name);

/* First value of query parameter `key`, or NULL. */
const char *http_request_param(const struct http_request *req, const char *key);

/* Adds a response header (copied). Returns 0, CK_E_NOMEM or CK_E_TOOBIG (too many). */
/* (Also CK_E_INVALID: empty name, or CR/LF in the name or value, or ':'/space in the name.) */
int http_response_add_header(struct http_response *resp, const char *name, const char *value);

/* The application's entry point; must set resp->status and may fill body/headers. */
typedef void (*http_handler_fn)(void *app, const struct http_request *req,
				struct http_response *resp);

struct http_config {
	const char *listen;	   /* "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080", ":8080") */
	unsigned threads;	   /* worker threads; 0 = number of cores */
	size_t max_body;	   /* request body cap in bytes; 0 = 8 MiB */
	size_t max_response;	   /* response body cap; 0 = 256 MiB */
	unsigned header_timeout_s; /* accept (or next request line) → headers complete; 0 = 10 s */
	unsigned keepalive_timeout_s; /* idle between requests, and body inactivity; 0 = 60 s */
	unsigned send_timeout_s;      /* no send progress → close; 0 = 10 s */
	unsigned max_conns_per_ip;    /* concurrent connections per client address; 0 = 64 */
	int access_log;		      /* 1: one line per request through core/log */
};

struct http_server;

/* Binds and starts serving. On success writes *ret (free with http_server_stop()).
 * Errors: CK_E_INVALID (bad listen address), CK_E_IO (bind failed) with detail in err. */
int http_server_start(const struct http_config *cfg, http_handler_fn handler, void *app,
		      struct http_server **ret, struct ck_error *err);

/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const struct http_server *srv);

/* Stops accepting, waits for in-flight requests, frees the server. NULL accepted. */
void http_server_stop(struct http_server *srv);

#endif
