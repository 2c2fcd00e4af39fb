/*
 * http/listen — turns a listen address ("127.0.0.1:8080", "[::1]:8080", ":8080",
 * "localhost:0") into a bound, listening, non-blocking socket for the server.
 *
 * Address forms: "HOST:PORT" where HOST is an IPv4 literal or a name resolved with
 * getaddrinfo (first result wins), "[IPv6]:PORT", or ":PORT" (all IPv4 interfaces; use
 * "[::]:PORT" for IPv6 — it is dual-stack where the system allows). PORT is 0..65535;
 * 0 asks the kernel for an ephemeral port. An explicit IPv6 address binds IPv6 only.
 * Thread-safe (no globals).
 */
#ifndef CK_HTTP_LISTEN_H
#define CK_HTTP_LISTEN_H

#include <stdint.h>

#include "core/error.h"

#define HTTP_LISTEN_BACKLOG 511 /* pending connections queued by the kernel */
#define HTTP_MAX_LISTEN_LEN 255 /* longest accepted listen address */

/* Binds and listens. On success writes the socket (caller closes) to *ret_fd and the bound
 * port to *ret_port, and returns 0. Errors: CK_E_INVALID (malformed address or port),
 * CK_E_IO (resolve, socket, bind or listen failed; err names the address and the reason). */
int http_listen_open(const char *addr, int *ret_fd, uint16_t *ret_port, struct ck_error *err);

#endif
