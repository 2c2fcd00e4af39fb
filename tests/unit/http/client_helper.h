/*
 * tests/unit/http/client_helper — a tiny blocking HTTP/1.1 client over raw sockets, so the
 * server tests see exactly the bytes on the wire (keep-alive, early 413, chunked uploads).
 * Every socket gets a 5 s receive timeout so a broken server fails a test instead of hanging.
 */
#ifndef CK_TEST_HTTP_CLIENT_H
#define CK_TEST_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define TC_MAX_HEADERS 48

struct tc_resp {
	int status;
	size_t nheaders;
	char names[TC_MAX_HEADERS][64];
	char values[TC_MAX_HEADERS][512];
	char *body; /* NUL-terminated, malloc'd */
	size_t body_len;
};

/* Connects to host:port ("127.0.0.1" or "::1"); returns the fd or -1. */
int tc_connect(const char *host, uint16_t port);
/* Writes all of data; 0 or -1. */
int tc_send(int fd, const char *data, size_t n);
int tc_sends(int fd, const char *s);
/* Reads one response (Content-Length, chunked, or until EOF). 0 or -1. */
int tc_read(int fd, struct tc_resp *out);
/* Connect, send `raw`, read one response, close. 0 or -1. */
int tc_request(uint16_t port, const char *raw, struct tc_resp *out);
/* Header value (case-insensitive name) or NULL. */
const char *tc_header(const struct tc_resp *r, const char *name);
void tc_resp_free(struct tc_resp *r);
/* 1 if the peer closed the connection (read returns 0) within timeout_ms. */
int tc_closed(int fd, int timeout_ms);

#endif
