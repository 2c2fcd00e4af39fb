/*
 * http/server — the libmicrohttpd daemon and the life of one request (contract: http.h;
 * design notes: docs/internals/http.md).
 *
 * Life of a request (one `struct request`, created by the URI-log callback as soon as the
 * request line is parsed, freed only by the request-completed callback):
 *
 *   URI_LOG ──► FIRST CALL ──► [BODY CALLS...] ──► FINAL CALL ──► COMPLETED
 *   (alloc,      (headers:       (append to the     (handler, or     (access log,
 *    raw URI,     limits, path,   capped body, or    the prepared     free everything)
 *    clock)       query; maybe    discard it)        error; queue)
 *                 queue an early 413)
 *
 * Invariants:
 *  1. The response is queued on the FINAL call (upload_data_size == 0 after the first call),
 *     never on the first: queueing on the first call makes libmicrohttpd drop keep-alive.
 *     The one exception is the early 413 for a declared Content-Length over the cap, where
 *     closing the connection is what we want (the body is never read).
 *  2. Once `failed` is set the response body already holds the JSON error; later body data
 *     is discarded unbuffered and the handler is never called.
 *  3. Everything the request owns (URI copy, path, query, body, response) is freed
 *     in request_free(), from on_completed() — or, for a request libmicrohttpd gave up on
 *     without the completed callback (its 0.9.75 does that when its connection pool runs
 *     out), from the connection-closed notification (on_connection()), which MHD sends for
 *     every connection it accepted. struct http_conn (conns.h) links the two.
 *
 * Life of a connection (timeouts, docs/security.md "HTTP limits and timeouts"):
 *
 *   accepted ──► request line + headers ──► body, handler ──► response sent ──► idle ─┐
 *   deadline:    header_timeout_s            (MHD inactivity   MHD inactivity     keep-alive
 *                from accept (absolute)       timeout, keep-   timeout = send_    deadline ──┘
 *                                             alive value)     timeout_s           (absolute;
 *                                                                                   then the next
 *                                                                                   request line
 *                                                                                   re-arms the
 *                                                                                   header one)
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/jsonw.h"
#include "core/log.h"
#include "core/parse.h"
#include "http/conns.h"
#include "http/listen.h"
#include "http/query.h"
#include "http/server.h"

struct http_server {
	struct MHD_Daemon *daemon;
	http_handler_fn handler;
	void *app;
	size_t max_body;
	size_t max_response;
	int access_log;
	unsigned header_timeout_s;
	unsigned keepalive_timeout_s;
	unsigned send_timeout_s;
	struct http_conns *conns;
	uint16_t port;
	atomic_int stopping;
	atomic_long inflight; /* requests being handled or answered (see mark_inflight) */
};

struct request {
	struct http_request pub;
	struct http_response resp;
	struct http_server *srv;
	struct MHD_Connection *conn;
	struct http_conn *hc; /* the connection's state (on_uri refuses requests without one) */
	char *raw_uri;	      /* request target as received */
	size_t path_len;      /* raw path length (before '?') */
	char *path;	      /* decoded path */
	struct http_query query;
	struct strbuf body;
	int started;	      /* first access-handler call seen */
	int failed;	      /* resp holds a prepared error; don't call the handler */
	int queued;	      /* a response was queued */
	int inflight;	      /* counted in srv->inflight (see mark_inflight) */
	int close;	      /* answer with Connection: close (the request's framing is suspect) */
	int send_timeout_set; /* the connection's MHD timeout is send_timeout_s */
	uint64_t bytes;	      /* response body bytes, for the access log */
	struct timespec t0;
	char method[16];
	char id[HTTP_REQUEST_ID_LEN + 1];
	char remote[INET6_ADDRSTRLEN];
};

/* ---- request ids ---------------------------------------------------------------------- */

static atomic_uint_fast64_t id_counter;
static uint64_t id_seed;
static atomic_int id_seeded;

#define ID_MASK ((UINT64_C(1) << 48) - 1)

