/* SMS messaging, the request side (see messaging.h): templates, sending from
 * a call, campaign settings, conversations and manual opt-out. */
#include "domain/messaging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "core/phone.h"
#include "core/tz.h"
#include "domain/authz.h"
#include "domain/calls.h"
#include "domain/gate.h"
#include "domain/messaging_int.h"
#include "domain/segments.h"
#include "store/accounts.h"
#include "store/blocked.h"
#include "store/dnc.h"
#include "store/model.h"
#include "store/queue.h"

static const char *const categories[] = {"transactional", "marketing", NULL};

void msg_day(int64_t ms, const struct tz *zone, char out[11])
{
	struct tz_civil c;
	tz_civil_at(zone, ms, &c);
	char b[48];
	snprintf(b, sizeof b, "%04d-%02d-%02d", c.year, c.month, c.day);
	memcpy(out, b, 10);
	out[10] = 0;
}

int64_t msg_next_day(int64_t ms, const struct tz *zone)
{
	struct tz_civil c;
	tz_civil_at(zone, ms, &c);
	/* Day + 1 is normalised; a midnight in a spring-forward gap becomes the
	 * gap's end, when that day really begins. */
	int64_t next = tz_local_to_utc(zone, c.year, c.month, c.day + 1, 0, 0, 0);
	return next > ms ? next : ms + 3600000; /* never in the past, whatever the zone does */
}

const struct tz *msg_cap_zone(const char *name)
{
	const struct tz *z = tz_get(name && *name ? name : SMS_CAP_TZ_DEFAULT);
	return z ? z : tz_get(SMS_CAP_TZ_DEFAULT); /* a zone the system no longer has: the carriers' */
}

enum err msg_usage_day(struct db *db, const char *workspace_id, int64_t ms, char out[11])
{
	int64_t mps = 0, cap = 0;
	char zone[SMS_CAP_TZ_MAX] = "";
	bool found = false;
	enum err rc = store_sms_settings_get(db, workspace_id, &mps, &cap, zone, sizeof zone, &found);
	if (rc == ERR_OK)
		msg_day(ms, msg_cap_zone(zone), out);
	return rc;
}

/* ---- shared with the delivery side ---- */

enum err msg_opt_set(struct db *db, const struct actor *actor, const char *ws, const char *e164, bool opted_out,
		     const char *source, const char *dnc_source, bool *changed)
{
	int64_t now = clock_now_ms();
	struct sms_opt_status s = {.workspace_id = ws, .e164 = e164, .opted_out = opted_out, .source = source,
				   .changed_by = actor->user_id, .changed_at = now};
	enum err rc = store_sms_opt_set(db, &s, changed);
	if (rc != ERR_OK || !*changed)
		return rc;
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	struct dnc_entry e;
	bool have = (rc = store_dnc_get(db, ws, e164, a, &e)) == ERR_OK;
	if (rc == ERR_NOT_FOUND)
		rc = ERR_OK;
	if (rc == ERR_OK && opted_out && (!have || !e.block_sms || e.expires_at)) {
		struct dnc_entry n = {.workspace_id = ws, .e164 = e164, .block_sms = true, .reason = "SMS opt-out",
				      .source = dnc_source, .created_by = actor->user_id, .created_at = now,
				      .updated_at = now};
		if (have) { /* keep what the listing says about calls */
			n.contact_id = e.contact_id;
			n.block_call = e.block_call && (!e.expires_at || e.expires_at > now);
			n.reason = e.reason ? e.reason : n.reason;
		}
		rc = store_dnc_put(db, &n, NULL);
	} else if (rc == ERR_OK && !opted_out && have && e.block_sms && e.source &&
		   (!strcmp(e.source, "sms_stop") || !strcmp(e.source, "vendor_21610"))) {
		if (!e.block_call) {
			rc = store_dnc_delete(db, ws, e164);
		} else {
			e.block_sms = false;
			e.updated_at = now;
			rc = store_dnc_put(db, &e, NULL);
		}
	}
	if (rc == ERR_OK) {
		struct jw m;
		jw_init(&m, 128, 1024);
		jw_obj_begin(&m);
		jw_kstr(&m, "number", e164);
		jw_kbool(&m, "optedOut", opted_out);
		jw_kstr(&m, "source", source);
		jw_obj_end(&m);
		rc = jw_error(&m);
		if (rc == ERR_OK)
			rc = audit_record(db, actor, opted_out ? "sms.opt_out" : "sms.opt_in", "number", e164, NULL,
					  jw_cstr(&m));
		jw_cleanup(&m);
	}
	arena_free(a);
	return rc;
}

