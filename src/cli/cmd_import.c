/*
 * cli/cmd_import — `certkeeper import [--db URL] [--tenant ID] [--user NAME] [--batch N] FILE...`
 *
 * Each FILE (or `-` for standard input, at most once) is one PEM input: a leaf certificate
 * optionally followed by its chain; it becomes ONE certificate, through the same domain path
 * as POST certificates/import/ (duplicate refusal, CA/ACME detection, changelog rows written
 * as --user, default "system"). Inputs are imported in batches of N files per transaction
 * (default IMPORT_DEFAULT_BATCH): a failing batch is rolled back whole and the command stops,
 * naming the file and the reason; batches committed before it stay.
 *
 * --skip-existing: an input whose certificate is already stored (same identity or fingerprint,
 * the duplicate rule of the import) is reported on standard output and skipped instead of
 * failing its batch, so an import interrupted by a crash can be run again over the same files.
 *
 * Limits: each file at most the configured max_pem_bytes (the API's PEM cap); N at most
 * IMPORT_MAX_BATCH. Exit status: 0 all imported, 1 a failure, 2 a usage error.
 */
#include "api/api.h"
#include "api/resources.h"
#include "cli/commands.h"
#include "core/config.h"
#include "core/parse.h"
#include "domain/auth.h"
#include "domain/certificate.h"
#include "domain/import.h"
#include "domain/model.h"
#include "store/store.h"
#include "x509/x509.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMPORT_DEFAULT_BATCH 500
#define IMPORT_MAX_BATCH 10000 /* files per transaction (memory: N x max_pem_bytes) */

struct import_opts {
	const char *db;
	const char *user;
	int64_t tenant; /* 0: none */
	int64_t batch;
	int skip_existing;
	char **files;
	int nfiles;
};

/* One batch in memory: file contents and their parsed bundles. */
struct batch {
	char **pems;
	size_t *lens;
	struct x509_bundle **bundles;
	int64_t *ids;
	char **skipped; /* --skip-existing: why input i was skipped (malloc'ed), else NULL */
	size_t n;
	int64_t tenant;
	int skip_existing;
};

static const char usage_text[] =
    "usage: certkeeper import [--db URL] [--tenant ID] [--user NAME] [--batch N] [--skip-existing] "
    "FILE...\n\n"
    "Imports PEM certificates into the database, one certificate per FILE (a leaf, optionally\n"
    "followed by its chain). FILE '-' reads standard input. Duplicates and private keys are\n"
    "refused. Files are imported N per transaction; a failing batch is rolled back and the\n"
    "command stops, naming the file (batches before it stay imported).\n\n"
    "  --db URL      database (default: $CERTKEEPER_DB, else sqlite:certkeeper.db)\n"
    "  --tenant ID   owning tenant of every imported certificate\n"
    "  --user NAME   user recorded in the changelog (default: system)\n"
    "  --batch N     files per transaction, 1..10000 (default 500)\n"
    "  --skip-existing  report and skip certificates already stored instead of failing\n"
    "                (resumes an interrupted import)\n";

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "certkeeper import: %s%s%s\n\n%s", what, arg ? " " : "", arg ? arg : "",
		usage_text);
	return 2;
}

