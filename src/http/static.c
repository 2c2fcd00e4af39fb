/*
 * http/static — the web UI's files (contract: http/static.h): files under the root by path,
 * content types, caching headers, SPA fallback. Containment (docs/security.md "Static
 * files"): the path must start with '/' and have no dot-segment, backslash or control byte;
 * the file is then resolved with realpath(3) and must lie inside the resolved root on a
 * directory boundary and be a regular file. The resolved path is what gets opened.
 */
#include "http/static.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATIC_MAX_PATH 512 /* request path bytes looked up; longer ones are 404 */

static const struct {
	const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* The request path may name a file: it starts with '/', has no segment starting with '.'
 * ("..", ".", hidden files), no backslash (a separator elsewhere) and no control byte. */
static int path_ok(const char *p)
{
	size_t i, n = strlen(p);

	if (n == 0 || n > STATIC_MAX_PATH || p[0] != '/')
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '\\' || (unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		if (p[i] == '/' && p[i + 1] == '.')
			return 0;
	}
	return 1;
}

enum lookup { FOUND, MISSING, REFUSED };

/* Resolves root_real + path (every symlink followed) into out and checks that the result is
 * the root itself or below it on a directory boundary ("/srv/www-old" is not inside
 * "/srv/www"). FOUND only for a regular file. */
static enum lookup lookup(const char *root_real, const char *path, char out[PATH_MAX])
{
	char joined[PATH_MAX + STATIC_MAX_PATH + 2];
	size_t rl = strlen(root_real);
	struct stat sb;

	snprintf(joined, sizeof(joined), "%s%s", root_real, path);
	if (!realpath(joined, out))
		return MISSING;
	if (!(rl == 1 || (!strncmp(out, root_real, rl) && (out[rl] == '/' || out[rl] == '\0'))))
		return REFUSED; /* a symlink out of the root */
	if (stat(out, &sb) != 0 || !S_ISREG(sb.st_mode))
		return MISSING; /* a directory, a device...: never served */
	return FOUND;
}

int http_static_serve(const char *root, const struct http_request *req, struct http_response *resp)
{
	const char *path = req->path;
	char root_real[PATH_MAX], file[PATH_MAX];
	int is_asset = !strncmp(path, "/assets/", 8);
	enum lookup found;

	if (!root[0] || (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")))
		return CK_E_NOTFOUND;
	if (!path_ok(path) || !realpath(root, root_real))
		return CK_E_NOTFOUND;
	found = lookup(root_real, path, file);
	if (found == REFUSED)
		return CK_E_NOTFOUND;
	if (found == MISSING) {
		/* a client route of the SPA gets index.html; a file name or an asset does not */
		if (is_asset || strrchr(path, '.') > strrchr(path, '/'))
			return CK_E_NOTFOUND;
		if (lookup(root_real, "/index.html", file) != FOUND)
			return CK_E_NOTFOUND;
	}
	resp->status = 200;
	resp->content_type = content_type(file);
	resp->file_path = strdup(file);
	if (!resp->file_path)
		return CK_E_NOMEM;
	http_response_add_header(resp, "Cache-Control",
				 is_asset ? "public, max-age=31536000, immutable" : "no-cache");
	http_response_add_header(
	    resp, "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
	    " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
	    " frame-ancestors 'none'; form-action 'self'");
	http_response_add_header(resp, "X-Content-Type-Options", "nosniff");
	http_response_add_header(resp, "Referrer-Policy", "same-origin");
	return 0;
}