enum err msg_queue(struct db *db, struct sms_message *m, char sid[SMS_SID_SIZE], int64_t price_micros, int64_t run_at,
		   int64_t now)
{
	struct sms_count c;
	if (!sms_count(m->body, strlen(m->body), &c))
		return ERR_INVALID;
	sms_sid_new(sid);
	m->sid = sid;
	m->direction = "outbound";
	m->segments = c.segments;
	m->encoding = sms_encoding_name(c.encoding);
	m->cost_micros = c.segments * price_micros;
	m->error_code = I64_NULL;
	m->attempt_at = m->sent_at = I64_NULL;
	if (m->scheduled_for == 0)
		m->scheduled_for = I64_NULL;
	m->created_at = m->updated_at = now;
	char payload[SMS_SID_SIZE + 16];
	snprintf(payload, sizeof payload, "{\"sid\":\"%s\"}", sid);
	enum err rc = store_sms_insert(db, m);
	if (rc == ERR_OK)
		rc = store_queue_insert(db, m->workspace_id, "sms", payload, run_at, now);
	return rc;
}

/* ---- templates ---- */

enum err messaging_templates(struct db *db, const struct principal *p, struct arena *a, struct sms_template **rows,
			     int *n)
{
	size_t nb;
	const struct sms_template *b = tpl_builtins(&nb);
	struct sms_template_row *own;
	int nown;
	enum err rc = store_sms_templates(db, p->workspace_id, a, &own, &nown);
	if (rc != ERR_OK)
		return rc;
	*rows = arena_alloc(a, sizeof **rows * (nb + (size_t)nown));
	if (!*rows)
		return ERR_NOMEM;
	for (size_t i = 0; i < nb; i++)
		(*rows)[i] = b[i];
	for (int i = 0; i < nown; i++)
		(*rows)[nb + (size_t)i] = (struct sms_template){own[i].id, own[i].name, own[i].body, own[i].category, false};
	*n = (int)nb + nown;
	return ERR_OK;
}

static void check_template(const struct sms_template_row *t, struct err_detail *d)
{
	size_t nlen = strlen(t->name);
	if (nlen == 0 || nlen > TPL_NAME_MAX)
		err_field_add(d, "name", "must be 1 to %d characters", TPL_NAME_MAX);
	struct sms_count c;
	if (!sms_count(t->body, strlen(t->body), &c) || c.chars == 0 || c.chars > TPL_BODY_MAX)
		err_field_add(d, "body", "must be 1 to %d characters", TPL_BODY_MAX);
	bool known = false;
	for (int i = 0; categories[i]; i++)
		known = known || !strcmp(categories[i], t->category);
	if (!known)
		err_field_add(d, "category", "must be transactional or marketing");
}

static enum err template_audit(struct db *db, const struct principal *p, const char *action, const char *id,
			       const char *name)
{
	struct actor actor = actor_of(p, SRC_API);
	struct jw m;
	jw_init(&m, 128, 2048);
	jw_obj_begin(&m);
	jw_kstr(&m, "name", name);
	jw_obj_end(&m);
	enum err rc = jw_error(&m);
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, action, "sms_template", id, NULL, jw_cstr(&m));
	jw_cleanup(&m);
	return rc;
}

