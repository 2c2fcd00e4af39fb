/* core/error — see error.h. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ck_error_clear(struct ck_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->index = -1;
	err->field[0] = '\0';
	err->msg[0] = '\0';
}

int ck_error_set(struct ck_error *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *ck_strerror(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
	    {CK_OK, "ok"},
	    {CK_E_NOMEM, "out of memory"},
	    {CK_E_INVALID, "invalid input"},
	    {CK_E_NOTFOUND, "not found"},
	    {CK_E_CONFLICT, "conflict"},
	    {CK_E_DUPLICATE, "duplicate"},
	    {CK_E_TOOBIG, "input too large"},
	    {CK_E_PRIVKEY, "private key refused"},
	    {CK_E_PARSE, "parse error"},
	    {CK_E_IO, "I/O error"},
	    {CK_E_DB, "database error"},
	    {CK_E_AUTH, "authentication required"},
	    {CK_E_FORBIDDEN, "permission denied"},
	    {CK_E_INTERNAL, "internal error"},
	    {CK_E_BUSY, "busy"},
	    {CK_E_METHOD, "method not allowed"},
	    {CK_E_THROTTLED, "too many attempts"},
	    {CK_E_MEDIATYPE, "unsupported media type"},
	    {CK_E_TIMEOUT, "statement time limit"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "unknown error";
}
