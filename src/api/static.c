/*
 * api/static — serves the built web UI from cfg.web_root: files under it by path (no "..",
 * no hidden files), with content types, immutable caching for hashed assets under /assets/,
 * and the SPA fallback (index.html) for client routes. Every page gets a strict
 * Content-Security-Policy (everything from 'self', no inline scripts).
 */
#include "api/actions.h"

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

void api_serve_static(struct api_req *ar)
{
	const char *root = ar->app->cfg.web_root;
	const char *path = ar->http->path;
	char file[2048];
	struct stat sb;
	int is_asset = !strncmp(path, "/assets/", 8);

	if (!root[0] || (strcmp(ar->http->method, "GET") && strcmp(ar->http->method, "HEAD"))) {
		api_fail_detail(ar, CK_E_NOTFOUND, "Not found.");
		return;
	}
	snprintf(file, sizeof(file), "%s%s", root, path);
	if (!safe_path(path) || stat(file, &sb) || !S_ISREG(sb.st_mode)) {
		if (is_asset || strrchr(path, '.') > strrchr(path, '/')) {
			api_fail_detail(ar, CK_E_NOTFOUND, "Not found.");
			return;
		}
		snprintf(file, sizeof(file), "%s/index.html", root); /* SPA fallback */
	}
	ar->resp->status = 200;
	ar->resp->content_type = content_type(file);
	ar->resp->file_path = strdup(file);
	http_response_add_header(ar->resp, "Cache-Control",
				 is_asset ? "public, max-age=31536000, immutable" : "no-cache");
	http_response_add_header(ar->resp, "Content-Security-Policy",
				 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
				 " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
				 " frame-ancestors 'none'; form-action 'self'");
	http_response_add_header(ar->resp, "X-Content-Type-Options", "nosniff");
	http_response_add_header(ar->resp, "Referrer-Policy", "same-origin");
}

int api_serve_extra(struct api_req *ar)
{
	return api_serve_analytics(ar) || api_serve_openapi(ar) || api_serve_compliance(ar);
}
