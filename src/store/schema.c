/*
 * store/schema — the schema of certkeeper, as numbered migrations. Conventions
 * (DESIGN.md §4): integer ids, UTC epoch seconds in BIGINT columns, booleans 0/1, JSON as
 * TEXT. Every primary object carries created/last_updated and custom_fields (JSON object).
 * Ids are AUTOINCREMENT: like NetBox's PostgreSQL sequences, an id is never handed out again
 * after a delete (changelog rows, webhooks and outside references rely on that).
 */
#include "store/schema.h"

static const char m001_core[] =
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE, is_superuser INTEGER "
    "NOT NULL DEFAULT 0,"
    " is_active INTEGER NOT NULL DEFAULT 1, password_hash TEXT NOT NULL DEFAULT '',"
    " email TEXT NOT NULL DEFAULT '', created BIGINT NOT NULL, last_login BIGINT);"
    "CREATE TABLE tokens ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id) ON "
    "DELETE CASCADE,"
    " key_hash TEXT NOT NULL UNIQUE, key_prefix TEXT NOT NULL DEFAULT '', description TEXT NOT "
    "NULL DEFAULT '',"
    " write_enabled INTEGER NOT NULL DEFAULT 1, expires BIGINT, last_used BIGINT, created BIGINT "
    "NOT NULL);"
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id) ON "
    "DELETE CASCADE,"
    " session_hash TEXT NOT NULL UNIQUE, csrf_token TEXT NOT NULL, created BIGINT NOT NULL, "
    "expires BIGINT NOT NULL);"
    "CREATE TABLE tenants ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, slug TEXT NOT NULL UNIQUE,"
    " description TEXT NOT NULL DEFAULT '', comments TEXT NOT NULL DEFAULT '',"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL);"
    "CREATE TABLE tags ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, slug TEXT NOT NULL UNIQUE,"
    " color TEXT NOT NULL DEFAULT '9e9e9e', description TEXT NOT NULL DEFAULT '',"
    " created BIGINT NOT NULL, last_updated BIGINT NOT NULL);"
    /* Tag attachments for every taggable object: object_type is "app.model". */
    "CREATE TABLE tagged_items ("
    " tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, object_type TEXT NOT NULL,"
    " object_id BIGINT NOT NULL, PRIMARY KEY (object_type, object_id, tag_id));"
    "CREATE INDEX tagged_items_tag ON tagged_items(tag_id, object_type);"
    "CREATE TABLE certificate_authorities ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL DEFAULT "
    "'public',"
    " description TEXT NOT NULL DEFAULT '', issuer_pattern TEXT NOT NULL DEFAULT '',"
    " website_url TEXT NOT NULL DEFAULT '', portal_url TEXT NOT NULL DEFAULT '',"
    " contact_email TEXT NOT NULL DEFAULT '', renewal_instructions TEXT NOT NULL DEFAULT '',"
    " is_approved INTEGER NOT NULL DEFAULT 1, comments TEXT NOT NULL DEFAULT '',"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL);"
    "CREATE TABLE certificates ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, common_name TEXT NOT NULL, serial_number TEXT NOT NULL,"
    " serial_key TEXT NOT NULL," /* normalised serial: upper hex, no colons, no leading zeros */
    " fingerprint_sha256 TEXT NOT NULL UNIQUE, issuer TEXT NOT NULL,"
    " issuer_key TEXT NOT NULL," /* normalised issuer DN for duplicate checks */
    " issuer_chain TEXT NOT NULL DEFAULT '', valid_from BIGINT NOT NULL, valid_to BIGINT NOT NULL,"
    " sans TEXT NOT NULL DEFAULT '[]', key_size INTEGER, algorithm TEXT NOT NULL DEFAULT 'unknown',"
    " status TEXT NOT NULL DEFAULT 'active', private_key_location TEXT NOT NULL DEFAULT '',"
    " renewal_note TEXT NOT NULL DEFAULT '', comments TEXT NOT NULL DEFAULT '',"
    " replaced_by INTEGER REFERENCES certificates(id) ON DELETE SET NULL,"
    " tenant_id INTEGER REFERENCES tenants(id) ON DELETE RESTRICT,"
    " issuing_ca_id INTEGER REFERENCES certificate_authorities(id) ON DELETE SET NULL,"
    " archive_pinned INTEGER NOT NULL DEFAULT 0, archived_at BIGINT,"
    " external_source_id INTEGER, external_id TEXT NOT NULL DEFAULT '',"
    " source_removed INTEGER NOT NULL DEFAULT 0, discovered_via_url TEXT NOT NULL DEFAULT '',"
    " last_seen_at BIGINT, pem_content TEXT NOT NULL DEFAULT '',"
    " chain_status TEXT NOT NULL DEFAULT 'unknown', chain_validation_message TEXT NOT NULL DEFAULT "
    "'',"
    " chain_validated_at BIGINT, chain_depth INTEGER,"
    " is_acme INTEGER NOT NULL DEFAULT 0, acme_provider TEXT NOT NULL DEFAULT '',"
    " acme_account_email TEXT NOT NULL DEFAULT '', acme_challenge_type TEXT NOT NULL DEFAULT '',"
    " acme_server_url TEXT NOT NULL DEFAULT '', acme_auto_renewal INTEGER NOT NULL DEFAULT 0,"
    " acme_last_renewed BIGINT, acme_renewal_days INTEGER DEFAULT 30,"
    " ari_cert_id TEXT NOT NULL DEFAULT '', ari_suggested_start BIGINT, ari_suggested_end BIGINT,"
    " ari_last_checked BIGINT, ari_retry_after BIGINT, ari_explanation_url TEXT NOT NULL DEFAULT "
    "'',"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL,"
    " UNIQUE (serial_key, issuer_key));"
    "CREATE INDEX certificates_cn ON certificates(common_name);"
    "CREATE INDEX certificates_status_valid_to ON certificates(status, valid_to);"
    "CREATE INDEX certificates_valid_to ON certificates(valid_to, common_name);"
    "CREATE INDEX certificates_issuer ON certificates(issuer);"
    "CREATE INDEX certificates_algorithm ON certificates(algorithm);"
    "CREATE INDEX certificates_tenant ON certificates(tenant_id);"
    "CREATE INDEX certificates_ca ON certificates(issuing_ca_id);"
    "CREATE INDEX certificates_acme ON certificates(is_acme, acme_auto_renewal);"
    "CREATE TABLE devices ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, status TEXT NOT NULL DEFAULT "
    "'active',"
    " tenant_id INTEGER REFERENCES tenants(id) ON DELETE RESTRICT, description TEXT NOT NULL "
    "DEFAULT '',"
    " comments TEXT NOT NULL DEFAULT '', custom_fields TEXT NOT NULL DEFAULT '{}',"
    " created BIGINT NOT NULL, last_updated BIGINT NOT NULL);"
    "CREATE TABLE virtual_machines ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, status TEXT NOT NULL DEFAULT "
    "'active',"
    " tenant_id INTEGER REFERENCES tenants(id) ON DELETE RESTRICT, description TEXT NOT NULL "
    "DEFAULT '',"
    " comments TEXT NOT NULL DEFAULT '', custom_fields TEXT NOT NULL DEFAULT '{}',"
    " created BIGINT NOT NULL, last_updated BIGINT NOT NULL);"
    "CREATE TABLE services ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, protocol TEXT NOT NULL DEFAULT "
    "'tcp',"
    " ports TEXT NOT NULL DEFAULT '[]',"
    " device_id INTEGER REFERENCES devices(id) ON DELETE CASCADE,"
    " virtual_machine_id INTEGER REFERENCES virtual_machines(id) ON DELETE CASCADE,"
    " description TEXT NOT NULL DEFAULT '', comments TEXT NOT NULL DEFAULT '',"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL);"
    "CREATE TABLE assignments ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, certificate_id INTEGER NOT NULL REFERENCES "
    "certificates(id) ON DELETE CASCADE,"
    " assigned_object_type TEXT NOT NULL, assigned_object_id BIGINT NOT NULL,"
    " is_primary INTEGER NOT NULL DEFAULT 1, notes TEXT NOT NULL DEFAULT '',"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL,"
    " UNIQUE (certificate_id, assigned_object_type, assigned_object_id));"
    "CREATE INDEX assignments_target ON assignments(assigned_object_type, assigned_object_id);"
    "CREATE TABLE csrs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, common_name TEXT NOT NULL, organization TEXT NOT NULL "
    "DEFAULT '',"
    " organizational_unit TEXT NOT NULL DEFAULT '', locality TEXT NOT NULL DEFAULT '',"
    " state TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '', sans TEXT NOT NULL DEFAULT "
    "'[]',"
    " key_size INTEGER, algorithm TEXT NOT NULL DEFAULT '', fingerprint_sha256 TEXT NOT NULL "
    "UNIQUE,"
    " pem_content TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', requested_date BIGINT NOT "
    "NULL,"
    " requested_by TEXT NOT NULL DEFAULT '', target_ca TEXT NOT NULL DEFAULT '', notes TEXT NOT "
    "NULL DEFAULT '',"
    " comments TEXT NOT NULL DEFAULT '',"
    " resulting_certificate_id INTEGER REFERENCES certificates(id) ON DELETE SET NULL,"
    " tenant_id INTEGER REFERENCES tenants(id) ON DELETE RESTRICT,"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL);"
    "CREATE TABLE object_changes ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, time BIGINT NOT NULL, user_id INTEGER, user_name TEXT "
    "NOT NULL DEFAULT '',"
    " request_id TEXT NOT NULL DEFAULT '', action TEXT NOT NULL, changed_object_type TEXT NOT NULL,"
    " changed_object_id BIGINT NOT NULL, object_repr TEXT NOT NULL DEFAULT '',"
    " prechange_data TEXT, postchange_data TEXT);"
    "CREATE INDEX object_changes_object ON object_changes(changed_object_type, changed_object_id);"
    "CREATE INDEX object_changes_time ON object_changes(time);"
    "CREATE TABLE lifecycle_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, certificate_id INTEGER NOT NULL REFERENCES "
    "certificates(id) ON DELETE CASCADE,"
    " event_type TEXT NOT NULL, timestamp BIGINT NOT NULL, description TEXT NOT NULL DEFAULT '',"
    " old_status TEXT NOT NULL DEFAULT '', new_status TEXT NOT NULL DEFAULT '',"
    " related_certificate_id INTEGER REFERENCES certificates(id) ON DELETE SET NULL,"
    " actor TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX lifecycle_events_cert ON lifecycle_events(certificate_id, timestamp);";

