/*
 * cli/cmd_admin — `certkeeper migrate`, `certkeeper user ...`, `certkeeper token ...`:
 * administration over store/ and domain/auth (never over HTTP).
 *
 * Every command takes --db URL (default: $CERTKEEPER_DB, else sqlite:certkeeper.db) and
 * returns 0 on success, 1 when the operation failed (message on stderr), 2 on a usage error.
 * `token create` prints the new key as its LAST line of standard output, so scripts can use
 * `certkeeper token create --user admin | tail -n1`.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/parse.h"
#include "domain/auth.h"
#include "store/store.h"

#define DEFAULT_DB "sqlite:certkeeper.db"
#define MAX_POSITIONAL 2
#define MIGRATE_INDEX_BATCH 5000 /* queued certificates indexed per transaction */

enum {
	OPT_DB = 1 << 0,
	OPT_SUPERUSER = 1 << 1,
	OPT_USER = 1 << 2,
	OPT_READ_ONLY = 1 << 3,
	OPT_DESCRIPTION = 1 << 4,
	OPT_EXPIRES = 1 << 5,
	OPT_V2 = 1 << 6,
};

struct opts {
	const char *db;
	const char *user;
	const char *description;
	const char *expires;
	int superuser, read_only, v2;
	const char *pos[MAX_POSITIONAL];
	int npos;
};

static const char usage_migrate[] =
    "usage: certkeeper migrate [--db URL]\n\n"
    "Applies pending database migrations (also done at every start of 'serve'), then indexes\n"
    "for search the certificates still queued for it (which 'serve' does in the background).\n\n"
    "  --db URL   database (default: $CERTKEEPER_DB, else " DEFAULT_DB ")\n";

static const char usage_user[] =
    "usage: certkeeper user create NAME [--superuser] [--db URL]\n"
    "       certkeeper user list [--db URL]\n"
    "       certkeeper user password NAME [--db URL]   (reads the password from the first\n"
    "                                                  line of standard input)\n\n"
    "  --superuser  the new user may do everything\n"
    "  --db URL     database (default: $CERTKEEPER_DB, else " DEFAULT_DB ")\n";

static const char usage_token[] =
    "usage: certkeeper token create --user NAME [--read-only] [--description TEXT]\n"
    "                               [--expires ISO-8601] [--v2] [--db URL]\n"
    "       certkeeper token list [--user NAME] [--db URL]\n"
    "       certkeeper token delete ID [--db URL]\n\n"
    "'token create' prints the key as its last line; it is shown only once.\n"
    "Send it as 'Authorization: Token KEY' (or 'Authorization: Bearer KEY' with --v2).\n\n"
    "  --user NAME         owner of the token\n"
    "  --read-only         the token may only read (GET/HEAD/OPTIONS)\n"
    "  --description TEXT  free text, at most 200 bytes\n"
    "  --expires WHEN      expiry date-time, e.g. 2027-01-31 or 2027-01-31T12:00:00Z\n"
    "  --v2                a v2 key (nbt_<id>.<secret>) instead of 40 hex digits\n"
    "  --db URL            database (default: $CERTKEEPER_DB, else " DEFAULT_DB ")\n";

static int usage_error(const char *cmd, const char *usage, const char *what, const char *arg)
{
	fprintf(stderr, "certkeeper %s: %s%s%s\n\n%s", cmd, what, arg ? " " : "", arg ? arg : "",
		usage);
	return 2;
}

