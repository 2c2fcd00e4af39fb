/*
 * store/throttle — failed sign-ins counted in the database (table auth_failures, migration 7),
 * so that every node sharing the database sees the same counts (domain/auth_throttle keeps
 * the per-process reservations on top; docs/security.md "Sign-in throttling").
 *
 * A row is (kind, key) → (window_start, failures): `failures` failures since window_start.
 * A window is current at `now` while window_start <= now < window_start + window_s; a failure
 * outside the current window opens a new one with a count of 1. Each update is one atomic
 * upsert, so failures recorded by several nodes at once all count.
 *
 * Thread-safety: as store.h (each thread passes its own connection). Autocommit statements:
 * call outside write transactions.
 */
#ifndef CK_STORE_THROTTLE_H
#define CK_STORE_THROTTLE_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* The failures of (kind, key) in the window current at `now` (0 when none is current):
 * *ret_failures and *ret_window_start (0 without a current window). */
int store_auth_failures_get(struct store_conn *c, const char *kind, const char *key, int window_s,
			    int64_t now, int *ret_failures, int64_t *ret_window_start,
			    struct ck_error *err);

/* Records one failure of (kind, key) at `now`, and deletes rows whose window ended before
 * now (at most once per call; cheap through the window_start index). */
int store_auth_failure_add(struct store_conn *c, const char *kind, const char *key, int window_s,
			   int64_t now, struct ck_error *err);

#endif
