/*
 * http/static — the web UI's files (contract: http/static.h): files under the root by path
 * (no "..", no hidden files), content types, caching headers, SPA fallback.
 */
#include "http/static.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
	{".ico", "image/x-icon"}, {".json", "application/json"}, {".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
};

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static int safe_path(const char *p)
{
	if (strlen(p) > 512 || strstr(p, "/.") || strchr(p, '\\'))
		return 0;
	return 1;
}

int http_static_serve(const char *root, const struct http_request *req, struct http_response *resp)
{
	const char *path = req->path;
	char file[2048];
	struct stat sb;
	int is_asset = !strncmp(path, "/assets/", 8);

	if (!root[0] || (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")))
		return CK_E_NOTFOUND;
	snprintf(file, sizeof(file), "%s%s", root, path);
	if (!safe_path(path) || stat(file, &sb) || !S_ISREG(sb.st_mode)) {
		if (is_asset || strrchr(path, '.') > strrchr(path, '/'))
			return CK_E_NOTFOUND;
		snprintf(file, sizeof(file), "%s/index.html", root); /* SPA fallback */
	}
	resp->status = 200;
	resp->content_type = content_type(file);
	resp->file_path = strdup(file);
	http_response_add_header(resp, "Cache-Control",
				 is_asset ? "public, max-age=31536000, immutable" : "no-cache");
	http_response_add_header(resp, "Content-Security-Policy",
				 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
				 " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
				 " frame-ancestors 'none'; form-action 'self'");
	http_response_add_header(resp, "X-Content-Type-Options", "nosniff");
	http_response_add_header(resp, "Referrer-Policy", "same-origin");
	return 0;
}
