/*
 * store/postgres — the PostgreSQL driver of store/ (libpq; see driver.h for the contract).
 *
 * URLs: "postgres://user@host:port/db?…" and "postgresql:///db?host=/socket/dir" are handed
 * to libpq as they are (its own URI syntax); store.c strips the scheme, target() puts it back.
 *
 * Invariants:
 *   1. One struct pg_conn per store connection, used by one thread (driver.h). Each prepared
 *      statement has a server-side name unique within its connection ("ck<n>").
 *   2. A statement is executed on its first step(): the whole result arrives at once
 *      (PQexecPrepared) and later steps walk its rows. Callers page with LIMIT, so results
 *      stay small; a cursor would cost a round trip per batch for nothing.
 *   3. Parameters travel in text format. An integer is printed once at bind time; text is
 *      copied (the caller's buffer may be gone at step time, as with SQLite's TRANSIENT).
 *   4. Write transactions serialise on one transaction-scoped advisory lock (begin_sql), the
 *      same guarantee as SQLite's BEGIN IMMEDIATE: check-then-write rules (unique renewals,
 *      duplicate checks, counters) hold across every node without per-query locking. Reads
 *      never take it.
 *   5. A dropped connection is re-established on the next statement outside a transaction
 *      (PQreset); statements prepared on the old session are prepared again, transparently
 *      (each remembers the session generation it was prepared in).
 *
 *   6. The statement time limit (set_statement_timeout) is the session's statement_timeout,
 *      set again after every reconnect; write transactions lift it for themselves with
 *      SET LOCAL (begin_sql), so it stops runaway reads, never a write half-way.
 *
 * Errors map SQLSTATE classes to CK_E_*: 23505 unique → CK_E_DUPLICATE (columns from the
 * "Key (a, b)=…" detail), 23503 foreign key → CK_E_INVALID, 40001/40P01/55P03
 * (serialisation, deadlock, lock not available) → CK_E_BUSY, 57014 (statement time-out or
 * cancelled) → CK_E_TIMEOUT, 54000 → CK_E_TOOBIG, anything else CK_E_DB.
 */
#include "store/driver.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The advisory lock key every write transaction takes (invariant 4): "ck" in ASCII. */
#define PG_WRITE_LOCK_KEY 25451
#define PG_MIGRATE_LOCK_KEY 6515565 /* "ckm" in ASCII: held around store_migrate() */
#define PG_PARAMS_MAX 65535	    /* PostgreSQL's limit of bind parameters per statement */

struct pg_conn {
	PGconn *pg;
	unsigned next_name;
	unsigned generation; /* bumped on every reconnect (invariant 5) */
	int64_t changes;
	int timeout_ms; /* statement_timeout of the session, 0 = none (invariant 6) */
};

struct pg_stmt {
	struct pg_conn *c;
	char *sql;
	char name[24];
	unsigned generation; /* of the session it was prepared in */
	int nparams;
	char **values; /* nparams entries, owned, NULL = SQL NULL */
	int *lengths;
	PGresult *res;
	int row, nrows, executed;
};

static int map_result(PGconn *pg, const PGresult *res, const char *what, struct ck_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg);
	char cols[CK_ERROR_FIELD_MAX];

	if (!state)
		state = "";
	if (!strcmp(state, "23505")) {
		store_postgres_unique_columns(res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)
						  : NULL,
					      cols, sizeof(cols));
		return ck_error_set(err, CK_E_DUPLICATE, cols,
				    "an object with this %s already exists", cols);
	}
	if (!strcmp(state, "23503"))
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "a referenced object does not exist or is still referenced");
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return ck_error_set(err, CK_E_BUSY, NULL, "database is busy: %s", msg);
	if (!strcmp(state, "57014"))
		return ck_error_set(err, CK_E_TIMEOUT, NULL, "statement stopped: %s", msg);
	if (!strcmp(state, "54000") || !strcmp(state, "22001"))
		return ck_error_set(err, CK_E_TOOBIG, NULL, "value too large for the database");
	return ck_error_set(err, CK_E_DB, NULL, "%s: %s%s%s", what, msg, *state ? " SQLSTATE " : "",
			    state);
}

