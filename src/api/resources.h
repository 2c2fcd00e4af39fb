/* api/resources — the declared resources (one file each: api/res_<name>.c). */
#ifndef CK_API_RESOURCES_H
#define CK_API_RESOURCES_H

#include "api/registry.h"

extern const struct api_resource res_certificates;

/* Shared computed renderers and filters usable by several declarations. */
void api_render_display_name(const struct api_row *row, struct strbuf *sb);

#endif