/* A bijection on 48-bit values (xorshifts and odd multipliers mod 2^48), so distinct
 * counters give distinct ids while consecutive ids look unrelated. */
static uint64_t mix48(uint64_t x)
{
	x &= ID_MASK;
	x ^= x >> 24;
	x = (x * UINT64_C(0x9E3779B97F4B)) & ID_MASK;
	x ^= x >> 21;
	x = (x * UINT64_C(0xBF58476D1CE5)) & ID_MASK;
	x ^= x >> 25;
	return x;
}

static void id_seed_once(void)
{
	uint64_t seed;

	if (atomic_load(&id_seeded))
		return;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	id_seed = seed;
	atomic_store(&id_seeded, 1);
}

void http_request_id_next(char out[HTTP_REQUEST_ID_LEN + 1])
{
	uint64_t n = atomic_fetch_add(&id_counter, 1);

	snprintf(out, HTTP_REQUEST_ID_LEN + 1, "%012llx", (unsigned long long)mix48(id_seed + n));
}

/* ---- recycled response buffers ---------------------------------------------------------- */

/* Each worker thread keeps the buffer of its last sent response and builds the next body in
 * it: a list page grew a fresh buffer by doubling up to ~1 MiB (glibc mmaps those, so every
 * request paid the copies, an mmap/munmap pair and the page faults). MHD frees a response on
 * the thread that owns its connection (thread-pool mode), so the slot is thread-local and
 * needs no lock. Bounded: one buffer per thread, at most RESP_RECYCLE_MAX bytes; larger ones
 * are freed. The key's destructor frees the slot when a pool thread exits. */
#define RESP_RECYCLE_MAX ((size_t)4 << 20)

static pthread_key_t recycle_key;
static pthread_once_t recycle_once = PTHREAD_ONCE_INIT;

static void recycle_key_init(void) { (void)pthread_key_create(&recycle_key, free); }

/* MHD's free callback for body buffers: keeps the buffer for this thread's next response. */
static void recycle_buffer(void *buf)
{
	void *old;

	if (!buf)
		return;
	pthread_once(&recycle_once, recycle_key_init);
	if (malloc_usable_size(buf) > RESP_RECYCLE_MAX) {
		free(buf);
		return;
	}
	old = pthread_getspecific(recycle_key);
	if (pthread_setspecific(recycle_key, buf)) {
		free(buf);
		return;
	}
	free(old);
}

/* Starts sb (empty, cap set) in this thread's recycled buffer when there is one that fits. */
static void adopt_recycled(struct strbuf *sb)
{
	char *buf;
	size_t size;

	pthread_once(&recycle_once, recycle_key_init);
	buf = pthread_getspecific(recycle_key);
	if (!buf)
		return;
	size = malloc_usable_size(buf);
	if (size > sb->cap + 1 || pthread_setspecific(recycle_key, NULL))
		return;
	buf[0] = '\0';
	sb->buf = buf;
	sb->alloc = size;
}

/* ---- request lifetime ------------------------------------------------------------------ */

static void request_free(struct request *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->resp.nheaders; i++) {
		free(r->resp.headers[i].name);
		free(r->resp.headers[i].value);
	}
	strbuf_release(&r->resp.body);
	free(r->resp.file_path);
	strbuf_release(&r->body);
	http_query_release(&r->query);
	free(r->path);
	free(r->raw_uri);
	free(r);
}

