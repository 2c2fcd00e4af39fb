/* core/parse — see parse.h. */
#include "core/parse.h"
#include "core/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ck_parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char *end = NULL;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return CK_E_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return CK_E_INVALID;
	*ret = v;
	return 0;
}

int ck_parse_bool(const char *s, int *ret)
{
	static const char *const yes[] = {"true", "1", "yes", "on", "True"};
	static const char *const no[] = {"false", "0", "no", "off", "False"};

	if (!s)
		return CK_E_INVALID;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*ret = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*ret = 0;
			return 0;
		}
	}
	return CK_E_INVALID;
}

int64_t ck_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dm[m - 1];
}

static int parse_offset(const char *p, int *ret_secs)
{
	int sign, hh, mm;

	if (!*p) {
		*ret_secs = 0;
		return 0;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		*ret_secs = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &hh))
		return -1;
	if (*p == ':')
		p++;
	if (digits(&p, 2, &mm) || *p || hh > 23 || mm > 59)
		return -1;
	*ret_secs = sign * (hh * 3600 + mm * 60);
	return 0;
}

int ck_parse_time(const char *s, int64_t *ret)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;

	if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return CK_E_INVALID;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return CK_E_INVALID;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return CK_E_INVALID;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return CK_E_INVALID;
			if (*p == '.') {
				p++;
				if (!isdigit((unsigned char)*p))
					return CK_E_INVALID;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return CK_E_INVALID;
	}
	if (parse_offset(p, &off))
		return CK_E_INVALID;
	*ret = ck_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec -
	       off;
	return 0;
}

void ck_format_time(int64_t t, char out[21])
{
	/* floor division without `t - 86399` or `days * 86400`, which overflow near INT64_MIN */
	int64_t days = t / 86400 - (t % 86400 < 0);
	int64_t secs = t % 86400 + (t % 86400 < 0 ? 86400 : 0);
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	if (y < 0 || y > 9999) {
		strcpy(out, "0000-00-00T00:00:00Z");
		return;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = 'T';
	out[11] = (char)('0' + secs / 36000);
	out[12] = (char)('0' + secs / 3600 % 10);
	out[13] = ':';
	out[14] = (char)('0' + secs % 3600 / 600);
	out[15] = (char)('0' + secs % 3600 / 60 % 10);
	out[16] = ':';
	out[17] = (char)('0' + secs % 60 / 10);
	out[18] = (char)('0' + secs % 10);
	out[19] = 'Z';
	out[20] = '\0';
}
