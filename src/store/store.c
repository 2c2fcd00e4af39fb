/*
 * store/store — the engine-neutral half of store/ (store.h is the manual; driver.h the
 * boundary to an engine).
 *
 * Invariants:
 *  1. A connection belongs to the thread that created it (pthread key st->key); the store
 *     also lists every live connection so that store_close() frees them all. The list is
 *     guarded by st->lock; a connection's own fields are touched only by its thread.
 *  2. The statement cache of a connection maps SQL text → prepared statement (chained hash
 *     table) and keeps an LRU list; it holds at most `capacity` statements except while
 *     every statement is in use (in_use: between store_query() and store_done()). Only
 *     statements not in use are evicted.
 *  3. In-memory databases: a keeper connection that belongs to no thread keeps the shared
 *     in-memory database alive from store_open() to store_close().
 */
#include "store/store.h"
#include "store/driver.h"
#include "core/hash.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORE_URL_MAX 4096 /* longest accepted database URL */
#define CACHE_BUCKETS 1024 /* hash buckets per connection (power of two) */

struct store_stmt {
	struct store_conn *conn;
	void *drv_stmt;
	char *sql;
	uint64_t hash;
	struct store_stmt *hnext;		/* bucket chain */
	struct store_stmt *lru_prev, *lru_next; /* lru_prev toward most recent */
	int in_use;
};

/* One named statement's text as composed for this connection's driver. */
struct named_text {
	const struct store_named *key; /* NULL: free slot */
	char *sql;		       /* owned */
};

struct store_conn {
	struct named_text named[STORE_NAMED_SLOTS]; /* open addressing on the key's address */
	struct store *st;
	void *db;
	int in_tx;
	int deferred_index; /* 1: the driver's deferred_index_table exists (checked until it does)
			     */
	struct store_conn *prev, *next; /* the store's list */
	struct store_stmt *buckets[CACHE_BUCKETS];
	struct store_stmt *lru_head, *lru_tail; /* head = most recently used */
	size_t entries, capacity;
	uint64_t hits, prepares, evictions;
};

struct store {
	const struct store_driver *drv;
	char *target;
	void *keeper;	/* in-memory databases only (invariant 3) */
	int timeout_ms; /* store_set_statement_timeout(); read when a connection opens */
	pthread_key_t key;
	pthread_mutex_t lock;
	struct store_conn *conns;
};

static const struct {
	const char *scheme; /* with its ':' */
	const struct store_driver *drv;
} drivers[] = {
    {"sqlite:", &store_sqlite_driver},
    {"postgresql:", &store_postgres_driver},
    {"postgres:", &store_postgres_driver},
};

/* ---- statement cache ---- */

static uint64_t sql_hash(const char *s) { return ck_fnv1a(s, strlen(s)); }