static struct http_conn *conn_state(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void access_log(const struct request *r, enum MHD_RequestTerminationCode toe);

/* Frees a request MHD never reported completed (see invariant 3). */
static void request_drop(struct http_server *srv, struct request *r)
{
	int counted = r->inflight;

	if (srv->access_log)
		access_log(r, MHD_REQUEST_TERMINATED_WITH_ERROR);
	request_free(r);
	if (counted)
		atomic_fetch_sub(&srv->inflight, 1);
}

/* libmicrohttpd 0.9.75 stores every query parameter of the request line in the connection's
 * memory pool right after this callback, and when the pool runs out (~950 parameters in
 * 64 KiB) it queues a 431, then overwrites its own state: the client never gets an answer
 * and the completed callback never fires. We parse the query ourselves from the copy taken
 * here and never ask MHD for it, so we end the query string MHD is about to parse (the
 * request line lives in MHD's writable read buffer; it has already located the '?'). Our
 * own parser then answers 414 for too many parameters. */
static void hide_query_from_mhd(char *uri)
{
	char *q = strchr(uri, '?');

	if (q && q[1])
		q[1] = '\0';
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	struct http_conn *hc = conn_state(conn);
	struct request *r = calloc(1, sizeof(*r));

	if (hc && hc->pending) { /* not expected: MHD dropped the previous request silently */
		request_drop(srv, hc->pending);
		hc->pending = NULL;
	}
	if (r)
		r->raw_uri = strdup(uri);
	hide_query_from_mhd((char *)uri);
	if (!hc || !r || !r->raw_uri) { /* no memory: on_access drops the connection */
		if (r)
			free(r->raw_uri);
		free(r);
		return NULL;
	}
	r->srv = srv;
	r->hc = hc;
	hc->pending = r;
	/* a keep-alive request: its headers get the full header timeout from here */
	if (hc->requests++ > 0)
		http_conn_deadline(hc, srv->header_timeout_s);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	http_request_id_next(r->id);
	strbuf_init(&r->body, srv->max_body);
	strbuf_init(&r->resp.body, srv->max_response);
	adopt_recycled(&r->resp.body);
	r->resp.status = 200;
	r->resp.content_type = "application/json";
	return r;
}

/* Replaces the response with {"detail": msg} and marks the request failed. */
static void fail(struct request *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct request *r, int status, const char *fmt, ...)
{
	char msg[256];
	struct jsonw w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strbuf_reset(&r->resp.body);
	jsonw_init(&w, &r->resp.body);
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "detail", msg);
	jsonw_obj_close(&w);
	r->resp.status = status;
	r->resp.content_type = "application/json";
	free(r->resp.file_path);
	r->resp.file_path = NULL;
	r->failed = 1;
}

static void fill_remote(struct request *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->remote,
			  sizeof(r->remote));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->remote,
			  sizeof(r->remote));
}

/* Splits the raw URI into the decoded path and the parsed query. 0, or fails the request. */
static int decode_target(struct request *r)
{
	char *q = strchr(r->raw_uri, '?');
	const char *raw_query = q ? q + 1 : "";
	struct ck_error err;
	int rc;

	r->path_len = q ? (size_t)(q - r->raw_uri) : strlen(r->raw_uri);
	if (r->raw_uri[0] != '/') {
		/* origin-form only: "../x", "-old/x", "*" or absolute-form would be joined to a
		 * path (the web root) by whoever trusts req->path to start with '/' */
		fail(r, 400, "The request target must start with '/'.");
		return CK_E_PARSE;
	}
	r->path = malloc(r->path_len + 1);
	if (!r->path) {
		fail(r, 500, "Out of memory.");
		return CK_E_NOMEM;
	}
	if (http_url_decode(r->raw_uri, r->path_len, 0, r->path, NULL) < 0) {
		fail(r, 400, "Malformed percent-encoding in the path.");
		return CK_E_PARSE;
	}
	rc = http_query_parse(raw_query, strlen(raw_query), HTTP_MAX_PARAMS, &r->query, &err);
	if (rc < 0) {
		fail(r, rc == CK_E_NOMEM ? 500 : rc == CK_E_TOOBIG ? 414 : 400, "%s", err.msg);
		return rc;
	}
	r->pub.raw_query = raw_query;
	r->pub.path = r->path;
	r->pub.params = r->query.params;
	r->pub.nparams = r->query.n;
	return 0;
}

static enum MHD_Result queue(struct request *r);

