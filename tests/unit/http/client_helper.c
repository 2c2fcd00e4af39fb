/* tests/unit/http/client_helper — see client_helper.h. */
#include "client_helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int tc_connect(const char *host, uint16_t port)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	struct timeval tv = {5, 0};
	int fd;

	if (strchr(host, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tc_send(int fd, const char *data, size_t n)
{
	while (n) {
		ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

int tc_sends(int fd, const char *s) { return tc_send(fd, s, strlen(s)); }

/* Buffered reader: one per tc_read call; bytes past the response are not expected
 * (the tests never pipeline), so reading exactly what is needed is enough. */
static int read_byte(int fd, char *c)
{
	ssize_t r;

	do
		r = recv(fd, c, 1, 0);
	while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -1;
}

static int read_line(int fd, char *line, size_t max)
{
	size_t n = 0;
	char c;

	while (read_byte(fd, &c) == 0) {
		if (c == '\n') {
			if (n && line[n - 1] == '\r')
				n--;
			line[n] = '\0';
			return 0;
		}
		if (n + 1 < max)
			line[n++] = c;
	}
	return -1;
}

static int read_exact(int fd, char *buf, size_t n)
{
	while (n) {
		ssize_t r = recv(fd, buf, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

static int append(struct tc_resp *out, const char *data, size_t n)
{
	char *nb = realloc(out->body, out->body_len + n + 1);

	if (!nb)
		return -1;
	out->body = nb;
	memcpy(out->body + out->body_len, data, n);
	out->body_len += n;
	out->body[out->body_len] = '\0';
	return 0;
}

static int read_chunked(int fd, struct tc_resp *out)
{
	char line[128], *buf;
	unsigned long size;

	for (;;) {
		if (read_line(fd, line, sizeof(line)) < 0)
			return -1;
		size = strtoul(line, NULL, 16);
		if (size == 0)
			return read_line(fd, line, sizeof(line)); /* final CRLF (no trailers) */
		buf = malloc(size);
		if (!buf || read_exact(fd, buf, size) < 0 || append(out, buf, size) < 0) {
			free(buf);
			return -1;
		}
		free(buf);
		if (read_line(fd, line, sizeof(line)) < 0)
			return -1;
	}
}

static int read_to_eof(int fd, struct tc_resp *out)
{
	char buf[4096];
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (append(out, buf, (size_t)r) < 0)
			return -1;
	return r == 0 ? 0 : -1;
}

static void copy_trunc(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int read_headers(int fd, struct tc_resp *out)
{
	char line[1024], *colon;

	while (read_line(fd, line, sizeof(line)) == 0) {
		if (!line[0])
			return 0;
		colon = strchr(line, ':');
		if (!colon || out->nheaders >= TC_MAX_HEADERS)
			continue;
		*colon++ = '\0';
		while (*colon == ' ')
			colon++;
		copy_trunc(out->names[out->nheaders], sizeof(out->names[0]), line);
		copy_trunc(out->values[out->nheaders], sizeof(out->values[0]), colon);
		out->nheaders++;
	}
	return -1;
}

int tc_read(int fd, struct tc_resp *out)
{
	char line[1024];
	const char *cl, *te;
	char *buf;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (append(out, "", 0) < 0 || read_line(fd, line, sizeof(line)) < 0 ||
	    sscanf(line, "HTTP/1.%*d %d", &out->status) != 1 || read_headers(fd, out) < 0)
		return -1;
	cl = tc_header(out, "Content-Length");
	te = tc_header(out, "Transfer-Encoding");
	if (te && strcasecmp(te, "chunked") == 0)
		return read_chunked(fd, out);
	if (!cl)
		return read_to_eof(fd, out);
	n = strtoul(cl, NULL, 10);
	buf = malloc(n + 1);
	rc = (!buf || read_exact(fd, buf, n) < 0 || append(out, buf, n) < 0) ? -1 : 0;
	free(buf);
	return rc;
}

int tc_request(uint16_t port, const char *raw, struct tc_resp *out)
{
	int fd = tc_connect("127.0.0.1", port), rc = -1;

	if (fd < 0)
		return -1;
	if (tc_sends(fd, raw) == 0)
		rc = tc_read(fd, out);
	close(fd);
	return rc;
}

const char *tc_header(const struct tc_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->names[i], name) == 0)
			return r->values[i];
	return NULL;
}

void tc_resp_free(struct tc_resp *r)
{
	free(r->body);
	r->body = NULL;
}

int tc_closed(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;

	if (poll(&p, 1, timeout_ms) != 1)
		return 0;
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}
