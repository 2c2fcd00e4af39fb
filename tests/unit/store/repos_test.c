/* Unit tests for the repositories the domain rules and the actions read through
 * (store/certificates.h, store/assignments.h, store/lookup.c): every function against a
 * seeded database, on SQLite always and on PostgreSQL when CK_TEST_PG_URL names a server
 * (the same tests, a fresh database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/assignments.h"
#include "store/certificates.h"
#include "store/store.h"

/* tenants 1, 2; device 1 (tenant 1), VM 1 (tenant 2); service 1 on the device, 2 on the VM;
 * certificates 1, 2 (same CN, active, tenant 1; 2 is newer), 3 (expired), 4 (replaced,
 * archive_pinned); assignments of certificate 1 to device 1, service 2 and a deleted device
 * 99; CSR 1; three lifecycle events of certificate 1. */
static const char seed_sql[] =
    "INSERT INTO tenants (id, name, slug, created, last_updated) VALUES (1, 't1', 't1', 0, 0), (2, "
    "'t2', 't2', 0, 0);"
    "INSERT INTO devices (id, name, tenant_id, created, last_updated) VALUES (1, 'dev1', 1, 0, 0);"
    "INSERT INTO virtual_machines (id, name, tenant_id, created, last_updated) VALUES (1, 'vm1', "
    "2, 0, 0);"
    "INSERT INTO services (id, name, device_id, virtual_machine_id, created, last_updated)"
    " VALUES (1, 'svc-d', 1, NULL, 0, 0), (2, 'svc-v', NULL, 1, 0, 0);"
    "INSERT INTO certificates (id, common_name, serial_number, serial_key, fingerprint_sha256, "
    "issuer, issuer_key,"
    " valid_from, valid_to, status, tenant_id, archive_pinned, pem_content, issuer_chain, created, "
    "last_updated)"
    " VALUES (1, 'a.example', '01', '1', 'F1', 'CN=Issuer A', 'cn=issuer a', 0, 1000, 'active', 1, "
    "0, 'PEMTEXT', '', 0, 0),"
    " (2, 'a.example', '02', '2', 'F2', 'CN=Issuer A', 'cn=issuer a', 0, 2000, 'active', 1, 0, '', "
    "'CHAIN', 0, 0),"
    " (3, 'b.example', '03', '3', 'F3', 'CN=Issuer B', 'cn=issuer b', 0, 500, 'expired', NULL, 0, "
    "'', '', 0, 0),"
    " (4, 'c.example', '04', '4', 'F4', 'CN=Issuer B', 'cn=issuer b', 0, 100, 'replaced', NULL, 1, "
    "'', '', 0, 0);"
    "INSERT INTO assignments (id, certificate_id, assigned_object_type, assigned_object_id, "
    "created, last_updated)"
    " VALUES (1, 1, 'dcim.device', 1, 0, 0), (2, 1, 'ipam.service', 2, 0, 0), (3, 1, "
    "'dcim.device', 99, 0, 0);"
    "INSERT INTO csrs (id, common_name, fingerprint_sha256, pem_content, requested_date, created, "
    "last_updated)"
    " VALUES (1, 'csr.example', 'CF1', 'PEM', 0, 0, 0);"
    "INSERT INTO lifecycle_events (id, certificate_id, event_type, timestamp, description, "
    "related_certificate_id, actor)"
    " VALUES (1, 1, 'imported', 10, 'first', NULL, 'admin'), (2, 1, 'renewed', 20, 'second', 2, "
    "'admin'),"
    " (3, 1, 'status_changed', 20, 'third', NULL, '');";

struct fixture {
	struct store *st;
	struct store_conn *c;
};