/* Takes the value of option `name` (either "--name V" or "--name=V"); NULL if not it. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

/* Parses argv[first..] allowing the options in `allowed`. 0 or 2 (usage error printed). */
static int parse_opts(int argc, char **argv, int first, unsigned allowed, const char *cmd,
		      const char *usage, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = first; i < argc; i++) {
		const char *a = argv[i], *v;
		int missing = 0;

		if ((allowed & OPT_DB) && (v = opt_value(argc, argv, &i, "--db", &missing)))
			o->db = v;
		else if ((allowed & OPT_USER) &&
			 (v = opt_value(argc, argv, &i, "--user", &missing)))
			o->user = v;
		else if ((allowed & OPT_DESCRIPTION) &&
			 (v = opt_value(argc, argv, &i, "--description", &missing)))
			o->description = v;
		else if ((allowed & OPT_EXPIRES) &&
			 (v = opt_value(argc, argv, &i, "--expires", &missing)))
			o->expires = v;
		else if (missing)
			return usage_error(cmd, usage, "option needs a value:", a);
		else if ((allowed & OPT_SUPERUSER) && !strcmp(a, "--superuser"))
			o->superuser = 1;
		else if ((allowed & OPT_READ_ONLY) && !strcmp(a, "--read-only"))
			o->read_only = 1;
		else if ((allowed & OPT_V2) && !strcmp(a, "--v2"))
			o->v2 = 1;
		else if (a[0] == '-' && a[1] != '\0')
			return usage_error(cmd, usage, "unknown option", a);
		else if (o->npos < MAX_POSITIONAL)
			o->pos[o->npos++] = a;
		else
			return usage_error(cmd, usage, "unexpected argument", a);
	}
	if (!o->db)
		o->db = getenv("CERTKEEPER_DB");
	if (!o->db || !*o->db)
		o->db = DEFAULT_DB;
	return 0;
}

static int fail(const char *cmd, const struct ck_error *err, int rc)
{
	fprintf(stderr, "certkeeper %s: %s\n", cmd, err->msg[0] ? err->msg : ck_strerror(rc));
	return 1;
}

/* Opens the database (migrating unless no_migrate) and the calling thread's connection. */
static int open_db(const char *cmd, const char *url, int no_migrate, struct store **ret_st,
		   struct store_conn **ret_c)
{
	struct ck_error err;
	struct store *st = NULL;
	int rc;

	ck_error_clear(&err);
	rc = store_open(url, no_migrate, &st, &err);
	if (rc < 0)
		return fail(cmd, &err, rc);
	*ret_c = store_conn_get(st);
	if (!*ret_c) {
		store_close(st);
		fprintf(stderr, "certkeeper %s: cannot open a database connection\n", cmd);
		return 1;
	}
	*ret_st = st;
	return 0;
}

/* Empties the search index queue (store_deferred_index_drain_all): batches of its own
 * transaction, so that a server on the same database keeps writing in between. */
static int drain_search_queue(struct store_conn *c, struct ck_error *err)
{
	int64_t total = 0;
	int rc = store_deferred_index_drain_all(c, MIGRATE_INDEX_BATCH, &total, err);

	if (rc >= 0 && total)
		printf("Indexed %lld queued certificate(s) for search.\n", (long long)total);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	struct store *st = NULL;
	struct store_conn *c = NULL;
	struct ck_error err;
	struct opts o;
	int applied = 0, rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_migrate, stdout);
		return 0;
	}
	if (parse_opts(argc, argv, 1, OPT_DB, "migrate", usage_migrate, &o))
		return 2;
	if (o.npos)
		return usage_error("migrate", usage_migrate, "unexpected argument", o.pos[0]);
	if (open_db("migrate", o.db, 1, &st, &c))
		return 1;
	ck_error_clear(&err);
	rc = store_migrate(st, &applied, &err);
	if (rc < 0) {
		store_close(st);
		return fail("migrate", &err, rc);
	}
	printf("Applied %d migration(s); schema version %d.\n", applied, store_schema_version(st));
	rc = drain_search_queue(c, &err);
	store_close(st);
	return rc < 0 ? fail("migrate", &err, rc) : 0;
}

/* ---- user ---- */

static int user_create(struct store_conn *c, const struct opts *o)
{
	struct ck_error err;
	int64_t id = 0;
	int rc;

	ck_error_clear(&err);
	rc = auth_user_create(c, o->pos[1], o->superuser, &id, &err);
	if (rc < 0)
		return fail("user create", &err, rc);
	printf("Created user %s (id %lld%s).\n", o->pos[1], (long long)id,
	       o->superuser ? ", superuser" : "");
	return 0;
}

