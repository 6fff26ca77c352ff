/* Schema migrations: the numbered files under src/store/migrations/, compiled
 * into the binary, applied in order, each in its own transaction and recorded
 * in schema_version. Safe to run from several processes at once. */
#ifndef SB_STORE_MIGRATE_H
#define SB_STORE_MIGRATE_H

#include "core/err.h"
#include "store/db.h"

/* Applies every migration the database has not recorded, lowest first (a
 * version below the newest applied one still runs when it is missing);
 * *applied counts them (may be NULL). */
enum err store_migrate(struct db *db, int *applied, struct err_detail *d);
/* Highest applied version (0 for an empty database). */
enum err store_schema_version(struct db *db, int *version);
/* Highest version this binary knows. */
int store_schema_latest(void);

#endif
