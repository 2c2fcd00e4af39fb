/*
 * core/config — certkeeper's settings: server options and the NetBox SSL plugin settings
 * (reference §3.23), with their defaults. Sources, later ones winning:
 *   built-in defaults → INI file (--config FILE; sections [server] and [netbox_ssl]) →
 *   environment (CERTKEEPER_LISTEN, CERTKEEPER_DB, CERTKEEPER_<UPPER_KEY> for any key) →
 *   command-line flags (applied by the caller).
 * A config is plain data, immutable once the server starts; share it read-only.
 */
#ifndef CK_CORE_CONFIG_H
#define CK_CORE_CONFIG_H

#include <stddef.h>

#include "core/error.h"

struct ck_config {
	/* [server] */
	char listen[128];	    /* HOST:PORT, default 127.0.0.1:8080 */
	char db[1024];		    /* database URL, default sqlite:certkeeper.db */
	char web_root[1024];	    /* built UI directory; "" = none */
	int threads;		    /* HTTP workers; 0 = cores */
	long max_body_bytes;	    /* request body cap, default 8 MiB */
	int access_log;		    /* default 1 */
	int sweep_interval_s;	    /* status sweep period, default 3600 */
	int header_timeout_s;	    /* accept → complete request headers (absolute), default 10 */
	int keepalive_timeout_s;    /* idle keep-alive connection, default 60 */
	int send_timeout_s;	    /* response send without progress, default 10 */
	int max_connections_per_ip; /* concurrent connections per client address, default 64 */
	/* sign-in protection (docs/security.md "Sign-in throttling") */
	int login_max_failures_per_address; /* 10 failures per address and window; 0 = no limit */
	int login_max_failures_per_account; /* 20 failures per account and window; 0 = no limit */
	int login_failure_window_s;	    /* 300 */
	int login_hash_concurrency;	    /* password hashes at once, default 1 */
	int statement_timeout_ms;    /* a request's read statement is stopped after this; 0 = never;
					2000 */
	int pg_statement_timeout_ms; /* PostgreSQL: reads outside write transactions stop after
					this; 0 = never; 30000 */
	/* [netbox_ssl] */
	int expiry_warning_days;	/* 30 */
	int expiry_critical_days;	/* 14 */
	int bulk_import_max_batch_size; /* 100, and the other bulk caps below */
	int bulk_validate_max_batch_size;
	int bulk_compliance_max_batch_size;
	int bulk_detect_max_batch_size;
	int bulk_status_update_max_batch_size;
	int bulk_assign_max_batch_size;
	int max_export_size;	      /* 1000 */
	long max_pem_bytes;	      /* 65536 */
	int auto_archive_after_days;  /* 90 */
	int auto_create_ca_on_import; /* 0 */
};

/* Fills `cfg` with the built-in defaults. */
void ck_config_defaults(struct ck_config *cfg);

/* Applies key=value from the INI file at `path` (NULL = none). Unknown keys and bad values
 * fail with CK_E_INVALID naming the file, line and key; a line longer than inih's line buffer
 * (ck_config_line_max() bytes without its newline) fails with CK_E_TOOBIG naming the line,
 * instead of being split in two; CK_E_IO when the file cannot be opened. */
int ck_config_load_file(struct ck_config *cfg, const char *path, struct ck_error *err);

/* The longest configuration line accepted, in bytes without the newline (inih's buffer). */
int ck_config_line_max(void);

/* Applies CERTKEEPER_* environment variables. Bad values → CK_E_INVALID. */
int ck_config_load_env(struct ck_config *cfg, struct ck_error *err);

/* Sets one key by name ("expiry_warning_days", "listen", ...). 0, or CK_E_INVALID. */
int ck_config_set(struct ck_config *cfg, const char *key, const char *value, struct ck_error *err);

#endif