/* Users and tokens become API resources (NetBox /api/users/...): names and last_updated. */
static const char m002_users[] =
    "ALTER TABLE users ADD COLUMN first_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE users ADD COLUMN last_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE users ADD COLUMN last_updated BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE tokens ADD COLUMN last_updated BIGINT NOT NULL DEFAULT 0;"
    "UPDATE users SET last_updated = created; UPDATE tokens SET last_updated = created;";

/* Compliance (reference §1.3, §3.9, §3.10): policies with their tag_filter (M2M tags) in a join
 * table, one check row per (certificate, policy), and daily trend snapshots. A snapshot's
 * tenant is NULL for the global one; since NULLs never collide in a UNIQUE constraint, the
 * uniqueness of (tenant, date) is an index over COALESCE(tenant_id, 0). snapshot_date is the
 * epoch second of the UTC midnight of the day. */
static const char m003_compliance[] =
    "CREATE TABLE compliance_policies ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL "
    "DEFAULT '',"
    " policy_type TEXT NOT NULL, severity TEXT NOT NULL DEFAULT 'warning', enabled INTEGER NOT "
    "NULL DEFAULT 1,"
    " parameters TEXT NOT NULL DEFAULT '{}', tenant_id INTEGER REFERENCES tenants(id) ON DELETE "
    "CASCADE,"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL);"
    "CREATE INDEX compliance_policies_tenant ON compliance_policies(tenant_id);"
    "CREATE TABLE compliance_policy_tags ("
    " policy_id INTEGER NOT NULL REFERENCES compliance_policies(id) ON DELETE CASCADE,"
    " tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY (policy_id, "
    "tag_id));"
    "CREATE TABLE compliance_checks ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " certificate_id INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,"
    " policy_id INTEGER NOT NULL REFERENCES compliance_policies(id) ON DELETE CASCADE,"
    " result TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', checked_at BIGINT NOT NULL,"
    " checked_value TEXT NOT NULL DEFAULT '', expected_value TEXT NOT NULL DEFAULT '',"
    " custom_fields TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, last_updated BIGINT NOT "
    "NULL,"
    " UNIQUE (certificate_id, policy_id));"
    "CREATE INDEX compliance_checks_policy ON compliance_checks(policy_id, result);"
    "CREATE INDEX compliance_checks_checked_at ON compliance_checks(checked_at);"
    "CREATE TABLE compliance_trend_snapshots ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER REFERENCES tenants(id) ON DELETE "
    "CASCADE,"
    " snapshot_date BIGINT NOT NULL, total_certificates BIGINT NOT NULL DEFAULT 0,"
    " total_checks BIGINT NOT NULL DEFAULT 0, passed_checks BIGINT NOT NULL DEFAULT 0,"
    " failed_checks BIGINT NOT NULL DEFAULT 0, compliance_score DOUBLE PRECISION NOT NULL DEFAULT "
    "100,"
    " details TEXT NOT NULL DEFAULT '{}', custom_fields TEXT NOT NULL DEFAULT '{}',"
    " created BIGINT NOT NULL, last_updated BIGINT NOT NULL);"
    "CREATE UNIQUE INDEX compliance_trend_tenant_date"
    " ON compliance_trend_snapshots(COALESCE(tenant_id, 0), snapshot_date);";

/* Deleting a certificate clears replaced_by and related_certificate_id pointing at it (ON
 * DELETE SET NULL): without an index each delete scanned both tables (issue 9 item 13). */
static const char m004_delete_indexes[] =
    "CREATE INDEX certificates_replaced_by ON certificates(replaced_by);"
    "CREATE INDEX lifecycle_events_related ON lifecycle_events(related_certificate_id);"
    /* the delete cascade of a device or VM looks up its services (issue 9 item 9) */
    "CREATE INDEX services_device ON services(device_id);"
    "CREATE INDEX services_vm ON services(virtual_machine_id);";

/* The outbox of the unit of work (docs/internals/domain.md): one event row per committed
 * change, written in the change's transaction. change_id points at the changelog row that
 * holds the snapshots (not copied here); consumed is set by the consumer to come (jobs/) and
 * consumed rows are pruned by the sweeper. The partial index keeps the consumer's "next
 * pending rows" look-up off the consumed history. */