/* From here until COMPLETED the request counts as in flight: http_server_stop() waits for
 * it. Requests still being received (slow or abandoned uploads, half-sent headers) do not
 * count; stopping cuts them off, which is also why an abandoned one never delays a stop. */
static void mark_inflight(struct request *r)
{
	if (r->inflight)
		return;
	r->inflight = 1;
	atomic_fetch_add(&r->srv->inflight, 1);
}

struct framing {
	int content_length; /* Content-Length headers seen */
	int transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *f = cls;

	(void)kind;
	(void)value;
	if (key && !strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		f->content_length++;
	else if (key && !strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		f->transfer_encoding++;
	return MHD_YES;
}

/* A body framed two ways is how requests are smuggled past a proxy that picks the other
 * framing (RFC 9112 §6.3): refuse it, and close, since we cannot know where it ends. */
static int check_framing(struct request *r)
{
	struct framing f = {0, 0};

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
	if (f.content_length > 1) {
		fail(r, 400, "More than one Content-Length header.");
	} else if (f.content_length && f.transfer_encoding) {
		fail(r, 400, "Both Content-Length and Transfer-Encoding headers.");
	} else {
		return 0;
	}
	r->close = 1;
	return CK_E_PARSE;
}

/* Declared Content-Length over the cap: answer 413 now and never read the body. */
static int check_content_length(struct request *r)
{
	const char *cl =
	    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	int64_t n;

	if (!cl || ck_parse_i64(cl, 0, INT64_MAX, &n) < 0 || (uint64_t)n <= r->srv->max_body)
		return 0;
	fail(r, 413, "Request body too large (%lld bytes). Maximum is %zu bytes.", (long long)n,
	     r->srv->max_body);
	return CK_E_TOOBIG;
}

/* First access-handler call: headers are complete, no body yet. */
static enum MHD_Result begin(struct request *r, struct MHD_Connection *conn, const char *method)
{
	int nheaders;

	r->started = 1;
	r->conn = conn;
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->pub.method = method;
	r->pub.request_id = r->id;
	r->pub.remote_addr = r->remote;
	r->pub.body = "";
	r->pub.impl = r;
	fill_remote(r);
	if (r->hc)
		http_conn_deadline(r->hc, 0); /* headers complete: MHD's inactivity timeout rules */
	if (strlen(r->raw_uri) > HTTP_MAX_URL_LEN) {
		fail(r, 414, "Request URL too long (maximum %d bytes).", HTTP_MAX_URL_LEN);
		return MHD_YES;
	}
	nheaders = MHD_get_connection_values(conn, MHD_HEADER_KIND, NULL, NULL);
	if (nheaders > HTTP_MAX_HEADERS) {
		fail(r, 431, "Too many request headers (maximum %d).", HTTP_MAX_HEADERS);
		return MHD_YES;
	}
	if (check_framing(r) < 0 || check_content_length(r) < 0) {
		mark_inflight(r);
		return queue(r);
	}
	decode_target(r);
	return MHD_YES;
}

static enum MHD_Result take_body(struct request *r, const char *data, size_t *size)
{
	size_t n = *size;

	*size = 0;
	if (r->failed)
		return MHD_YES; /* invariant 2: discard */
	if (n > r->srv->max_body - r->body.len) {
		fail(r, 413, "Request body too large (%zu bytes). Maximum is %zu bytes.",
		     r->body.len + n, r->srv->max_body);
		strbuf_release(&r->body);
		return MHD_YES;
	}
	if (strbuf_add(&r->body, data, n) < 0)
		fail(r, 500, "Out of memory.");
	return MHD_YES;
}

static void call_handler(struct request *r)
{
	r->pub.body = strbuf_str(&r->body);
	r->pub.body_len = r->body.len;
	r->srv->handler(r->srv->app, &r->pub, &r->resp);
	if (r->resp.status < 100 || r->resp.status > 599) {
		ck_log(CK_LOG_ERROR, r->id, "handler set invalid status %d", r->resp.status);
		fail(r, 500, "Internal server error.");
	} else if (!r->resp.file_path && strbuf_result(&r->resp.body) < 0) {
		ck_log(CK_LOG_ERROR, r->id, "response body failed: %s",
		       ck_strerror(strbuf_result(&r->resp.body)));
		fail(r, 500, "Response too large.");
	}
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	struct request *r = *con_cls;

	(void)cls;
	(void)url;
	(void)version;
	if (!r)
		return MHD_NO; /* on_uri ran out of memory: drop the connection */
	if (!r->started)
		return begin(r, conn, method);
	if (r->queued) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size)
		return take_body(r, upload_data, upload_data_size);
	mark_inflight(r);
	if (!r->failed)
		call_handler(r);
	return queue(r);
}

/* ---- responses -------------------------------------------------------------------------- */

/* A response for resp->file_path, or NULL after failing the request (404 if it vanished). */
static struct MHD_Response *file_response(struct request *r)
{
	struct MHD_Response *mr;
	struct stat st;
	int fd = open(r->resp.file_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		fail(r, 404, "Not found.");
		return NULL;
	}
	mr = MHD_create_response_from_fd64((uint64_t)st.st_size, fd); /* takes the fd */
	if (!mr) {
		close(fd);
		fail(r, 500, "Internal server error.");
		return NULL;
	}
	r->bytes = (uint64_t)st.st_size;
	return mr;
}

/* A response owning the body buffer (no copy), or NULL on out-of-memory. */
static struct MHD_Response *buffer_response(struct request *r)
{
	size_t len;
	char *buf = strbuf_take(&r->resp.body, &len);
	struct MHD_Response *mr;

