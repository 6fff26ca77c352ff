/* SMS messaging routes:
 *	GET    /api/messaging/templates            { templates: [Template] }
 *	POST   /api/messaging/templates            { name, body, category } (Admin+) → 201 { template }
 *	PATCH  /api/messaging/templates/:id        (Admin+) → { template }
 *	DELETE /api/messaging/templates/:id        (Admin+) → 204
 *	POST   /api/calls/:id/send-sms             { template, variables?, message?, scheduledFor?, override? }
 *	                                           → { messageSid, status, cost, segments, encoding, body }
 *	GET    /api/messaging/conversation/:number ?cursor&limit → { messages, optInStatus, nextCursor, hasMore }
 *	POST   /api/messaging/opt-out/:number      → { number, optedOut: true, changed }
 *	GET    /api/settings/messaging             { messagesPerSecond, dailyCapSegments, capTimeZone, usedTodaySegments,
 *	                                             pricePerSegment }
 *	POST   /api/settings/messaging             { messagesPerSecond, dailyCapSegments, capTimeZone? } (Admin+)
 *	POST   /api/webhooks/sms                   Twilio-signed messaging webhooks → empty TwiML
 * Template { id, name, body, variables: [name], defaults?: {name: body}, category, builtIn }. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/webhook_auth.h"
#include "core/form.h"
#include "core/tz.h"
#include "domain/messaging.h"
#include "domain/segments.h"
#include "store/model.h"

#define MAX_VARS 32
#define VAR_VALUE_MAX 1600

static const char *const categories[] = {"transactional", "marketing", NULL};

static void template_json(struct jw *w, const struct sms_template *t)
{
	char names[TPL_MAX_VARS][TPL_VAR_MAX];
	int n = tpl_variables(t->body, names, TPL_MAX_VARS);
	jw_obj_begin(w);
	jw_kstr(w, "id", t->id);
	jw_kstr(w, "name", t->name);
	jw_kstr(w, "body", t->body);
	jw_key(w, "variables");
	jw_arr_begin(w);
	for (int i = 0; i < n; i++)
		jw_str(w, names[i]);
	jw_arr_end(w);
	if (t->defaults) {
		jw_key(w, "defaults");
		jw_obj_begin(w);
		for (const struct tpl_default *d = t->defaults; d->name; d++)
			jw_kstr(w, d->name, d->body);
		jw_obj_end(w);
	}
	jw_kstr(w, "category", t->category);
	jw_kbool(w, "builtIn", t->builtin);
	jw_obj_end(w);
}

enum err h_sms_templates_list(struct req *r)
{
	struct sms_template *rows;
	int n;
	enum err rc = messaging_templates(r->db, &r->principal, r->arena, &rows, &n);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 4096, 4 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "templates");
	jw_arr_begin(&w);
	for (int i = 0; i < n; i++)
		template_json(&w, &rows[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

static enum err template_save(struct req *r, const char *id)
{
	static const char *const keys[] = {"name", "body", "category", NULL};
	json_t *body = req_body(r);
	struct sms_template_input in = {0};
	int cat = 0;
	bool required = id == NULL;
	input_known_keys(r, body, keys);
	input_str(r, body, "name", required, TPL_NAME_MAX * 4, &in.name);
	input_str(r, body, "body", required, TPL_BODY_MAX * 4, &in.body);
	if (input_enum(r, body, "category", required, categories, &cat))
		in.category = categories[cat];
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct sms_template t;
	if ((rc = messaging_template_save(r->db, &r->principal, id, &in, r->arena, &t, &r->err)) != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	jw_key(&w, "template");
	template_json(&w, &t);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_sms_template_create(struct req *r)
{
	return template_save(r, NULL);
}

enum err h_sms_template_patch(struct req *r)
{
	return template_save(r, req_param(r, "id"));
}

enum err h_sms_template_delete(struct req *r)
{
	enum err rc = messaging_template_delete(r->db, &r->principal, req_param(r, "id"), &r->err);
	return rc != ERR_OK ? rc : reply_none(r);
}

/* variables: an object of strings. */
static void read_variables(struct req *r, json_t *body, struct sms_send_request *q)
{
	json_t *vars = json_object_get(body, "variables");
	if (!vars || json_is_null(vars))
		return;
	if (!json_is_object(vars) || json_object_size(vars) > MAX_VARS) {
		err_field_add(&r->err, "variables", "must be an object of at most %d strings", MAX_VARS);
		return;
	}
	const char **names = arena_alloc(r->arena, sizeof *names * MAX_VARS);
	const char **values = arena_alloc(r->arena, sizeof *values * MAX_VARS);
	if (!names || !values) {
		err_field_add(&r->err, "variables", "cannot be read");
		return;
	}
	const char *k;
	json_t *v;
	int n = 0;
	json_object_foreach(vars, k, v) {
		if (!json_is_string(v) || json_string_length(v) > VAR_VALUE_MAX) {
			err_field_add(&r->err, arena_printf(r->arena, "variables.%s", k), "must be a string of at most %d bytes",
				      VAR_VALUE_MAX);
			continue;
		}
		names[n] = arena_strdup(r->arena, k);
		values[n] = arena_strdup(r->arena, json_string_value(v));
		n++;
	}
	q->var_names = names;
	q->var_values = values;
	q->nvars = n;
}

