/*
 * http/static — serves files of a web root (the built web UI) by request path, with content
 * types, immutable caching for hashed assets under /assets/, the SPA fallback (index.html)
 * for client routes, and the browser hardening headers every page gets (a strict
 * Content-Security-Policy: everything from 'self', no inline scripts).
 *
 * Thread-safe (no state). The response only names the file; http/server opens it at send time.
 */
#ifndef CK_HTTP_STATIC_H
#define CK_HTTP_STATIC_H

#include "http/http.h"

/* Fills resp for req->path under web root `root` (GET and HEAD only). 0 when resp now names a
 * file; CK_E_NOTFOUND when there is nothing to serve (no root, other method, missing or
 * refused path), CK_E_NOMEM: the caller then writes its own error (404 for NOTFOUND). */
int http_static_serve(const char *root, const struct http_request *req, struct http_response *resp);

#endif