	if (!buf)
		return NULL;
	mr = MHD_create_response_from_buffer_with_free_callback(len, buf, recycle_buffer);
	if (!mr)
		free(buf);
	else
		r->bytes = len;
	return mr;
}

static struct MHD_Response *build_response(struct request *r)
{
	struct MHD_Response *mr = NULL;

	if (r->resp.file_path)
		mr = file_response(r); /* on failure r now holds a JSON error */
	if (!mr)
		mr = buffer_response(r);
	return mr;
}

static void add_headers(struct request *r, struct MHD_Response *mr)
{
	size_t i;

	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->resp.content_type ? r->resp.content_type : "application/json");
	MHD_add_response_header(mr, "X-Request-ID", r->id);
	for (i = 0; i < r->resp.nheaders; i++) {
		if (MHD_add_response_header(mr, r->resp.headers[i].name,
					    r->resp.headers[i].value) != MHD_YES)
			ck_log(CK_LOG_WARN, r->id, "response header '%s' refused",
			       r->resp.headers[i].name);
	}
	if (r->close || atomic_load(&r->srv->stopping))
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result queue(struct request *r)
{
	struct MHD_Response *mr = build_response(r);
	enum MHD_Result ok;

	if (!mr)
		return MHD_NO;
	add_headers(r, mr);
	ok = MHD_queue_response(r->conn, (unsigned)r->resp.status, mr);
	MHD_destroy_response(mr);
	r->queued = (ok == MHD_YES);
	/* a client that stops reading holds the response (up to max_response bytes) only this
	 * long after its last progress, instead of the keep-alive timeout */
	if (r->queued && r->srv->send_timeout_s != r->srv->keepalive_timeout_s) {
		MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  r->srv->send_timeout_s);
		r->send_timeout_set = 1;
	}
	return ok;
}

/* Copies at most `max` bytes of s to out, replacing control and non-ASCII bytes by '?'. */
static void log_safe(char *out, size_t outsz, const char *s, size_t n)
{
	size_t i;

	if (n >= outsz)
		n = outsz - 1;
	for (i = 0; i < n; i++)
		out[i] = (s[i] < 0x20 || s[i] > 0x7e) ? '?' : s[i];
	out[n] = '\0';
}