enum err h_send_sms(struct req *r)
{
	static const char *const keys[] = {"template", "variables", "message", "scheduledFor", "override", NULL};
	json_t *body = req_body(r);
	struct sms_send_request q = {.call_id = req_param(r, "id"), .scheduled_for = I64_NULL,
				     .price_micros = r->cfg->sms_price_micros};
	input_known_keys(r, body, keys);
	input_str(r, body, "template", INPUT_REQUIRED, 128, &q.template_id);
	read_variables(r, body, &q);
	input_str(r, body, "message", INPUT_OPTIONAL, SMS_MAX_CHARS * 4, &q.message);
	input_time(r, body, "scheduledFor", INPUT_OPTIONAL, &q.scheduled_for);
	input_bool(r, body, "override", INPUT_OPTIONAL, &q.override);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct sms_send_result res;
	if ((rc = messaging_send(r->db, &r->principal, &q, r->arena, &res, &r->err)) != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 512, 64 * 1024);
	jw_obj_begin(&w);
	jw_kstr(&w, "messageSid", res.message_sid);
	jw_kstr(&w, "status", res.status);
	jw_key(&w, "cost");
	jw_double(&w, (double)res.cost_micros / 1e6);
	jw_kint(&w, "segments", res.segments);
	jw_kstr(&w, "encoding", res.encoding);
	jw_kstr(&w, "body", res.body);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

static void message_json(struct jw *w, const struct sms_message *m)
{
	bool out = !strcmp(m->direction, "outbound");
	jw_obj_begin(w);
	jw_kstr(w, "messageSid", m->sid);
	jw_kstr(w, "direction", m->direction);
	jw_kstr(w, "from", out ? m->our_e164 : m->peer_e164);
	jw_kstr(w, "to", out ? m->peer_e164 : m->our_e164);
	jw_kstr(w, "body", m->body);
	jw_kstr(w, "status", m->status);
	jw_kint(w, "segments", m->segments);
	jw_kstr(w, "encoding", m->encoding);
	if (m->cost_micros != I64_NULL) {
		jw_key(w, "cost");
		jw_double(w, (double)m->cost_micros / 1e6);
	}
	if (m->error_code != I64_NULL)
		jw_kint(w, "errorCode", m->error_code);
	if (m->error)
		jw_kstr(w, "error", m->error);
	jw_kstr(w, "callId", m->call_id);
	jw_kstr(w, "template", m->template_id);
	jw_kstr(w, "kind", m->kind);
	/* When it is to go: as scheduled, or later when quiet hours at the
	 * recipient deferred it at its delivery. */
	bool deferred = m->deferred_until != I64_NULL &&
			(m->scheduled_for == I64_NULL || m->deferred_until > m->scheduled_for);
	if (deferred || m->scheduled_for != I64_NULL)
		jw_ktime_ms(w, "scheduledFor", deferred ? m->deferred_until : m->scheduled_for);
	if (deferred)
		jw_kstr(w, "deferredBy", "quiet_hours");
	if (m->sent_at != I64_NULL)
		jw_ktime_ms(w, "sentAt", m->sent_at);
	jw_ktime_ms(w, "createdAt", m->created_at);
	jw_ktime_ms(w, "updatedAt", m->updated_at);
	jw_obj_end(w);
}

enum err h_sms_conversation(struct req *r)
{
	const char *lim = req_query(r, "limit"), *cursor = req_query(r, "cursor");
	int limit = SMS_PAGE_DEFAULT;
	if (lim) {
		char *end;
		long v = strtol(lim, &end, 10);
		if (*end || end == lim || v < 1 || v > SMS_PAGE_MAX)
			return err_field_add(&r->err, "limit", "must be a whole number from 1 to %d", SMS_PAGE_MAX);
		limit = (int)v;
	}
	struct sms_page pg;
	enum err rc = messaging_conversation(r->db, &r->principal, req_param(r, "number"), cursor, limit, r->arena, &pg,
					     &r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 4096, 16 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "messages");
	jw_arr_begin(&w);
	for (int i = 0; i < pg.n; i++)
		message_json(&w, &pg.rows[i]);
	jw_arr_end(&w);
	jw_kbool(&w, "optInStatus", !pg.opted_out);
	jw_kstr(&w, "nextCursor", pg.next_cursor);
	jw_kbool(&w, "hasMore", pg.next_cursor != NULL);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_sms_opt_out(struct req *r)
{
	const char *e164;
	bool changed = false;
	enum err rc = messaging_opt_out(r->db, &r->principal, req_param(r, "number"), r->arena, &e164, &changed, &r->err);
	if (rc != ERR_OK)
		return rc;
	json_t *out = json_pack("{s:s, s:b, s:b}", "number", e164, "optedOut", 1, "changed", changed);
	return out ? reply_json(r, out) : ERR_NOMEM;
}

static enum err reply_campaign(struct req *r)
{
	struct sms_campaign c;
	enum err rc = messaging_campaign_get(r->db, r->principal.workspace_id, r->cfg->sms_default_mps,
					     r->cfg->sms_default_daily_cap, &c);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 256, 4096);
	jw_obj_begin(&w);
	jw_kint(&w, "messagesPerSecond", c.messages_per_second);
	jw_kint(&w, "dailyCapSegments", c.daily_cap_segments);
	jw_kstr(&w, "capTimeZone", c.cap_time_zone);
	jw_kint(&w, "usedTodaySegments", c.used_today);
	jw_key(&w, "pricePerSegment");
	jw_double(&w, (double)r->cfg->sms_price_micros / 1e6);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_sms_settings_get(struct req *r)
{
	return reply_campaign(r);
}

enum err h_sms_settings_set(struct req *r)
{
	static const char *const keys[] = {"messagesPerSecond", "dailyCapSegments", "capTimeZone", NULL};
	json_t *body = req_body(r);
	int64_t mps = 0, cap = 0;
	const char *zone = NULL;
	input_known_keys(r, body, keys);
	input_int(r, body, "messagesPerSecond", INPUT_REQUIRED, 1, 1000, &mps);
	input_int(r, body, "dailyCapSegments", INPUT_REQUIRED, 1, 100000000, &cap);
	if (input_str(r, body, "capTimeZone", INPUT_OPTIONAL, SMS_CAP_TZ_MAX - 1, &zone) && !tz_get(zone))
		err_field_add(&r->err, "capTimeZone", "is not an IANA time zone such as America/Los_Angeles");
	enum err rc = input_result(r);
	if (rc == ERR_OK)
		rc = messaging_campaign_set(r->db, &r->principal, mps, cap, zone, &r->err);
	return rc != ERR_OK ? rc : reply_campaign(r);
}

enum err h_webhook_sms(struct req *r)
{
	struct form f = {0};
	const char *url = NULL;
	enum err rc = webhook_twilio_verify(r, &f, &url);
	if (rc != ERR_OK)
		return rc;
	struct sms_webhook w = {
		.message_sid = form_get(&f, "MessageSid") ? form_get(&f, "MessageSid") : form_get(&f, "SmsSid"),
		.status = form_get(&f, "MessageStatus") ? form_get(&f, "MessageStatus") : form_get(&f, "SmsStatus"),
		.from = form_get(&f, "From"),
		.to = form_get(&f, "To"),
		.body = form_get(&f, "Body"),
		.error_code = form_get(&f, "ErrorCode"),
		.key = req_query(r, "m"),
		.price_micros = r->cfg->sms_price_micros,
		/* Twilio's Advanced Opt-Out names the keyword it acted on (and answered) in OptOutType. */
		.vendor_replied = r->cfg->sms_vendor_keyword_replies || form_get(&f, "OptOutType"),
	};
	if ((rc = messaging_webhook(r->db, &w, r->arena, &r->err)) != ERR_OK)
		return rc;
	static const char twiml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";
	return reply_static(r, "text/xml; charset=utf-8", twiml, sizeof twiml - 1);
}
