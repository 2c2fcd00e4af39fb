/* api/actions — dispatch of resource actions and the OPTIONS metadata. */
#include "api/actions.h"

#include <string.h>

/* Every resource action: the one list both the router (405 instead of 404 for a wrong
 * method) and the OpenAPI document read. A new action is added here and nowhere else. */
const struct api_action_info api_actions[] = {
	{"certificates", "import/", 0, "post", 1, "Import a PEM certificate (leaf + chain); dry_run previews"},
	{"certificates", "bulk-import/", 0, "post", 1, "Import up to bulk_import_max_batch_size PEM certificates atomically"},
	{"certificates", "bulk-data-import/", 0, "post", 1, "Import certificate metadata from CSV or JSON content"},
	{"certificates", "import-file/", 0, "post", 0, "Import a PEM, DER or PKCS#7 file (multipart field 'file')"},
	{"certificates", "export/", 0, "get post", 0, "Export certificates as csv|json|yaml|pem (query or JSON body)"},
	{"certificates", "export/", 1, "get", 0, "Export one certificate (pem by default)"},
	{"certificates", "bulk-assign/", 0, "post", 1, "Assign many certificates to one object"},
	{"certificates", "lifecycle/", 1, "get", 0, "Lifecycle events, newest first (max 50)"},
	{"certificates", "renew/", 1, "post", 1, "Janus renewal: replace with a new PEM, move assignments (one transaction)"},
	{"certificates", "revert-renewal/", 1, "post", 0, "Undo a renewal (old certificate active again)"},
	{"certificates", "validate-chain/", 1, "post", 0, "Validate the stored chain with OpenSSL"},
	{"certificates", "bulk-validate-chain/", 0, "post", 1, "Validate the chains of many certificates"},
	{"certificates", "detect-acme/", 1, "post", 0, "Detect the ACME provider from the issuer"},
	{"certificates", "bulk-detect-acme/", 0, "post", 1, "Detect ACME providers for many certificates"},
	{"certificates", "bulk-status-update/", 0, "post", 1, "Set the status of many certificates"},
	{"certificates", "diff/", 0, "post", 1, "Compare two inventory snapshots"},
	{"certificates", "compliance-check/", 1, "post", 0, "Run compliance policies on a certificate"},
	{"certificates", "bulk-compliance-check/", 0, "post", 1, "Run compliance policies on many certificates"},
	{"csrs", "import/", 0, "post", 1, "Import a PEM CSR"},
	{"certificate-authorities", "seed-defaults/", 0, "post", 0, "Create the common public CAs"},
	{NULL, NULL, 0, NULL, 0, NULL},
};

int api_action_exists(const struct api_resource *res, int64_t id, const char *rest)
{
	for (const struct api_action_info *a = api_actions; a->resource; a++)
		if (!strcmp(a->resource, res->name) && !strcmp(a->rest, rest) && a->detail == (id != 0))
			return 1;
	return 0;
}

int api_serve_action(struct api_req *ar, const struct api_resource *res, int64_t id, const char *rest)
{
	if (api_plugin_action(ar, res, id, rest) || api_lifecycle_action(ar, res, id, rest) ||
	    api_compliance_action(ar, res, id, rest))
		return 1;
	if (!strcmp(res->name, "certificates") && (api_export_action(ar, id, rest) || api_dataimport_action(ar, id, rest)))
		return 1;
	if (!strcmp(res->name, "certificates"))
		return api_cert_action(ar, id, rest);
	return 0;
}

static const char *type_name(enum dom_ftype t)
{
	switch (t) {
	case FT_ID:
	case FT_INT: return "integer";
	case FT_BOOL: return "boolean";
	case FT_CHOICE: return "choice";
	case FT_TIME: return "datetime";
	case FT_STRLIST:
	case FT_INTLIST: return "list";
	case FT_JSON: return "json";
	case FT_FK: return "field";
	case FT_DOUBLE: return "float";
	default: return "string";
	}
}

static void options_field(struct jsonw *w, const struct api_field *f)
{
	jsonw_key(w, f->name);
	jsonw_obj_open(w);
	jsonw_kstr(w, "type", type_name(f->type));
	jsonw_kbool(w, "required", (f->flags & F_REQ) != 0);
	jsonw_kbool(w, "read_only", (f->flags & F_RO) || f->type == FT_COMPUTED);
	jsonw_kstr(w, "label", f->name);
	if (f->help)
		jsonw_kstr(w, "help_text", f->help);
	if (f->maxlen)
		jsonw_kint(w, "max_length", f->maxlen);
	if (f->type == FT_CHOICE) {
		jsonw_key(w, "choices");
		jsonw_arr_open(w);
		for (int i = 0; f->choices[i]; i++) {
			if (!f->choices[i][0])
				continue;
			jsonw_obj_open(w);
			jsonw_kstr(w, "value", f->choices[i]);
			jsonw_kstr(w, "display_name", f->choices[i]);
			jsonw_obj_close(w);
		}
		jsonw_arr_close(w);
	}
	jsonw_obj_close(w);
}

void api_options(struct api_req *ar, const struct api_resource *res)
{
	struct jsonw w;

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "name", res->model->verbose);
	jsonw_kstr(&w, "description", "");
	jsonw_key(&w, "renders");
	jsonw_arr_open(&w);
	jsonw_str(&w, "application/json");
	jsonw_arr_close(&w);
	jsonw_key(&w, "parses");
	jsonw_arr_open(&w);
	jsonw_str(&w, "application/json");
	jsonw_arr_close(&w);
	jsonw_key(&w, "actions");
	jsonw_obj_open(&w);
	jsonw_key(&w, "POST");
	jsonw_obj_open(&w);
	for (size_t i = 0; i < res->nfields; i++)
		if (!(res->fields[i].flags & F_HIDDEN))
			options_field(&w, &res->fields[i]);
	jsonw_obj_close(&w);
	jsonw_obj_close(&w);
	jsonw_obj_close(&w);
}