static void lru_unlink(struct store_conn *c, struct store_stmt *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else
		c->lru_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else
		c->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_push_front(struct store_conn *c, struct store_stmt *s)
{
	s->lru_prev = NULL;
	s->lru_next = c->lru_head;
	if (c->lru_head)
		c->lru_head->lru_prev = s;
	c->lru_head = s;
	if (!c->lru_tail)
		c->lru_tail = s;
}

static void stmt_free(const struct store_driver *drv, struct store_stmt *s)
{
	if (!s)
		return;
	drv->finalize(s->drv_stmt);
	free(s->sql);
	free(s);
}

/* Removes `s` from the hash table and LRU list and frees it. */
static void cache_remove(struct store_conn *c, struct store_stmt *s)
{
	struct store_stmt **pp = &c->buckets[s->hash & (CACHE_BUCKETS - 1)];

	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	lru_unlink(c, s);
	c->entries--;
	stmt_free(c->st->drv, s);
}

/* Evicts least recently used statements not in use until at most `limit` remain. */
static void cache_trim(struct store_conn *c, size_t limit)
{
	struct store_stmt *s = c->lru_tail;

	while (c->entries > limit && s) {
		struct store_stmt *prev = s->lru_prev;

		if (!s->in_use) {
			cache_remove(c, s);
			c->evictions++;
		}
		s = prev;
	}
}

static struct store_stmt *cache_find(struct store_conn *c, const char *sql, uint64_t h)
{
	struct store_stmt *s = c->buckets[h & (CACHE_BUCKETS - 1)];

	for (; s; s = s->hnext)
		if (s->hash == h && !strcmp(s->sql, sql))
			return s;
	return NULL;
}

static int cache_add(struct store_conn *c, const char *sql, uint64_t h, struct store_stmt **ret,
		     struct ck_error *err)
{
	struct store_stmt *s = calloc(1, sizeof(*s));
	int rc;

	if (!s || !(s->sql = strdup(sql))) {
		rc = ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
		goto free_stmt;
	}
	rc = c->st->drv->prepare(c->db, sql, &s->drv_stmt, err);
	if (rc < 0)
		goto free_stmt;
	c->prepares++;
	cache_trim(c, c->capacity - 1);
	s->conn = c;
	s->hash = h;
	s->hnext = c->buckets[h & (CACHE_BUCKETS - 1)];
	c->buckets[h & (CACHE_BUCKETS - 1)] = s;
	lru_push_front(c, s);
	c->entries++;
	*ret = s;
	return 0;
free_stmt:
	if (s)
		free(s->sql);
	free(s);
	return rc;
}

static void cache_clear(struct store_conn *c)
{
	while (c->lru_head)
		cache_remove(c, c->lru_head);
}

void store_conn_cache_stats(const struct store_conn *c, struct store_cache_stats *ret)
{
	ret->entries = c->entries;
	ret->capacity = c->capacity;
	ret->hits = c->hits;
	ret->prepares = c->prepares;
	ret->evictions = c->evictions;
}

int store_conn_set_cache_capacity(struct store_conn *c, size_t capacity)
{
	if (capacity < 1 || capacity > (size_t)STORE_STMT_CACHE_MAX * 16)
		return CK_E_INVALID;
	c->capacity = capacity;
	cache_trim(c, capacity);
	return 0;
}

/* ---- connections ---- */

static void conn_free(struct store_conn *c)
{
	if (!c)
		return;
	cache_clear(c);
	for (size_t i = 0; i < STORE_NAMED_SLOTS; i++)
		free(c->named[i].sql);
	c->st->drv->close(c->db);
	free(c);
}

/* pthread key destructor: the owning thread exits. */
static void conn_thread_exit(void *p)
{
	struct store_conn *c = p;
	struct store *st = c->st;

	pthread_mutex_lock(&st->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		st->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&st->lock);
	conn_free(c);
}

/* Opens a connection for the calling thread and registers it. */
static int conn_create(struct store *st, struct store_conn **ret, struct ck_error *err)
{
	struct store_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	c->st = st;
	c->capacity = STORE_STMT_CACHE_MAX;
	rc = st->drv->open(st->target, &c->db, err);
	if (rc < 0)
		goto free_conn;
	if (st->timeout_ms && st->drv->set_statement_timeout) {
		rc = st->drv->set_statement_timeout(c->db, st->timeout_ms, err);
		if (rc < 0)
			goto free_conn;
	}
	if (pthread_setspecific(st->key, c)) {
		rc = ck_error_set(err, CK_E_NOMEM, NULL, "out of memory (thread key)");
		goto free_conn;
	}
	pthread_mutex_lock(&st->lock);
	c->next = st->conns;
	if (st->conns)
		st->conns->prev = c;
	st->conns = c;
	pthread_mutex_unlock(&st->lock);
	*ret = c;
	return 0;
free_conn:
	conn_free(c);
	return rc;
}

static int conn_get(struct store *st, struct store_conn **ret, struct ck_error *err)
{
	struct store_conn *c = pthread_getspecific(st->key);

	if (c) {
		*ret = c;
		return 0;
	}
	return conn_create(st, ret, err);
}

struct store_conn *store_conn_get(struct store *st)
{
	struct store_conn *c = NULL;

	if (conn_get(st, &c, NULL) < 0)
		return NULL;
	return c;
}

const struct store_driver *store_conn_driver(const struct store_conn *c) { return c->st->drv; }

void *store_conn_handle(struct store_conn *c) { return c->db; }

const char *store_dialect(const struct store_conn *c) { return c->st->drv->name; }

/* ---- open / close ---- */

static int parse_url(const char *url, const struct store_driver **ret_drv, const char **ret_rest,
		     struct ck_error *err)
{
	if (strlen(url) > STORE_URL_MAX)
		return ck_error_set(err, CK_E_TOOBIG, "db", "database URL longer than %d bytes",
				    STORE_URL_MAX);
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		size_t n = strlen(drivers[i].scheme);

		if (!strncmp(url, drivers[i].scheme, n)) {
			const char *rest = url + n;

			if (!strncmp(rest, "//", 2)) /* sqlite:///abs/path */
				rest += 2;
			*ret_drv = drivers[i].drv;
			*ret_rest = rest;
			return 0;
		}
	}
	if (strstr(url, "://"))
		return ck_error_set(err, CK_E_INVALID, "db", "unknown database URL scheme");
	*ret_drv = &store_sqlite_driver; /* a bare path */
	*ret_rest = url;
	return 0;
}