static const char m005_outbox[] =
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, object_type TEXT NOT NULL, object_id BIGINT NOT NULL,"
    " event TEXT NOT NULL, user_id INTEGER, request_id TEXT NOT NULL DEFAULT '',"
    " change_id BIGINT, created BIGINT NOT NULL, consumed BIGINT);"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE consumed IS NULL;"
    "CREATE INDEX outbox_consumed ON outbox(consumed) WHERE consumed IS NOT NULL;";

/* The authentication generation (issue 9 item 5): one number that every change able to
 * revoke access moves, in the same transaction as the change, whoever makes it (API, CLI,
 * another node, plain SQL). The token cache remembers the generation it was filled at and is
 * ignored once the number moved, so a revocation takes effect on the next request after its
 * commit. Columns whose change does not revoke anything (last_used, last_login, names) do not
 * move it. */
static const char m006_auth_generation[] =
    "CREATE TABLE auth_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL);"
    "INSERT INTO auth_generation (id, value) VALUES (1, 1);"
    "CREATE TRIGGER users_auth_generation_update"
    " AFTER UPDATE OF username, is_superuser, is_active, password_hash ON users"
    " BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;"
    "CREATE TRIGGER users_auth_generation_delete AFTER DELETE ON users"
    " BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;"
    "CREATE TRIGGER tokens_auth_generation_update"
    " AFTER UPDATE OF user_id, key_hash, write_enabled, expires ON tokens"
    " BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;"
    "CREATE TRIGGER tokens_auth_generation_delete AFTER DELETE ON tokens"
    " BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;";

/* The same for PostgreSQL: one trigger function, statement-level triggers. */
static const char m006_auth_generation_pg[] =
    "CREATE TABLE auth_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL);"
    "INSERT INTO auth_generation (id, value) VALUES (1, 1);"
    "CREATE FUNCTION ck_bump_auth_generation() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; RETURN NULL; END $$;"
    "CREATE TRIGGER users_auth_generation_update"
    " AFTER UPDATE OF username, is_superuser, is_active, password_hash ON users"
    " FOR EACH STATEMENT EXECUTE FUNCTION ck_bump_auth_generation();"
    "CREATE TRIGGER users_auth_generation_delete AFTER DELETE ON users"
    " FOR EACH STATEMENT EXECUTE FUNCTION ck_bump_auth_generation();"
    "CREATE TRIGGER tokens_auth_generation_update"
    " AFTER UPDATE OF user_id, key_hash, write_enabled, expires ON tokens"
    " FOR EACH STATEMENT EXECUTE FUNCTION ck_bump_auth_generation();"
    "CREATE TRIGGER tokens_auth_generation_delete AFTER DELETE ON tokens"
    " FOR EACH STATEMENT EXECUTE FUNCTION ck_bump_auth_generation();";

/* Read paths at 1M certificates (issue 11): every filter and ordering served by an index.
 *  - composite indexes for the filter x ordering pairs the list sends (tenant/status with the
 *    default ordering -valid_to,common_name, with common_name and with created);
 *  - certificate_sans: one row per SAN element, kept by triggers on certificates (so every
 *    write path, and raw SQL such as the benchmark's replication, keeps it current); the san
 *    filter and q's SAN part look a value up here instead of parsing every row's JSON;
 *  - certificates_fts: an FTS5 trigram index (external content: certificates) on common_name,
 *    issuer, serial_key and fingerprint_sha256 (all that q searches by substring), kept by
 * triggers; store/queryspec uses it as a pre-filter for case-insensitive substring terms of >= 3
 * characters and keeps the LIKE as the exact test. Existing rows are back-filled. PostgreSQL: the
 * same side table and triggers, and pg_trgm GIN indexes that serve ILIKE '%x%' directly (no
 * separate text index table). */
/* certificate_counts: the number of certificates per (status, tenant), kept by triggers, so
 * the count of an unfiltered, status- or tenant-filtered list is a few rows' sum instead of
 * an index walk over every certificate (store/queryspec renders those counts from it).
 * tenant_key is COALESCE(tenant_id, 0) (ids start at 1). Same text for both engines. */
#define M007_COUNTS                                                                                \
	"CREATE TABLE certificate_counts (status TEXT NOT NULL, tenant_key BIGINT NOT NULL,"       \
	" n BIGINT NOT NULL, PRIMARY KEY (status, tenant_key));"                                   \
	"INSERT INTO certificate_counts (status, tenant_key, n)"                                   \
	" SELECT status, COALESCE(tenant_id, 0), COUNT(*) FROM certificates"                       \
	" GROUP BY status, COALESCE(tenant_id, 0);"
#define M007_COUNT_ADD(row)                                                                        \
	" INSERT INTO certificate_counts (status, tenant_key, n)"                                  \
	" VALUES (" row ".status, COALESCE(" row ".tenant_id, 0), 1)"                              \
	" ON CONFLICT (status, tenant_key) DO UPDATE SET n = certificate_counts.n + 1;"
#define M007_COUNT_SUB(row)                                                                        \
	" UPDATE certificate_counts SET n = n - 1 WHERE status = " row ".status"                   \
	" AND tenant_key = COALESCE(" row ".tenant_id, 0);"

static const char m007_read_indexes[] =
    "DROP INDEX certificates_status_valid_to;"
    "CREATE INDEX certificates_status_valid_to_cn ON certificates(status, valid_to, common_name);"
    "CREATE INDEX certificates_tenant_valid_to ON certificates(tenant_id, valid_to, common_name);"
    "CREATE INDEX certificates_tenant_cn ON certificates(tenant_id, common_name);"
    "CREATE INDEX certificates_status_created ON certificates(status, created);"
    "CREATE INDEX certificates_status_cn ON certificates(status, common_name);"
    "CREATE INDEX certificates_created ON certificates(created);"
    "CREATE TABLE certificate_sans ("
    " value TEXT NOT NULL, certificate_id INTEGER NOT NULL,"
    " PRIMARY KEY (value, certificate_id)) WITHOUT ROWID;"
    "CREATE INDEX certificate_sans_cert ON certificate_sans(certificate_id);"
    "CREATE TRIGGER certificates_sans_ai AFTER INSERT ON certificates BEGIN"
    " INSERT OR IGNORE INTO certificate_sans(value, certificate_id)"
    " SELECT j.value, NEW.id FROM json_each(NEW.sans) j WHERE j.type = 'text'; END;"
    "CREATE TRIGGER certificates_sans_ad AFTER DELETE ON certificates BEGIN"
    " DELETE FROM certificate_sans WHERE certificate_id = OLD.id; END;"
    "CREATE TRIGGER certificates_sans_au AFTER UPDATE OF sans ON certificates"
    " WHEN NEW.sans IS NOT OLD.sans BEGIN"
    " DELETE FROM certificate_sans WHERE certificate_id = OLD.id;"
    " INSERT OR IGNORE INTO certificate_sans(value, certificate_id)"
    " SELECT j.value, NEW.id FROM json_each(NEW.sans) j WHERE j.type = 'text'; END;"
    "INSERT OR IGNORE INTO certificate_sans(value, certificate_id)"
    " SELECT j.value, c.id FROM certificates c, json_each(c.sans) j WHERE j.type = 'text';"
    "CREATE VIRTUAL TABLE certificates_fts USING fts5(common_name, issuer, serial_key, "
    "fingerprint_sha256,"
    " content='certificates', content_rowid='id', tokenize='trigram', detail='full');"
    "CREATE TRIGGER certificates_fts_ai AFTER INSERT ON certificates BEGIN"
    " INSERT INTO certificates_fts(rowid, common_name, issuer, serial_key, fingerprint_sha256)"
    " VALUES (NEW.id, NEW.common_name, NEW.issuer, NEW.serial_key, NEW.fingerprint_sha256); END;"
    "CREATE TRIGGER certificates_fts_ad AFTER DELETE ON certificates BEGIN"
    " INSERT INTO certificates_fts(certificates_fts, rowid, common_name, issuer, serial_key,"
    " fingerprint_sha256) VALUES ('delete', OLD.id, OLD.common_name, OLD.issuer, OLD.serial_key,"
    " OLD.fingerprint_sha256); END;"
    "CREATE TRIGGER certificates_fts_au AFTER UPDATE OF common_name, issuer, serial_key, "
    "fingerprint_sha256"
    " ON certificates BEGIN"
    " INSERT INTO certificates_fts(certificates_fts, rowid, common_name, issuer, serial_key,"
    " fingerprint_sha256) VALUES ('delete', OLD.id, OLD.common_name, OLD.issuer, OLD.serial_key,"
    " OLD.fingerprint_sha256);"
    " INSERT INTO certificates_fts(rowid, common_name, issuer, serial_key, fingerprint_sha256)"
    " VALUES (NEW.id, NEW.common_name, NEW.issuer, NEW.serial_key, NEW.fingerprint_sha256); END;"
    "INSERT INTO certificates_fts(certificates_fts) VALUES ('rebuild');" M007_COUNTS
    "CREATE TRIGGER certificates_counts_ai AFTER INSERT ON certificates BEGIN" M007_COUNT_ADD(
	"NEW") " END;"
	       "CREATE TRIGGER certificates_counts_ad AFTER DELETE ON certificates "
	       "BEGIN" M007_COUNT_SUB("OLD") " END;"
					     "CREATE TRIGGER certificates_counts_au AFTER UPDATE "
					     "OF status, tenant_id ON certificates"
					     " WHEN NEW.status IS NOT OLD.status OR NEW.tenant_id "
					     "IS NOT OLD.tenant_id BEGIN" M007_COUNT_SUB("OLD")
						 M007_COUNT_ADD("NEW") " END;";