/* Value of "--name V" or "--name=V" at argv[*i]; NULL when argv[*i] is not that option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static int parse_number_opt(const char *name, const char *v, int64_t min, int64_t max, int64_t *ret)
{
	if (ck_parse_i64(v, min, max, ret)) {
		fprintf(
		    stderr,
		    "certkeeper import: %s must be an integer from %lld to %lld, not '%s'\n\n%s",
		    name, (long long)min, (long long)max, v, usage_text);
		return 2;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct import_opts *o)
{
	int nstdin = 0, missing = 0, r = 0;
	const char *v;

	o->batch = IMPORT_DEFAULT_BATCH;
	o->files = calloc((size_t)argc, sizeof(*o->files));
	if (!o->files)
		return 1;
	for (int i = 1; i < argc && !r; i++) {
		if ((v = opt_value(argc, argv, &i, "--db", &missing)))
			o->db = v;
		else if ((v = opt_value(argc, argv, &i, "--user", &missing)))
			o->user = v;
		else if ((v = opt_value(argc, argv, &i, "--tenant", &missing)))
			r = parse_number_opt("--tenant", v, 1, INT64_MAX, &o->tenant);
		else if ((v = opt_value(argc, argv, &i, "--batch", &missing)))
			r = parse_number_opt("--batch", v, 1, IMPORT_MAX_BATCH, &o->batch);
		else if (!strcmp(argv[i], "--skip-existing"))
			o->skip_existing = 1;
		else if (missing)
			r = usage_error("missing value for", argv[i]);
		else if (argv[i][0] == '-' && argv[i][1])
			r = usage_error("unknown option", argv[i]);
		else if (!strcmp(argv[i], "-") && nstdin++)
			r = usage_error("standard input ('-') given more than once", NULL);
		else
			o->files[o->nfiles++] = argv[i];
	}
	if (!r && !o->nfiles)
		r = usage_error("no FILE given", NULL);
	return r;
}

/* Reads a whole file (or stdin for "-") of at most `cap` bytes into *ret (NUL-terminated,
 * caller frees). Messages name the reason; the caller names the file. */
static int read_input(const char *path, size_t cap, char **ret, size_t *ret_len, char *why,
		      size_t whylen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t len = 0;
	int r = 1;

	if (!f) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return 1;
	}
	buf = malloc(cap + 2);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		goto close_file;
	}
	len = fread(buf, 1, cap + 1, f);
	if (ferror(f)) {
		snprintf(why, whylen, "read error: %s", strerror(errno));
		goto close_file;
	}
	if (len > cap) {
		snprintf(why, whylen, "larger than the %zu-byte PEM limit (max_pem_bytes)", cap);
		goto close_file;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
close_file:
	free(buf);
	if (f != stdin)
		fclose(f);
	return r;
}

static void batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->pems[i]);
		x509_bundle_free(b->bundles[i]);
		free(b->skipped[i]);
		b->pems[i] = NULL;
		b->bundles[i] = NULL;
		b->skipped[i] = NULL;
	}
	b->n = 0;
}

static int batch_init(struct batch *b, size_t cap, int64_t tenant, int skip_existing)
{
	memset(b, 0, sizeof(*b));
	b->tenant = tenant;
	b->skip_existing = skip_existing;
	b->skipped = calloc(cap, sizeof(*b->skipped));
	b->pems = calloc(cap, sizeof(*b->pems));
	b->lens = calloc(cap, sizeof(*b->lens));
	b->bundles = calloc(cap, sizeof(*b->bundles));
	b->ids = calloc(cap, sizeof(*b->ids));
	return b->pems && b->lens && b->bundles && b->ids && b->skipped ? 0 : CK_E_NOMEM;
}

static void batch_release(struct batch *b)
{
	batch_clear(b);
	free(b->pems);
	free(b->lens);
	free(b->bundles);
	free(b->ids);
	free(b->skipped);
}

/* Parses every input of the batch before any write; err->index names the failing one. */
static int batch_parse(const struct dom_ctx *ctx, struct batch *b, struct ck_error *err)
{
	struct x509_limits lim;

	x509_limits_default(&lim);
	lim.max_input = (size_t)ctx->cfg->max_pem_bytes;
	for (size_t i = 0; i < b->n; i++) {
		int r = x509_parse_input(b->pems[i], b->lens[i], &lim, &b->bundles[i], err);
		if (!r && !b->bundles[i]->ncerts)
			r = ck_error_set(err, CK_E_PARSE, "pem_content",
					 "No valid certificate found in input.");
		if (r) {
			if (err)
				err->index = (long)i;
			return r;
		}
	}
	return 0;
}