enum err messaging_template_save(struct db *db, const struct principal *p, const char *id,
				 const struct sms_template_input *in, struct arena *a, struct sms_template *out,
				 struct err_detail *d)
{
	if (id && tpl_builtin(id))
		return err_set(d, ERR_FORBIDDEN, "the built-in template %s cannot be changed", id);
	int64_t now = clock_now_ms();
	struct sms_template_row t = {0};
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	if (id) {
		if ((rc = store_sms_template_get(db, p->workspace_id, id, a, &t)) != ERR_OK) {
			if (rc == ERR_NOT_FOUND)
				err_set(d, ERR_NOT_FOUND, "no template %s in this workspace", id);
			goto fail;
		}
	} else {
		char *nid = arena_alloc(a, ID_SIZE);
		if (!nid) {
			rc = ERR_NOMEM;
			goto fail;
		}
		id_new_at(nid, now);
		t = (struct sms_template_row){.id = nid, .workspace_id = p->workspace_id, .name = "", .body = "",
					      .category = "transactional", .created_by = p->user_id, .created_at = now};
	}
	if (in->name)
		t.name = in->name;
	if (in->body)
		t.body = in->body;
	if (in->category)
		t.category = in->category;
	t.updated_at = now;
	check_template(&t, d);
	if (d->nfields) {
		rc = ERR_INVALID;
		goto fail;
	}
	rc = id ? store_sms_template_update(db, &t) : store_sms_template_insert(db, &t);
	if (rc == ERR_CONFLICT)
		err_field_add(d, "name", "a template named \"%s\" already exists", t.name);
	if (rc == ERR_OK)
		rc = template_audit(db, p, id ? "sms_template.updated" : "sms_template.created", t.id, t.name);
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		goto fail;
	*out = (struct sms_template){t.id, t.name, t.body, t.category, false};
	return ERR_OK;
fail:
	db_rollback(db);
	return rc;
}

enum err messaging_template_delete(struct db *db, const struct principal *p, const char *id, struct err_detail *d)
{
	if (tpl_builtin(id))
		return err_set(d, ERR_FORBIDDEN, "the built-in template %s cannot be deleted", id);
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = store_sms_template_delete(db, p->workspace_id, id);
	if (rc == ERR_NOT_FOUND)
		err_set(d, ERR_NOT_FOUND, "no template %s in this workspace", id);
	if (rc == ERR_OK)
		rc = template_audit(db, p, "sms_template.deleted", id, id);
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

/* ---- sending ---- */

struct vars {
	const struct sms_send_request *q;
	const char *business, *customer;
};

static const char *lookup(void *ctx, const char *name)
{
	const struct vars *v = ctx;
	for (int i = 0; i < v->q->nvars; i++)
		if (!strcmp(v->q->var_names[i], name))
			return v->q->var_values[i];
	if (!strcmp(name, "businessName"))
		return v->business;
	if (!strcmp(name, "customerName"))
		return v->customer;
	return NULL;
}

/* The template's body rendered (plus opt-out wording when first), checked. */
static enum err render(const struct sms_send_request *q, const struct sms_template *t, struct vars *v, bool first,
		       struct arena *a, const char **out, struct err_detail *d)
{
	struct buf b;
	char missing[TPL_VAR_MAX];
	buf_init(&b, 64 * 1024);
	enum err rc = tpl_render(q->message ? q->message : t->body, t->defaults, lookup, v, &b, missing);
	if (rc == ERR_NOT_FOUND) {
		buf_cleanup(&b);
		const char *def = NULL;
		for (const struct tpl_default *x = t->defaults; x && x->name; x++)
			def = strcmp(x->name, missing) ? def : x->body;
		return err_field_add(d, arena_printf(a, "variables.%s", missing), "the %s needs {{%s}}%s%s%s",
				     q->message ? "message" : "template", missing, def ? ", or what its default \"" : "",
				     def ? def : "", def ? "\" needs" : "");
	}
	if (rc == ERR_OK && first && !strstr(buf_cstr(&b), "STOP"))
		rc = buf_puts(&b, b.len ? " " SMS_OPT_OUT_WORDING : SMS_OPT_OUT_WORDING);
	*out = rc == ERR_OK ? arena_strdup(a, buf_cstr(&b)) : NULL;
	buf_cleanup(&b);
	if (rc != ERR_OK)
		return err_field_add(d, q->message ? "message" : "template", "renders too long");
	if (!*out)
		return ERR_NOMEM;
	struct sms_count c;
	if (!sms_count(*out, strlen(*out), &c))
		return err_field_add(d, q->message ? "message" : "variables", "must be valid UTF-8");
	if (c.chars > SMS_MAX_CHARS)
		return err_field_add(d, q->message ? "message" : "template",
				     "the message is %d characters; at most %d can be sent", c.chars, SMS_MAX_CHARS);
	return ERR_OK;
}

/* The template q names: built-in or the workspace's own. */
static enum err find_template(struct db *db, const struct principal *p, const char *id, struct arena *a,
			      struct sms_template *t, struct err_detail *d)
{
	const struct sms_template *b = tpl_builtin(id);
	if (b) {
		*t = *b;
		return ERR_OK;
	}
	struct sms_template_row r;
	enum err rc = id_valid(id) ? store_sms_template_get(db, p->workspace_id, id, a, &r) : ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND)
		return err_field_add(d, "template", "no template \"%s\" (see GET /api/messaging/templates)", id);
	if (rc == ERR_OK)
		*t = (struct sms_template){r.id, r.name, r.body, r.category, false};
	return rc;
}

