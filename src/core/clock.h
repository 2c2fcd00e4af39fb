/*
 * core/clock — the monotonic clock for durations and deadlines (never the wall clock, which
 * may jump). Header-only. ck_mono_ns() is the base; ck_mono_us/ms/s() are it divided.
 */
#ifndef CK_CORE_CLOCK_H
#define CK_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC. */
static inline int64_t ck_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static inline int64_t ck_mono_us(void) { return ck_mono_ns() / 1000; }
static inline int64_t ck_mono_ms(void) { return ck_mono_ns() / 1000000; }
static inline int64_t ck_mono_s(void) { return ck_mono_ns() / 1000000000; }

#endif