static int open_seeded(void **state, const char *url)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ck_error err = {0};

	if (!f || store_open(url, 0, &f->st, &err))
		return -1;
	f->c = store_conn_get(f->st);
	if (!f->c || store_exec(f->c, seed_sql, &err)) {
		fprintf(stderr, "seed: %s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup_sqlite(void **state) { return open_seeded(state, "sqlite::memory:"); }

/* A fresh database on the CK_TEST_PG_URL server. */
static int setup_postgres(void **state)
{
	const char *base = getenv("CK_TEST_PG_URL");
	const char *q = strchr(base, '?');
	char name[64], sql[128], url[512];
	struct store *admin = NULL;
	struct ck_error err = {0};

	snprintf(name, sizeof(name), "ck_repos_%ld_%d", (long)time(NULL), (int)getpid());
	if (store_open(base, 1, &admin, &err))
		return -1;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	if (store_exec(store_conn_get(admin), sql, &err))
		return -1;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	if (store_exec(store_conn_get(admin), sql, &err))
		return -1;
	store_close(admin);
	snprintf(url, sizeof(url), "postgresql:///%s%s", name, q ? q : "");
	return open_seeded(state, url);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	free(f);
	return 0;
}

static struct store_conn *conn(void **state) { return ((struct fixture *)*state)->c; }

static int64_t scalar(struct store_conn *c, const char *sql)
{
	int64_t v = -1;

	assert_int_equal(store_scalar_i64(c, sql, NULL, 0, &v, NULL), 0);
	return v;
}

static void test_lookup_by_text(void **state)
{
	int64_t id = -7;

	assert_int_equal(store_id_by_text(conn(state), "tenants", "name", "t2", &id, NULL), 1);
	assert_int_equal(id, 2);
	id = -7;
	assert_int_equal(store_id_by_text(conn(state), "tenants", "name", "T2", &id, NULL), 0);
	assert_int_equal(id, -7); /* not written when absent */
	assert_int_equal(
	    store_id_by_text(conn(state), "csrs", "fingerprint_sha256", "CF1", &id, NULL), 1);
	assert_int_equal(id, 1);
	assert_int_equal(store_id_exists(conn(state), "tenants", 2, NULL), 1);
	assert_int_equal(store_id_exists(conn(state), "tenants", 3, NULL), 0);
}

static void test_cert_reads(void **state)
{
	struct store_cert_brief b;
	struct store_cert_state s;
	struct ck_error err = {0};
	int64_t tenant = -1;
	char *pem = NULL, *chain = NULL;
	size_t pem_len = 9, chain_len = 9;

	assert_int_equal(store_cert_brief(conn(state), 1, &b, NULL), 1);
	assert_string_equal(b.common_name, "a.example");
	assert_string_equal(b.status, "active");
	assert_string_equal(b.issuer, "CN=Issuer A");
	assert_int_equal(store_cert_brief(conn(state), 99, &b, &err), 0);
	assert_int_equal(err.code, 0); /* absence is not an error */

	assert_int_equal(store_cert_state(conn(state), 3, &s, NULL), 0);
	assert_string_equal(s.status, "expired");
	assert_int_equal(s.tenant_id, 0);
	assert_int_equal(s.replaced_by, 0);
	assert_int_equal(store_cert_state(conn(state), 99, &s, &err), CK_E_NOTFOUND);

	assert_int_equal(store_cert_tenant(conn(state), 1, &tenant, NULL), 0);
	assert_int_equal(tenant, 1);
	assert_int_equal(store_cert_tenant(conn(state), 3, &tenant, NULL), 0);
	assert_int_equal(tenant, 0);
	assert_int_equal(store_cert_tenant(conn(state), 99, &tenant, NULL), 0);
	assert_int_equal(tenant, 0);

	assert_int_equal(store_cert_pem(conn(state), 1, &pem, &pem_len, &chain, &chain_len, NULL),
			 0);
	assert_string_equal(pem, "PEMTEXT");
	assert_int_equal(pem_len, 7);
	assert_string_equal(chain, "");
	assert_int_equal(chain_len, 0);
	free(pem);
	free(chain);
	assert_int_equal(store_cert_pem(conn(state), 2, &pem, &pem_len, &chain, &chain_len, NULL),
			 0);
	assert_int_equal(pem_len, 0);
	assert_string_equal(chain, "CHAIN");
	free(pem);
	free(chain);
	assert_int_equal(store_cert_pem(conn(state), 99, &pem, &pem_len, &chain, &chain_len, &err),
			 CK_E_NOTFOUND);
}

static void test_renewal_candidate(void **state)
{
	int64_t id = -1;

	/* the newest active certificate of the CN, never the one being imported */
	assert_int_equal(store_cert_renewal_candidate(conn(state), "a.example", "F9", 0, &id, NULL),
			 0);
	assert_int_equal(id, 2);
	assert_int_equal(store_cert_renewal_candidate(conn(state), "a.example", "F2", 1, &id, NULL),
			 0);
	assert_int_equal(id, 1);
	assert_int_equal(store_cert_renewal_candidate(conn(state), "a.example", "F9", 2, &id, NULL),
			 0);
	assert_int_equal(id, 0); /* another tenant's */
	assert_int_equal(store_cert_renewal_candidate(conn(state), "b.example", "F9", 0, &id, NULL),
			 0);
	assert_int_equal(id, 0); /* expired is no candidate */
}

static void test_lifecycle_list(void **state)
{
	struct store_lifecycle_event ev;
	struct store_stmt *st;
	int64_t ids[4] = {0};
	size_t n = 0;
	int r;

	assert_int_equal(store_lifecycle_list(conn(state), 1, 2, &st, NULL), 0);
	while ((r = store_lifecycle_next(st, &ev, NULL)) == 1) {
		assert_true(n < 4);
		ids[n++] = ev.id;
		if (ev.id == 2) {
			assert_string_equal(ev.type, "renewed");
			assert_int_equal(ev.related, 2);
			assert_int_equal(ev.timestamp, 20);
			assert_string_equal(ev.actor, "admin");
		} else {
			assert_int_equal(ev.related, 0); /* NULL */
			assert_string_equal(ev.description, "third");
		}
	}
	store_done(st);
	assert_int_equal(r, 0);
	assert_int_equal(n, 2);	     /* the limit */
	assert_int_equal(ids[0], 3); /* same timestamp: newer id first */
	assert_int_equal(ids[1], 2);
}

static void test_sweep_candidates(void **state)
{
	struct store_sweep_row rows[4];
	size_t n = 9;

	assert_int_equal(
	    store_cert_sweep_candidates(conn(state), STORE_SWEEP_EXPIRE, 1500, rows, 4, &n, NULL),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, 1);
	assert_string_equal(rows[0].common_name, "a.example");
	assert_string_equal(rows[0].status, "active");
	assert_int_equal(rows[0].valid_to, 1000);
	assert_int_equal(
	    store_cert_sweep_candidates(conn(state), STORE_SWEEP_EXPIRE, 2500, rows, 1, &n, NULL),
	    0);
	assert_int_equal(n, 1); /* max */
	/* expired, and replaced, unless pinned (certificate 4 is replaced but pinned) */
	assert_int_equal(store_cert_sweep_candidates(conn(state), STORE_SWEEP_ARCHIVE_EXPIRED, 1000,
						     rows, 4, &n, NULL),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, 3);
	assert_int_equal(store_cert_sweep_candidates(conn(state), STORE_SWEEP_ARCHIVE_REPLACED,
						     1000, rows, 4, &n, NULL),
			 0);
	assert_int_equal(n, 0);
}

static void test_assignment_reads(void **state)
{
	struct store_target t;
	char type[40] = "";
	int64_t id = -1, cert = 0, obj = 0;

	assert_int_equal(store_assignment_find(conn(state), 1, "dcim.device", 1, 0, &id, NULL), 1);
	assert_int_equal(id, 1);
	assert_int_equal(store_assignment_find(conn(state), 1, "dcim.device", 1, 1, &id, NULL), 0);
	assert_int_equal(store_assignment_find(conn(state), 2, "dcim.device", 1, 0, &id, NULL), 0);
	assert_int_equal(
	    store_assignment_get(conn(state), 2, &cert, type, sizeof(type), &obj, NULL), 1);
	assert_int_equal(cert, 1);
	assert_string_equal(type, "ipam.service");
	assert_int_equal(obj, 2);
	assert_int_equal(
	    store_assignment_get(conn(state), 99, &cert, type, sizeof(type), &obj, NULL), 0);

	assert_int_equal(store_target_get(conn(state), "dcim.device", 1, &t, NULL), 1);
	assert_string_equal(t.name, "dev1");
	assert_int_equal(t.tenant_id, 1);
	assert_int_equal(t.parent_id, 0);
	assert_int_equal(store_target_get(conn(state), "ipam.service", 2, &t, NULL), 1);
	assert_string_equal(t.name, "svc-v");
	assert_int_equal(t.tenant_id, 2); /* the VM's */
	assert_int_equal(t.parent_id, 1);
	assert_string_equal(t.parent_name, "vm1");
	assert_string_equal(t.parent_type, "virtualization.virtualmachine");
	assert_int_equal(store_target_get(conn(state), "ipam.service", 1, &t, NULL), 1);
	assert_string_equal(t.parent_type, "dcim.device");
	assert_int_equal(
	    store_target_get(conn(state), "virtualization.virtualmachine", 7, &t, NULL), 0);
	assert_int_equal(store_target_get(conn(state), "dcim.cable", 1, &t, NULL), CK_E_INTERNAL);
}

/* The writes come last: they change the seed. */
static void test_status_writes(void **state)
{
	struct store_conn *c = conn(state);

	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(store_cert_touch(c, 2, 77, NULL), 0);
	assert_int_equal(store_cert_set_status(c, 3, "archived", 0, 0, 5000, NULL), 0);
	assert_int_equal(store_cert_set_status(c, 1, "replaced", 1, 2, 6000, NULL), 0);
	assert_int_equal(store_tx_commit(c, NULL), 0);
	assert_int_equal(scalar(c, "SELECT last_updated FROM certificates WHERE id = 2"), 77);
	assert_int_equal(scalar(c, "SELECT archived_at FROM certificates WHERE id = 3"), 5000);
	assert_int_equal(scalar(c, "SELECT replaced_by FROM certificates WHERE id = 1"), 2);
	assert_int_equal(
	    scalar(c, "SELECT COUNT(*) FROM certificates WHERE id = 1 AND archived_at IS NULL"), 1);

	assert_int_equal(store_tx_begin(c, NULL), 0);
	/* archiving again keeps the first archived_at; without set_replaced_by it stays */
	assert_int_equal(store_cert_set_status(c, 3, "archived", 0, 0, 9000, NULL), 0);
	assert_int_equal(store_cert_set_status(c, 1, "active", 0, 0, 9000, NULL), 0);
	assert_int_equal(store_tx_commit(c, NULL), 0);
	assert_int_equal(scalar(c, "SELECT archived_at FROM certificates WHERE id = 3"), 5000);
	assert_int_equal(scalar(c, "SELECT replaced_by FROM certificates WHERE id = 1"), 2);
	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(store_cert_set_status(c, 1, "active", 1, 0, 9100, NULL), 0); /* 0: NULL */
	assert_int_equal(store_tx_commit(c, NULL), 0);
	assert_int_equal(
	    scalar(c, "SELECT COUNT(*) FROM certificates WHERE id = 1 AND replaced_by IS NULL"), 1);
	assert_int_equal(scalar(c, "SELECT last_updated FROM certificates WHERE id = 1"), 9100);
}

static void test_assignments_move(void **state)
{
	struct store_conn *c = conn(state);
	struct ck_error err = {0};
	int64_t n = -1, *ids = NULL;
	size_t k = 0;

	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(store_assignments_move(c, 1, 2, 4242, &n, NULL), 0);
	assert_int_equal(store_tx_commit(c, NULL), 0);
	assert_int_equal(n, 2); /* the dangling one (device 99) stays */
	assert_int_equal(store_assignments_of_cert(c, 1, &ids, &k, NULL), 0);
	assert_int_equal(k, 1);
	assert_int_equal(ids[0], 3);
	free(ids);
	assert_int_equal(scalar(c, "SELECT last_updated FROM assignments WHERE id = 2"), 4242);

	/* moving back onto a certificate that has one of the targets already is a duplicate */
	assert_int_equal(
	    store_exec(
		c,
		"INSERT INTO assignments (id, certificate_id, assigned_object_type,"
		" assigned_object_id, created, last_updated) VALUES (4, 1, 'dcim.device', 1, 0, 0)",
		NULL),
	    0);
	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(store_assignments_move(c, 2, 1, 5000, &n, &err), CK_E_DUPLICATE);
	store_tx_rollback(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup_by_text),    cmocka_unit_test(test_cert_reads),
	    cmocka_unit_test(test_renewal_candidate), cmocka_unit_test(test_lifecycle_list),
	    cmocka_unit_test(test_sweep_candidates),  cmocka_unit_test(test_assignment_reads),
	    cmocka_unit_test(test_status_writes),     cmocka_unit_test(test_assignments_move),
	};
	int failed =
	    cmocka_run_group_tests_name("store_repos_sqlite", tests, setup_sqlite, teardown);

	if (getenv("CK_TEST_PG_URL"))
		failed += cmocka_run_group_tests_name("store_repos_postgres", tests, setup_postgres,
						      teardown);
	return failed;
}
