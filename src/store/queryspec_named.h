/*
 * store/queryspec_named — the named expressions and named filters a query spec refers to
 * (queryspec.h: a column or subject "@name" with STORE_QS_EXPR, store_qs_filter()). INTERNAL
 * to store/queryspec: the registry names them in its static declarations, the store owns
 * their SQL text, composed in the connection's dialect where engines differ.
 *
 * Invariants:
 *  1. A named filter's text refers to its own bound values as $1..$k (k = its bind count);
 *     qs_named_filter_render() renumbers them to the spec's consecutive binds from `bind`.
 *  2. The text holds no client value: only declared tables, columns, object types and
 *     constants.
 */
#ifndef CK_STORE_QUERYSPEC_NAMED_H
#define CK_STORE_QUERYSPEC_NAMED_H

#include "core/strbuf.h"
#include "store/driver.h"

/* Appends "(<expression>)" for named expression `name` ("@..."); 0 when there is no such
 * name (nothing appended). */
int qs_named_expr(const struct store_driver *d, struct strbuf *sql, const char *name);

/* The number of bound values named filter `name` takes, or -1 when there is none. */
int qs_named_filter_binds(const char *name);

/* Appends "(<condition>)" — "NOT (<condition>)" when `negate` — for named filter `name`
 * (known: qs_named_filter_binds() >= 0), its $1..$k renumbered to $bind..$bind+k-1. */
void qs_named_filter_render(const struct store_driver *d, struct strbuf *sql, const char *name,
			    int bind, int negate);

#endif