static enum err send_audit(struct db *db, const struct actor *actor, const struct call *c,
			   const struct sms_message *m, bool overridden)
{
	struct jw j;
	jw_init(&j, 256, 8192);
	jw_obj_begin(&j);
	jw_kstr(&j, "messageSid", m->sid);
	jw_kstr(&j, "template", m->template_id);
	jw_kstr(&j, "category", m->category);
	jw_kstr(&j, "to", m->peer_e164);
	jw_kint(&j, "segments", m->segments);
	if (m->scheduled_for != I64_NULL) {
		char ts[40];
		clock_format_rfc3339(m->scheduled_for, ts, sizeof ts);
		jw_kstr(&j, "scheduledFor", ts);
	}
	jw_kbool(&j, "complianceOverride", overridden);
	jw_obj_end(&j);
	enum err rc = jw_error(&j);
	if (rc == ERR_OK)
		rc = audit_record(db, actor, "call.send_sms", "call", c->id, NULL, jw_cstr(&j));
	jw_cleanup(&j);
	return rc;
}

static enum err send_event(struct db *db, const struct sms_message *m)
{
	struct jw j;
	jw_init(&j, 256, 8192);
	jw_obj_begin(&j);
	jw_kstr(&j, "callId", m->call_id);
	jw_kstr(&j, "action", "call.send_sms");
	jw_key(&j, "changes");
	jw_obj_begin(&j);
	jw_obj_end(&j);
	jw_key(&j, "message");
	jw_obj_begin(&j);
	jw_kstr(&j, "messageSid", m->sid);
	jw_kstr(&j, "status", m->status);
	jw_obj_end(&j);
	jw_obj_end(&j);
	enum err rc = jw_error(&j);
	if (rc == ERR_OK)
		rc = events_emit(db, m->workspace_id, "call_updated", m->call_id, jw_cstr(&j));
	jw_cleanup(&j);
	return rc;
}

