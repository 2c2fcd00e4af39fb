/* core/log — see log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static enum ck_log_level min_level = CK_LOG_INFO;

void ck_log_set_level(enum ck_log_level level) { min_level = level; }

void ck_log(enum ck_log_level level, const char *id, const char *fmt, ...)
{
	static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char line[2048];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int n;

	if (level < min_level)
		return;
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %s %s%s%s",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     names[level], id ? "[" : "", id ? id : "", id ? "] " : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	for (n = 0; line[n] && n < (int)sizeof(line) - 2; n++)
		;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
