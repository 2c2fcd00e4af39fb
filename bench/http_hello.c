/*
 * bench/http_hello — the HTTP layer's ceiling: a server whose handler returns a fixed 20 KB
 * JSON body (copied into the response strbuf, as real handlers write theirs). Driven by
 * bench/http.sh with wrk.
 *
 * usage: bench_http_hello [LISTEN] [THREADS]   (default 127.0.0.1:0, 0 = cores)
 * Prints "port N" on stdout once listening; runs until SIGINT/SIGTERM, then stops gracefully.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/parse.h"
#include "http/http.h"

#define BODY_BYTES 20480

static char body[BODY_BYTES + 1];
static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	(void)sig;
	done = 1;
}

/* A JSON list page of padded objects, exactly BODY_BYTES long. */
static void make_body(void)
{
	size_t off = 0;
	int i = 0;

	off += (size_t)snprintf(body, sizeof(body), "{\"results\":[");
	while (off + 64 < BODY_BYTES) {
		i++;
		off += (size_t)snprintf(body + off, sizeof(body) - off,
					"{\"id\":%d,\"name\":\"cert-%06d.example.com\"},", i, i);
	}
	body[off - 1] = ']';
	while (off < BODY_BYTES - 1)
		body[off++] = ' ';
	body[off++] = '}';
	body[off] = '\0';
}

static void hello(void *app, const struct http_request *req, struct http_response *resp)
{
	(void)app;
	(void)req;
	strbuf_add(&resp->body, body, BODY_BYTES);
}

int main(int argc, char **argv)
{
	struct http_config cfg = {.listen = argc > 1 ? argv[1] : "127.0.0.1:0"};
	struct http_server *srv = NULL;
	struct ck_error err;
	int64_t threads = 0;

	if (argc > 2 && ck_parse_i64(argv[2], 0, 1024, &threads) < 0) {
		fprintf(stderr, "bad thread count '%s'\n", argv[2]);
		return 2;
	}
	cfg.threads = (unsigned)threads;
	make_body();
	if (http_server_start(&cfg, hello, NULL, &srv, &err) != 0) {
		fprintf(stderr, "http_hello: %s\n", err.msg);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("port %u\n", http_server_port(srv));
	fflush(stdout);
	while (!done)
		pause();
	http_server_stop(srv);
	return 0;
}