static const char m007_read_indexes_pg[] =
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    "DROP INDEX certificates_status_valid_to;"
    "CREATE INDEX certificates_status_valid_to_cn ON certificates(status, valid_to, common_name);"
    "CREATE INDEX certificates_tenant_valid_to ON certificates(tenant_id, valid_to, common_name);"
    "CREATE INDEX certificates_tenant_cn ON certificates(tenant_id, common_name);"
    "CREATE INDEX certificates_status_created ON certificates(status, created);"
    "CREATE INDEX certificates_status_cn ON certificates(status, common_name);"
    "CREATE INDEX certificates_created ON certificates(created);"
    "CREATE TABLE certificate_sans ("
    " value TEXT NOT NULL, certificate_id BIGINT NOT NULL, PRIMARY KEY (value, certificate_id));"
    "CREATE INDEX certificate_sans_cert ON certificate_sans(certificate_id);"
    "CREATE FUNCTION certificates_sans_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP <> 'INSERT' THEN DELETE FROM certificate_sans WHERE certificate_id = OLD.id; END IF;"
    " IF TG_OP <> 'DELETE' THEN INSERT INTO certificate_sans(value, certificate_id)"
    " SELECT DISTINCT j, NEW.id FROM jsonb_array_elements_text(NEW.sans::jsonb) j"
    " ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $$;"
    "CREATE TRIGGER certificates_sans_ai AFTER INSERT OR DELETE ON certificates"
    " FOR EACH ROW EXECUTE FUNCTION certificates_sans_sync();"
    "CREATE TRIGGER certificates_sans_au AFTER UPDATE OF sans ON certificates"
    " FOR EACH ROW WHEN (NEW.sans IS DISTINCT FROM OLD.sans) EXECUTE FUNCTION "
    "certificates_sans_sync();"
    "INSERT INTO certificate_sans(value, certificate_id)"
    " SELECT DISTINCT j, c.id FROM certificates c, jsonb_array_elements_text(c.sans::jsonb) j"
    " ON CONFLICT DO NOTHING;"
    "CREATE INDEX certificates_cn_trgm ON certificates USING gin (common_name gin_trgm_ops);"
    "CREATE INDEX certificates_issuer_trgm ON certificates USING gin (issuer gin_trgm_ops);"
    "CREATE INDEX certificates_serial_key_trgm ON certificates USING gin (serial_key gin_trgm_ops);"
    "CREATE INDEX certificates_fingerprint_trgm ON certificates USING gin (fingerprint_sha256 "
    "gin_trgm_ops);" M007_COUNTS
    "CREATE FUNCTION certificates_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP <> 'INSERT' THEN" M007_COUNT_SUB(
	"OLD") " END IF;"
	       " IF TG_OP <> 'DELETE' THEN" M007_COUNT_ADD(
		   "NEW") " END IF;"
			  " RETURN NULL; END $$;"
			  "CREATE TRIGGER certificates_counts_aid AFTER INSERT OR DELETE ON "
			  "certificates"
			  " FOR EACH ROW EXECUTE FUNCTION certificates_counts_sync();"
			  "CREATE TRIGGER certificates_counts_au AFTER UPDATE OF status, tenant_id "
			  "ON certificates"
			  " FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR "
			  "NEW.tenant_id IS DISTINCT FROM"
			  " OLD.tenant_id) EXECUTE FUNCTION certificates_counts_sync();";

/* Read paths at 1M certificates, second pass (issue 11): what migration 7 left to a scan, a
 * temporary sort or a count over hundreds of thousands of index entries.
 *  - Descending indexes for the default ordering (-valid_to, common_name, then id ascending):
 *    an index (valid_to, common_name) walked backwards yields common_name and id descending,
 *    so SQLite sorted each run of equal valid_to in a temporary B-tree (and an OFFSET sorted
 *    every run before it). (valid_to DESC, common_name) walked forwards is the ordering
 *    itself; walked backwards it still serves ordering=valid_to by its leading key. The same
 *    for the status and tenant composites, for -created (bulk imports give thousands of rows
 *    one `created` second: a sort of each run) and for algorithm (+ status), which had only
 *    a single-column index (a rare algorithm walked every row of the status index), and for
 *    tenant + status (a rare status of a tenant walked every row of the tenant).
 *  - tagged_items_tag covers object_id, so a tag's items are one index range (no row reads),
 *    and deleting a certificate removes its tag attachments in the database (raw SQL and
 *    every write path alike): the count of a tag-only list is then the tag's item count,
 *    kept per (tag, object type) in tagged_counts by triggers on tagged_items.
 *  - certificate_facets: the number of certificates per (status, tenant, algorithm, issuer),
 *    kept by triggers like certificate_counts. A list whose conditions all read only these
 *    columns (algorithm=…&status=…, issuer__ic=…) is counted by summing the few facet rows
 *    whose values satisfy the same conditions — exact, since every certificate of a facet row
 *    has those values. store/queryspec renders it. */
