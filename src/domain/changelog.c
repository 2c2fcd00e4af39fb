/*
 * domain/changelog — see changelog.h.
 *
 * Large immutable members are stored once (issue 11 item 5, migration 9): the string value of
 * a snapshot's top-level pem_content or issuer_chain, when at least DOM_CHANGELOG_BLOB_MIN
 * bytes long, is replaced by the placeholder "\u0000ck-pem" or "\u0000ck-chain", the row
 * names the blob (the sha256 of the literal) in a column, and the literal goes to
 * changelog_blobs (store/changes.h) — or, for a certificate's own PEM,
 * only a pointer to the certificate that holds the same text. Reads put the literal back
 * (store/queryspec @change_prechange/@change_postchange), so the API serves the bytes that
 * were written. The placeholder cannot come from a client: a JSON text holding the escaped
 * NUL is refused by the API's parser, and a snapshot that holds the mark anyway is stored
 * verbatim.
 */
#include "domain/changelog.h"
#include "domain/uow.h"
#include "x509/crypto.h"

#include <stdlib.h>
#include <string.h>

#define BLOB_MARK "\"\\u0000ck-" /* placeholder: BLOB_MARK "pem\"" or BLOB_MARK "chain\"" */

static const char cert_type[] = "netbox_ssl.certificate";

int dom_changelog_write(const struct dom_ctx *ctx, const char *action, const char *object_type,
			int64_t object_id, const char *object_repr, const char *prechange_json,
			const char *postchange_json, struct ck_error *err)
{
	return dom_uow_change(ctx, action, object_type, object_id, object_repr, prechange_json,
			      postchange_json, NULL, err);
}

/* Index of the '"' closing the string literal opening at json[i], or n if unterminated. */
static size_t string_end(const char *json, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (json[i] == '\\')
			i++;
		else if (json[i] == '"')
			return i;
	}
	return n;
}

/* Finds the top-level member `key` of the compact JSON object `json` whose value is a string:
 * [*ret_start, *ret_end) spans the literal, quotes included. 1 when found, else 0. */
static int find_string_member(const char *json, size_t n, const char *key, size_t *ret_start,
			      size_t *ret_end)
{
	size_t klen = strlen(key);
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		size_t end, vend;

		if (json[i] == '{' || json[i] == '[') {
			depth++;
		} else if (json[i] == '}' || json[i] == ']') {
			depth--;
		} else if (json[i] == '"') {
			end = string_end(json, n, i);
			if (end + 2 >= n)
				return 0;
			if (depth == 1 && json[end + 1] == ':' && end - i - 1 == klen &&
			    !memcmp(json + i + 1, key, klen)) {
				if (json[end + 2] != '"')
					return 0;
				vend = string_end(json, n, end + 2);
				if (vend >= n)
					return 0;
				*ret_start = end + 2;
				*ret_end = vend + 1;
				return 1;
			}
			i = end;
		}
	}
	return 0;
}

/* The text of a literal whose only escapes are \n and \r (what the pointer form can
 * rebuild), NUL-terminated in a new buffer; NULL when it has others (or out of memory). */
static char *plain_text(const char *lit, size_t len, size_t *ret_len)
{
	char *out = malloc(len);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 1; i + 1 < len; i++) {
		if (lit[i] != '\\') {
			out[o++] = lit[i];
			continue;
		}
		if (lit[i + 1] != 'n' && lit[i + 1] != 'r') {
			free(out);
			return NULL;
		}
		out[o++] = lit[++i] == 'n' ? '\n' : '\r';
	}
	out[o] = '\0';
	*ret_len = o;
	return out;
}

/* Moves member `name` of *json (owned copy or the caller's text) to a blob: on success with a
 * blob, *json is a new text with placeholder BLOB_MARK `tag` '"' (the old text freed when
 * owned) and key holds the blob's sha256. */
static int compact_member(const struct dom_ctx *ctx, const struct store_change_row *row,
			  const char *name, const char *tag, char **owned, const char **json,
			  char key[X509_SHA256_HEX_LEN + 1], struct ck_error *err)
{
	size_t n = strlen(*json), s, e, raw_len = 0, mark = strlen(BLOB_MARK), tlen = strlen(tag);
	char *raw = NULL, *out;
	int r;

	if (!find_string_member(*json, n, name, &s, &e) || e - s < DOM_CHANGELOG_BLOB_MIN)
		return 0;
	x509_sha256_hex(*json + s, e - s, key);
	if (!strcmp(name, "pem_content") && !strcmp(row->object_type, cert_type))
		raw = plain_text(*json + s, e - s, &raw_len);
	r = store_change_blob_put(ctx->conn, key, *json + s, e - s, raw ? row->object_id : 0, raw,
				  raw_len, err);
	free(raw);
	if (r)
		return r;
	out = malloc(n - (e - s) + mark + tlen + 2);
	if (!out)
		return CK_E_NOMEM;
	memcpy(out, *json, s);
	memcpy(out + s, BLOB_MARK, mark);
	memcpy(out + s + mark, tag, tlen);
	out[s + mark + tlen] = '"';
	memcpy(out + s + mark + tlen + 1, *json + e, n - e + 1);
	free(*owned);
	*owned = out;
	*json = out;
	return 0;
}

/* One snapshot's compaction: its text and the keys of its blobs. */
struct compacted {
	char *owned;
	const char *json;
	char pem[X509_SHA256_HEX_LEN + 1], chain[X509_SHA256_HEX_LEN + 1];
};

static int compact(const struct dom_ctx *ctx, const struct store_change_row *row, const char *json,
		   struct compacted *c, struct ck_error *err)
{
	int r;

	c->json = json;
	if (!json || strstr(json, BLOB_MARK))
		return 0;
	r = compact_member(ctx, row, "pem_content", "pem", &c->owned, &c->json, c->pem, err);
	if (!r)
		r = compact_member(ctx, row, "issuer_chain", "chain", &c->owned, &c->json, c->chain,
				   err);
	return r;
}

static const char *key_or_null(const char *key) { return key[0] ? key : NULL; }

int dom_changelog_store(const struct dom_ctx *ctx, struct store_change_row *row, int64_t *ret_id,
			struct ck_error *err)
{
	struct compacted pre = {0}, post = {0};
	int r = compact(ctx, row, row->prechange_json, &pre, err);

	if (!r)
		r = compact(ctx, row, row->postchange_json, &post, err);
	if (r)
		goto out;
	row->prechange_json = pre.json;
	row->postchange_json = post.json;
	row->pre_pem_blob = key_or_null(pre.pem);
	row->pre_chain_blob = key_or_null(pre.chain);
	row->post_pem_blob = key_or_null(post.pem);
	row->post_chain_blob = key_or_null(post.chain);
	r = store_change_insert(ctx->conn, row, ret_id, err);
out:
	free(pre.owned);
	free(post.owned);
	return r;
}