enum err messaging_send(struct db *db, const struct principal *p, const struct sms_send_request *q, struct arena *a,
			struct sms_send_result *out, struct err_detail *d)
{
	struct call c;
	struct sms_template t = {0};
	struct workspace ws;
	memset(out, 0, sizeof *out);
	enum err rc = calls_get(db, p, q->call_id, a, &c, d);
	if (rc != ERR_OK)
		return rc;
	if ((rc = find_template(db, p, q->template_id, a, &t, d)) != ERR_OK)
		return rc;
	int64_t now = clock_now_ms();
	if (q->scheduled_for != I64_NULL && q->scheduled_for < now - 1000)
		return err_field_add(d, "scheduledFor", "must not be in the past");
	bool outward = c.direction && !strcmp(c.direction, "out");
	const char *customer = outward ? c.to_e164 : c.from_e164, *tracking = outward ? c.from_e164 : c.to_e164;
	if (!customer || !phone_is_e164(customer))
		return err_set(d, ERR_CONFLICT, "this call has no customer number to text");
	if (!tracking || !phone_is_e164(tracking))
		return err_set(d, ERR_CONFLICT, "this call has no tracking number to text from");
	if ((rc = store_workspace_by_id(db, p->workspace_id, &ws)) != ERR_OK)
		return rc;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	bool before = false;
	if ((rc = store_sms_sent_before(db, p->workspace_id, customer, &before)) != ERR_OK)
		goto fail;
	struct vars v = {q, ws.name, c.contact && c.contact->name && c.contact->name[0] ? c.contact->name : NULL};
	const char *body = NULL;
	if ((rc = render(q, &t, &v, !before, a, &body, d)) != ERR_OK)
		goto fail;
	struct actor actor = actor_of(p, SRC_API);
	bool marketing = !strcmp(t.category, "marketing");
	bool later = q->scheduled_for != I64_NULL && q->scheduled_for > now;
	struct gate_request gq = {.channel = GATE_SMS, .to = customer, .contact_id = c.contact_id, .call_id = c.id,
				  .override = q->override, .marketing = marketing, .at = later ? q->scheduled_for : 0};
	struct gate_decision g;
	if ((rc = gate_check(db, &actor, &gq, a, &g)) != ERR_OK)
		goto fail;
	if (!g.allow) {
		if ((rc = db_commit(db)) != ERR_OK) /* the denial's audit event is kept */
			goto fail;
		return err_set(d, ERR_FORBIDDEN, "%s", g.detail);
	}
	/* The override goes with the message: the delivery re-check applies it. */
	const char *override_rules = g.overridden ? arena_strdup(a, g.overridden_rules) : NULL;
	if (g.overridden && !override_rules) {
		rc = ERR_NOMEM;
		goto fail;
	}
	struct sms_message m = {.workspace_id = p->workspace_id, .call_id = c.id, .user_id = p->user_id,
				.peer_e164 = customer, .our_e164 = tracking, .body = body, .template_id = t.id,
				.category = t.category, .kind = "send", .status = later ? "scheduled" : "queued",
				.scheduled_for = later ? q->scheduled_for : I64_NULL,
				.override_by = g.overridden ? p->user_id : NULL, .override_rules = override_rules};
	char *sid = arena_alloc(a, SMS_SID_SIZE);
	if (!sid) {
		rc = ERR_NOMEM;
		goto fail;
	}
	if ((rc = msg_queue(db, &m, sid, q->price_micros, later ? q->scheduled_for : now, now)) != ERR_OK)
		goto fail;
	if ((rc = send_audit(db, &actor, &c, &m, g.overridden)) != ERR_OK)
		goto fail;
	if ((rc = send_event(db, &m)) != ERR_OK)
		goto fail;
	if ((rc = db_commit(db)) != ERR_OK)
		goto fail;
	*out = (struct sms_send_result){.message_sid = sid, .status = m.status, .encoding = m.encoding,
					.body = body, .segments = m.segments, .cost_micros = m.cost_micros};
	return ERR_OK;
fail:
	db_rollback(db);
	return rc;
}

/* ---- campaign settings ---- */

enum err messaging_campaign_get(struct db *db, const char *workspace_id, int64_t def_mps, int64_t def_cap,
				struct sms_campaign *out)
{
	bool found = false;
	out->messages_per_second = def_mps;
	out->daily_cap_segments = def_cap;
	out->cap_time_zone[0] = 0;
	enum err rc = store_sms_settings_get(db, workspace_id, &out->messages_per_second, &out->daily_cap_segments,
					     out->cap_time_zone, sizeof out->cap_time_zone, &found);
	if (!out->cap_time_zone[0])
		snprintf(out->cap_time_zone, sizeof out->cap_time_zone, "%s", SMS_CAP_TZ_DEFAULT);
	char day[11];
	msg_day(clock_now_ms(), msg_cap_zone(out->cap_time_zone), day);
	if (rc == ERR_OK)
		rc = store_sms_usage_get(db, workspace_id, day, &out->used_today);
	return rc;
}

