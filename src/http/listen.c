/*
 * http/listen — listen-address parsing and the listening socket (see listen.h).
 */
#include "http/listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/parse.h"

struct listen_spec {
	char host[HTTP_MAX_LISTEN_LEN + 1]; /* "" = all IPv4 interfaces */
	char port[8];
	int bracketed; /* host was given as [IPv6] */
};

/* Splits "HOST:PORT" / "[V6]:PORT" / ":PORT" into spec. 0 or CK_E_INVALID. */
static int split_addr(const char *addr, struct listen_spec *spec)
{
	const char *colon, *host = addr, *host_end;
	int64_t port;

	if (strlen(addr) > HTTP_MAX_LISTEN_LEN)
		return CK_E_INVALID;
	if (addr[0] == '[') {
		host = addr + 1;
		host_end = strchr(host, ']');
		if (!host_end || host_end[1] != ':')
			return CK_E_INVALID;
		colon = host_end + 1;
		spec->bracketed = 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
			return CK_E_INVALID;
		host_end = colon;
	}
	if (ck_parse_i64(colon + 1, 0, 65535, &port) < 0 || colon[1] == '+' || colon[1] == '-')
		return CK_E_INVALID;
	memcpy(spec->host, host, (size_t)(host_end - host));
	spec->host[host_end - host] = '\0';
	if (spec->bracketed && !spec->host[0])
		return CK_E_INVALID;
	snprintf(spec->port, sizeof(spec->port), "%d", (int)port);
	return 0;
}

/* socket + options + bind + listen for one resolved address; returns the fd or -errno. */
static int bind_one(const struct addrinfo *ai)
{
	int one = 1, fd, rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	rc = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rc == 0 && ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ai->ai_addr;
		int v6only = !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);

		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	if (rc == 0)
		rc = bind(fd, ai->ai_addr, ai->ai_addrlen);
	if (rc == 0)
		rc = listen(fd, HTTP_LISTEN_BACKLOG);
	if (rc != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int http_listen_open(const char *addr, int *ret_fd, uint16_t *ret_port, struct ck_error *err)
{
	struct listen_spec spec = {0};
	struct addrinfo hints = {0}, *res = NULL;
	int rc, fd;

	if (!addr || split_addr(addr, &spec) < 0)
		return ck_error_set(
		    err, CK_E_INVALID, "listen",
		    "Invalid listen address '%s' (expected HOST:PORT, [V6]:PORT or :PORT).",
		    addr ? addr : "(null)");
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	hints.ai_family = spec.host[0] ? (spec.bracketed ? AF_INET6 : AF_UNSPEC) : AF_INET;
	if (spec.bracketed)
		hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(spec.host[0] ? spec.host : NULL, spec.port, &hints, &res);
	if (rc != 0) {
		rc = ck_error_set(err, CK_E_IO, "listen", "Cannot resolve listen address '%s': %s.",
				  addr, gai_strerror(rc));
		goto out;
	}
	fd = bind_one(res);
	if (fd < 0) {
		rc = ck_error_set(err, CK_E_IO, "listen", "Cannot listen on '%s': %s.", addr,
				  strerror(-fd));
		goto free_res;
	}
	*ret_port = bound_port(fd);
	*ret_fd = fd;
	rc = 0;
free_res:
	freeaddrinfo(res);
out:
	return rc;
}