#define M008_INDEXES                                                                               \
	"DROP INDEX certificates_valid_to;"                                                        \
	"CREATE INDEX certificates_valid_to ON certificates(valid_to DESC, common_name);"          \
	"DROP INDEX certificates_status_valid_to_cn;"                                              \
	"CREATE INDEX certificates_status_valid_to_cn ON certificates(status, valid_to DESC, "     \
	"common_name);"                                                                            \
	"DROP INDEX certificates_tenant_valid_to;"                                                 \
	"CREATE INDEX certificates_tenant_valid_to ON certificates(tenant_id, valid_to DESC, "     \
	"common_name);"                                                                            \
	"CREATE INDEX certificates_tenant_status ON certificates(tenant_id, status, valid_to "     \
	"DESC, common_name);"                                                                      \
	"CREATE INDEX certificates_created_desc ON certificates(created DESC);"                    \
	"CREATE INDEX certificates_status_created_desc ON certificates(status, created DESC);"     \
	"DROP INDEX certificates_algorithm;"                                                       \
	"CREATE INDEX certificates_algorithm ON certificates(algorithm, valid_to DESC, "           \
	"common_name);"                                                                            \
	"CREATE INDEX certificates_algorithm_status ON certificates(algorithm, status, valid_to "  \
	"DESC, common_name);"                                                                      \
	"DROP INDEX tagged_items_tag;"                                                             \
	"CREATE INDEX tagged_items_tag ON tagged_items(tag_id, object_type, object_id);"           \
	"DELETE FROM tagged_items WHERE object_type = 'netbox_ssl.certificate'"                    \
	" AND object_id NOT IN (SELECT id FROM certificates);"                                     \
	"CREATE TABLE certificate_facets (status TEXT NOT NULL, tenant_key BIGINT NOT NULL,"       \
	" algorithm TEXT NOT NULL, issuer TEXT NOT NULL, n BIGINT NOT NULL,"                       \
	" PRIMARY KEY (status, tenant_key, algorithm, issuer));"                                   \
	"INSERT INTO certificate_facets (status, tenant_key, algorithm, issuer, n)"                \
	" SELECT status, COALESCE(tenant_id, 0), algorithm, issuer, COUNT(*) FROM certificates"    \
	" GROUP BY status, COALESCE(tenant_id, 0), algorithm, issuer;"
#define M008_TAG_COUNTS                                                                            \
	"CREATE TABLE tagged_counts (tag_id BIGINT NOT NULL, object_type TEXT NOT NULL,"           \
	" n BIGINT NOT NULL, PRIMARY KEY (tag_id, object_type));"                                  \
	"INSERT INTO tagged_counts (tag_id, object_type, n)"                                       \
	" SELECT tag_id, object_type, COUNT(*) FROM tagged_items GROUP BY tag_id, object_type;"
#define M008_TAG_ADD(row)                                                                          \
	" INSERT INTO tagged_counts (tag_id, object_type, n) VALUES (" row ".tag_id, " row         \
	".object_type, 1)"                                                                         \
	" ON CONFLICT (tag_id, object_type) DO UPDATE SET n = tagged_counts.n + 1;"
#define M008_TAG_SUB(row)                                                                          \
	" UPDATE tagged_counts SET n = n - 1 WHERE tag_id = " row ".tag_id AND object_type = " row \
	".object_type;"                                                                            \
	" DELETE FROM tagged_counts WHERE tag_id = " row ".tag_id AND object_type = " row          \
	".object_type"                                                                             \
	" AND n = 0;"
#define M008_FACET_ADD(row)                                                                        \
	" INSERT INTO certificate_facets (status, tenant_key, algorithm, issuer, n)"               \
	" VALUES (" row ".status, COALESCE(" row ".tenant_id, 0), " row ".algorithm, " row         \
	".issuer, 1)"                                                                              \
	" ON CONFLICT (status, tenant_key, algorithm, issuer) DO UPDATE SET n = "                  \
	"certificate_facets.n + 1;"
/* A facet (or tag count) whose last row went is deleted: the table holds exactly the
 * combinations in use, as a copy that fills it from scratch (migrate-data) does. */
#define M008_FACET_KEY(row)                                                                        \
	" WHERE status = " row ".status AND tenant_key = COALESCE(" row ".tenant_id, 0)"           \
	" AND algorithm = " row ".algorithm AND issuer = " row ".issuer"
#define M008_FACET_SUB(row)                                                                        \
	" UPDATE certificate_facets SET n = n - 1" M008_FACET_KEY(                                 \
	    row) ";"                                                                               \
		 " DELETE FROM certificate_facets" M008_FACET_KEY(row) " AND n = 0;"
#define M008_TAGS_DEL(row)                                                                         \
	" DELETE FROM tagged_items WHERE object_type = 'netbox_ssl.certificate' AND object_id "    \
	"= " row ".id;"

static const char m008_read_indexes2[] = M008_INDEXES M008_TAG_COUNTS
    "CREATE TRIGGER tagged_items_counts_ai AFTER INSERT ON tagged_items BEGIN" M008_TAG_ADD(
	"NEW") " END;"
	       "CREATE TRIGGER tagged_items_counts_ad AFTER DELETE ON tagged_items "
	       "BEGIN" M008_TAG_SUB(
		   "OLD") " END;"
			  "CREATE TRIGGER tagged_items_counts_au AFTER UPDATE OF tag_id, "
			  "object_type ON tagged_items BEGIN" M008_TAG_SUB("OLD") M008_TAG_ADD(
			      "NEW") " END;"
				     "CREATE TRIGGER certificates_facets_ai AFTER INSERT ON "
				     "certificates BEGIN" M008_FACET_ADD(
					 "NEW") " END;"
						"CREATE TRIGGER certificates_facets_ad AFTER "
						"DELETE ON certificates BEGIN" M008_FACET_SUB("OLD")
						    M008_TAGS_DEL(
							"OLD") " END;"
							       "CREATE TRIGGER "
							       "certificates_facets_au AFTER "
							       "UPDATE OF status, tenant_id, "
							       "algorithm, issuer"
							       " ON certificates WHEN NEW.status "
							       "IS NOT OLD.status OR NEW.tenant_id "
							       "IS NOT OLD.tenant_id"
							       " OR NEW.algorithm IS NOT "
							       "OLD.algorithm OR NEW.issuer IS NOT "
							       "OLD.issuer BEGIN" M008_FACET_SUB(
								   "OLD")
								   M008_FACET_ADD("NEW") " END;";

static const char m008_read_indexes2_pg[] = M008_INDEXES M008_TAG_COUNTS
    "CREATE FUNCTION tagged_items_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP <> 'INSERT' THEN" M008_TAG_SUB(
	"OLD") " END IF;"
	       " IF TG_OP <> 'DELETE' THEN" M008_TAG_ADD(
		   "NEW") " END IF;"
			  " RETURN NULL; END $$;"
			  "CREATE TRIGGER tagged_items_counts_aid AFTER INSERT OR DELETE OR UPDATE "
			  "OF tag_id, object_type"
			  " ON tagged_items FOR EACH ROW EXECUTE FUNCTION "
			  "tagged_items_counts_sync();"
			  "CREATE FUNCTION certificates_facets_sync() RETURNS trigger LANGUAGE "
			  "plpgsql AS $$ BEGIN"
			  " IF TG_OP <> 'INSERT' THEN" M008_FACET_SUB(
			      "OLD") " END IF;"
				     " IF TG_OP = 'DELETE' THEN" M008_TAGS_DEL(
					 "OLD") " END IF;"
						" IF TG_OP <> 'DELETE' THEN" M008_FACET_ADD(
						    "NEW") " END IF;"
							   " RETURN NULL; END $$;"
							   "CREATE TRIGGER certificates_facets_aid "
							   "AFTER INSERT OR DELETE ON certificates"
							   " FOR EACH ROW EXECUTE FUNCTION "
							   "certificates_facets_sync();"
							   "CREATE TRIGGER certificates_facets_au "
							   "AFTER UPDATE OF status, tenant_id, "
							   "algorithm, issuer"
							   " ON certificates FOR EACH ROW WHEN "
							   "(NEW.status IS DISTINCT FROM OLD.status"
							   " OR NEW.tenant_id IS DISTINCT FROM "
							   "OLD.tenant_id OR NEW.algorithm IS "
							   "DISTINCT FROM"
							   " OLD.algorithm OR NEW.issuer IS "
							   "DISTINCT FROM OLD.issuer)"
							   " EXECUTE FUNCTION "
							   "certificates_facets_sync();";