void store_postgres_unique_columns(const char *detail, char *out, size_t size)
{
	const char *p = detail ? strstr(detail, "Key (") : NULL;
	const char *end = p ? strstr(p, ")=(") : NULL;
	size_t n = 0;

	if (!size)
		return;
	if (p && end) {
		for (p += 5; p < end && n + 1 < size; p++) {
			if (*p == ' ' || *p == '"')
				continue;
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static int pg_target(const char *rest, char **ret_target, int *ret_is_memory, struct ck_error *err)
{
	size_t n = strlen(rest);
	char *t = malloc(n + sizeof("postgresql://"));

	if (!t)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	/* store.c removed "postgres://" (or "postgresql://") and nothing else */
	snprintf(t, n + sizeof("postgresql://"), "postgresql://%s", rest);
	*ret_target = t;
	*ret_is_memory = 0;
	return 0;
}

/* Session settings: UTC, no surprises from the server's defaults. JIT off: certkeeper's
 * statements are short, and JIT compiled only the plans that were already slow, adding to
 * each (a deep offset at 1M certificates: 144 ms of compilation in 3.9 s). */
static const char pg_session_sql[] = "SET TIME ZONE 'UTC';"
				     "SET client_min_messages = warning;"
				     "SET standard_conforming_strings = on;"
				     "SET jit = off";

static int session_setup(PGconn *pg, struct ck_error *err)
{
	PGresult *res = PQexec(pg, pg_session_sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = map_result(pg, res, "configuring the connection", err);
	PQclear(res);
	return rc;
}

static int pg_open(const char *target, void **ret_db, struct ck_error *err)
{
	struct pg_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	c->pg = PQconnectdb(target);
	if (!c->pg) {
		rc = ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
		goto free_conn;
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		/* the message names host and reason, never the password */
		rc = ck_error_set(err, CK_E_DB, "db", "cannot connect to PostgreSQL: %s",
				  PQerrorMessage(c->pg));
		goto free_conn;
	}
	rc = session_setup(c->pg, err);
	if (rc < 0)
		goto free_conn;
	*ret_db = c;
	return 0;
free_conn:
	PQfinish(c->pg);
	free(c);
	return rc;
}

static void pg_close(void *db)
{
	struct pg_conn *c = db;

	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

/* Sets the session's statement_timeout to c->timeout_ms (invariant 6). */
static int apply_timeout(struct pg_conn *c, struct ck_error *err)
{
	char sql[64];
	PGresult *res;
	int rc = 0;

	snprintf(sql, sizeof(sql), "SET statement_timeout = %d", c->timeout_ms);
	res = PQexec(c->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = map_result(c->pg, res, "setting statement_timeout", err);
	PQclear(res);
	return rc;
}

/* Re-establishes a dropped session (invariant 5). 0 when the connection is usable. */
static int ensure_connected(struct pg_conn *c, struct ck_error *err)
{
	int rc;

	if (PQstatus(c->pg) == CONNECTION_OK)
		return 0;
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK)
		return ck_error_set(err, CK_E_DB, "db", "lost the PostgreSQL connection: %s",
				    PQerrorMessage(c->pg));
	c->generation++;
	rc = session_setup(c->pg, err);
	if (!rc && c->timeout_ms)
		rc = apply_timeout(c, err);
	return rc;
}

static int pg_set_statement_timeout(void *db, int ms, struct ck_error *err)
{
	struct pg_conn *c = db;
	int rc = ensure_connected(c, err);

	if (rc < 0)
		return rc;
	c->timeout_ms = ms > 0 ? ms : 0;
	return apply_timeout(c, err);
}

static int pg_exec(void *db, const char *sql, struct ck_error *err)
{
	struct pg_conn *c = db;
	PGresult *res;
	int rc = ensure_connected(c, err);

	if (rc < 0)
		return rc;
	res = PQexec(c->pg, sql);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		c->changes = strtoll(PQcmdTuples(res), NULL, 10);
		break;
	default:
		rc = map_result(c->pg, res, "exec", err);
	}
	PQclear(res);
	return rc;
}

/* The highest $n of `sql` outside quotes and comments; marks each $n seen in used[n - 1]
 * (`used` has PG_PARAMS_MAX entries, or is NULL). */
static int count_params(const char *sql, unsigned char *used)
{
	int max = 0;

	for (const char *p = sql; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			for (p++; *p && *p != q; p++)
				;
			if (!*p)
				break;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			long n = strtol(p + 1, NULL, 10);

			if (n >= 1 && n <= PG_PARAMS_MAX) {
				if (n > max)
					max = (int)n;
				if (used)
					used[n - 1] = 1;
			}
		}
	}
	return max;
}

#define PG_TEXT_OID 25 /* pg_type.oid of text */

/* Prepares s->sql on the server. A $n the text never names (a query spec binds every value of
 * a filter, and a template may not use one) has no type the server could infer: it is
 * declared text; the others are left to the server (0 = infer from the text). */
static int server_prepare(struct pg_stmt *s, struct ck_error *err)
{
	unsigned char *used = s->nparams ? calloc(PG_PARAMS_MAX, 1) : NULL;
	Oid *types = s->nparams ? calloc((size_t)s->nparams, sizeof(*types)) : NULL;
	PGresult *res;
	int rc = 0;

	if (s->nparams && (!used || !types)) {
		free(used);
		free(types);
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	}
	if (s->nparams) {
		count_params(s->sql, used);
		for (int i = 0; i < s->nparams; i++)
			types[i] = used[i] ? 0 : PG_TEXT_OID;
	}
	res = PQprepare(s->c->pg, s->name, s->sql, s->nparams, types);
	free(used);
	free(types);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = map_result(s->c->pg, res, "prepare", err);
	PQclear(res);
	if (!rc)
		s->generation = s->c->generation;
	return rc;
}

static void pg_finalize(void *stmt);

static int pg_prepare(void *db, const char *sql, void **ret_stmt, struct ck_error *err)
{
	struct pg_conn *c = db;
	struct pg_stmt *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	s->c = c;
	s->nparams = count_params(sql, NULL);
	s->sql = strdup(sql);
	s->values = calloc((size_t)s->nparams + 1, sizeof(*s->values));
	s->lengths = calloc((size_t)s->nparams + 1, sizeof(*s->lengths));
	if (!s->sql || !s->values || !s->lengths) {
		rc = ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
		goto free_stmt;
	}
	snprintf(s->name, sizeof(s->name), "ck%u", c->next_name++);
	rc = ensure_connected(c, err);
	if (rc < 0)
		goto free_stmt;
	rc = server_prepare(s, err);
	if (rc < 0)
		goto free_stmt;
	*ret_stmt = s;
	return 0;
free_stmt:
	s->c = NULL; /* not prepared on the server: nothing to deallocate */
	pg_finalize(s);
	return rc;
}

static void deallocate(struct pg_stmt *s)
{
	char sql[48];

	if (!s->c || s->generation != s->c->generation || PQstatus(s->c->pg) != CONNECTION_OK)
		return;
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
	PQclear(PQexec(s->c->pg, sql));
}

static void pg_reset(void *stmt)
{
	struct pg_stmt *s = stmt;

	PQclear(s->res);
	s->res = NULL;
	s->executed = 0;
	s->row = s->nrows = 0;
}

static void pg_clear(void *stmt)
{
	struct pg_stmt *s = stmt;

	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
	}
}

static void pg_finalize(void *stmt)
{
	struct pg_stmt *s = stmt;

	if (!s)
		return;
	pg_reset(s);
	if (s->values)
		pg_clear(s);
	deallocate(s);
	free(s->values);
	free(s->lengths);
	free(s->sql);
	free(s);
}

static int set_param(struct pg_stmt *s, int idx, char *owned, size_t len)
{
	if (idx < 1 || idx > s->nparams) {
		free(owned);
		return CK_E_INVALID;
	}
	free(s->values[idx - 1]);
	s->values[idx - 1] = owned;
	s->lengths[idx - 1] = (int)len;
	return 0;
}

static int pg_bind_i64(void *stmt, int idx, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
	char *t = strdup(buf);

	return t ? set_param(stmt, idx, t, (size_t)n) : CK_E_NOMEM;
}

static int pg_bind_double(void *stmt, int idx, double v)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%.17g", v);
	char *t = strdup(buf);

	return t ? set_param(stmt, idx, t, (size_t)n) : CK_E_NOMEM;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t k;
	unsigned min;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2, min = 0x80, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3, min = 0x800, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4, min = 0x10000, cp = p[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

static int pg_bind_text(void *stmt, int idx, const char *text, size_t len)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t n = 0;
	char *t;

	if (len > 0x3fffffff)
		return CK_E_TOOBIG;
	if (memchr(text, '\0', len)) /* PostgreSQL text cannot hold NUL: refuse, never truncate */
		return CK_E_INVALID;
	/* The server refuses invalid UTF-8 where SQLite keeps the bytes: each invalid byte becomes
	 * U+FFFD (3 bytes), as NetBox decodes a request with replacement characters. */
	t = malloc(len * 3 + 1);
	if (!t)
		return CK_E_NOMEM;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(in + i, len - i);

		if (k) {
			memcpy(t + n, in + i, k);
			n += k;
			i += k;
		} else {
			memcpy(t + n, "\xef\xbf\xbd", 3);
			n += 3;
			i++;
		}
	}
	t[n] = '\0';
	return set_param(stmt, idx, t, n);
}

static int pg_bind_null(void *stmt, int idx) { return set_param(stmt, idx, NULL, 0); }

static int execute(struct pg_stmt *s, struct ck_error *err)
{
	PGresult *res;
	int rc;

	if (s->generation != s->c->generation || PQstatus(s->c->pg) != CONNECTION_OK) {
		/* a transaction does not survive a dropped session: report, never replay */
		if (PQstatus(s->c->pg) != CONNECTION_OK &&
		    PQtransactionStatus(s->c->pg) != PQTRANS_UNKNOWN &&
		    PQtransactionStatus(s->c->pg) != PQTRANS_IDLE)
			return ck_error_set(err, CK_E_DB, "db", "PostgreSQL connection lost");
		rc = ensure_connected(s->c, err);
		if (rc < 0)
			return rc;
		rc = server_prepare(s, err);
		if (rc < 0)
			return rc;
	}
	res = PQexecPrepared(s->c->pg, s->name, s->nparams, (const char *const *)s->values,
			     s->lengths, NULL, 0);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
		s->res = res;
		s->nrows = PQntuples(res);
		s->row = -1;
		s->c->changes = strtoll(PQcmdTuples(res), NULL, 10);
		return 0;
	case PGRES_COMMAND_OK:
		s->res = res;
		s->nrows = 0;
		s->row = -1;
		s->c->changes = strtoll(PQcmdTuples(res), NULL, 10);
		return 0;
	default:
		rc = map_result(s->c->pg, res, "step", err);
		PQclear(res);
		return rc;
	}
}