enum err messaging_campaign_set(struct db *db, const struct principal *p, int64_t mps, int64_t cap,
				const char *cap_tz, struct err_detail *d)
{
	if (cap_tz && (strlen(cap_tz) >= SMS_CAP_TZ_MAX || !tz_get(cap_tz)))
		return err_field_add(d, "capTimeZone", "is not an IANA time zone such as America/Los_Angeles");
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_of(p, SRC_API);
	int64_t now = clock_now_ms();
	rc = store_sms_settings_set(db, p->workspace_id, mps, cap, cap_tz, now);
	struct sms_campaign c;
	if (rc == ERR_OK) /* what is now in force, for the audit trail */
		rc = messaging_campaign_get(db, p->workspace_id, mps, cap, &c);
	if (rc == ERR_OK) /* messages held for the day's cap get another look at the new one */
		rc = store_sms_jobs_wake(db, p->workspace_id, now);
	if (rc == ERR_OK) {
		struct jw j;
		jw_init(&j, 128, 1024);
		jw_obj_begin(&j);
		jw_kint(&j, "messagesPerSecond", mps);
		jw_kint(&j, "dailyCapSegments", cap);
		jw_kstr(&j, "capTimeZone", c.cap_time_zone);
		jw_obj_end(&j);
		rc = jw_error(&j);
		if (rc == ERR_OK)
			rc = audit_record(db, &actor, "settings.messaging", "workspace", p->workspace_id, NULL, jw_cstr(&j));
		jw_cleanup(&j);
	}
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

/* ---- conversations and opt-out ---- */

static const char *normalize(struct arena *a, const char *raw, struct err_detail *d)
{
	char e164[PHONE_E164_SIZE];
	if (!raw || phone_normalize(raw, PHONE_DEFAULT_REGION, e164, sizeof e164) != ERR_OK) {
		err_field_add(d, "number", "must be a valid phone number");
		return NULL;
	}
	return arena_strdup(a, e164);
}

/* Cursor "<created_at ms>.<sid>". */
static bool cursor_parse(const char *s, int64_t *at, const char **sid)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '.' || v < 0 || strlen(end + 1) == 0 || strlen(end + 1) >= SMS_SID_SIZE)
		return false;
	for (const char *k = end + 1; *k; k++)
		if (!((*k >= '0' && *k <= '9') || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z')))
			return false;
	*at = v;
	*sid = end + 1;
	return true;
}

enum err messaging_conversation(struct db *db, const struct principal *p, const char *number, const char *cursor,
				int limit, struct arena *a, struct sms_page *out, struct err_detail *d)
{
	memset(out, 0, sizeof *out);
	const char *e164 = normalize(a, number, d);
	int64_t after_at = 0;
	const char *after_sid = NULL;
	if (cursor && !cursor_parse(cursor, &after_at, &after_sid))
		err_field_add(d, "cursor", "is not a cursor this endpoint returned");
	if (d->nfields)
		return ERR_INVALID;
	if (!e164)
		return ERR_NOMEM;
	enum err rc;
	if (authz_row_scoped(p->role, ACT_READ)) { /* a Tech reads the numbers of their jobs' calls only */
		bool own = false;
		if ((rc = store_sms_number_on_user_jobs(db, p->workspace_id, p->user_id, e164, &own)) != ERR_OK)
			return rc;
		if (!own)
			return err_set(d, ERR_NOT_FOUND, "no conversation with %s on your jobs", e164);
	}
	rc = store_sms_conversation(db, p->workspace_id, e164, after_at, after_sid, limit + 1, a, &out->rows,
					     &out->n);
	if (rc != ERR_OK)
		return rc;
	if (out->n > limit) {
		out->n = limit;
		const struct sms_message *last = &out->rows[limit - 1];
		out->next_cursor = arena_printf(a, "%lld.%s", (long long)last->created_at, last->sid);
		if (!out->next_cursor)
			return ERR_NOMEM;
	}
	struct sms_opt_status s;
	rc = store_sms_opt_get(db, p->workspace_id, e164, a, &s);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	out->opted_out = rc == ERR_OK && s.opted_out;
	return rc;
}

enum err messaging_opt_out(struct db *db, const struct principal *p, const char *number, struct arena *a,
			   const char **e164, bool *changed, struct err_detail *d)
{
	*e164 = normalize(a, number, d);
	if (d->nfields)
		return ERR_INVALID;
	if (!*e164)
		return ERR_NOMEM;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_of(p, SRC_API);
	rc = msg_opt_set(db, &actor, p->workspace_id, *e164, true, "api", "manual", changed);
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}