static int store_new(const struct store_driver *drv, const char *rest, struct store **ret,
		     struct ck_error *err)
{
	struct store *st = calloc(1, sizeof(*st));
	int is_memory = 0;
	int rc;

	if (!st)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	st->drv = drv;
	rc = drv->target(rest, &st->target, &is_memory, err);
	if (rc < 0)
		goto free_store;
	if (pthread_key_create(&st->key, conn_thread_exit)) {
		rc = ck_error_set(err, CK_E_NOMEM, NULL, "no thread key available");
		goto free_store;
	}
	pthread_mutex_init(&st->lock, NULL);
	if (is_memory) {
		rc = drv->open(st->target, &st->keeper, err);
		if (rc < 0) {
			store_close(st);
			return rc;
		}
	}
	*ret = st;
	return 0;
free_store:
	free(st->target);
	free(st);
	return rc;
}

int store_open(const char *url, int no_migrate, struct store **ret, struct ck_error *err)
{
	const struct store_driver *drv = NULL;
	const char *rest = NULL;
	struct store *st = NULL;
	struct store_conn *c = NULL;
	int rc;

	rc = parse_url(url, &drv, &rest, err);
	if (rc < 0)
		return rc;
	rc = store_new(drv, rest, &st, err);
	if (rc < 0)
		return rc;
	rc = conn_get(st, &c, err); /* proves the database can be opened */
	if (rc < 0)
		goto close_store;
	if (!no_migrate) {
		rc = store_migrate(st, NULL, err);
		if (rc < 0)
			goto close_store;
	}
	*ret = st;
	return 0;
close_store:
	store_close(st);
	return rc;
}

int store_set_statement_timeout(struct store *st, int ms, struct ck_error *err)
{
	struct store_conn *c = pthread_getspecific(st->key);

	st->timeout_ms = ms > 0 ? ms : 0;
	if (!c || !st->drv->set_statement_timeout)
		return 0;
	return st->drv->set_statement_timeout(c->db, st->timeout_ms, err);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	pthread_setspecific(st->key, NULL);
	pthread_mutex_lock(&st->lock);
	while (st->conns) {
		struct store_conn *c = st->conns;

		st->conns = c->next;
		conn_free(c);
	}
	pthread_mutex_unlock(&st->lock);
	pthread_key_delete(st->key);
	pthread_mutex_destroy(&st->lock);
	st->drv->close(st->keeper);
	free(st->target);
	free(st);
}

/* ---- statements ---- */

/* The text of `n` for this connection: composed once by n->build, then kept (when the table
 * is full the text is composed again on each call: correct, just slower). Borrowed. */
static const char *named_sql(struct store_conn *c, const struct store_named *n, struct strbuf *tmp)
{
	size_t h = ((uintptr_t)n >> 4) % STORE_NAMED_SLOTS;

	for (size_t k = 0; k < STORE_NAMED_SLOTS; k++) {
		struct named_text *e = &c->named[(h + k) % STORE_NAMED_SLOTS];
		if (e->key == n)
			return e->sql;
		if (e->key)
			continue;
		n->build(c->st->drv, tmp);
		if (strbuf_result(tmp))
			return NULL;
		e->sql = strbuf_take(tmp, NULL);
		if (!e->sql)
			return NULL;
		e->key = n;
		return e->sql;
	}
	n->build(c->st->drv, tmp);
	return strbuf_result(tmp) ? NULL : strbuf_str(tmp);
}

int store_named_query(struct store_conn *c, const struct store_named *n, struct store_stmt **ret,
		      struct ck_error *err)
{
	struct strbuf tmp;
	const char *sql;
	int r;

	strbuf_init(&tmp, STORE_NAMED_SQL_MAX);
	sql = named_sql(c, n, &tmp);
	r = sql ? store_query(c, sql, ret, err)
		: ck_error_set(err, CK_E_NOMEM, NULL, "statement %s: text not built", n->name);
	strbuf_release(&tmp);
	return r;
}

