/* CSV import and export of the do-not-contact list (see dnc.h). The reader
 * follows RFC 4180 (quoted fields with "" escapes and line breaks inside,
 * CRLF or LF line ends) and also takes a UTF-8 byte-order mark, blank lines
 * and columns in any order named by the header row. */
#include "domain/dnc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "core/phone.h"
#include "store/compliance.h"
#include "store/contacts.h"
#include "store/dnc.h"

#define CSV_MAX_FIELDS 16
#define CSV_FIELD_MAX 1024

enum col { COL_NUMBER, COL_REASON, COL_SOURCE, COL_CHANNELS, COL_EXPIRES, COL__COUNT };
static const char *const col_names[COL__COUNT] = {"number", "reason", "source", "channels", "expiresAt"};

struct csv {
	const char *p, *end;
	int64_t line;                 /* line of p, 1-based */
};

/* Reads one record into f (arena strings). 1: a record, 0: end of input,
 * -1: malformed (why says how; the rest of the record is skipped). */
static int csv_record(struct csv *c, struct arena *a, char **f, int *nf, int64_t *start, const char **why)
{
	*nf = 0;
	*why = NULL;
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) { /* blank lines */
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p >= c->end)
		return 0;
	*start = c->line;
	char buf[CSV_FIELD_MAX + 1];
	for (;;) {
		size_t n = 0;
		bool quoted = c->p < c->end && *c->p == '"', over = false;
		if (quoted)
			c->p++;
		for (;;) {
			if (c->p >= c->end) {
				if (quoted && !*why)
					*why = "a quoted field is not closed";
				break;
			}
			char ch = *c->p;
			if (quoted && ch == '"') {
				if (c->p + 1 < c->end && c->p[1] == '"') {
					c->p += 2;
				} else {
					c->p++;
					quoted = false;
					continue;
				}
			} else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
				break;
			} else {
				if (ch == '\n')
					c->line++;
				if (!quoted && ch == '"' && !*why)
					*why = "a quote inside an unquoted field";
				c->p++;
			}
			if (n < CSV_FIELD_MAX)
				buf[n++] = ch;
			else
				over = true;
		}
		if (over && !*why)
			*why = "a field is longer than 1024 bytes";
		buf[n] = '\0';
		if (*nf < CSV_MAX_FIELDS) {
			f[*nf] = arena_strdup(a, buf);
			if (!f[*nf]) {
				*why = "out of memory";
				return -1;
			}
			(*nf)++;
		} else if (!*why) {
			*why = "too many fields";
		}
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n') {
			c->p++;
			c->line++;
		}
		return *why ? -1 : 1;
	}
}

static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (!len || (len == 1 && *p < 0x20 && !strchr("\t\r\n", *p)) || *p == 0x7f || (len == 2 && *p < 0xc2))
			return false;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += len;
	}
	return true;
}

/* "call;sms", "call", "sms", "call,sms", "both", "" (both) -> bits; 0 when bad. */
static int parse_channels(const char *s)
{
	int ch = 0;
	if (!*s || !strcasecmp(s, "both") || !strcasecmp(s, "all"))
		return DNC_CALL | DNC_SMS;
	while (*s) {
		size_t n = strcspn(s, ";|, ");
		if (n == 4 && !strncasecmp(s, "call", 4))
			ch |= DNC_CALL;
		else if (n == 3 && !strncasecmp(s, "sms", 3))
			ch |= DNC_SMS;
		else if (n)
			return 0;
		s += n;
		if (*s)
			s++;
	}
	return ch;
}

/* RFC 3339, or a date (midnight UTC); empty: never (0). false when bad. */
static bool parse_expiry(const char *s, int64_t *out)
{
	*out = 0;
	if (!*s)
		return true;
	char iso[40];
	if (strlen(s) == 10) {
		snprintf(iso, sizeof iso, "%sT00:00:00Z", s);
		s = iso;
	}
	return clock_parse_rfc3339(s, out);
}

struct import_ctx {
	struct db *db;
	const struct principal *p;
	struct arena *a;
	struct dnc_import_result *out;
	const char *default_source;
	int64_t now;
	int cols[COL__COUNT];         /* field index of each column, -1 when absent */
};

static void bad_line(struct import_ctx *x, int64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad_line(struct import_ctx *x, int64_t line, const char *fmt, ...)
{
	x->out->invalid++;
	if (x->out->nbad >= DNC_IMPORT_MAX_ERRORS)
		return;
	char *msg = arena_alloc(x->a, 200);
	if (msg) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, 200, fmt, ap);
		va_end(ap);
	}
	x->out->bad[x->out->nbad++] = (struct dnc_bad_line){line, msg ? msg : "invalid"};
}

