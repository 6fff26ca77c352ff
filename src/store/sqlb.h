/* SQL builder for queries whose shape depends on the request (list filters):
 * the text is assembled only from constant fragments written in the store,
 * and every value is bound. Never append anything a client sent. */
#ifndef SB_STORE_SQLB_H
#define SB_STORE_SQLB_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/db.h"

#define SQLB_MAX_BINDS 128

struct sqlb_bind {
	const char *text; /* NULL: integer */
	int64_t i;
};

struct sqlb {
	struct buf sql;
	struct sqlb_bind binds[SQLB_MAX_BINDS];
	int n;
	enum err err;
};

void sqlb_init(struct sqlb *b);
void sqlb_cleanup(struct sqlb *b);
/* Appends a constant SQL fragment. */
void sqlb_sql(struct sqlb *b, const char *fragment);
/* Binds the next '?' (the caller writes the '?' in its fragment). Text is borrowed until prepare. */
void sqlb_text(struct sqlb *b, const char *s);
void sqlb_int(struct sqlb *b, int64_t v);
/* Appends "(?, ?, ...)" binding each value. */
void sqlb_in(struct sqlb *b, const char *const *values, int n);
/* Prepares the statement and binds every value. */
enum err sqlb_prepare(struct sqlb *b, struct db *db, struct db_stmt **st);

#endif
