/*
 * fuzz/fuzz_core_parse — libFuzzer target for core/parse: integers, booleans and times from
 * outside text (query filters, JSON fields, import rows, config values). Input: one mode byte,
 * then the text or raw bytes. Properties, beyond "no crash":
 *  1. ck_parse_i64 accepts exactly /^[+-]?[0-9]+$/ whose value (computed here with 128-bit
 *     arithmetic) lies in [min, max]; the result equals that value and "%lld" of it parses
 *     back to it (format → parse round trip);
 *  2. ck_parse_bool accepts exactly the eight words (any case) and nothing else;
 *  3. ck_parse_time: a parsed time lies within years 0000..9999 give or take a day (the
 *     offset), and formatting it with ck_format_time and parsing again gives the same time
 *     whenever its year is formattable; the date part alone parses to a midnight at most one
 *     day and a leap second away;
 *  4. ck_format_time of any int64: either the out-of-range sentinel (exactly when the year is
 *     outside 0000..9999) or a "YYYY-MM-DDTHH:MM:SSZ" that parses back to the same value.
 */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "core/error.h"
#include "core/parse.h"
#include "fuzz_util.h"

#define SENTINEL "0000-00-00T00:00:00Z"

static int64_t t_min(void) { return ck_days_from_civil(0, 1, 1) * 86400; }
static int64_t t_max(void) { return ck_days_from_civil(9999, 12, 31) * 86400 + 86399; }

/* Our own reading of /^[+-]?[0-9]+$/ into *ret (saturating far outside int64). */
static int model_i64(const char *s, __int128 *ret)
{
	__int128 v = 0;
	int neg = 0;
	const char *p = s;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		if (v < ((__int128)1 << 100))
			v = v * 10 + (*p - '0');
	}
	*ret = neg ? -v : v;
	return 1;
}

static void fuzz_i64(struct fz *f)
{
	int full = fz_u8(f) & 1; /* half the time the full range, as the filters use it */
	int64_t min = full ? INT64_MIN : (int64_t)fz_u64(f),
		max = full ? INT64_MAX : (int64_t)fz_u64(f);
	int64_t v = 0, again = 0;
	char *s = fz_dup(f->p, f->n), buf[32];
	__int128 want = 0;
	int ok;

	/* the parser sees a C string: an embedded NUL ends it, as for every caller */
	ok = ck_parse_i64(s, min, max, &v) == 0;
	CHECK(ok == (model_i64(s, &want) && want >= min && want <= max));
	if (ok) {
		CHECK(v == want);
		snprintf(buf, sizeof(buf), "%lld", (long long)v);
		CHECK(ck_parse_i64(buf, v, v, &again) == 0 && again == v);
	}
	free(s);
}

static void fuzz_bool(struct fz *f)
{
	static const char *const words[] = {"true", "false", "1", "0", "yes", "no", "on", "off"};
	char *s = fz_dup(f->p, f->n);
	int b = -1, known = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			known = (int)i + 1;
	CHECK((ck_parse_bool(s, &b) == 0) == (known != 0));
	if (known)
		CHECK(b == (known % 2)); /* odd entries of `words` are the true ones */
	free(s);
}

static void check_format(int64_t t)
{
	char out[21];
	int64_t back = 0;

	ck_format_time(t, out);
	CHECK(strlen(out) == 20);
	if (t < t_min() || t > t_max()) {
		CHECK(!strcmp(out, SENTINEL));
		return;
	}
	CHECK(strcmp(out, SENTINEL));
	CHECK(ck_parse_time(out, &back) == 0 && back == t);
}

static void fuzz_time(struct fz *f)
{
	char *s = fz_dup(f->p, f->n), out[21];
	int64_t t = 0, day = 0;

	if (ck_parse_time(s, &t) == 0) {
		CHECK(strlen(s) >= 10);
		CHECK(t >= t_min() - 86400 && t <= t_max() + 86400 + 1);
		check_format(t);
		ck_format_time(t, out);
		CHECK((t >= t_min() && t <= t_max()) == (strcmp(out, SENTINEL) != 0));
		s[10] = '\0';
		CHECK(ck_parse_time(s, &day) == 0 && day % 86400 == 0);
		CHECK(t - day >= -86400 && t - day <= 2 * 86400); /* ±23:59 offset, 23:59:60 */
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};

	switch (fz_u8(&f) % 4) {
	case 0:
		fuzz_i64(&f);
		break;
	case 1:
		fuzz_bool(&f);
		break;
	case 2:
		fuzz_time(&f);
		break;
	default:
		check_format((int64_t)fz_u64(&f));
		break;
	}
	return 0;
}