static int user_list(struct store_conn *c)
{
	struct auth_user *v = NULL;
	struct ck_error err;
	size_t n = 0;
	int rc;

	ck_error_clear(&err);
	rc = auth_user_list(c, &v, &n, &err);
	if (rc < 0)
		return fail("user list", &err, rc);
	printf("%-6s %-30s %-9s %s\n", "ID", "USERNAME", "SUPERUSER", "ACTIVE");
	for (size_t i = 0; i < n; i++)
		printf("%-6lld %-30s %-9s %s\n", (long long)v[i].id, v[i].username,
		       v[i].is_superuser ? "yes" : "no", v[i].is_active ? "yes" : "no");
	free(v);
	return 0;
}

/* Reads the first line of standard input (without its line end) into buf. */
static int read_password_line(char *buf, size_t size)
{
	size_t n;

	if (!fgets(buf, (int)size, stdin))
		return -1;
	n = strlen(buf);
	if (n == size - 1 && buf[n - 1] != '\n' && !feof(stdin))
		return -2; /* longer than the limit */
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

static int user_password(struct store_conn *c, const struct opts *o)
{
	static char line[AUTH_PASSWORD_MAX + 2];
	struct ck_error err;
	int rc = read_password_line(line, sizeof(line));

	if (rc == -1) {
		fprintf(stderr, "certkeeper user password: no password on standard input\n");
		return 1;
	}
	if (rc == -2) {
		fprintf(stderr, "certkeeper user password: password longer than %d bytes\n",
			AUTH_PASSWORD_MAX);
		return 1;
	}
	ck_error_clear(&err);
	rc = auth_user_set_password(c, o->pos[1], line, &err);
	memset(line, 0, sizeof(line));
	if (rc == CK_E_NOTFOUND) {
		fprintf(stderr, "certkeeper user password: unknown user '%s'\n", o->pos[1]);
		return 1;
	}
	if (rc < 0)
		return fail("user password", &err, rc);
	printf("Password set for user %s.\n", o->pos[1]);
	return 0;
}

int cmd_user(int argc, char **argv)
{
	struct store *st = NULL;
	struct store_conn *c = NULL;
	struct opts o;
	const char *sub;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_user, stdout);
		return 0;
	}
	if (parse_opts(argc, argv, 1, OPT_DB | OPT_SUPERUSER, "user", usage_user, &o))
		return 2;
	sub = o.npos ? o.pos[0] : NULL;
	if (!sub)
		return usage_error("user", usage_user, "missing subcommand", NULL);
	if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "password"))
		return usage_error("user", usage_user, "unknown subcommand", sub);
	if (!strcmp(sub, "list") ? o.npos != 1 : o.npos != 2)
		return usage_error("user", usage_user, "wrong number of arguments for", sub);
	if (o.superuser && strcmp(sub, "create"))
		return usage_error("user", usage_user, "--superuser only applies to", "create");
	if (open_db("user", o.db, 0, &st, &c))
		return 1;
	if (!strcmp(sub, "create"))
		rc = user_create(c, &o);
	else if (!strcmp(sub, "list"))
		rc = user_list(c);
	else
		rc = user_password(c, &o);
	store_close(st);
	return rc;
}

/* ---- token ---- */

/* Resolves --user NAME to an id; prints the error. 0 or 1. */
static int find_user(struct store_conn *c, const char *cmd, const char *name, int64_t *ret_id)
{
	struct auth_user u;
	struct ck_error err;
	int rc;

	ck_error_clear(&err);
	rc = auth_user_find(c, name, &u, &err);
	if (rc == CK_E_NOTFOUND) {
		fprintf(stderr, "certkeeper %s: unknown user '%s'\n", cmd, name);
		return 1;
	}
	if (rc < 0)
		return fail(cmd, &err, rc);
	*ret_id = u.id;
	return 0;
}

static int token_create(struct store_conn *c, const struct opts *o)
{
	struct ck_error err;
	int64_t uid = 0, id = 0, expires = 0;
	char *key = NULL;
	int rc;

	if (o->expires && ck_parse_time(o->expires, &expires) < 0) {
		fprintf(stderr, "certkeeper token create: --expires: not an ISO 8601 date: %s\n",
			o->expires);
		return 1;
	}
	if (find_user(c, "token create", o->user, &uid))
		return 1;
	ck_error_clear(&err);
	rc = (o->v2 ? auth_token_create_v2 : auth_token_create)(
	    c, uid, !o->read_only, o->description, expires, &key, &id, &err);
	if (rc < 0)
		return fail("token create", &err, rc);
	printf("Created %s token %lld for user %s.\n", o->read_only ? "read-only" : "write-enabled",
	       (long long)id, o->user);
	printf("Copy the key now; it cannot be shown again. Use: Authorization: %s <key>\n",
	       o->v2 ? "Bearer" : "Token");
	printf("%s\n", key);
	free(key);
	return 0;
}

