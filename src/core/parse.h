/*
 * core/parse — checked conversions of outside text to numbers, booleans and times
 * (STYLE.md §6: never atoi). All functions are pure and thread-safe; `ret_` outputs are
 * written only on success.
 */
#ifndef CK_CORE_PARSE_H
#define CK_CORE_PARSE_H

#include <stdint.h>
#include <stddef.h>

/* Parses a whole decimal integer (optional sign, no spaces, no trailing text) within
 * [min, max]. Returns 0 or CK_E_INVALID. */
int ck_parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret);

/* Parses "true/false/1/0/yes/no/on/off" (case-insensitive). 0 or CK_E_INVALID. */
int ck_parse_bool(const char *s, int *ret);

/* Parses an ISO 8601 date or date-time in UTC into epoch seconds: "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM[:SS[.frac]]" with optional "Z" or "±HH:MM" offset (a space may stand for
 * "T"). Returns 0 or CK_E_INVALID. */
int ck_parse_time(const char *s, int64_t *ret);

/* Formats epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void ck_format_time(int64_t t, char out[21]);

/* Days from the civil date to 1970-01-01 (proleptic Gregorian), for date arithmetic. */
int64_t ck_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
