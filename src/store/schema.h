/*
 * store/schema — the numbered migrations (DESIGN.md §4). store_migrate() applies, in order
 * and each in its own transaction, every migration whose version is above the one recorded
 * in table schema_migrations. A migration is never edited once released: add a new one.
 */
#ifndef CK_STORE_SCHEMA_H
#define CK_STORE_SCHEMA_H

struct store_migration {
	int version;	    /* 1, 2, 3, ... strictly increasing */
	const char *name;   /* short description */
	const char *sqlite; /* SQL for the SQLite driver (several statements allowed) */
	/* SQL for the PostgreSQL driver; NULL: the SQLite text through store_postgres_translate()
	 * (driver.h), which covers plain DDL. Set it where the engines differ (indexes, FTS). */
	const char *postgres;
};

#define STORE_MIGRATIONS_MAX 256 /* highest migration number a driver may cache texts for */

extern const struct store_migration store_migrations[];
extern const int store_migration_count;

#endif
