/*
 * store/auth_repo — the statements of domain/auth (users, passwords, tokens, sessions and
 * the authentication generation of migration 4), so that the domain holds no SQL text.
 *
 * Each function runs one named statement on the caller's connection (prepared once per
 * connection by store_query's cache) and returns 0 or a negative CK_E_* code (store errors,
 * see store.h); `ret_` outputs are written only on success. Thread-safe when each thread
 * passes its own connection. Nothing here logs, hashes or decides: the domain does.
 */
#ifndef CK_STORE_AUTH_REPO_H
#define CK_STORE_AUTH_REPO_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* The current authentication generation (table auth_generation): a number that every commit
 * changing a user's name, superuser or active flag or password, or a token's owner, key,
 * write flag or expiry — or deleting a user or token — increases, in the same transaction
 * (triggers of migration 4). One cheap primary-key read. */
int store_auth_generation(struct store_conn *c, int64_t *ret, struct ck_error *err);

#endif