int store_exec(struct store_conn *c, const char *sql, struct ck_error *err)
{
	return c->st->drv->exec(c->db, sql, err);
}

int store_query(struct store_conn *c, const char *sql, struct store_stmt **ret,
		struct ck_error *err)
{
	uint64_t h = sql_hash(sql);
	struct store_stmt *s = cache_find(c, sql, h);
	int rc;

	if (s) {
		if (s->in_use)
			return ck_error_set(err, CK_E_INTERNAL, NULL,
					    "statement queried again before store_done()");
		c->hits++;
		lru_unlink(c, s);
		lru_push_front(c, s);
		c->st->drv->reset(s->drv_stmt);
	} else {
		rc = cache_add(c, sql, h, &s, err);
		if (rc < 0)
			return rc;
	}
	s->in_use = 1;
	*ret = s;
	return 0;
}

int store_bind_i64(struct store_stmt *s, int idx, int64_t v)
{
	return s->conn->st->drv->bind_i64(s->drv_stmt, idx, v);
}

int store_bind_double(struct store_stmt *s, int idx, double v)
{
	return s->conn->st->drv->bind_double(s->drv_stmt, idx, v);
}

int store_bind_text(struct store_stmt *s, int idx, const char *text, size_t len)
{
	if (!text)
		return store_bind_null(s, idx);
	if (len == (size_t)-1)
		len = strlen(text);
	return s->conn->st->drv->bind_text(s->drv_stmt, idx, text, len);
}

int store_bind_null(struct store_stmt *s, int idx)
{
	return s->conn->st->drv->bind_null(s->drv_stmt, idx);
}

int store_step(struct store_stmt *s, struct ck_error *err)
{
	return s->conn->st->drv->step(s->drv_stmt, err);
}

int store_col_count(struct store_stmt *s) { return s->conn->st->drv->col_count(s->drv_stmt); }

int store_col_is_null(struct store_stmt *s, int col)
{
	return s->conn->st->drv->col_is_null(s->drv_stmt, col);
}

int64_t store_col_i64(struct store_stmt *s, int col)
{
	return s->conn->st->drv->col_i64(s->drv_stmt, col);
}

double store_col_double(struct store_stmt *s, int col)
{
	return s->conn->st->drv->col_double(s->drv_stmt, col);
}

const char *store_col_text(struct store_stmt *s, int col, size_t *ret_len)
{
	return s->conn->st->drv->col_text(s->drv_stmt, col, ret_len);
}

const char *store_col_name(struct store_stmt *s, int col)
{
	return s->conn->st->drv->col_name(s->drv_stmt, col);
}

void store_done(struct store_stmt *s)
{
	struct store_conn *c;

	if (!s)
		return;
	c = s->conn;
	c->st->drv->reset(s->drv_stmt);
	c->st->drv->clear(s->drv_stmt);
	s->in_use = 0;
	if (c->entries > c->capacity) /* over the bound while everything was in use */
		cache_trim(c, c->capacity);
}

int64_t store_changes(struct store_conn *c) { return c->st->drv->changes(c->db); }

int store_scalar_i64(struct store_conn *c, const char *sql, const int64_t *params, int nparams,
		     int64_t *ret, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql, &s, err);

	if (rc < 0)
		return rc;
	for (int i = 0; i < nparams; i++) {
		rc = store_bind_i64(s, i + 1, params[i]);
		if (rc < 0) {
			ck_error_set(err, rc, NULL, "cannot bind parameter %d", i + 1);
			goto done;
		}
	}
	rc = store_step(s, err);
	if (rc < 0)
		goto done;
	*ret = rc == STORE_ROW ? store_col_i64(s, 0) : 0;
	rc = 0;
done:
	store_done(s);
	return rc;
}

/* ---- transactions ---- */

int store_tx_begin(struct store_conn *c, struct ck_error *err)
{
	int rc;

	if (c->in_tx)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "nested transaction");
	rc = c->st->drv->exec(c->db, c->st->drv->begin_sql, err);
	if (rc < 0)
		return rc;
	c->in_tx = 1;
	return 0;
}

/* Whether the deferred index's queue table exists: 1, 0, or a negative error. Looked for
 * until it does (tables are never dropped; before migration 9 there is none). */
