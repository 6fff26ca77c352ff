/* Audit events and realtime events. The diff is the stored record of a change
 * (not a wire response), so it is written here with the JSON writer. */
#include "domain/audit.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "store/audit.h"
#include "domain/calls.h"
#include "store/model.h"

static const char *const source_names[] = {"api", "webhook", "system", "bulk"};

struct actor actor_of(const struct principal *p, enum audit_source source)
{
	return (struct actor){.workspace_id = p->workspace_id, .user_id = p->user_id, .label = p->email,
			      .source = source, .role = p->role};
}

struct actor actor_system(const char *workspace_id, enum audit_source source, const char *label)
{
	return (struct actor){.workspace_id = workspace_id, .label = label, .source = source, .role = ROLE_NONE};
}

void diff_init(struct diff *d)
{
	jw_init(&d->w, 512, 1 << 20);
	jw_obj_begin(&d->w);
	d->count = 0;
}

void diff_cleanup(struct diff *d)
{
	jw_cleanup(&d->w);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void diff_str(struct diff *d, const char *field, const char *from, const char *to)
{
	if (str_eq(from, to))
		return;
	jw_key(&d->w, field);
	jw_obj_begin(&d->w);
	jw_kstr(&d->w, "from", from);
	jw_kstr(&d->w, "to", to);
	jw_obj_end(&d->w);
	d->count++;
}

static void int_or_null(struct jw *w, const char *k, int64_t v)
{
	if (v == I64_NULL)
		jw_knull(w, k);
	else
		jw_kint(w, k, v);
}

void diff_int(struct diff *d, const char *field, int64_t from, int64_t to)
{
	if (from == to)
		return;
	jw_key(&d->w, field);
	jw_obj_begin(&d->w);
	int_or_null(&d->w, "from", from);
	int_or_null(&d->w, "to", to);
	jw_obj_end(&d->w);
	d->count++;
}

void diff_bool(struct diff *d, const char *field, bool from, bool to)
{
	if (from == to)
		return;
	jw_key(&d->w, field);
	jw_obj_begin(&d->w);
	jw_kbool(&d->w, "from", from);
	jw_kbool(&d->w, "to", to);
	jw_obj_end(&d->w);
	d->count++;
}

void diff_time(struct diff *d, const char *field, int64_t from, int64_t to)
{
	if (from == to)
		return;
	jw_key(&d->w, field);
	jw_obj_begin(&d->w);
	if (from == I64_NULL)
		jw_knull(&d->w, "from");
	else
		jw_ktime_ms(&d->w, "from", from);
	if (to == I64_NULL)
		jw_knull(&d->w, "to");
	else
		jw_ktime_ms(&d->w, "to", to);
	jw_obj_end(&d->w);
	d->count++;
}

static bool contains(const char **list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

bool strs_same_set(const char **from, int nfrom, const char **to, int nto)
{
	bool same = nfrom == nto;
	for (int i = 0; same && i < nfrom; i++)
		same = contains(to, nto, from[i]);
	return same;
}

void diff_strs(struct diff *d, const char *field, const char **from, int nfrom, const char **to, int nto)
{
	if (strs_same_set(from, nfrom, to, nto))
		return;
	jw_key(&d->w, field);
	jw_obj_begin(&d->w);
	jw_key(&d->w, "from");
	jw_arr_begin(&d->w);
	for (int i = 0; i < nfrom; i++)
		jw_str(&d->w, from[i]);
	jw_arr_end(&d->w);
	jw_key(&d->w, "to");
	jw_arr_begin(&d->w);
	for (int i = 0; i < nto; i++)
		jw_str(&d->w, to[i]);
	jw_arr_end(&d->w);
	jw_obj_end(&d->w);
	d->count++;
}

const char *diff_json(struct diff *d)
{
	if (d->count == 0)
		return NULL;
	if (d->w.depth == 1)
		jw_obj_end(&d->w);
	if (jw_error(&d->w) != ERR_OK || d->w.len == 0)
		return NULL;
	return jw_cstr(&d->w);
}

struct audit_batch {
	struct arena *a;
	struct audit_row *audit;
	struct event_row *events;
	size_t naudit, nevents, capaudit, capevents;
};

enum err audit_batch_new(struct audit_batch **out)
{
	struct audit_batch *b = calloc(1, sizeof *b);
	if (b && !(b->a = arena_new())) {
		free(b);
		b = NULL;
	}
	*out = b;
	return b ? ERR_OK : ERR_NOMEM;
}

void audit_batch_free(struct audit_batch *b)
{
	if (!b)
		return;
	arena_free(b->a);
	free(b->audit);
	free(b->events);
	free(b);
}

struct audit_batch_mark audit_batch_mark(const struct audit_batch *b)
{
	return (struct audit_batch_mark){.naudit = b->naudit, .nevents = b->nevents};
}

void audit_batch_truncate(struct audit_batch *b, struct audit_batch_mark m)
{
	if (m.naudit < b->naudit)
		b->naudit = m.naudit;
	if (m.nevents < b->nevents)
		b->nevents = m.nevents;
}

enum err audit_batch_flush(struct db *db, struct audit_batch *b)
{
	enum err rc = store_audit_insert_many(db, b->audit, b->naudit);
	if (rc == ERR_OK)
		rc = store_event_insert_many(db, b->events, b->nevents);
	b->naudit = b->nevents = 0;
	arena_free(b->a); /* a fresh arena: what was held is written */
	b->a = arena_new();
	return rc != ERR_OK ? rc : b->a ? ERR_OK : ERR_NOMEM;
}

/* Room for one more row in *v (n used, *cap allocated). */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *g = realloc(v, ncap * size);
	if (g)
		*cap = ncap;
	return g;
}

static enum err hold_audit(struct audit_batch *b, const struct audit_row *r)
{
	struct audit_row *v = grow(b->audit, b->naudit, &b->capaudit, sizeof *v);
	if (!v)
		return ERR_NOMEM;
	b->audit = v;
	struct audit_row c = {
		.id = arena_strdup(b->a, r->id), .workspace_id = arena_strdup(b->a, r->workspace_id),
		.actor_id = arena_strdup(b->a, r->actor_id), .actor = arena_strdup(b->a, r->actor),
		.action = arena_strdup(b->a, r->action), .target = arena_strdup(b->a, r->target),
		.target_id = arena_strdup(b->a, r->target_id), .diff = arena_strdup(b->a, r->diff),
		.metadata = arena_strdup(b->a, r->metadata), .source = r->source, .created_at = r->created_at,
	};
	if (!c.id || !c.workspace_id || (r->actor_id && !c.actor_id) || !c.actor || !c.action || !c.target ||
	    !c.target_id || (r->diff && !c.diff) || (r->metadata && !c.metadata))
		return ERR_NOMEM;
	v[b->naudit++] = c;
	return ERR_OK;
}

static enum err hold_event(struct audit_batch *b, const struct event_row *e)
{
	struct event_row *v = grow(b->events, b->nevents, &b->capevents, sizeof *v);
	if (!v)
		return ERR_NOMEM;
	b->events = v;
	struct event_row c = {
		.id = arena_strdup(b->a, e->id), .workspace_id = arena_strdup(b->a, e->workspace_id),
		.type = arena_strdup(b->a, e->type), .call_id = arena_strdup(b->a, e->call_id),
		.data = arena_strdup(b->a, e->data), .at = e->at,
	};
	if (!c.id || !c.workspace_id || !c.type || (e->call_id && !c.call_id) || !c.data)
		return ERR_NOMEM;
	v[b->nevents++] = c;
	return ERR_OK;
}

enum err audit_record(struct db *db, const struct actor *a, const char *action, const char *target,
		      const char *target_id, const char *diff, const char *metadata)
{
	char id[ID_SIZE];
	int64_t now = clock_now_ms();
	id_new_at(id, now);
	struct audit_row row = {
		.id = id, .workspace_id = a->workspace_id, .actor_id = a->user_id,
		.actor = a->label ? a->label : "system", .action = action, .target = target,
		.target_id = target_id, .diff = diff, .metadata = metadata,
		.source = source_names[a->source], .created_at = now,
	};
	return a->batch ? hold_audit(a->batch, &row) : store_audit_insert(db, &row);
}

static enum err emit(struct db *db, struct audit_batch *b, const char *workspace_id, const char *type,
		     const char *call_id, const char *data_json)
{
	char id[ID_SIZE];
	int64_t now = clock_now_ms();
	id_new_at(id, now);
	struct event_row e = {.id = id, .workspace_id = workspace_id, .type = type, .call_id = call_id,
			      .data = data_json ? data_json : "{}", .at = now};
	return b ? hold_event(b, &e) : store_event_insert(db, &e, NULL);
}

enum err events_emit(struct db *db, const char *workspace_id, const char *type, const char *call_id,
		     const char *data_json)
{
	return emit(db, NULL, workspace_id, type, call_id, data_json);
}

enum err events_emit_by(struct db *db, const struct actor *actor, const char *workspace_id, const char *type,
			const char *call_id, const char *data_json)
{
	return emit(db, actor->batch, workspace_id, type, call_id, data_json);
}

enum err audit_each_for_call(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			     bool (*fn)(void *ctx, const struct audit_row *row), void *ctx, struct err_detail *d)
{
	struct call c;
	enum err rc = calls_get(db, p, call_id, a, &c, d);
	return rc != ERR_OK ? rc : store_audit_each(db, p->workspace_id, "call", call_id, fn, ctx);
}
