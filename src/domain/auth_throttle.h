/*
 * domain/auth_throttle — counts failed sign-ins per client address and per account, and
 * refuses further attempts (before any password is hashed) once either reaches its limit
 * within a window.
 *
 * Keys are exact: the address text (IPv6 addresses by their /64 network, an IPv4-mapped
 * IPv6 address as the IPv4 address) and the username as sent. Two keys never share a counter.
 *
 * Windows: a key's window opens at its first failure and lasts `window_s` seconds; when it
 * has passed, the count starts again from zero. A success does not reset a count (an
 * attacker holding one account could otherwise clear the counter of their address).
 *
 * Exactness under concurrency: auth_throttle_begin() reserves the attempt on both keys
 * (failures + attempts in flight must stay below the limit), auth_throttle_end() releases it
 * and records the outcome. So N concurrent guesses never get more than `limit` checks.
 *
 * Memory is bounded: AUTH_THROTTLE_ENTRIES addresses and as many accounts, each table
 * evicting its least recently used key with no attempt in flight when full.
 *
 * Several nodes (issue 12): with a store connection, every failure is also counted in the
 * database (store/throttle, table auth_failures) and auth_throttle_begin() takes the larger of
 * the process's and the database's count for each key. So every node (and a restarted one)
 * sees the failures of all; a key evicted from memory keeps its count in the database. The
 * reservations of attempts in flight stay per process: across N nodes at most the attempts
 * in flight on the other nodes (each bounded by login_hash_concurrency) can pass the limit.
 * A database error falls back to the process's count (it never refuses a sign-in by itself).
 *
 * Thread-safe (one mutex, held only for table updates). Process-wide state.
 */
#ifndef CK_DOMAIN_AUTH_THROTTLE_H
#define CK_DOMAIN_AUTH_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define AUTH_THROTTLE_ENTRIES 4096 /* keys per table (addresses; accounts) */
#define AUTH_THROTTLE_KEY_MAX 160  /* bytes of a key; longer usernames cannot exist */

struct auth_throttle_limits {
	int per_address; /* failures per address and window; 0 = no limit */
	int per_account; /* failures per account and window; 0 = no limit */
	int window_s;	 /* window length, seconds (≥ 1) */
};

enum auth_throttle_outcome {
	AUTH_THROTTLE_SUCCESS,	/* the password was right */
	AUTH_THROTTLE_FAILURE,	/* the password was checked and wrong: counts */
	AUTH_THROTTLE_UNCHECKED /* nothing was checked (busy, server error): does not count */
};

/* Reserves one sign-in attempt for `address` (NULL or "" = unknown, counted as "") and
 * `account` (NULL = none: a name that cannot exist, counted against the address only).
 * `c` (NULL = this process's counts only) is the calling thread's store connection.
 * 0: go ahead, and call auth_throttle_end() with the same arguments afterwards.
 * CK_E_THROTTLED: refused; *ret_retry_after (optional) receives the seconds until a new
 * attempt can succeed (≥ 1). */
int auth_throttle_begin(struct store_conn *c, const struct auth_throttle_limits *lim,
			const char *address, const char *account, int64_t now,
			int64_t *ret_retry_after);

/* Ends an attempt begun with auth_throttle_begin() and records its outcome (a failure also in
 * the database when `c` is not NULL; call outside a write transaction). */
void auth_throttle_end(struct store_conn *c, const struct auth_throttle_limits *lim,
		       const char *address, const char *account, int64_t now,
		       enum auth_throttle_outcome outcome);

/* Forgets every key (tests). */
void auth_throttle_reset(void);

#endif