static void print_time(int64_t t)
{
	char buf[21];

	if (!t) {
		printf(" %-20s", "-");
		return;
	}
	ck_format_time(t, buf);
	printf(" %-20s", buf);
}

static int token_list(struct store_conn *c, const struct opts *o)
{
	struct auth_token_row *v = NULL;
	struct ck_error err;
	int64_t uid = 0;
	size_t n = 0;
	int rc;

	if (o->user && find_user(c, "token list", o->user, &uid))
		return 1;
	ck_error_clear(&err);
	rc = auth_token_list(c, uid, &v, &n, &err);
	if (rc < 0)
		return fail("token list", &err, rc);
	printf("%-6s %-7s %-12s %-5s %-20s %-20s %s\n", "ID", "USER_ID", "PREFIX", "WRITE",
	       "EXPIRES", "LAST_USED", "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		printf("%-6lld %-7lld %-12s %-5s", (long long)v[i].id, (long long)v[i].user_id,
		       v[i].key_prefix, v[i].write_enabled ? "yes" : "no");
		print_time(v[i].expires);
		print_time(v[i].last_used);
		printf(" %s\n", v[i].description);
	}
	free(v);
	return 0;
}

static int token_delete(struct store_conn *c, const struct opts *o)
{
	struct ck_error err;
	int64_t id = 0;
	int rc;

	if (ck_parse_i64(o->pos[1], 1, INT64_MAX, &id) < 0) {
		fprintf(stderr, "certkeeper token delete: not a token id: %s\n", o->pos[1]);
		return 1;
	}
	ck_error_clear(&err);
	rc = auth_token_delete(c, id, &err);
	if (rc == CK_E_NOTFOUND) {
		fprintf(stderr, "certkeeper token delete: no token with id %lld\n", (long long)id);
		return 1;
	}
	if (rc < 0)
		return fail("token delete", &err, rc);
	printf("Deleted token %lld.\n", (long long)id);
	return 0;
}

/* Checks the arguments of a token subcommand; 0 or 2 (usage error printed). */
static int token_check(const char *sub, const struct opts *o)
{
	int is_create = !strcmp(sub, "create"), is_delete = !strcmp(sub, "delete");

	if (!is_create && !is_delete && strcmp(sub, "list"))
		return usage_error("token", usage_token, "unknown subcommand", sub);
	if (o->npos != (is_delete ? 2 : 1))
		return usage_error("token", usage_token, "wrong number of arguments for", sub);
	if (is_create && !o->user)
		return usage_error("token", usage_token, "create needs", "--user NAME");
	if (!is_create && (o->read_only || o->description || o->expires || o->v2))
		return usage_error("token", usage_token, "option only applies to", "create");
	if (is_delete && o->user)
		return usage_error("token", usage_token, "--user does not apply to", "delete");
	return 0;
}

int cmd_token(int argc, char **argv)
{
	struct store *st = NULL;
	struct store_conn *c = NULL;
	struct opts o;
	const char *sub;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_token, stdout);
		return 0;
	}
	if (parse_opts(argc, argv, 1,
		       OPT_DB | OPT_USER | OPT_READ_ONLY | OPT_DESCRIPTION | OPT_EXPIRES | OPT_V2,
		       "token", usage_token, &o))
		return 2;
	sub = o.npos ? o.pos[0] : NULL;
	if (!sub)
		return usage_error("token", usage_token, "missing subcommand", NULL);
	if (token_check(sub, &o))
		return 2;
	if (open_db("token", o.db, 0, &st, &c))
		return 1;
	if (!strcmp(sub, "create"))
		rc = token_create(c, &o);
	else if (!strcmp(sub, "list"))
		rc = token_list(c, &o);
	else
		rc = token_delete(c, &o);
	store_close(st);
	return rc;
}