static int deferred_index_exists(struct store_conn *c, struct ck_error *err)
{
	const struct store_driver *drv = c->st->drv;
	int rc;

	if (!drv->deferred_index_table)
		return 0;
	if (!c->deferred_index) {
		rc = drv->has_table(c->db, drv->deferred_index_table, err);
		if (rc <= 0)
			return rc;
		c->deferred_index = 1;
	}
	return 1;
}

/* One batch of the driver's deferred index in its own write transaction (store.h). The
 * queue's table is looked for until it exists (tables are never dropped, so a found table
 * stays found; before migration 9 there is nothing to drain). */
int store_deferred_index_drain(struct store_conn *c, int batch, int *ret_done, struct ck_error *err)
{
	const struct store_driver *drv = c->st->drv;
	int64_t done = 0;
	int rc = 0;

	*ret_done = 0;
	if (batch < 1)
		return ck_error_set(err, CK_E_INVALID, "batch", "batch size must be at least 1");
	if (!drv->deferred_index_table)
		return 0;
	if (c->in_tx)
		return ck_error_set(err, CK_E_INTERNAL, NULL,
				    "deferred index drained inside a transaction");
	rc = deferred_index_exists(c, err);
	if (rc <= 0)
		return rc;
	rc = store_tx_begin(c, err);
	for (size_t i = 0; rc >= 0 && drv->deferred_index_sql[i]; i++) {
		struct store_stmt *s = NULL;

		rc = store_query(c, drv->deferred_index_sql[i], &s, err);
		if (rc < 0)
			break;
		rc = store_bind_i64(s, 1, batch);
		if (rc < 0)
			ck_error_set(err, rc, NULL, "cannot bind the deferred index batch size");
		else
			rc = store_step(s, err);
		store_done(s);
		done = store_changes(c); /* of the last statement: the ids it took off the queue */
	}
	if (rc < 0) {
		store_tx_rollback(c);
		return rc;
	}
	rc = store_tx_commit(c, err);
	if (rc < 0)
		return rc;
	*ret_done = (int)done;
	return 0;
}

int store_deferred_index_drain_all(struct store_conn *c, int batch, int64_t *ret_total,
				   struct ck_error *err)
{
	int done = 0, rc;

	*ret_total = 0;
	do {
		rc = store_deferred_index_drain(c, batch, &done, err);
		*ret_total += done;
	} while (rc >= 0 && done == batch);
	return rc < 0 ? rc : 0;
}

int store_deferred_index_waiting(struct store_conn *c, int *ret, struct ck_error *err)
{
	char sql[128];
	int64_t n = 0;
	int rc = deferred_index_exists(c, err);

	*ret = 0;
	if (rc <= 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT 1)",
		 c->st->drv->deferred_index_table);
	rc = store_scalar_i64(c, sql, NULL, 0, &n, err);
	if (rc < 0)
		return rc;
	*ret = n > 0;
	return 0;
}

int store_checkpoint(struct store_conn *c, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc;

	if (!c->st->drv->checkpoint_sql)
		return 0;
	if (c->in_tx)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "checkpoint inside a transaction");
	rc = store_query(c, c->st->drv->checkpoint_sql, &s, err);
	if (rc < 0)
		return rc;
	while ((rc = store_step(s, err)) == STORE_ROW)
		;
	store_done(s);
	return rc < 0 ? rc : 0;
}

int store_after_bulk_load(struct store_conn *c, struct ck_error *err)
{
	int rc;

	if (!c->st->drv->after_bulk_load_sql)
		return 0;
	if (c->in_tx)
		return ck_error_set(err, CK_E_INTERNAL, NULL,
				    "after-bulk-load work inside a transaction");
	rc = store_exec(c, c->st->drv->after_bulk_load_sql, err);
	return rc < 0 ? rc : 1;
}

int store_tx_commit(struct store_conn *c, struct ck_error *err)
{
	int rc;

	if (!c->in_tx)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "commit without a transaction");
	rc = c->st->drv->exec(c->db, "COMMIT", err);
	if (rc < 0) /* the transaction is over either way: callers retry it whole */
		c->st->drv->exec(c->db, "ROLLBACK", NULL);
	c->in_tx = 0;
	return rc;
}

void store_tx_rollback(struct store_conn *c)
{
	if (!c->in_tx)
		return;
	c->st->drv->exec(c->db, "ROLLBACK", NULL);
	c->in_tx = 0;
}

int store_in_tx(const struct store_conn *c) { return c->in_tx; }
