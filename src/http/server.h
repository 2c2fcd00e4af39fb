/*
 * http/server — internals of the server shared with tests: request ids.
 * Everything else of the server is private to server.c; the contract is http.h.
 */
#ifndef CK_HTTP_SERVER_H
#define CK_HTTP_SERVER_H

#include "http/http.h"

/* Writes the next request id: HTTP_REQUEST_ID_LEN lower-case hex chars + NUL. Ids are
 * unique within the process for 2^48 requests (a counter passed through a 48-bit bijection,
 * offset by a random per-process seed set at the first http_server_start()). Thread-safe. */
void http_request_id_next(char out[HTTP_REQUEST_ID_LEN + 1]);

#endif
