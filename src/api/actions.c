/* api/actions — dispatch of resource actions and the OPTIONS metadata. */
#include "api/actions.h"

#include <string.h>

/* Every action path, for 405 on a wrong method (rather than 404). Handlers register here. */
static const struct {
	const char *resource, *rest;
	int detail;
} known_actions[] = {
	{"certificates", "import/", 0}, {"certificates", "bulk-import/", 0},
	{"certificates", "bulk-assign/", 0}, {"certificates", "lifecycle/", 1},
	{"certificates", "renew/", 1}, {"certificates", "revert-renewal/", 1},
	{"certificates", "validate-chain/", 1}, {"certificates", "bulk-validate-chain/", 0},
	{"certificates", "detect-acme/", 1}, {"certificates", "bulk-detect-acme/", 0},
	{"certificates", "bulk-status-update/", 0}, {"certificates", "diff/", 0},
	{"csrs", "import/", 0}, {"certificate-authorities", "seed-defaults/", 0},
	{"certificates", "compliance-check/", 1}, {"certificates", "bulk-compliance-check/", 0},
	{"certificates", "export/", 0}, {"certificates", "export/", 1}, {"certificates", "bulk-data-import/", 0}, {"certificates", "import-file/", 0},
};

int api_action_exists(const struct api_resource *res, int64_t id, const char *rest)
{
	for (size_t i = 0; i < sizeof(known_actions) / sizeof(known_actions[0]); i++)
		if (!strcmp(known_actions[i].resource, res->name) && !strcmp(known_actions[i].rest, rest) &&
		    known_actions[i].detail == (id != 0))
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

static const char *type_name(enum api_ftype t)
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
	jsonw_kstr(&w, "name", res->verbose);
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