static void access_log(const struct request *r, enum MHD_RequestTerminationCode toe)
{
	struct timespec t1;
	double ms;
	char path[256];
	size_t qlen = r->path_len < strlen(r->raw_uri) ? strlen(r->raw_uri) - r->path_len - 1 : 0;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
	log_safe(path, sizeof(path), r->raw_uri, r->path_len ? r->path_len : strlen(r->raw_uri));
	ck_log(CK_LOG_INFO, r->id, "%s %s qlen=%zu status=%d bytes=%llu ms=%.2f remote=%s%s",
	       r->method[0] ? r->method : "-", path, qlen, r->queued ? r->resp.status : 0,
	       (unsigned long long)r->bytes, ms, r->remote[0] ? r->remote : "-",
	       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct request *r = *con_cls;
	int counted;

	if (!r)
		return;
	counted = r->inflight;
	if (r->hc) {
		r->hc->pending = NULL;
		/* idle until the next request line: an absolute keep-alive deadline */
		http_conn_deadline(r->hc, srv->keepalive_timeout_s);
	}
	/* back to the idle timeout (the connection is still on MHD's timeout lists here, also
	 * when it is about to close: MHD unlists it only in its cleanup, after this callback) */
	if (r->send_timeout_set)
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  srv->keepalive_timeout_s);
	if (srv->access_log)
		access_log(r, toe);
	request_free(r);
	*con_cls = NULL;
	if (counted)
		atomic_fetch_sub(&srv->inflight, 1);
}

/* MHD_OPTION_NOTIFY_CONNECTION: every accepted connection gets a struct http_conn (header
 * deadline, the pending request); on close a request MHD dropped unreported is freed. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	struct http_conn *hc = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		hc = ci ? http_conns_add(srv->conns, ci->connect_fd) : NULL;
		if (hc)
			http_conn_deadline(hc, srv->header_timeout_s);
		else /* no state, no deadline: on_uri refuses its requests */
			ck_log(CK_LOG_WARN, NULL, "http: out of memory for a new connection");
		*socket_context = hc;
		return;
	}
	if (!hc)
		return;
	if (hc->pending)
		request_drop(srv, hc->pending);
	http_conns_remove(srv->conns, hc);
	*socket_context = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	ck_log(CK_LOG_WARN, NULL, "libmicrohttpd: %s", msg);
}

/* ---- public request/response helpers ---------------------------------------------------- */

const char *http_request_header(const struct http_request *req, const char *name)
{
	const struct request *r = req->impl;

	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct cookie_find {
	const char *name;
	const char *value;
};

static enum MHD_Result cookie_match(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct cookie_find *f = cls;

	(void)kind;
	if (!key || strcmp(key, f->name) != 0)
		return MHD_YES;
	f->value = value ? value : "";
	return MHD_NO; /* first one wins */
}

/* libmicrohttpd already splits the Cookie header into its pool for every request; its own
 * MHD_lookup_connection_value() compares names case-insensitively, but cookie names are
 * case-sensitive (RFC 6265), so we walk its list with an exact compare. */
const char *http_request_cookie(const struct http_request *req, const char *name)
{
	const struct request *r = req->impl;
	struct cookie_find f = {name, NULL};

	MHD_get_connection_values(r->conn, MHD_COOKIE_KIND, cookie_match, &f);
	return f.value;
}

const char *http_request_param(const struct http_request *req, const char *key)
{
	size_t i;

	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].key, key) == 0)
			return req->params[i].value;
	return NULL;
}

static int header_text_ok(const char *s, int is_name)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || (is_name && (*s == ':' || *s == ' ')))
			return 0;
	return 1;
}

int http_response_add_header(struct http_response *resp, const char *name, const char *value)
{
	struct http_header *h;

	if (!name[0] || !header_text_ok(name, 1) || !header_text_ok(value, 0))
		return CK_E_INVALID;
	if (resp->nheaders >= HTTP_MAX_RESP_HEADERS)
		return CK_E_TOOBIG;
	h = &resp->headers[resp->nheaders];
	h->name = strdup(name);
	h->value = strdup(value);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		h->name = h->value = NULL;
		return CK_E_NOMEM;
	}
	resp->nheaders++;
	return 0;
}