/* Several nodes on one database (issue 12, docs/deployment.md):
 * - job_runs: one row per (job, interval slot) claimed by the node that runs it
 *   (store/jobs.h store_job_slot_claim): the primary key makes a periodic job run once per
 *   interval in the whole cluster; the last STORE_JOB_RUNS_KEEP slots per job are kept.
 * - auth_failures: failed sign-ins per address and per account ("address"/"account", key)
 *   within the window that opened at window_start (domain/auth_throttle), so that every
 *   node counts the same failures.
 * - outbox claim columns for the job queue: a consumer claims pending rows for a lease
 *   (store_outbox_claim: FOR UPDATE SKIP LOCKED on PostgreSQL). */
static const char m010_cluster[] =
    "CREATE TABLE job_runs ("
    " name TEXT NOT NULL, slot BIGINT NOT NULL, node TEXT NOT NULL DEFAULT '',"
    " claimed_at BIGINT NOT NULL, PRIMARY KEY (name, slot));"
    "CREATE TABLE auth_failures ("
    " kind TEXT NOT NULL, key TEXT NOT NULL, window_start BIGINT NOT NULL,"
    " failures INTEGER NOT NULL, PRIMARY KEY (kind, key));"
    "CREATE INDEX auth_failures_window ON auth_failures(window_start);"
    "ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;";

/* The changelog stores large immutable members once (issue 11 item 5): a snapshot's
 * pem_content and issuer_chain string values are replaced by the placeholder
 * "\u0000ck-pem" / "\u0000ck-chain" (domain/changelog.c) and the object_changes row names the blob
 * in <side>_pem_blob / <side>_chain_blob; store/queryspec's @change_prechange/@change_postchange
 * put the value back, so the API serves the very bytes that were written.
 * changelog_blobs holds, per sha256 of the JSON string literal (quotes included), either the
 * literal (body) or — for a certificate's own pem_content, the common case — only the id of
 * the certificate whose pem_content it is (certificate_id): the PEM is then kept once, in the
 * certificate. The triggers copy the literal into body before that certificate's pem_content
 * changes or the row goes away. Only texts whose JSON escaping is \n and \r alone are stored
 * as a pointer (the writer checks), so the replace() below rebuilds the literal exactly on
 * both engines. Existing rows are not back-filled: they keep their verbatim snapshots (blob
 * columns NULL) and render as before. */
#define M009_LITERAL(row)                                                                          \
	"'\"' || replace(replace(" row ".pem_content, char(13), '\\r'), char(10), '\\n') || '\"'"
#define M009_LITERAL_PG(row)                                                                       \
	"'\"' || replace(replace(" row ".pem_content, chr(13), '\\r'), chr(10), '\\n') || '\"'"
#define M009_COLUMNS                                                                               \
	"ALTER TABLE object_changes ADD COLUMN prechange_pem_blob TEXT;"                           \
	"ALTER TABLE object_changes ADD COLUMN prechange_chain_blob TEXT;"                         \
	"ALTER TABLE object_changes ADD COLUMN postchange_pem_blob TEXT;"                          \
	"ALTER TABLE object_changes ADD COLUMN postchange_chain_blob TEXT;"

/* SQLite also defers the trigram index (migration 7) to the end of the transaction: FTS5
 * writes its pending terms out as a new segment at every statement savepoint, so indexing row
 * by row in the trigger made each imported certificate its own segment (and merge work) —
 * a quarter of an import's time. The triggers now queue the row id in
 * certificates_fts_pending. Session 3 moved the indexing of the queue out of the writers'
 * transactions altogether (store_deferred_index_drain, run by the server's search-index job
 * and by `certkeeper migrate`; searches treat queued rows as candidates). Deletes and updates still
 * remove the old terms at once, unless the row is itself still queued. */
#define M009_FTS_OLD_TERMS                                                                         \
	" INSERT INTO certificates_fts(certificates_fts, rowid, common_name, issuer, serial_key,"  \
	" fingerprint_sha256) SELECT 'delete', OLD.id, OLD.common_name, OLD.issuer, "              \
	"OLD.serial_key,"                                                                          \
	" OLD.fingerprint_sha256 WHERE NOT EXISTS (SELECT 1 FROM certificates_fts_pending"         \
	" WHERE id = OLD.id);"

static const char m009_changelog_blobs[] =
    "CREATE TABLE certificates_fts_pending (id INTEGER PRIMARY KEY);"
    "DROP TRIGGER certificates_fts_ai;"
    "DROP TRIGGER certificates_fts_ad;"
    "DROP TRIGGER certificates_fts_au;"
    "CREATE TRIGGER certificates_fts_ai AFTER INSERT ON certificates BEGIN"
    " INSERT OR IGNORE INTO certificates_fts_pending(id) VALUES (NEW.id); END;"
    "CREATE TRIGGER certificates_fts_ad AFTER DELETE ON certificates BEGIN" M009_FTS_OLD_TERMS
    " DELETE FROM certificates_fts_pending WHERE id = OLD.id; END;"
    "CREATE TRIGGER certificates_fts_au AFTER UPDATE OF common_name, issuer, serial_key, "
    "fingerprint_sha256"
    " ON certificates BEGIN" M009_FTS_OLD_TERMS
    " INSERT OR IGNORE INTO certificates_fts_pending(id) VALUES (NEW.id); END;" M009_COLUMNS
    "CREATE TABLE changelog_blobs (sha256 TEXT PRIMARY KEY, body TEXT, certificate_id BIGINT)"
    " WITHOUT ROWID;"
    "CREATE INDEX changelog_blobs_certificate ON changelog_blobs(certificate_id)"
    " WHERE certificate_id IS NOT NULL;"
    "CREATE TRIGGER certificates_changelog_blobs_bd BEFORE DELETE ON certificates BEGIN"
    " UPDATE changelog_blobs SET body = " M009_LITERAL(
	"OLD") ", certificate_id = NULL"
	       " WHERE certificate_id = OLD.id; END;"
	       "CREATE TRIGGER certificates_changelog_blobs_bu BEFORE UPDATE OF pem_content ON "
	       "certificates"
	       " WHEN NEW.pem_content IS NOT OLD.pem_content BEGIN"
	       " UPDATE changelog_blobs SET body = " M009_LITERAL(
		   "OLD") ", certificate_id = NULL"
			  " WHERE certificate_id = OLD.id; END;";

