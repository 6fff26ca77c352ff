/* Applies embedded migrations. A migration's version is its file name's number. */
#include "store/migrate.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/embedded.h"
#include "core/log.h"

#define PREFIX "src/store/migrations/"

static const char SQL_VERSION_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char SQL_MAX_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
static const char SQL_APPLIED[] = "SELECT 1 FROM schema_version WHERE version = ?";
static const char SQL_RECORD[] = "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)";

static int version_of(const char *path)
{
	if (strncmp(path, PREFIX, strlen(PREFIX)) != 0)
		return -1;
	const char *p = path + strlen(PREFIX);
	int v = 0, n = 0;
	for (; *p >= '0' && *p <= '9'; p++, n++)
		v = v * 10 + (*p - '0');
	return n == 4 && *p == '_' ? v : -1;
}

int store_schema_latest(void)
{
	int latest = 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		int v = version_of(f->path);
		if (v > latest)
			latest = v;
	}
	return latest;
}

static enum err read_version(struct db *db, int *version)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, SQL_MAX_VERSION, &st);
	if (rc != ERR_OK)
		return rc;
	bool row;
	rc = db_step(st, &row);
	*version = (rc == ERR_OK && row) ? (int)db_col_int(st, 0) : 0;
	db_done(st);
	return rc;
}

/* Whether version v is recorded as applied. */
static enum err is_applied(struct db *db, int v, bool *applied)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, SQL_APPLIED, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, v);
	rc = db_step(st, applied);
	db_done(st);
	return rc;
}

enum err store_schema_version(struct db *db, int *version)
{
	enum err rc = db_exec(db, SQL_VERSION_TABLE, NULL);
	return rc != ERR_OK ? rc : read_version(db, version);
}

enum err store_migrate(struct db *db, int *applied, struct err_detail *d)
{
	int count = 0;
	enum err rc = db_exec(db, SQL_VERSION_TABLE, d);
	if (rc != ERR_OK)
		return rc;
	int latest = store_schema_latest();
	for (int want = 1; want <= latest; want++) {
		const struct embedded_file *f = embedded_files;
		while (f->path && version_of(f->path) != want)
			f++;
		if (!f->path)
			continue;
		if ((rc = db_begin_write(db)) != ERR_OK)
			return err_set(d, rc, "cannot lock the database for migration");
		bool done = false; /* each version on its own: one merged late below the newest still applies */
		if ((rc = is_applied(db, want, &done)) != ERR_OK)
			goto fail;
		if (done) {
			db_rollback(db);
			continue;
		}
		if ((rc = db_exec(db, f->data, d)) != ERR_OK)
			goto fail;
		struct db_stmt *st;
		if ((rc = db_prepare(db, SQL_RECORD, &st)) != ERR_OK)
			goto fail;
		db_bind_int(st, 1, want);
		db_bind_text(st, 2, f->path + strlen(PREFIX));
		db_bind_int(st, 3, clock_real_ms());
		if ((rc = db_run(st)) != ERR_OK)
			goto fail;
		if ((rc = db_commit(db)) != ERR_OK)
			goto fail;
		log_info("migration %s applied", f->path + strlen(PREFIX));
		count++;
	}
	if (applied)
		*applied = count;
	return ERR_OK;
fail:
	db_rollback(db);
	if (d && !d->detail[0])
		err_set(d, rc, "migration failed: %s", db_errmsg(db));
	return rc;
}