static const char *field(const struct import_ctx *x, char **f, int nf, enum col c)
{
	int i = x->cols[c];
	return i >= 0 && i < nf ? f[i] : "";
}

/* Applies one data record; store errors only are returned. */
static enum err import_row(struct import_ctx *x, char **f, int nf, int64_t line)
{
	const char *num = field(x, f, nf, COL_NUMBER), *reason = field(x, f, nf, COL_REASON);
	const char *source = field(x, f, nf, COL_SOURCE), *chs = field(x, f, nf, COL_CHANNELS);
	const char *exp = field(x, f, nf, COL_EXPIRES);
	char e164[PHONE_E164_SIZE];
	int64_t expires = 0;
	int channels = parse_channels(chs);
	if (!*num)
		return bad_line(x, line, "number: is empty"), ERR_OK;
	if (phone_normalize(num, PHONE_DEFAULT_REGION, e164, sizeof e164) != ERR_OK)
		return bad_line(x, line, "number: \"%.60s\" is not a valid phone number", num), ERR_OK;
	if (!channels)
		return bad_line(x, line, "channels: \"%.60s\" must be call, sms or call;sms", chs), ERR_OK;
	if (!parse_expiry(exp, &expires))
		return bad_line(x, line, "expiresAt: \"%.60s\" is not an RFC 3339 date-time or a YYYY-MM-DD date", exp),
		       ERR_OK;
	if (expires && expires <= x->now)
		return bad_line(x, line, "expiresAt: %.60s is in the past", exp), ERR_OK;
	if (strlen(reason) > DNC_REASON_MAX || !utf8_ok(reason))
		return bad_line(x, line, "reason: must be at most 500 bytes of UTF-8 text"), ERR_OK;
	const char *src = x->default_source;
	if (*source) {
		src = NULL;
		for (int i = 0; dnc_sources[i]; i++)
			if (!strcmp(dnc_sources[i], source))
				src = dnc_sources[i];
		if (!src)
			return bad_line(x, line, "source: \"%.60s\" must be manual, import, registry, sms_stop or vendor_21610",
					source),
			       ERR_OK;
	}
	const char *owner = NULL, *name = NULL;
	enum err rc = store_contact_phone_owner(x->db, x->p->workspace_id, e164, x->a, &owner, &name);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return rc;
	struct dnc_entry e = {.workspace_id = x->p->workspace_id, .e164 = e164, .contact_id = owner,
			      .block_call = (channels & DNC_CALL) != 0, .block_sms = (channels & DNC_SMS) != 0,
			      .reason = *reason ? reason : NULL, .source = src, .expires_at = expires,
			      .created_by = x->p->user_id[0] ? x->p->user_id : NULL, .created_at = x->now,
			      .updated_at = x->now};
	bool created = false;
	if ((rc = store_dnc_put(x->db, &e, &created)) != ERR_OK)
		return rc;
	if (created)
		x->out->imported++;
	else
		x->out->updated++;
	return ERR_OK;
}

/* The header row names the columns; without one (first field a number) they are positional. */
static bool header(struct import_ctx *x, char **f, int nf)
{
	bool named = false;
	for (int c = 0; c < COL__COUNT; c++)
		x->cols[c] = -1;
	for (int i = 0; i < nf; i++)
		for (int c = 0; c < COL__COUNT; c++)
			if (!strcasecmp(f[i], col_names[c]) || (c == COL_NUMBER && (!strcasecmp(f[i], "phone") ||
										   !strcasecmp(f[i], "e164")))) {
				x->cols[c] = i;
				named = true;
			}
	if (!named)
		for (int c = 0; c < COL__COUNT; c++)
			x->cols[c] = c;
	return named;
}

static enum err audit_import(struct db *db, const struct principal *p, const struct dnc_import *row,
			     const struct dnc_import_result *r)
{
	struct actor actor = actor_of(p, SRC_API);
	struct jw m;
	jw_init(&m, 256, 4096);
	jw_obj_begin(&m);
	jw_kstr(&m, "source", row->source);
	if (row->registry_date != DB_NULL_INT)
		jw_ktime_ms(&m, "registryDate", row->registry_date);
	jw_kint(&m, "imported", r->imported);
	jw_kint(&m, "updated", r->updated);
	jw_kint(&m, "invalid", r->invalid);
	jw_obj_end(&m);
	enum err rc = jw_error(&m);
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, "dnc.imported", "dnc_import", row->id, NULL, jw_cstr(&m));
	jw_cleanup(&m);
	return rc;
}