static int pg_step(void *stmt, struct ck_error *err)
{
	struct pg_stmt *s = stmt;

	if (!s->executed) {
		int rc = execute(s, err);

		if (rc < 0)
			return rc;
		s->executed = 1;
	}
	if (s->row + 1 >= s->nrows) {
		s->row = s->nrows;
		return STORE_DONE;
	}
	s->row++;
	return STORE_ROW;
}

static int pg_col_count(void *stmt)
{
	struct pg_stmt *s = stmt;

	return s->res ? PQnfields(s->res) : 0;
}

static int row_ok(const struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static int pg_col_is_null(void *stmt, int col)
{
	struct pg_stmt *s = stmt;

	return !row_ok(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_col_i64(void *stmt, int col)
{
	struct pg_stmt *s = stmt;
	const char *v;

	if (pg_col_is_null(s, col))
		return 0;
	v = PQgetvalue(s->res, s->row, col);
	if (v[0] == 't' && !v[1]) /* a boolean expression */
		return 1;
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

static double pg_col_double(void *stmt, int col)
{
	struct pg_stmt *s = stmt;

	if (pg_col_is_null(s, col))
		return 0;
	return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

static const char *pg_col_text(void *stmt, int col, size_t *ret_len)
{
	struct pg_stmt *s = stmt;
	const char *t = NULL;

	if (!pg_col_is_null(s, col))
		t = PQgetvalue(s->res, s->row, col);
	if (ret_len)
		*ret_len = t ? (size_t)PQgetlength(s->res, s->row, col) : 0;
	return t;
}

static const char *pg_col_name(void *stmt, int col)
{
	struct pg_stmt *s = stmt;

	return s->res && col >= 0 && col < PQnfields(s->res) ? PQfname(s->res, col) : NULL;
}

static int64_t pg_changes(void *db) { return ((struct pg_conn *)db)->changes; }

static int pg_has_table(void *db, const char *name, struct ck_error *err)
{
	struct pg_conn *c = db;
	const char *params[1] = {name};
	PGresult *res;
	int rc = ensure_connected(c, err);

	if (rc < 0)
		return rc;
	res = PQexecParams(c->pg, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, params, NULL, NULL,
			   0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = map_result(c->pg, res, "has_table", err);
	else
		rc = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return rc;
}

/* The DDL rewrites of store_postgres_translate(), applied in order to every occurrence. */
static const struct {
	const char *from, *to;
} ddl_rules[] = {
    {"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
    {" INTEGER REFERENCES ", " BIGINT REFERENCES "},
    {" INTEGER NOT NULL REFERENCES ", " BIGINT NOT NULL REFERENCES "},
    {" TEXT NOT NULL DEFAULT '{}'", " JSONB NOT NULL DEFAULT '{}'"},
    {" TEXT NOT NULL DEFAULT '[]'", " JSONB NOT NULL DEFAULT '[]'"},
    /* changelog snapshots: an audit record kept byte for byte (json, not jsonb: jsonb would
     * reorder keys and respace them); they are read whole, never queried inside */
    {"_data TEXT", "_data JSON"},
};

char *store_postgres_translate(const char *sqlite_sql)
{
	size_t cap = strlen(sqlite_sql) * 2 + 64, n = 0;
	char *out = malloc(cap);
	const char *p = sqlite_sql;

	if (!out)
		return NULL;
	while (*p) {
		size_t i, k = sizeof(ddl_rules) / sizeof(ddl_rules[0]);

		for (i = 0; i < k; i++)
			if (!strncmp(p, ddl_rules[i].from, strlen(ddl_rules[i].from)))
				break;
		if (i < k) {
			size_t tl = strlen(ddl_rules[i].to);

			if (n + tl + 1 >= cap) {
				char *bigger = realloc(out, cap = cap * 2 + tl);

				if (!bigger) {
					free(out);
					return NULL;
				}
				out = bigger;
			}
			memcpy(out + n, ddl_rules[i].to, tl);
			n += tl;
			p += strlen(ddl_rules[i].from);
			continue;
		}
		if (n + 2 >= cap) {
			char *bigger = realloc(out, cap *= 2);

			if (!bigger) {
				free(out);
				return NULL;
			}
			out = bigger;
		}
		out[n++] = *p++;
	}
	out[n] = '\0';
	return out;
}

/* A migration's own PostgreSQL text when it has one, else its SQLite text translated. The
 * translated texts are made once and kept for the process (migrations are static data). */
static int pg_sync_identity(void *db, const char *table, struct ck_error *err)
{
	char sql[256];

	snprintf(
	    sql, sizeof(sql),
	    "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 0) + 1, false)"
	    " FROM %s",
	    table, table);
	return pg_exec(db, sql, err);
}

static const char *pg_migration_sql(const struct store_migration *m)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char *translated[STORE_MIGRATIONS_MAX];
	const char *sql = NULL;

	if (m->postgres)
		return m->postgres;
	if (!m->sqlite || m->version < 1 || m->version > STORE_MIGRATIONS_MAX)
		return NULL;
	pthread_mutex_lock(&lock);
	if (!translated[m->version - 1])
		translated[m->version - 1] = store_postgres_translate(m->sqlite);
	sql = translated[m->version - 1];
	pthread_mutex_unlock(&lock);
	return sql;
}

/* ---- dialect (driver.h): JSONB operators and functions, ILIKE, SUM over CASE, string_agg.
 * PostgreSQL prepares with unknown parameter types, so every JSON argument is cast to jsonb
 * (a no-op for JSONB columns, a parse for a bound text). ---- */

/* `json_expr` (or its member `key`) as a jsonb expression. */
static void pg_jsonb(struct strbuf *sql, const char *json_expr, const char *key)
{
	if (key)
		strbuf_addf(sql, "(CAST(%s AS jsonb) -> '%s')", json_expr, key);
	else
		strbuf_addf(sql, "CAST(%s AS jsonb)", json_expr);
}

/* Rows of the array `arr` with columns value (the element as text: a string unquoted, a
 * number as written, NULL for null) and type (jsonb_typeof). A scalar counts as a one-element
 * array and an object as none, as SQLite's json_each walks them. */
static void pg_elements_of(struct strbuf *sql, const char *json_expr, const char *key)
{
	strbuf_adds(sql,
		    "(SELECT e #>> '{}' AS value, jsonb_typeof(e) AS type FROM"
		    " jsonb_array_elements((SELECT CASE jsonb_typeof(v) WHEN 'array' THEN v"
		    " WHEN 'object' THEN '[]'::jsonb ELSE jsonb_build_array(v) END FROM (SELECT ");
	pg_jsonb(sql, json_expr, key);
	strbuf_adds(sql, " AS v) j)) e)");
}

static void pg_json_array_has(struct strbuf *sql, const char *array_expr, const char *value_expr)
{
	/* compared as text: the bound value arrives as text or as an integer printed */
	strbuf_adds(sql, "EXISTS (SELECT 1 FROM ");
	pg_elements_of(sql, array_expr, NULL);
	strbuf_addf(sql, " je WHERE je.value = CAST(%s AS TEXT))", value_expr);
}

static void pg_json_elements(struct strbuf *sql, const char *json_expr, const char *key,
			     const char *alias)
{
	strbuf_adds(sql, "LATERAL ");
	pg_elements_of(sql, json_expr, key);
	strbuf_addf(sql, " %s", alias);
}

static void pg_json_element_is_text(struct strbuf *sql, const char *alias)
{
	strbuf_addf(sql, "%s.type = 'string'", alias);
}

static void pg_json_object_keys(struct strbuf *sql, const char *json_expr, const char *alias)
{
	strbuf_adds(sql, "LATERAL (SELECT jsonb_object_keys(CASE jsonb_typeof(v) WHEN 'object'"
			 " THEN v ELSE '{}'::jsonb END) AS key FROM (SELECT ");
	pg_jsonb(sql, json_expr, NULL);
	strbuf_addf(sql, " AS v) j) %s", alias);
}

static void pg_json_type(struct strbuf *sql, const char *json_expr, const char *key)
{
	/* SQLite's json_type() names: integer/real split, true/false, text */
	strbuf_adds(sql, "(SELECT CASE jsonb_typeof(v) WHEN 'string' THEN 'text'"
			 " WHEN 'boolean' THEN v #>> '{}'"
			 " WHEN 'number' THEN CASE WHEN (v #>> '{}') ~ '^-?[0-9]+$' THEN 'integer'"
			 " ELSE 'real' END ELSE jsonb_typeof(v) END FROM (SELECT ");
	pg_jsonb(sql, json_expr, key);
	strbuf_adds(sql, " AS v) j)");
}

static void pg_json_get(struct strbuf *sql, const char *json_expr, const char *key)
{
	strbuf_addf(sql, "(CAST(%s AS jsonb) ->> '%s')", json_expr, key);
}

static void pg_json_agg_object(struct strbuf *sql, const char *const *keys,
			       const char *const *value_exprs, size_t n)
{
	/* json (not jsonb): keys stay in the declared order, as SQLite's json_object() */
	strbuf_adds(sql, "json_agg(json_build_object(");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sql, "%s'%s', %s", i ? ", " : "", keys[i], value_exprs[i]);
	strbuf_adds(sql, "))");
}

static void pg_json_int_array_agg(struct strbuf *sql, const char *expr)
{
	strbuf_addf(sql, "json_agg(%s)", expr);
}

static void pg_count_if(struct strbuf *sql, const char *cond)
{
	strbuf_addf(sql, "SUM(CASE WHEN %s THEN 1 ELSE 0 END)", cond);
}

static void pg_ilike(struct strbuf *sql, const char *expr, const char *pattern_expr, int negate)
{
	/* the subject may be a number (id, counts): ILIKE needs text */
	strbuf_addf(sql, "%sCAST(%s AS TEXT) ILIKE %s ESCAPE '\\'", negate ? "NOT " : "", expr,
		    pattern_expr);
}

static void pg_trigram_contains(struct strbuf *sql, const char *table, const char *col, int bind,
				int queued)
{
	(void)table;  /* the pg_trgm index is on the column itself */
	(void)queued; /* nothing is deferred: GIN indexes are written by the writers */
	strbuf_addf(sql,
		    "t.%s ILIKE '%%' || REPLACE(REPLACE(REPLACE($%d, '\\', '\\\\'), '%%', '\\%%'),"
		    " '_', '\\_') || '%%'",
		    col, bind);
}

static void pg_in_subquery(struct strbuf *sql, const char *expr, const char *subquery)
{
	strbuf_addf(sql, "%s = ANY(ARRAY(%s))", expr, subquery);
}

static void pg_string_agg(struct strbuf *sql, const char *expr, const char *sep_expr)
{
	strbuf_addf(sql, "string_agg(CAST(%s AS TEXT), %s)", expr, sep_expr);
}

static void pg_char(struct strbuf *sql, int code) { strbuf_addf(sql, "chr(%d)", code); }

static void pg_upsert(struct strbuf *sql, const char *conflict_cols, const char *const *update_cols)
{
	strbuf_addf(sql, " ON CONFLICT (%s) DO ", conflict_cols);
	if (!update_cols || !update_cols[0]) {
		strbuf_adds(sql, "NOTHING");
		return;
	}
	strbuf_adds(sql, "UPDATE SET ");
	for (size_t i = 0; update_cols[i]; i++)
		strbuf_addf(sql, "%s%s = EXCLUDED.%s", i ? ", " : "", update_cols[i],
			    update_cols[i]);
}

#define STR_(x) #x
#define STR(x) STR_(x)

const struct store_driver store_postgres_driver = {
    .name = "postgres",
    .target = pg_target,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .clear = pg_clear,
    .bind_i64 = pg_bind_i64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_is_null = pg_col_is_null,
    .col_i64 = pg_col_i64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_name = pg_col_name,
    .changes = pg_changes,
    .has_table = pg_has_table,
    .begin_sql = "BEGIN; SET LOCAL statement_timeout = 0;"
		 " SELECT pg_advisory_xact_lock(" STR(PG_WRITE_LOCK_KEY) ")",
    .migrate_lock_sql = "SELECT pg_advisory_lock(" STR(PG_MIGRATE_LOCK_KEY) ")",
    .migrate_unlock_sql = "SELECT pg_advisory_unlock(" STR(PG_MIGRATE_LOCK_KEY) ")",
    .sync_identity = pg_sync_identity,
    .set_statement_timeout = pg_set_statement_timeout,
    .migration_sql = pg_migration_sql,
    .sql_json_array_has = pg_json_array_has,
    .sql_json_elements = pg_json_elements,
    .sql_json_element_is_text = pg_json_element_is_text,
    .sql_json_object_keys = pg_json_object_keys,
    .sql_json_type = pg_json_type,
    .sql_json_get = pg_json_get,
    .sql_json_agg_object = pg_json_agg_object,
    .sql_json_int_array_agg = pg_json_int_array_agg,
    .sql_count_if = pg_count_if,
    .sql_ilike = pg_ilike,
    .sql_trigram_contains = pg_trigram_contains,
    .sql_in_subquery = pg_in_subquery,
    /* the copied tables have neither statistics nor a visibility map until autovacuum
     * reaches them, minutes later at 1M rows */
    .after_bulk_load_sql = "VACUUM ANALYZE",
    .sql_string_agg = pg_string_agg,
    .sql_char = pg_char,
    .sql_upsert = pg_upsert,
    .sql_skip_locked = " FOR UPDATE SKIP LOCKED",
};
