/* api/resources — the declared resources (one file each: api/res_<name>.c). */
#ifndef CK_API_RESOURCES_H
#define CK_API_RESOURCES_H

#include "api/registry.h"

extern const struct api_resource res_certificates;
extern const struct api_resource res_cas;
extern const struct api_resource res_assignments;
extern const struct api_resource res_csrs;
extern const struct api_resource res_tenants;
extern const struct api_resource res_tags;
extern const struct api_resource res_devices;
extern const struct api_resource res_virtual_machines;
extern const struct api_resource res_services;
extern const struct api_resource res_object_changes;
extern const struct api_resource res_users;
extern const struct api_resource res_tokens;
extern const struct api_resource res_compliance_policies;
extern const struct api_resource res_compliance_checks;

/* device_id / virtual_machine_id / service_id filters of certificates (api/res_plugin.c). */
int api_cert_filter_device(struct api_filter_ctx *fc, const char *const *v, size_t n,
			   struct ck_error *e);
int api_cert_filter_vm(struct api_filter_ctx *fc, const char *const *v, size_t n,
		       struct ck_error *e);
int api_cert_filter_service(struct api_filter_ctx *fc, const char *const *v, size_t n,
			    struct ck_error *e);

/* Shared computed renderers and filters usable by several declarations. */
void api_render_display_name(const struct api_row *row, struct strbuf *sb);

#endif
