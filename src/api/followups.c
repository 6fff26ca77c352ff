/* Follow-up tasks: /api/followups (list, create), /api/followups/:id (read,
 * change, delete) and /api/calls/:id/followups (create on a call). Parses and
 * validates the query or body into the domain's structs, and writes the
 * FollowUpTask JSON of the client contract. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call_json.h"
#include "api/handlers.h"
#include "api/input.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "domain/followups.h"

#define CURSOR_MAX 96

/* ---- list query ---- */

static const char *const list_keys[] = {"status", "assignedTo", "callId", "contactId", "priority", "dueFrom",
					"dueTo", "overdue", "limit", "cursor", NULL};
static const char *const repeatable[] = {"status", "priority", NULL};

struct key_check {
	struct req *r;
	const char *seen[16];
	int nseen;
};

/* Unknown parameters are refused (a typo should not silently widen the list);
 * the single-valued ones may be given once. */
static bool check_key(void *ctx, const char *key, const char *value)
{
	(void)value;
	struct key_check *k = ctx;
	if (word_index(list_keys, key) < 0) {
		err_field_add(&k->r->err, key, "is not a known parameter");
		return true;
	}
	if (word_index(repeatable, key) >= 0)
		return true;
	for (int i = 0; i < k->nseen; i++) {
		if (strcmp(k->seen[i], key) == 0) {
			err_field_add(&k->r->err, key, "must be given once");
			return true;
		}
	}
	if (k->nseen < (int)(sizeof k->seen / sizeof k->seen[0]))
		k->seen[k->nseen++] = key;
	return true;
}

static void query_words(struct req *r, const char *key, const char *const *words, struct str_set *out)
{
	const char *vals[CALLQ_MAX_VALUES];
	int n = req_query_all(r, key, vals, CALLQ_MAX_VALUES);
	if (n > CALLQ_MAX_VALUES) {
		err_field_add(&r->err, key, "takes at most %d values", CALLQ_MAX_VALUES);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (word_index(words, vals[i]) < 0) {
			char list[128];
			word_list(words, list, sizeof list);
			err_field_add(&r->err, key, "must be one of: %s", list);
			return;
		}
		out->v[out->n++] = vals[i];
	}
}

static const char *query_id(struct req *r, const char *key)
{
	const char *v = req_query(r, key);
	if (v && !id_valid(v)) {
		err_field_add(&r->err, key, "must be an id");
		return NULL;
	}
	return v;
}

static int64_t query_time(struct req *r, const char *key)
{
	const char *v = req_query(r, key);
	int64_t ms;
	if (!v)
		return I64_NULL;
	if (!clock_parse_rfc3339(v, &ms)) {
		err_field_add(&r->err, key, "must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z");
		return I64_NULL;
	}
	return ms;
}

static int base64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Decodes unpadded base64url into out (NUL-terminated); false on a bad character or overflow. */
static bool base64url_decode(const char *s, char *out, size_t n)
{
	size_t len = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; *s; s++) {
		int v = base64url_value(*s);
		if (v < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len + 1 >= n)
				return false;
			out[len++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[len] = 0;
	return true;
}

/* The cursor is base64url of "<dueAt ms>:<id>" of the last row of a page. */
static void cursor_encode(const struct followup *f, char *out, size_t n)
{
	char plain[64];
	int len = snprintf(plain, sizeof plain, "%lld:%s", (long long)f->due_at, f->id);
	if (len < 0 || !crypto_base64(plain, (size_t)len, out, n, true))
		out[0] = 0;
}

static void query_cursor(struct req *r, struct followup_query *q)
{
	const char *v = req_query(r, "cursor");
	char plain[CURSOR_MAX];
	if (!v)
		return;
	char *colon = NULL;
	long long due = 0;
	bool ok = strlen(v) < CURSOR_MAX && base64url_decode(v, plain, sizeof plain) &&
		  (colon = strchr(plain, ':')) != NULL;
	if (ok) {
		*colon = 0;
		char *end;
		errno = 0;
		due = strtoll(plain, &end, 10);
		ok = errno == 0 && end != plain && *end == 0 && id_valid(colon + 1);
	}
	if (!ok) {
		err_field_add(&r->err, "cursor", "is not a cursor of this list");
		return;
	}
	q->has_cursor = true;
	q->cursor_due = due;
	memcpy(q->cursor_id, colon + 1, ID_SIZE);
}

static void query_limit(struct req *r, struct followup_query *q)
{
	const char *v = req_query(r, "limit");
	if (!v)
		return;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > 100) {
		err_field_add(&r->err, "limit", "must be a whole number from 1 to 100");
		return;
	}
	q->limit = (int)n;
}