static const char m009_changelog_blobs_pg[] = M009_COLUMNS
    "CREATE TABLE changelog_blobs (sha256 TEXT PRIMARY KEY, body TEXT, certificate_id BIGINT);"
    "CREATE INDEX changelog_blobs_certificate ON changelog_blobs(certificate_id)"
    " WHERE certificate_id IS NOT NULL;"
    "CREATE FUNCTION certificates_changelog_blobs_keep() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN"
    " UPDATE changelog_blobs SET body = " M009_LITERAL_PG(
	"OLD") ", certificate_id = NULL"
	       " WHERE certificate_id = OLD.id; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; "
	       "RETURN NEW; END $$;"
	       "CREATE TRIGGER certificates_changelog_blobs_bd BEFORE DELETE ON certificates"
	       " FOR EACH ROW EXECUTE FUNCTION certificates_changelog_blobs_keep();"
	       "CREATE TRIGGER certificates_changelog_blobs_bu BEFORE UPDATE OF pem_content ON "
	       "certificates"
	       " FOR EACH ROW WHEN (NEW.pem_content IS DISTINCT FROM OLD.pem_content)"
	       " EXECUTE FUNCTION certificates_changelog_blobs_keep();";

/* Aggregates without a scan at 1M certificates (issue 11 items 2 and 3):
 *  - certificate_expiry_days: certificates per (status, tenant, UTC day of valid_to), `day`
 *    being the epoch second of that day's midnight (floor, also before 1970). A count of a
 *    list filtered by valid_to ranges (and status/tenant) is the sum of the whole days inside
 *    the ranges plus an index count inside the boundary days only (store/queryspec), and the
 *    dashboard's expiry buckets and expiring counts are sums of days (store/analytics).
 *  - certificate_summary_counts: certificates per (status, tenant, is_acme, issuing CA): the
 *    dashboard's ACME and per-CA figures.
 * Both kept by triggers like certificate_facets (a row whose count reaches 0 is deleted). */
#define M011_DAY(v) "(" v " - ((" v " % 86400) + 86400) % 86400)"
#define M011_TABLES                                                                                \
	"CREATE TABLE certificate_expiry_days (status TEXT NOT NULL, tenant_key BIGINT NOT NULL,"  \
	" day BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (status, tenant_key, day));"         \
	"CREATE INDEX certificate_expiry_days_day ON certificate_expiry_days(day, tenant_key, "    \
	"status, n);"                                                                              \
	"INSERT INTO certificate_expiry_days (status, tenant_key, day, n)"                         \
	" SELECT status, COALESCE(tenant_id, 0), " M011_DAY(                                       \
	    "valid_to") ", COUNT(*) FROM certificates"                                             \
			" GROUP BY status, COALESCE(tenant_id, 0), " M011_DAY(                     \
			    "valid_to") ";"                                                        \
					"CREATE TABLE certificate_summary_counts (status TEXT "    \
					"NOT NULL, tenant_key BIGINT NOT NULL,"                    \
					" is_acme INTEGER NOT NULL, ca_key BIGINT NOT NULL, n "    \
					"BIGINT NOT NULL,"                                         \
					" PRIMARY KEY (status, tenant_key, is_acme, ca_key));"     \
					"INSERT INTO certificate_summary_counts (status, "         \
					"tenant_key, is_acme, ca_key, n)"                          \
					" SELECT status, COALESCE(tenant_id, 0), is_acme, "        \
					"COALESCE(issuing_ca_id, 0), COUNT(*)"                     \
					" FROM certificates GROUP BY status, COALESCE(tenant_id, " \
					"0), is_acme, COALESCE(issuing_ca_id, 0);"
#define M011_DAYS_ADD(row)                                                                         \
	" INSERT INTO certificate_expiry_days (status, tenant_key, day, n)"                        \
	" VALUES (" row ".status, COALESCE(" row ".tenant_id, 0), " M011_DAY(                      \
	    row ".valid_to") ", 1)"                                                                \
			     " ON CONFLICT (status, tenant_key, day) DO UPDATE SET n = "           \
			     "certificate_expiry_days.n + 1;"
#define M011_DAYS_KEY(row)                                                                         \
	" WHERE status = " row ".status AND tenant_key = COALESCE(" row ".tenant_id, 0)"           \
	" AND day = " M011_DAY(row ".valid_to")
#define M011_DAYS_SUB(row)                                                                         \
	" UPDATE certificate_expiry_days SET n = n - 1" M011_DAYS_KEY(                             \
	    row) ";"                                                                               \
		 " DELETE FROM certificate_expiry_days" M011_DAYS_KEY(row) " AND n = 0;"
#define M011_SUM_ADD(row)                                                                          \
	" INSERT INTO certificate_summary_counts (status, tenant_key, is_acme, ca_key, n)"         \
	" VALUES (" row ".status, COALESCE(" row ".tenant_id, 0), " row ".is_acme,"                \
	" COALESCE(" row                                                                           \
	".issuing_ca_id, 0), 1) ON CONFLICT (status, tenant_key, is_acme, ca_key)"                 \
	" DO UPDATE SET n = certificate_summary_counts.n + 1;"
#define M011_SUM_KEY(row)                                                                          \
	" WHERE status = " row ".status AND tenant_key = COALESCE(" row ".tenant_id, 0)"           \
	" AND is_acme = " row ".is_acme AND ca_key = COALESCE(" row ".issuing_ca_id, 0)"
#define M011_SUM_SUB(row)                                                                          \
	" UPDATE certificate_summary_counts SET n = n - 1" M011_SUM_KEY(                           \
	    row) ";"                                                                               \
		 " DELETE FROM certificate_summary_counts" M011_SUM_KEY(row) " AND n = 0;"

static const char m011_aggregates[] = M011_TABLES
    "CREATE TRIGGER certificates_aggr_ai AFTER INSERT ON certificates BEGIN" M011_DAYS_ADD("NEW")
	M011_SUM_ADD(
	    "NEW") " END;"
		   "CREATE TRIGGER certificates_aggr_ad AFTER DELETE ON certificates "
		   "BEGIN" M011_DAYS_SUB("OLD") M011_SUM_SUB(
		       "OLD") " END;"
			      "CREATE TRIGGER certificates_days_au AFTER UPDATE OF status, "
			      "tenant_id, valid_to ON certificates"
			      " WHEN NEW.status IS NOT OLD.status OR NEW.tenant_id IS NOT "
			      "OLD.tenant_id"
			      " OR NEW.valid_to IS NOT OLD.valid_to BEGIN" M011_DAYS_SUB("OLD")
				  M011_DAYS_ADD(
				      "NEW") " END;"
					     "CREATE TRIGGER certificates_summary_au AFTER UPDATE "
					     "OF status, tenant_id, is_acme, issuing_ca_id"
					     " ON certificates WHEN NEW.status IS NOT OLD.status "
					     "OR NEW.tenant_id IS NOT OLD.tenant_id"
					     " OR NEW.is_acme IS NOT OLD.is_acme OR "
					     "NEW.issuing_ca_id IS NOT OLD.issuing_ca_id "
					     "BEGIN" M011_SUM_SUB("OLD")
						 M011_SUM_ADD("NEW") " END;";