enum err dnc_import(struct db *db, const struct principal *p, const char *csv, size_t len, bool registry,
		    int64_t registry_date, struct arena *a, struct dnc_import_result *out, struct err_detail *d)
{
	memset(out, 0, sizeof *out);
	if (memchr(csv, '\0', len))
		return err_field_add(d, "file", "must be CSV text (it holds a NUL byte)");
	out->bad = arena_alloc(a, sizeof *out->bad * DNC_IMPORT_MAX_ERRORS);
	if (!out->bad)
		return ERR_NOMEM;
	struct import_ctx x = {.db = db, .p = p, .a = a, .out = out, .now = clock_now_ms(),
			       .default_source = registry ? "registry" : "import"};
	struct csv c = {.p = csv, .end = csv + len, .line = 1};
	if (len >= 3 && !memcmp(csv, "\xEF\xBB\xBF", 3))
		c.p += 3;
	char *f[CSV_MAX_FIELDS];
	int nf = 0;
	int64_t line = 0;
	const char *why = NULL;
	int got = csv_record(&c, a, f, &nf, &line, &why);
	if (got == 0)
		return err_field_add(d, "file", "is empty: send a header row (number,reason,source,channels,expiresAt) and rows");
	bool named = header(&x, f, nf);
	if (named && x.cols[COL_NUMBER] < 0)
		return err_field_add(d, "file", "the header row has no number column");
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	if (!named && got == 1)
		rc = import_row(&x, f, nf, line);
	else if (got < 0)
		bad_line(&x, line, "%s", why);
	while (rc == ERR_OK && (got = csv_record(&c, a, f, &nf, &line, &why)) != 0) {
		if (got < 0)
			bad_line(&x, line, "%s", why);
		else
			rc = import_row(&x, f, nf, line);
	}
	char id[ID_SIZE];
	id_new_at(id, x.now);
	struct dnc_import row = {.id = id, .workspace_id = p->workspace_id, .source = registry ? "registry" : "import",
				 .registry_date = registry ? (registry_date ? registry_date : x.now) : DB_NULL_INT,
				 .imported = out->imported + out->updated, .invalid = out->invalid,
				 .created_by = p->user_id[0] ? p->user_id : NULL, .created_at = x.now};
	if (rc == ERR_OK)
		rc = store_dnc_import_add(db, &row);
	if (rc == ERR_OK)
		rc = audit_import(db, p, &row, out);
	if (rc == ERR_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc == ERR_OK)
		rc = dnc_status_get(db, p->workspace_id, x.now, a, &out->status);
	return rc;
}

/* One CSV field, quoted when it must be (RFC 4180). */
static void put_field(struct buf *b, const char *s, bool last, enum err *rc)
{
	if (*rc != ERR_OK)
		return;
	if (!s)
		s = "";
	bool quote = strpbrk(s, ",\"\r\n") != NULL || (*s == ' ') || (*s && s[strlen(s) - 1] == ' ');
	if (!quote) {
		*rc = buf_puts(b, s);
	} else {
		*rc = buf_puts(b, "\"");
		for (const char *q = s; *rc == ERR_OK && *q; q++)
			*rc = *q == '"' ? buf_puts(b, "\"\"") : buf_append(b, q, 1);
		if (*rc == ERR_OK)
			*rc = buf_puts(b, "\"");
	}
	if (*rc == ERR_OK)
		*rc = buf_puts(b, last ? "\r\n" : ",");
}

struct export_ctx {
	struct buf *b;
	enum err rc;
};

static bool export_row(void *ctx, const struct dnc_entry *e)
{
	struct export_ctx *x = ctx;
	int ch = (e->block_call ? DNC_CALL : 0) | (e->block_sms ? DNC_SMS : 0);
	char exp[40] = "";
	if (e->expires_at)
		clock_format_rfc3339(e->expires_at, exp, sizeof exp);
	put_field(x->b, e->e164, false, &x->rc);
	put_field(x->b, e->reason, false, &x->rc);
	put_field(x->b, e->source, false, &x->rc);
	put_field(x->b, ch == 3 ? "call;sms" : ch == 1 ? "call" : ch == 2 ? "sms" : "", false, &x->rc);
	put_field(x->b, exp, true, &x->rc);
	return x->rc == ERR_OK;
}

enum err dnc_export(struct db *db, const char *workspace_id, struct buf *out)
{
	struct export_ctx x = {.b = out, .rc = buf_puts(out, "number,reason,source,channels,expiresAt\r\n")};
	if (x.rc != ERR_OK)
		return x.rc;
	enum err rc = store_dnc_each(db, workspace_id, export_row, &x);
	return rc != ERR_OK ? rc : x.rc;
}
