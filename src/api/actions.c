/* api/actions — dispatch of resource actions and the OPTIONS metadata. */
#include "api/actions.h"

#include <string.h>

#define GET_HEAD (API_M_GET | API_M_HEAD)
#define PERM_READ(...)                                                                             \
	{                                                                                          \
		.level = API_PERM_READ, .names = { __VA_ARGS__ }                                   \
	}
#define PERM_WRITE(...)                                                                            \
	{                                                                                          \
		.level = API_PERM_WRITE, .names = { __VA_ARGS__ }                                  \
	}

/* Every explicit endpoint: the one list the router (dispatch, 404/405, authorization, body)
 * and the OpenAPI document read. A new action is added here and nowhere else. The permission
 * codenames are the reference's (netbox-ssl-features.md §2.3, §3.20): every bulk action also
 * needs bulk_operations; actions the reference does not have (revert-renewal, seed-defaults,
 * the compliance report) name the closest model permission. */
const struct api_action api_actions[] = {
    {.resource = "certificates",
     .rest = "import/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("import_certificate"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_import,
     .summary = "Import a PEM certificate (leaf + chain); dry_run previews"},
    {.resource = "certificates",
     .rest = "bulk-import/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("import_certificate", "bulk_operations"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_bulk_import,
     .summary = "Import up to bulk_import_max_batch_size PEM certificates atomically"},
    {.resource = "certificates",
     .rest = "bulk-data-import/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("import_certificate", "bulk_operations"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_bulk_data_import,
     .summary = "Import certificate metadata from CSV or JSON content"},
    {.resource = "certificates",
     .rest = "import-file/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("import_certificate"),
     .body = API_BODY_MULTIPART,
     .handler = api_act_cert_import_file,
     .summary = "Import a PEM, DER or PKCS#7 file (multipart field 'file')"},
    {.resource = "certificates",
     .rest = "export/",
     .methods = GET_HEAD | API_M_POST,
     .perm = PERM_READ("view_certificate"),
     .body = API_BODY_JSON_OPTIONAL,
     .handler = api_act_cert_export_list,
     .summary = "Export certificates as csv|json|yaml|pem (query or JSON body)"},
    {.resource = "certificates",
     .rest = "export/",
     .detail = 1,
     .methods = GET_HEAD,
     .perm = PERM_READ("view_certificate"),
     .handler = api_act_cert_export_one,
     .summary = "Export one certificate (pem by default)"},
    {.resource = "certificates",
     .rest = "bulk-assign/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("add_certificateassignment", "bulk_operations"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_bulk_assign,
     .summary = "Assign many certificates to one object"},
    {.resource = "certificates",
     .rest = "lifecycle/",
     .detail = 1,
     .methods = API_M_GET,
     .perm = PERM_READ("view_certificate"),
     .handler = api_act_cert_lifecycle,
     .summary = "Lifecycle events, newest first (max 50)"},
    {.resource = "certificates",
     .rest = "renew/",
     .detail = 1,
     .methods = API_M_POST,
     .perm = PERM_WRITE("renew_certificate", "change_certificate"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_renew,
     .summary = "Janus renewal: replace with a new PEM, move assignments (one transaction)"},
    {.resource = "certificates",
     .rest = "revert-renewal/",
     .detail = 1,
     .methods = API_M_POST,
     .perm = PERM_WRITE("renew_certificate", "change_certificate"),
     .handler = api_act_cert_revert_renewal,
     .summary = "Undo a renewal (old certificate active again)"},
    {.resource = "certificates",
     .rest = "validate-chain/",
     .detail = 1,
     .methods = API_M_POST,
     .perm = PERM_WRITE("change_certificate"),
     .body = API_BODY_JSON_OPTIONAL,
     .handler = api_act_cert_validate_chain,
     .summary = "Validate the stored chain with OpenSSL"},
    {.resource = "certificates",
     .rest = "bulk-validate-chain/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("change_certificate", "bulk_operations"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_bulk_validate_chain,
     .summary = "Validate the chains of many certificates"},
    {.resource = "certificates",
     .rest = "detect-acme/",
     .detail = 1,
     .methods = API_M_POST,
     .perm = PERM_WRITE("change_certificate"),
     .handler = api_act_cert_detect_acme,
     .summary = "Detect the ACME provider from the issuer"},
    {.resource = "certificates",
     .rest = "bulk-detect-acme/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("change_certificate", "bulk_operations"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_bulk_detect_acme,
     .summary = "Detect ACME providers for many certificates"},
    {.resource = "certificates",
     .rest = "bulk-status-update/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("change_certificate", "bulk_operations"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_bulk_status_update,
     .summary = "Set the status of many certificates"},
    {.resource = "certificates",
     .rest = "diff/",
     .methods = API_M_POST,
     .perm = PERM_READ("view_certificate"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_diff,
     .summary = "Compare two inventory snapshots"},
    {.resource = "certificates",
     .rest = "compliance-check/",
     .detail = 1,
     .methods = API_M_POST,
     .perm = PERM_WRITE("manage_compliance"),
     .body = API_BODY_JSON_OPTIONAL,
     .handler = api_act_cert_compliance_check,
     .summary = "Run compliance policies on a certificate"},
    {.resource = "certificates",
     .rest = "bulk-compliance-check/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("manage_compliance", "bulk_operations"),
     .body = API_BODY_JSON,
     .handler = api_act_cert_bulk_compliance_check,
     .summary = "Run compliance policies on many certificates"},
    {.resource = "csrs",
     .rest = "import/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("add_certificatesigningrequest"),
     .body = API_BODY_JSON,
     .handler = api_act_csr_import,
     .summary = "Import a PEM CSR"},
    {.resource = "certificate-authorities",
     .rest = "seed-defaults/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("add_certificateauthority"),
     .handler = api_act_ca_seed_defaults,
     .summary = "Create the common public CAs"},
    {.path = API_PLUGIN_PATH "analytics/summary/",
     .methods = GET_HEAD,
     .perm = PERM_READ("view_certificate"),
     .handler = api_act_analytics_summary,
     .summary = "Dashboard aggregates (?tenant_id)"},
    {.path = API_PLUGIN_PATH "compliance-report/",
     .methods = GET_HEAD,
     .perm = PERM_READ("view_compliancecheck"),
     .handler = api_act_compliance_report,
     .summary = "Compliance report (?tenant_id, ?export=csv|json)"},
    {.path = API_PLUGIN_PATH "compliance-report/snapshot/",
     .methods = API_M_POST,
     .perm = PERM_WRITE("manage_compliance"),
     .handler = api_act_compliance_snapshot,
     .summary = "Take today's compliance trend snapshot"},
    {.path = API_PLUGIN_PATH "compliance-trend/",
     .methods = GET_HEAD,
     .perm = PERM_READ("view_compliancecheck"),
     .handler = api_act_compliance_trend,
     .summary = "Compliance trend snapshots (?days=90, ?tenant_id)"},
};

const size_t api_nactions = sizeof(api_actions) / sizeof(api_actions[0]);

const struct api_action *api_action_find(const struct api_resource *res, const char *rest,
					 int detail)
{
	for (size_t i = 0; i < api_nactions; i++) {
		const struct api_action *a = &api_actions[i];
		if (a->resource && !strcmp(a->resource, res->name) && !strcmp(a->rest, rest) &&
		    a->detail == (detail != 0))
			return a;
	}
	return NULL;
}

const struct api_action *api_endpoint_find(const char *path)
{
	for (size_t i = 0; i < api_nactions; i++)
		if (api_actions[i].path && !strcmp(api_actions[i].path, path))
			return &api_actions[i];
	return NULL;
}

static unsigned method_bit(const char *m)
{
	static const struct {
		const char *name;
		unsigned bit;
	} bits[] = {{"GET", API_M_GET}, {"HEAD", API_M_HEAD}, {"POST", API_M_POST}};

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (!strcmp(m, bits[i].name))
			return bits[i].bit;
	return 0;
}

void api_action_serve(struct api_req *ar, const struct api_resource *res,
		      const struct api_action *a, int64_t id)
{
	struct ck_error err;
	json_t *body;
	int r;

	if (!(a->methods & method_bit(ar->http->method))) {
		api_method_not_allowed(ar);
		return;
	}
	if (!api_authorize(ar, res, &a->perm))
		return;
	if (a->body == API_BODY_JSON) {
		ck_error_clear(&err);
		if ((r = api_body(ar, &body, &err))) {
			api_fail(ar, r, &err);
			return;
		}
	}
	a->handler(ar, id);
}

static const char *type_name(enum dom_ftype t)
{
	switch (t) {
	case FT_ID:
	case FT_INT:
		return "integer";
	case FT_BOOL:
		return "boolean";
	case FT_CHOICE:
		return "choice";
	case FT_TIME:
		return "datetime";
	case FT_STRLIST:
	case FT_INTLIST:
		return "list";
	case FT_JSON:
		return "json";
	case FT_FK:
		return "field";
	case FT_DOUBLE:
		return "float";
	default:
		return "string";
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