/* ---- daemon ------------------------------------------------------------------------------ */

static unsigned pool_size(const struct http_config *cfg)
{
	long n;

	if (cfg->threads)
		return cfg->threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static struct MHD_Daemon *start_daemon(struct http_server *srv, const struct http_config *cfg,
				       int fd)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_ITC | MHD_USE_ERROR_LOG;
	unsigned int threads = pool_size(cfg);

	/* the logger must come first to catch messages about the other options; a pool of
	 * one is "no pool" for libmicrohttpd, so the option is then left out (END ends early) */
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, on_access, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_CONNECTION_TIMEOUT,
	    srv->keepalive_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)HTTP_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    cfg->max_conns_per_ip ? cfg->max_conns_per_ip : HTTP_DEFAULT_MAX_CONNS_PER_IP,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)HTTP_CONN_MEMORY, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, MHD_OPTION_END);
}

int http_server_start(const struct http_config *cfg, http_handler_fn handler, void *app,
		      struct http_server **ret, struct ck_error *err)
{
	struct http_server *srv;
	int fd = -1, rc;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return ck_error_set(err, CK_E_NOMEM, NULL, "Out of memory.");
	id_seed_once();
	srv->handler = handler;
	srv->app = app;
	srv->max_body = cfg->max_body ? cfg->max_body : HTTP_DEFAULT_MAX_BODY;
	srv->max_response = cfg->max_response ? cfg->max_response : HTTP_DEFAULT_MAX_RESPONSE;
	srv->access_log = cfg->access_log;
	srv->header_timeout_s =
	    cfg->header_timeout_s ? cfg->header_timeout_s : HTTP_DEFAULT_HEADER_TIMEOUT_S;
	srv->keepalive_timeout_s =
	    cfg->keepalive_timeout_s ? cfg->keepalive_timeout_s : HTTP_DEFAULT_KEEPALIVE_TIMEOUT_S;
	srv->send_timeout_s =
	    cfg->send_timeout_s ? cfg->send_timeout_s : HTTP_DEFAULT_SEND_TIMEOUT_S;
	rc = http_conns_start(&srv->conns);
	if (rc < 0) {
		ck_error_set(err, rc, NULL, "Cannot start the connection watchdog.");
		goto free_srv;
	}
	rc = http_listen_open(cfg->listen, &fd, &srv->port, err);
	if (rc < 0)
		goto stop_conns;
	srv->daemon = start_daemon(srv, cfg, fd);
	if (!srv->daemon) {
		rc = ck_error_set(err, CK_E_IO, "listen", "Cannot start the HTTP server on '%s'.",
				  cfg->listen);
		goto close_fd;
	}
	*ret = srv;
	return 0;

close_fd:
	close(fd);
stop_conns:
	http_conns_stop(srv->conns);
free_srv:
	free(srv);
	return rc;
}

uint16_t http_server_port(const struct http_server *srv) { return srv->port; }

void http_server_stop(struct http_server *srv)
{
	struct timespec tick = {0, 5 * 1000 * 1000};
	long waited_ms = 0;
	MHD_socket lfd;

	if (!srv)
		return;
	atomic_store(&srv->stopping, 1);
	lfd = MHD_quiesce_daemon(srv->daemon); /* no new connections from here on */
	while (atomic_load(&srv->inflight) > 0 && waited_ms < HTTP_STOP_GRACE_MS) {
		nanosleep(&tick, NULL);
		waited_ms += 5;
	}
	if (atomic_load(&srv->inflight) > 0)
		ck_log(CK_LOG_WARN, NULL, "http: stopping with %ld request(s) still in flight",
		       atomic_load(&srv->inflight));
	MHD_stop_daemon(srv->daemon); /* closes idle connections, joins the threads */
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	http_conns_stop(srv->conns); /* every connection-closed notification has run */
	free(srv);
}
