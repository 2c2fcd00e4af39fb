/*
 * core/hash — FNV-1a, the one 64-bit hash of cache keys, statement texts, cursor signatures
 * and table digests (not for anything an attacker may choose to collide: see
 * domain/auth_throttle.c, which seeds its own). Header-only: a few lines each caller inlines.
 *
 *   uint64_t h = ck_fnv1a(data, n);                       one buffer
 *   uint64_t h = CK_FNV1A_INIT; h = ck_fnv1a_add(h, a, n); ... several pieces in a row
 */
#ifndef CK_CORE_HASH_H
#define CK_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CK_FNV1A_INIT 14695981039346656037ULL /* the FNV-1a offset basis, 0xcbf29ce484222325 */

/* h extended by n bytes at p. */
static inline uint64_t ck_fnv1a_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

/* FNV-1a of n bytes at p. */
static inline uint64_t ck_fnv1a(const void *p, size_t n)
{
	return ck_fnv1a_add(CK_FNV1A_INIT, p, n);
}

#endif
