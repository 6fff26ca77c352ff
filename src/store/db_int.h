/* Driver interface behind db.h: each driver fills a struct db_ops and embeds
 * struct db / struct db_stmt at the start of its own structs. */
#ifndef SB_STORE_DB_INT_H
#define SB_STORE_DB_INT_H

#include "store/db.h"

struct db_ops {
	const char *scheme; /* "sqlite" */
	enum db_dialect dialect;
	enum err (*open)(const char *target, struct db **out, struct err_detail *d);
	void (*close)(struct db *db);
	enum err (*exec)(struct db *db, const char *sql, struct err_detail *d);
	enum err (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
	void (*finalize)(struct db_stmt *st);
	void (*bind_text)(struct db_stmt *st, int i, const char *s, int64_t len);
	void (*bind_int)(struct db_stmt *st, int i, int64_t v);
	void (*bind_null)(struct db_stmt *st, int i);
	enum err (*step)(struct db_stmt *st, bool *row);
	const char *(*col_text)(struct db_stmt *st, int i);
	int (*col_len)(struct db_stmt *st, int i);
	int64_t (*col_int)(struct db_stmt *st, int i);
	bool (*col_null)(struct db_stmt *st, int i);
	void (*reset)(struct db_stmt *st);
	int64_t (*changes)(struct db *db);
	const char *(*errmsg)(struct db *db);
	/* may be NULL; mode DB_CKPT_*: *restart_due (CATCH_UP only, may be
	 * NULL) says the WAL is large and a pass found almost nothing left */
	enum err (*checkpoint)(struct db *db, int mode, bool *restart_due);
	enum err (*data_version)(struct db *db, uint64_t *v); /* may be NULL: never cache */
	void (*no_autocheckpoint)(struct db *db);  /* may be NULL */
};

enum {
	DB_CKPT_CATCH_UP, /* passive passes (more of them once the WAL is large) */
	DB_CKPT_PASSIVE,  /* one passive pass */
	DB_CKPT_RESTART,  /* start the WAL over, holding writers a moment at most */
};

struct stmt_cache;

struct db {
	const struct db_ops *ops;
	struct stmt_cache *cache;
	int tx_depth;
	bool outbox_written; /* an event was appended in the open transaction */
};

struct db_stmt {
	struct db *db;
	const char *sql;   /* owned copy (cache key) */
	unsigned hash;
	bool busy;         /* handed out and not yet done */
	bool cached;       /* false: finalized by db_done */
	enum err bind_err;
};

extern const struct db_ops db_sqlite_ops;

#endif
