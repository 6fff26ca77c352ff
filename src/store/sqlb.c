/* SQL builder. */
#include "store/sqlb.h"

void sqlb_init(struct sqlb *b)
{
	buf_init(&b->sql, 64 * 1024);
	b->n = 0;
	b->err = ERR_OK;
}

void sqlb_cleanup(struct sqlb *b)
{
	buf_cleanup(&b->sql);
}

void sqlb_sql(struct sqlb *b, const char *fragment)
{
	if (b->err == ERR_OK)
		b->err = buf_puts(&b->sql, fragment);
}

static struct sqlb_bind *next(struct sqlb *b)
{
	if (b->n >= SQLB_MAX_BINDS) {
		b->err = ERR_TOO_LARGE;
		return NULL;
	}
	return &b->binds[b->n++];
}

void sqlb_text(struct sqlb *b, const char *s)
{
	struct sqlb_bind *x = next(b);
	if (x) {
		x->text = s ? s : "";
		x->i = 0;
	}
}

void sqlb_int(struct sqlb *b, int64_t v)
{
	struct sqlb_bind *x = next(b);
	if (x) {
		x->text = NULL;
		x->i = v;
	}
}

void sqlb_in(struct sqlb *b, const char *const *values, int n)
{
	sqlb_sql(b, "(");
	for (int i = 0; i < n; i++) {
		sqlb_sql(b, i ? ", ?" : "?");
		sqlb_text(b, values[i]);
	}
	sqlb_sql(b, ")");
}

enum err sqlb_prepare(struct sqlb *b, struct db *db, struct db_stmt **st)
{
	if (b->err != ERR_OK)
		return b->err;
	enum err rc = db_prepare(db, buf_cstr(&b->sql), st);
	if (rc != ERR_OK)
		return rc;
	for (int i = 0; i < b->n; i++) {
		if (b->binds[i].text)
			db_bind_text(*st, i + 1, b->binds[i].text);
		else
			db_bind_int(*st, i + 1, b->binds[i].i);
	}
	return ERR_OK;
}