/* --skip-existing: remembers why input i was skipped. */
static int note_skipped(void *arg, size_t i, const struct ck_error *why)
{
	struct batch *b = arg;

	b->skipped[i] = strdup(why->msg);
	return b->skipped[i] ? 0 : CK_E_NOMEM;
}

/* One certificate per input, through the import command (domain/import.h) exactly as
 * certificates/import/ does: one unit of work for the batch; err->index names the failing
 * input. */
static int batch_write(const struct dom_ctx *ctx, struct batch *b, struct ck_error *err)
{
	struct dom_record *recs = calloc(b->n ? b->n : 1, sizeof(*recs));
	struct dom_cert_import imp = {
	    .recs = recs,
	    .n = b->n,
	    .dups = b->skip_existing ? DOM_IMPORT_DUP_SKIP : DOM_IMPORT_DUP_REFUSE,
	    .ret_ids = b->ids,
	    .on_skip = note_skipped,
	    .arg = b,
	};
	int r = recs ? 0 : CK_E_NOMEM;

	for (size_t i = 0; i < b->n && !r; i++) {
		const struct x509_bundle *bu = b->bundles[i];
		r = dom_record_init(&recs[i], dom_model_names(&dom_model_certificates),
				    dom_model_certificates.nfields);
		if (!r)
			r = dom_cert_record_from_x509(&recs[i], &bu->certs[0], bu->issuer_chain);
		if (!r && b->tenant)
			r = dom_record_set_int(&recs[i], "tenant", b->tenant);
	}
	if (!r)
		r = dom_cert_import(ctx, &imp, err);
	for (size_t i = 0; recs && i < b->n; i++)
		dom_record_release(&recs[i]);
	free(recs);
	return r;
}

static void report_failure(const struct import_opts *o, int first, const struct batch *b,
			   const struct ck_error *err, size_t done)
{
	long idx = err->index >= 0 && (size_t)err->index < b->n ? err->index : 0;
	const char *file = o->files[first + idx];

	fprintf(stderr, "certkeeper import: %s: %s%s%s\n",
		strcmp(file, "-") ? file : "(standard input)",
		err->field[0] && strcmp(err->field, "pem_content") ? err->field : "",
		err->field[0] && strcmp(err->field, "pem_content") ? ": " : "",
		err->msg[0] ? err->msg : "import failed");
	fprintf(stderr,
		"certkeeper import: batch of %zu file(s) from %s rolled back; %zu certificate(s) "
		"imported before it\n",
		b->n, o->files[first], done);
}

/* Fills the batch from files[first..], then parses and writes it in one transaction. */
static int import_batch(const struct dom_ctx *ctx, const struct import_opts *o, int first,
			struct batch *b, size_t done)
{
	struct ck_error err;
	size_t cap = (size_t)ctx->cfg->max_pem_bytes;
	char why[200];
	int r;

	ck_error_clear(&err);
	batch_clear(b);
	for (int i = first; i < o->nfiles && b->n < (size_t)o->batch; i++) {
		if (read_input(o->files[i], cap, &b->pems[b->n], &b->lens[b->n], why,
			       sizeof(why))) {
			fprintf(stderr, "certkeeper import: %s: %s\n", o->files[i], why);
			return 1;
		}
		b->n++;
	}
	r = batch_parse(ctx, b, &err);
	if (!r)
		r = batch_write(ctx, b, &err);
	if (r) {
		report_failure(o, first, b, &err, done);
		return 1;
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->skipped[i])
			printf("skipped %s: %s\n",
			       strcmp(o->files[first + (int)i], "-") ? o->files[first + (int)i]
								     : "(standard input)",
			       b->skipped[i]);
	return 0;
}