static const char m011_aggregates_pg[] = M011_TABLES
    "CREATE FUNCTION certificates_days_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP <> 'INSERT' THEN" M011_DAYS_SUB(
	"OLD") " END IF;"
	       " IF TG_OP <> 'DELETE' THEN" M011_DAYS_ADD(
		   "NEW") " END IF;"
			  " RETURN NULL; END $$;"
			  "CREATE TRIGGER certificates_days_aid AFTER INSERT OR DELETE ON "
			  "certificates"
			  " FOR EACH ROW EXECUTE FUNCTION certificates_days_sync();"
			  "CREATE TRIGGER certificates_days_au AFTER UPDATE OF status, tenant_id, "
			  "valid_to ON certificates"
			  " FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR "
			  "NEW.tenant_id IS DISTINCT FROM"
			  " OLD.tenant_id OR NEW.valid_to IS DISTINCT FROM OLD.valid_to)"
			  " EXECUTE FUNCTION certificates_days_sync();"
			  "CREATE FUNCTION certificates_summary_sync() RETURNS trigger LANGUAGE "
			  "plpgsql AS $$ BEGIN"
			  " IF TG_OP <> 'INSERT' THEN" M011_SUM_SUB(
			      "OLD") " END IF;"
				     " IF TG_OP <> 'DELETE' THEN" M011_SUM_ADD(
					 "NEW") " END IF;"
						" RETURN NULL; END $$;"
						"CREATE TRIGGER certificates_summary_aid AFTER "
						"INSERT OR DELETE ON certificates"
						" FOR EACH ROW EXECUTE FUNCTION "
						"certificates_summary_sync();"
						"CREATE TRIGGER certificates_summary_au AFTER "
						"UPDATE OF status, tenant_id, is_acme, "
						"issuing_ca_id"
						" ON certificates FOR EACH ROW WHEN (NEW.status IS "
						"DISTINCT FROM OLD.status"
						" OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id "
						"OR NEW.is_acme IS DISTINCT FROM OLD.is_acme"
						" OR NEW.issuing_ca_id IS DISTINCT FROM "
						"OLD.issuing_ca_id)"
						" EXECUTE FUNCTION certificates_summary_sync();";

/* Migration 12: certificates_tenant (tenant_id) is the prefix of three composite indexes of
 * migrations 7 and 8 (tenant_id with common_name, valid_to, status), which serve every
 * lookup it served; each index costs every insert (~3% of an import). */
static const char m012_drop_tenant_index[] = "DROP INDEX certificates_tenant;";

/* Migration 13: every index a list page walks or is driven by carries the columns the page
 * needs, so that no page reads a certificate row (~1 KB, four to a page) to learn them.
 *  - Walks (many matches, the ordering's index walked; store_qs_plan): the ordering's key,
 *    then id — the tie order, so the index order is the list's order — then the filter
 *    columns users combine with it (status, tenant_id, valid_to) as payload, checked in the
 *    index. At 1M certificates `tenant_id=1&ordering=-created&offset=4300` read ~26k rows
 *    to check their tenant (95 ms); `status=revoked&ordering=-id` walked the table itself;
 *    certificates_id_walk is id's own narrow index for that.
 *  - Drives (few matches found first, then sorted): the filter's index gains id and
 *    created, so the sort reads every ordering key (common_name, valid_to, created, id) from
 *    it. `status=revoked&valid_to__lt=…&ordering=-created` sorted 16,690 matches by reading
 *    each row for `created` (0.4 s after a write, when the page cache starts cold).
 * The key columns before id are those of migration 8, so every ordering an index served it
 * still serves in the same order. */
static const char m013_covering_indexes[] =
    "DROP INDEX certificates_cn;"
    "CREATE INDEX certificates_cn ON certificates(common_name, id, status, tenant_id, valid_to);"
    "DROP INDEX certificates_created;"
    "CREATE INDEX certificates_created ON certificates(created, id, status, tenant_id, valid_to);"
    "DROP INDEX certificates_created_desc;"
    "CREATE INDEX certificates_created_desc ON certificates(created DESC, id, status, tenant_id, "
    "valid_to);"
    "DROP INDEX certificates_status_cn;"
    "CREATE INDEX certificates_status_cn ON certificates(status, common_name, id, tenant_id, "
    "valid_to);"
    "DROP INDEX certificates_tenant_cn;"
    "CREATE INDEX certificates_tenant_cn ON certificates(tenant_id, common_name, id, status, "
    "valid_to);"
    "DROP INDEX certificates_status_created;"
    "CREATE INDEX certificates_status_created ON certificates(status, created, id, tenant_id, "
    "valid_to);"
    "DROP INDEX certificates_status_created_desc;"
    "CREATE INDEX certificates_status_created_desc ON certificates(status, created DESC, id, "
    "tenant_id, valid_to);"
    "DROP INDEX certificates_valid_to;"
    "CREATE INDEX certificates_valid_to ON certificates(valid_to DESC, common_name, id, created, "
    "status, tenant_id);"
    "DROP INDEX certificates_status_valid_to_cn;"
    "CREATE INDEX certificates_status_valid_to_cn ON certificates(status, valid_to DESC, "
    "common_name, id, created, tenant_id);"
    "DROP INDEX certificates_tenant_valid_to;"
    "CREATE INDEX certificates_tenant_valid_to ON certificates(tenant_id, valid_to DESC, "
    "common_name, id, created, status);"
    "DROP INDEX certificates_tenant_status;"
    "CREATE INDEX certificates_tenant_status ON certificates(tenant_id, status, valid_to DESC, "
    "common_name, id, created);"
    "DROP INDEX certificates_algorithm;"
    "CREATE INDEX certificates_algorithm ON certificates(algorithm, valid_to DESC, common_name, "
    "id, created, status, tenant_id);"
    "DROP INDEX certificates_algorithm_status;"
    "CREATE INDEX certificates_algorithm_status ON certificates(algorithm, status, valid_to DESC, "
    "common_name, id, created, tenant_id);"
    "CREATE INDEX certificates_id_walk ON certificates(id, status, tenant_id, valid_to);";

const struct store_migration store_migrations[] = {
    {.version = 1, .name = "core inventory schema", .sqlite = m001_core},
    {.version = 2, .name = "users and tokens as API resources", .sqlite = m002_users},
    {.version = 3,
     .name = "compliance policies, checks and trend snapshots",
     .sqlite = m003_compliance},
    {.version = 4, .name = "indexes for certificate deletes", .sqlite = m004_delete_indexes},
    {.version = 5, .name = "outbox of the unit of work", .sqlite = m005_outbox},
    {.version = 6,
     .name = "authentication generation",
     .sqlite = m006_auth_generation,
     .postgres = m006_auth_generation_pg},
    {.version = 7,
     .name = "indexes for every list filter and ordering (SANs, trigram search)",
     .sqlite = m007_read_indexes,
     .postgres = m007_read_indexes_pg},
    {.version = 8,
     .name = "descending list indexes, covering tag index, facet counts",
     .sqlite = m008_read_indexes2,
     .postgres = m008_read_indexes2_pg},
    {.version = 9,
     .name = "changelog stores PEM and chains once (changelog_blobs)",
     .sqlite = m009_changelog_blobs,
     .postgres = m009_changelog_blobs_pg},
    {.version = 10,
     .name = "cluster: job slots, sign-in failures, outbox claims",
     .sqlite = m010_cluster},
    {.version = 11,
     .name = "expiry-day and summary counts",
     .sqlite = m011_aggregates,
     .postgres = m011_aggregates_pg},
    {.version = 12, .name = "redundant tenant index dropped", .sqlite = m012_drop_tenant_index},
    {.version = 13,
     .name = "list indexes cover their pages (id and filter columns)",
     .sqlite = m013_covering_indexes},
};

const int store_migration_count = sizeof(store_migrations) / sizeof(store_migrations[0]);