static enum err parse_list_query(struct req *r, struct followup_query *q)
{
	struct key_check k = {.r = r};
	req_query_each(r, check_key, &k);
	query_words(r, "status", followup_statuses, &q->status);
	query_words(r, "priority", priorities, &q->priority);
	const char *who = req_query(r, "assignedTo");
	if (who && strcmp(who, "me") == 0)
		q->assigned_to = r->principal.user_id;
	else
		q->assigned_to = query_id(r, "assignedTo");
	q->call_id = query_id(r, "callId");
	q->contact_id = query_id(r, "contactId");
	q->due_from = query_time(r, "dueFrom");
	q->due_to = query_time(r, "dueTo");
	if (q->due_from != I64_NULL && q->due_to != I64_NULL && q->due_to <= q->due_from)
		err_field_add(&r->err, "dueTo", "must be after dueFrom");
	const char *overdue = req_query(r, "overdue");
	if (overdue) {
		if (strcmp(overdue, "true") == 0)
			q->overdue = 1;
		else if (strcmp(overdue, "false") == 0)
			q->overdue = 0;
		else
			err_field_add(&r->err, "overdue", "must be true or false");
	}
	query_limit(r, q);
	query_cursor(r, q);
	return input_result(r);
}

enum err h_followups_list(struct req *r)
{
	struct followup_query q;
	followup_query_init(&q, r->principal.workspace_id, clock_now_ms());
	enum err rc = parse_list_query(r, &q);
	if (rc != ERR_OK)
		return rc;
	struct followup_page page;
	if ((rc = followups_list(r->db, &r->principal, &q, r->arena, &page, &r->err)) != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 16384, 16 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "data");
	jw_arr_begin(&w);
	for (int i = 0; i < page.n; i++)
		followup_json_write(&w, &page.rows[i]);
	jw_arr_end(&w);
	if (page.has_more && page.n > 0) {
		char cursor[CURSOR_MAX];
		cursor_encode(&page.rows[page.n - 1], cursor, sizeof cursor);
		jw_kstr(&w, "nextCursor", cursor);
	} else {
		jw_knull(&w, "nextCursor"); /* as the call log does: always present, null on the last page */
	}
	jw_kbool(&w, "hasMore", page.has_more);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

/* ---- one follow-up ---- */

static enum err reply_followup(struct req *r, const struct followup *f)
{
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	jw_key(&w, "followUp");
	followup_json_write(&w, f);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

/* The :id path parameter; an id that cannot exist answers 404 like an absent one. */
static enum err path_id(struct req *r, const char *what, const char **out)
{
	const char *id = req_param(r, "id");
	if (!id || !id_valid(id))
		return err_set(&r->err, ERR_NOT_FOUND, "no %s %s", what, id ? id : "");
	*out = id;
	return ERR_OK;
}

enum err h_followup_get(struct req *r)
{
	const char *id = NULL;
	struct followup f;
	enum err rc = path_id(r, "follow-up", &id);
	if (rc == ERR_OK)
		rc = followups_get(r->db, &r->principal, id, r->arena, &f, &r->err);
	return rc != ERR_OK ? rc : reply_followup(r, &f);
}

/* An optional id field of the body. */
static void body_id(struct req *r, json_t *b, const char *key, const char **out)
{
	const char *v = NULL;
	if (!input_str(r, b, key, INPUT_OPTIONAL, ID_LEN + 8, &v))
		return;
	if (!id_valid(v)) {
		err_field_add(&r->err, key, "must be an id");
		return;
	}
	*out = v;
}

/* The fields both create routes take. */
static void body_new(struct req *r, json_t *b, struct followup_new *in)
{
	int type = -1, prio = -1;
	if (input_enum(r, b, "type", INPUT_REQUIRED, followup_types, &type))
		in->type = followup_types[type];
	if (!input_time(r, b, "dueAt", INPUT_REQUIRED, &in->due_at))
		in->due_at = I64_NULL;
	input_str(r, b, "note", INPUT_OPTIONAL, FOLLOWUP_NOTE_MAX, &in->note);
	if (input_enum(r, b, "priority", INPUT_OPTIONAL, priorities, &prio))
		in->priority = priorities[prio];
	body_id(r, b, "assignedTo", &in->assigned_to);
}

static enum err create(struct req *r, struct followup_new *in)
{
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct followup f;
	if ((rc = followups_create(r->db, &r->principal, in, r->arena, &f, &r->err)) != ERR_OK)
		return rc;
	return reply_followup(r, &f);
}

enum err h_followups_create(struct req *r)
{
	static const char *const keys[] = {"type", "dueAt", "note", "priority", "assignedTo", "callId", "contactId",
					   NULL};
	struct followup_new in = {.due_at = I64_NULL, .call_field = "callId"};
	json_t *b = req_body(r);
	input_known_keys(r, b, keys);
	body_new(r, b, &in);
	body_id(r, b, "callId", &in.call_id);
	body_id(r, b, "contactId", &in.contact_id);
	return create(r, &in);
}

enum err h_call_followup_create(struct req *r)
{
	/* The drawer sends { type, dueAt, note, priority }; an assignee may come too. */
	static const char *const keys[] = {"type", "dueAt", "note", "priority", "assignedTo", NULL};
	struct followup_new in = {.due_at = I64_NULL};
	enum err rc = path_id(r, "call", &in.call_id);
	if (rc != ERR_OK)
		return rc;
	json_t *b = req_body(r);
	input_known_keys(r, b, keys);
	body_new(r, b, &in);
	return create(r, &in);
}

/* A field present as JSON null. */
static bool is_null(json_t *b, const char *key)
{
	json_t *v = json_object_get(b, key);
	return v && json_is_null(v);
}

/* type, dueAt, priority and status may change but not be cleared. */
static void refuse_null(struct req *r, json_t *b, const char *key)
{
	if (is_null(b, key))
		err_field_add(&r->err, key, "must not be null");
}

enum err h_followup_patch(struct req *r)
{
	static const char *const keys[] = {"type", "dueAt", "note", "priority", "assignedTo", "status", NULL};
	const char *id = NULL;
	enum err rc = path_id(r, "follow-up", &id);
	if (rc != ERR_OK)
		return rc;
	struct followup_change ch = {.due_at = I64_NULL};
	json_t *b = req_body(r);
	int type, prio, status;
	input_known_keys(r, b, keys);
	refuse_null(r, b, "type");
	refuse_null(r, b, "dueAt");
	refuse_null(r, b, "priority");
	refuse_null(r, b, "status");
	if (input_enum(r, b, "type", INPUT_OPTIONAL, followup_types, &type))
		ch.type = followup_types[type];
	if (!input_time(r, b, "dueAt", INPUT_OPTIONAL, &ch.due_at))
		ch.due_at = I64_NULL;
	if (input_enum(r, b, "priority", INPUT_OPTIONAL, priorities, &prio))
		ch.priority = priorities[prio];
	if (input_enum(r, b, "status", INPUT_OPTIONAL, followup_statuses, &status))
		ch.status = followup_statuses[status];
	ch.set_note = input_str(r, b, "note", INPUT_OPTIONAL, FOLLOWUP_NOTE_MAX, &ch.note) || is_null(b, "note");
	body_id(r, b, "assignedTo", &ch.assigned_to);
	ch.set_assigned_to = ch.assigned_to || is_null(b, "assignedTo");
	if ((rc = input_result(r)) != ERR_OK)
		return rc;
	struct followup f;
	if ((rc = followups_update(r->db, &r->principal, id, &ch, r->arena, &f, NULL, &r->err)) != ERR_OK)
		return rc;
	return reply_followup(r, &f);
}

enum err h_followup_delete(struct req *r)
{
	const char *id = NULL;
	enum err rc = path_id(r, "follow-up", &id);
	if (rc == ERR_OK)
		rc = followups_delete(r->db, &r->principal, id, r->arena, &r->err);
	return rc != ERR_OK ? rc : reply_none(r);
}