/* Resolves --user and checks --tenant before any file is read. */
static int check_actor(struct store_conn *c, const struct import_opts *o, struct auth_user *user)
{
	struct ck_error err;

	ck_error_clear(&err);
	if (o->user && auth_user_find(c, o->user, user, &err)) {
		fprintf(stderr, "certkeeper import: --user %s: %s\n", o->user,
			err.code == CK_E_NOTFOUND ? "no such user" : err.msg);
		return 1;
	}
	if (o->tenant && store_id_exists(c, "tenants", o->tenant, &err) != 1) {
		fprintf(stderr, "certkeeper import: --tenant %lld: %s\n", (long long)o->tenant,
			err.msg[0] ? err.msg : "no such tenant");
		return 1;
	}
	return 0;
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Runs every batch; prints the summary. */
static int run_import(struct api_app *app, const struct import_opts *o)
{
	struct ck_error err;
	struct auth_user user;
	struct api_local *snap = NULL; /* changelog snapshots as the API renders the objects */
	struct batch b;
	struct timespec t0;
	struct store_conn *c = store_conn_get(app->store);
	size_t done = 0, skipped = 0;
	int r = 1;
	double t;

	if (!c) {
		fprintf(stderr, "certkeeper import: cannot connect to %s\n", app->cfg.db);
		return 1;
	}
	if (check_actor(c, o, &user))
		return 1;
	if (batch_init(&b, (size_t)o->batch, o->tenant, o->skip_existing)) {
		fprintf(stderr, "certkeeper import: out of memory\n");
		goto release_batch;
	}
	snap = api_local_new(app, c, o->user ? &user : NULL);
	if (!snap) {
		fprintf(stderr, "certkeeper import: out of memory\n");
		goto release_batch;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int first = 0; first < o->nfiles; first += (int)b.n) {
		if (import_batch(api_local_ctx(snap), o, first, &b, done))
			goto release_req;
		for (size_t i = 0; i < b.n; i++)
			skipped += b.skipped[i] != NULL;
		done += b.n;
		api_local_reset(snap);
	}
	/* the log the import wrote goes back into the database within the measured time (a
	 * writer checkpoints itself only past a large log, store/sqlite.c) */
	ck_error_clear(&err);
	if (store_checkpoint(c, &err) < 0)
		fprintf(stderr, "certkeeper import: checkpoint: %s (the import is committed)\n",
			err.msg);
	t = elapsed_s(&t0);
	done -= skipped;
	if (o->skip_existing)
		printf("imported %zu certificates, skipped %zu existing, in %.2f s (%.0f/s)\n",
		       done, skipped, t, t > 0 ? (double)done / t : 0.0);
	else
		printf("imported %zu certificates in %.2f s (%.0f/s)\n", done, t,
		       t > 0 ? (double)done / t : 0.0);
	r = 0;
release_req:
	api_local_free(snap);
release_batch:
	batch_release(&b);
	return r;
}

int cmd_import(int argc, char **argv)
{
	static struct api_app app;
	struct import_opts o = {0};
	struct ck_error err;
	int r;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	ck_config_defaults(&app.cfg);
	ck_error_clear(&err);
	if (ck_config_load_env(&app.cfg, &err)) {
		fprintf(stderr, "certkeeper import: %s%s%s\n", err.field, err.field[0] ? ": " : "",
			err.msg);
		return 1;
	}
	r = parse_args(argc, argv, &o);
	if (r)
		goto free_files;
	if (o.db && ck_config_set(&app.cfg, "db", o.db, &err)) {
		r = usage_error("invalid --db", o.db);
		goto free_files;
	}
	if (store_open(app.cfg.db, 0, &app.store, &err)) {
		fprintf(stderr, "certkeeper import: cannot open database %s: %s\n", app.cfg.db,
			err.msg);
		r = 1;
		goto free_files;
	}
	app.version = "cli";
	app.started = (int64_t)time(NULL);
	r = run_import(&app, &o);
	store_close(app.store);
free_files:
	free(o.files);
	return r;
}
